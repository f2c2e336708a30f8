"""Hostile text rendered in a real browser, with JavaScript on: every payload in
tests/data/xss_payloads.txt as a paragraph of a hub article, as a hub comment, as a board
thread's title and as a board post. Nothing may run, and the DOM must show that the
sanitiser (not only the Content Security Policy) removed what could run.

The CSP forbids inline script, so a handler that slipped through would be blocked rather
than run: the DOM checks are what prove the sanitiser, and the dialog, counter and CSP
report checks prove that nothing ran or tried to.
"""
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from portal.db import db
from tests.browser.pages import DashboardPage, LoginPage, PageObject
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PAYLOADS = (Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt").read_text(
    encoding="utf-8").splitlines()
ARTICLE_TITLE = "<script>alert('title')</script> Handover <img src=x onerror=alert(1)>"
HOSTILE_NAME = "<img src=x onerror=alert('name')> Mallory"
HOSTILE_SUMMARY = "<b>Summary</b> <img src=x onerror=alert('summary')>"

# Runs before any of the page's own scripts, in every document of the context. (The
# browser conftest's listener fills window.__cspViolations on every page of every test.)
TRAPS = """
window.__xss = 0;
for (const name of ["alert", "confirm", "prompt"]) {
  const original = window[name];
  window[name] = function (...args) { window.__xss += 1; return original.apply(this, args); };
}
// Clicking a link in user content must not take the browser to another page (or another
// host): it stays where it is. javascript:, data: and other schemes keep their default
// action, so a link that could run something is allowed to try.
const USER_CONTENT = "#article-body, .tandem-comment__body, .tandem-post__body";
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href]");
  if (link && link.closest(USER_CONTENT)
      && ["http:", "https:"].includes(new URL(link.href).protocol)) {
    event.preventDefault();
  }
}, true);
"""

# What must not be inside user content, for each root element selector given.
FIND_PROBLEMS = """
(selectors) => {
  const problems = [];
  const forbidden = "script, iframe, object, embed, svg, img, style, math, form, input, "
                  + "button, meta, base, link, frame, frameset, video, audio, source, template";
  const badAttribute = /^(on|style|hx-|data-hx-|srcdoc|formaction|xlink:href)/i;
  let roots = 0;
  for (const selector of selectors) {
    for (const root of document.querySelectorAll(selector)) {
      roots += 1;
      for (const element of root.querySelectorAll(forbidden)) {
        problems.push(`${selector}: <${element.localName}> ${element.outerHTML.slice(0, 120)}`);
      }
      for (const element of [root, ...root.querySelectorAll("*")]) {
        for (const attribute of element.attributes) {
          if (badAttribute.test(attribute.name)) {
            const where = `${selector}: ${element.localName}`;
            problems.push(`${where}[${attribute.name}="${attribute.value}"]`);
          }
        }
      }
      for (const link of root.querySelectorAll("a[href], area[href]")) {
        const protocol = new URL(link.href).protocol;
        if (!["http:", "https:", "mailto:"].includes(protocol)) {
          problems.push(`${selector}: link to ${protocol} ${link.getAttribute("href")}`);
        }
      }
    }
  }
  // The app has no inline handlers anywhere (its CSP would block them): none on any page.
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) {
        problems.push(`page: ${element.localName}[${attribute.name}="${attribute.value}"]`);
      }
    }
  }
  return {roots, problems};
}
"""

# Every event a stray handler might listen for, sent to every element in user content.
PROVOKE = """
(selectors) => {
  const events = ["mouseover", "mouseenter", "mousemove", "mousedown", "mouseup",
                  "focus", "focusin", "blur", "keydown", "pointerover", "toggle",
                  "animationstart", "transitionend", "load", "error"];
  let provoked = 0;
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(`${selector}, ${selector} *`)) {
      for (const type of events) {
        element.dispatchEvent(new Event(type, {bubbles: true}));
      }
      provoked += 1;
    }
  }
  return provoked;
}
"""


