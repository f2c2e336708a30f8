"""@mentions: find the people a post names, and mark their names in the rendered post.

People have no user names, so a mention is "@" followed by the person's full name, as
the autocomplete inserts it and as anyone can type it without JavaScript. For each "@",
the longest run of up to four words that is the name of someone who can see the board
wins. Only people who can see the board are ever matched.
"""
import re

from markupsafe import escape
from peewee import fn

from portal import markup
from portal.blueprints.accounts.models import User

MAX_MENTIONS = 20
MAX_WORDS = 4
_AT = re.compile(r"(?<![\w@])@([^\W\d_][\w'’.-]*(?:[ \t]+[\w'’.-]+){0," + str(MAX_WORDS - 1)
                 + "})")
_TRAILING = ".'’-"


def candidates(text: str) -> list[list[str]]:
    """For each "@" in the text, the names it might be, longest first."""
    found = []
    for match in _AT.finditer(text or ""):
        words = match.group(1).split()
        names = []
        for n in range(len(words), 0, -1):
            name = " ".join(words[:n])
            names.append(name.lower())
            stripped = name.rstrip(_TRAILING)
            if stripped and stripped != name:
                names.append(stripped.lower())
        found.append(names)
        if len(found) >= MAX_MENTIONS:
            break
    return found


def find(text: str, readers) -> list:
    """The people `text` mentions, from `readers` (a User query: who can see the board)."""
    options = candidates(text)
    wanted = {name for names in options for name in names}
    if not wanted:
        return []
    people: dict[str, list] = {}
    for person in readers.where(fn.LOWER(User.name).in_(sorted(wanted))):
        people.setdefault(person.name.lower(), []).append(person)
    chosen = {}
    for names in options:
        best = next((name for name in names if name in people), None)
        for person in people.get(best, []):
            chosen[person.id] = person
    return list(chosen.values())


def render(text: str, mentioned_names: list[str]) -> str:
    """The post's Markdown as safe HTML, with each mentioned "@Name" in bold."""
    html = markup.render_comment(text)
    if not mentioned_names:
        return html
    variants = {v for n in mentioned_names for v in (n, n.replace("'", "’"))}  # smart quotes
    names = sorted({str(escape(v)) for v in variants}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w@])@(" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                         re.IGNORECASE)
    parts, skip = [], 0
    for piece in re.split(r"(<[^>]*>)", html):
        if piece.startswith("<"):
            tag = re.match(r"</?([a-z0-9]+)", piece)
            if tag and tag.group(1) in ("a", "code", "pre"):
                skip += -1 if piece.startswith("</") else 1
            parts.append(piece)
        elif skip <= 0:
            parts.append(pattern.sub(r"<strong>@\1</strong>", piece))
        else:
            parts.append(piece)
    # Sanitise again: whatever the split above got wrong, nothing executable survives.
    return markup.sanitise("".join(parts))
