"""Markdown to safe HTML, once, when content is saved.

markdown-it renders with raw HTML off, then nh3 keeps only a small list of tags and
attributes, so no script, event handler, style or `javascript:` link survives, whatever
was typed. Headings get ids for anchors, and long documents get a contents list.
"""
import math
import re
import unicodedata
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "code",
                "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
                "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
WORDS_PER_MINUTE = 200
CONTENTS_MIN_HEADINGS = 3


@dataclass
class Rendered:
    html: str
    contents: list[dict] = field(default_factory=list)  # [{"level", "id", "text"}]
    words: int = 0

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.words / WORDS_PER_MINUTE))


def slugify(text: str, max_length: int = 80) -> str:
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # dashes would vanish in ASCII
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "section"


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}
                      ).enable(["table", "strikethrough", "replacements", "smartquotes"])


_PARSER = _parser()


def _shift_headings(tokens, lowest: int) -> None:
    """An article's title is its page's h1, so Markdown headings start at h2."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, max(lowest, int(token.tag[1])))
            token.tag = f"h{level}"


def _anchor_headings(tokens) -> list[dict]:
    seen: dict[str, int] = {}
    contents = []
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = tokens[i + 1].content
        anchor = slugify(text)
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] > 1:
            anchor = f"{anchor}-{seen[anchor]}"
        token.attrSet("id", anchor)
        contents.append({"level": int(token.tag[1]), "id": anchor, "text": text})
    return contents


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def render(text: str, with_contents: bool = False) -> Rendered:
    tokens = _PARSER.parse(text or "")
    _shift_headings(tokens, lowest=2)
    contents = _anchor_headings(tokens)
    html = sanitise(_PARSER.renderer.render(tokens, _PARSER.options, {}))
    words = len(re.findall(r"\w+", text or ""))
    shown = [c for c in contents if c["level"] <= 3]
    if not with_contents or len(shown) < CONTENTS_MIN_HEADINGS:
        shown = []
    return Rendered(html=html, contents=shown, words=words)


def render_comment(text: str) -> str:
    """Comments and posts: the same rules, headings kept small."""
    tokens = _PARSER.parse(text or "")
    _shift_headings(tokens, lowest=4)
    return sanitise(_PARSER.renderer.render(tokens, _PARSER.options, {}))