class Watched:
    """A page with the traps set, and the dialogs it opened."""

    def __init__(self, page: Page, live_server: str):
        self.page, self.dialogs, self.other_hosts = page, [], []
        own_host = urlsplit(live_server).netloc
        page.add_init_script(TRAPS)
        page.on("dialog", self._dialog)

        def only_this_server(route):
            if urlsplit(route.request.url).netloc == own_host:
                route.continue_()
            else:
                self.other_hosts.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def provoke(self, *selectors: str, click_links: bool = True) -> int:
        """Hover, focus and click every link in user content (no link leaves the page),
        then send every element the events a stray handler might wait for."""
        links = self.page.locator(", ".join(f"{s} a" for s in selectors))
        if click_links:
            for link in links.all():
                link.scroll_into_view_if_needed()
                link.hover()
                link.focus()
                link.click()
        self.page.evaluate(PROVOKE, list(selectors))
        return links.count()

    def assert_nothing_ran(self, *selectors: str) -> None:
        found = self.page.evaluate(FIND_PROBLEMS, list(selectors))
        assert found["roots"] >= len(selectors), f"user content missing: {selectors}"
        assert found["problems"] == []
        assert self.dialogs == []
        assert self.page.evaluate("window.__xss") == 0
        assert self.page.evaluate("window.__cspViolations") == []
        assert self.other_hosts == []

    def check(self, *selectors: str, click_links: bool = True) -> None:
        self.provoke(*selectors, click_links=click_links)
        self.assert_nothing_ran(*selectors)


def log_in(page: Page, axe, user) -> DashboardPage:
    return LoginPage.open(page, axe).log_in(user.email, TEST_PASSWORD)


def still_on(page: Page, path: str) -> bool:
    return urlsplit(page.url).path == path


def search_for(page: Page, axe, path: str, heading: str, text: str) -> PageObject:
    """A search page loaded with `text` as its query, which the page shows back."""
    page.goto(f"{path}?q={quote(text)}")
    found = PageObject(page, axe, heading=heading)
    expect(found.main.get_by_role("searchbox")).to_have_value(text)
    return found


def check_search(page: Page, axe, watched: Watched, path: str, heading: str,
                 title: str) -> None:
    """Snippets of stored payloads, with the matched word marked, under the title of what
    they are from; then a payload as the query, which the page shows back as text."""
    search_for(page, axe, path, heading, "onerror")
    expect(page.locator("#results").get_by_role("link", name=title, exact=True).first
           ).to_be_visible()
    expect(page.locator("#results mark").first).to_have_text(re.compile("^onerror$", re.I))
    watched.check("#search-results", click_links=False)
    query = "<svg/onload=alert('q')>"
    search_for(page, axe, path, heading, query)
    expect(page.locator("#result-count")).to_contain_text(f"for “{query}”")
    watched.check("#search-results", click_links=False)


# The hub -----------------------------------------------------------------------------------

def test_article_body_comments_and_titles_run_nothing(new_page, axe, live_server, app,
                                                       make_user, make_article):
    reader = make_user(name="Rita Reader", email="rita.reader@example.nhs.uk")
    commenter = make_user(name=HOSTILE_NAME, email="mallory@example.org")
    article = make_article(title=ARTICLE_TITLE, summary=HOSTILE_SUMMARY,
                           body="\n\n".join(PAYLOADS))
    from portal.blueprints.accounts.models import User
    from portal.blueprints.hub import services

    with app.app_context(), db.connection_context():
        author = User.get_by_id(commenter.id)
        for payload in PAYLOADS:
            services.add_comment(author, article, payload)

    page = new_page(javascript=True)
    watched = Watched(page, live_server)
    dashboard = log_in(page, axe, reader)
    assert dashboard.scripts_running()
    expect(dashboard.main.locator("#recent").get_by_role("link")).to_have_text([ARTICLE_TITLE])
    watched.check("#recent", click_links=False)

    dashboard.main.locator("#recent").get_by_role("link", name=ARTICLE_TITLE).click()
    article_page = PageObject(page, axe, heading=ARTICLE_TITLE)
    expect(page).to_have_title(f"{ARTICLE_TITLE} – Tandem")
    body, comments = page.locator("#article-body"), page.locator("#comments-list > li")
    # What a person sees: the payloads as text (Markdown curls the quotes), not as markup
    # that did something.
    expect(body).to_contain_text("<script>alert(‘xss’)</script>")
    expect(body).to_contain_text("<img src=x onerror=alert(‘xss’)>")
    expect(body).to_contain_text("<div hx-get=“/accounts/logout” hx-trigger=“load”>htmx</div>")
    expect(article_page.main.locator(".nhsuk-lede-text")).to_have_text(HOSTILE_SUMMARY)
    expect(comments).to_have_count(len(PAYLOADS))
    expect(comments.first.locator(".tandem-meta strong")).to_have_text(HOSTILE_NAME)
    expect(comments.first.locator(".tandem-comment__body")).to_have_text(
        "<script>alert(‘xss’)</script>")
    # The comments' own words and their authors' names; not the page's controls beside
    # them (Report opens a form there).
    watched.check("#article-body", ".tandem-comment__body", "#comments-list .tandem-meta",
                  "main h1", ".nhsuk-lede-text")
    assert still_on(page, f"/hub/articles/{article.slug}")

    # Search results show the stored text as snippets, and the query itself comes back.
    check_search(page, axe, watched, "/hub/search", "Search the knowledge hub", ARTICLE_TITLE)


