"""Markdown rendering: useful formatting survives, nothing executable does."""
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from portal.markup import render, render_comment, slugify

PAYLOADS = [line for line in
            (Path(__file__).parents[1] / "data" / "xss_payloads.txt").read_text().splitlines()
            if line.strip()]
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def inert(html: str) -> list[str]:
    """Everything in the HTML that could run script or load active content."""
    soup = BeautifulSoup(html, "html.parser")
    problems = [tag.name for tag in soup.find_all(
        ["script", "iframe", "object", "embed", "style", "form", "base", "meta", "link", "svg",
         "math", "img", "input", "body", "details"])]
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            if attribute.startswith("on") or attribute in ("style", "srcdoc") \
                    or "hx-" in attribute:
                problems.append(f"{tag.name}[{attribute}]")
            if attribute in ("href", "src", "action") and urlsplit(
                    str(value).strip()).scheme.lower() not in SAFE_SCHEMES:
                problems.append(f"{tag.name}[{attribute}={value}]")
    return problems


def test_there_are_at_least_30_payloads():
    assert len(PAYLOADS) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_article_markdown_renders_every_payload_inert(payload):
    assert inert(render(payload).html) == []
    assert inert(render(f"Intro\n\n{payload}\n\nOutro").html) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_comment_markdown_renders_every_payload_inert(payload):
    assert inert(render_comment(payload)) == []


def test_useful_markdown_survives():
    html = render("## Plan\n\n**Bold**, *italic*, `code` and [NHS](https://www.nhs.uk/).\n\n"
                  "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |").html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h2["id"] == "plan"
    assert soup.strong.text == "Bold" and soup.em.text == "italic"
    assert soup.a["href"] == "https://www.nhs.uk/"
    assert "noopener" in soup.a["rel"]
    assert [li.text for li in soup.select("li")] == ["one", "two"]
    assert [td.text for td in soup.select("td")] == ["1", "2"]


def test_raw_html_is_shown_as_text_not_markup():
    html = render("Press <b>here</b>").html
    assert "&lt;b&gt;here&lt;/b&gt;" in html


def test_headings_start_at_h2_and_reading_time_counts_words():
    rendered = render("# Title inside\n\n" + "word " * 450, with_contents=True)
    assert "<h2" in rendered.html and "<h1" not in rendered.html
    assert rendered.reading_minutes == 3


def test_slugify():
    assert slugify("Work–life balance: a guide!") == "work-life-balance-a-guide"
    assert slugify("***") == "section"
