"""The hub's XSS payload list renders inert in board posts, thread titles and quotes."""
from urllib.parse import urlsplit

from portal import settings
from portal.db import db
from tests.pages import Page
from tests.unit.test_markup import PAYLOADS, inert
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX

SAFE_SCHEMES = {"", "http", "https", "mailto"}


def page_problems(page: Page) -> list[str]:
    """Anything on a whole page that could run script: inline or foreign scripts, event
    handler or style attributes, and links or forms to unsafe schemes."""
    problems = [str(s)[:80] for s in page.soup.find_all("script")
                if not (s.get("src") or "").startswith("/static/") or s.get_text().strip()]
    for tag in page.soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc"):
                problems.append(f"{tag.name}[{name}]")
            if name in ("href", "src", "action") and urlsplit(
                    str(value).strip()).scheme.lower() not in SAFE_SCHEMES:
                problems.append(f"{tag.name}[{name}={value}]")
    return problems


def text_only(element) -> bool:
    return element is not None and element.find(True) is None


def test_every_payload_is_inert_as_a_title_a_post_and_a_quote(app, client, login, boards,
                                                              csrf_token, post_as):
    with app.app_context(), db.connection_context():
        settings.save({"boards_posts_per_minute": 1000})
    posts = [post_as(boards.mentor, boards.general, title=payload[:200],
                     body=f"@Sam Staff said:\n\n{payload}") for payload in PAYLOADS]
    login(boards.staff)
    for payload, post in zip(PAYLOADS, posts, strict=True):
        thread = Page(client.get(f"/boards/threads/{post.thread_id}"))
        title = thread.soup.find("h1")
        assert text_only(title) and title.get_text() == payload[:200].strip(), payload
        body = thread.soup.select_one(f"#post-{post.id} .tandem-post__body")
        assert inert(str(body)) == [], payload
        assert page_problems(thread) == [], payload

        form = Page(client.get(f"/boards/threads/{post.thread_id}/reply?quote={post.id}",
                               headers=HX))
        quote = form.soup.find("textarea")
        assert text_only(quote) and form.value("body").startswith("> **Mina Mentor** wrote:")
        replied = client.post(f"/boards/threads/{post.thread_id}/reply", headers=HX, data={
            "body": form.value("body"), "seen": "1", "csrf_token": csrf_token})
        added = Page(replied).soup.select(".tandem-post__body")[-1]
        assert added.select_one("blockquote") is not None, payload
        assert inert(str(added)) == [] and page_problems(Page(replied)) == [], payload

    for url in ("/boards/general", "/notifications/", "/boards/search?q=xss"):
        page = Page(client.get(url))
        assert page_problems(page) == [], url
        for link in page.soup.select(".tandem-thread-row h3 a, .tandem-notification a, "
                                     "#results h2 a"):
            assert text_only(link), (url, str(link))
    assert len(Page(client.get("/boards/search?q=xss")).soup.select("#results li")) > 10