# The boards ----------------------------------------------------------------------------------

POSTS_THREAD = "Every payload, one post each"


def test_board_thread_titles_and_posts_run_nothing(new_page, axe, live_server, app, make_user):
    from portal import audience
    from portal.blueprints.accounts.models import User
    from portal.blueprints.boards import services

    staff = make_user(role="staff", name="Sadia Staff")
    poster = make_user(name=HOSTILE_NAME, email="mallory@example.org")
    reader = make_user(name="Rita Reader", email="rita.reader@example.nhs.uk")
    titles = [payload.strip()[:200] for payload in PAYLOADS]
    with app.app_context(), db.connection_context():
        board = services.save_board(User.get_by_id(staff.id), None, name="Open forum",
                                    description=PAYLOADS[5], audience_value=audience.SIGNED_IN,
                                    group_ids=[], position=0)
        author = User.get_by_id(poster.id)
        for title in titles:
            services.start_thread(author, board, title, "A thread to test its title.")
        first = services.start_thread(author, board, POSTS_THREAD, PAYLOADS[0])
        for payload in PAYLOADS[1:]:
            services.reply(author, first.thread, payload)
        services.reply(author, first.thread, f"@Rita Reader {PAYLOADS[2]} @{HOSTILE_NAME}")
        thread_id, board_slug = first.thread_id, board.slug

    page = new_page(javascript=True)
    watched = Watched(page, live_server)
    log_in(page, axe, reader)
    page.goto(f"/boards/{board_slug}")
    board_page = PageObject(page, axe, heading="Open forum")
    expect(board_page.main.locator(".nhsuk-lede-text")).to_have_text(PAYLOADS[5])
    rows = page.locator("#thread-rows h3")
    expect(rows).to_have_count(25)
    board_page.follow("Show more threads")
    expect(rows).to_have_count(len(titles) + 1)
    board_page.check_accessibility()
    assert sorted(rows.all_text_contents()) == sorted(titles + [POSTS_THREAD])
    watched.check("#thread-rows", ".nhsuk-lede-text", click_links=False)

    # Each page of the thread whose posts are the payloads.
    page.locator("#thread-rows").get_by_role("link", name=POSTS_THREAD, exact=True).click()
    thread = PageObject(page, axe, heading=POSTS_THREAD)
    posts = page.locator("#posts > li")
    shown = []
    for number in (1, 2, 3):
        expect(posts).to_have_count(20 if number < 3 else len(PAYLOADS) + 1 - 40)
        shown += posts.locator(".tandem-post__body").all_inner_texts()
        watched.check(".tandem-post__body")
        assert still_on(page, f"/boards/threads/{thread_id}")
        if number < 3:
            thread.main.get_by_role("navigation", name="Pages of this thread").first.get_by_role(
                "link", name=re.compile(r"^Next")).click()
            thread = PageObject(page, axe, heading=POSTS_THREAD)
    assert len(shown) == len(PAYLOADS) + 1
    expect(posts.last.locator(".tandem-post__body strong")).to_have_text(["@Rita Reader"])

    # A thread whose title is a payload: its heading and the window title show it as text.
    page.goto(f"/boards/{board_slug}")
    PageObject(page, axe, heading="Open forum")
    page.locator("#thread-rows").get_by_role("link", name=titles[0], exact=True).click()
    PageObject(page, axe, heading=titles[0])
    expect(page).to_have_title(f"{titles[0]} – Tandem")
    watched.check("main h1", ".tandem-post__body")

    # Board search shows posts' text as snippets and gives the query back.
    check_search(page, axe, watched, "/boards/search", "Search the boards", POSTS_THREAD)
