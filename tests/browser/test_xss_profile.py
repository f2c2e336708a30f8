"""What people type into their profiles, shown back on the pages that show it, in a real
browser with JavaScript on.

- One person puts each payload in tests/data/xss_payloads.txt, in turn, into every text
  field of their profile through the edit form, and after each save visits the pages that
  show their name by each way a page is made: their profile (rendered for them), their
  dashboard (kept for them, the name filled in) and a board thread with their post (kept
  for everyone in their audience, the header's name filled in).
- Then one person per payload, all at once, on the pages that list many people: a
  thread's posts, an article's comments, the moderation queue, a webinar's bookings, the
  staff people list and the audit log.

The Content Security Policy would stop an injected script from running, so "nothing ran"
proves little: each page is checked for what a person would notice instead. The payload
reads as the text they typed, the element holding it has no children the app did not put
there, no element or attribute a payload could have made is anywhere on the page, and the
page had no CSP violation (the browser conftest's listener, checked at every axe check).
"""
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from portal.db import db
from tests.browser.pages import (
    DashboardPage,
    EditProfilePage,
    LoginPage,
    PageObject,
    ProfilePage,
)
from tests.conftest import TEST_PASSWORD
from tests.webinar_factories import book, make_session

pytestmark = pytest.mark.browser

PAYLOADS = (Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt").read_text(
    encoding="utf-8").splitlines()
# The profile's free-text fields, by label, with the longest value each accepts.
FIELDS = {"Full name": 120, "Organisation": 160, "Job title": 160, "About you": 1000,
          "Specialisms": 500, "Team or department": 160}
THREAD_TITLE = "Introductions"
ARTICLE_TITLE = "Planning your handover"
# The edit form's fields as the profile service names them (the free-text ones in FIELDS'
# order, then the ones chosen from a list).
PROFILE_FIELDS = ("name", "organisation", "job_title", "bio", "specialisms", "team")
# The manager's email must be an email address: no payload gets through its check.
CHOSEN_FIELDS = ("staff_group", "pay_band", "region", "manager_email")

# Anything on the page that the app never writes itself, so a payload must have made it.
FOREIGN_MARKUP = """
() => {
  const problems = [];
  const own = location.origin;
  const describe = (element) => element.outerHTML.slice(0, 160);
  for (const script of document.querySelectorAll("script")) {
    if (!script.src.startsWith(own + "/static/")) problems.push(`script: ${describe(script)}`);
  }
  const never = "iframe, frame, frameset, object, embed, img, image, style, math, base, "
              + "meta[http-equiv], video, audio, source, template, mglyph";
  for (const element of document.querySelectorAll(never)) {
    problems.push(`<${element.localName}>: ${describe(element)}`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (!svg.matches(".nhsuk-icon, .nhsuk-header__logo")) problems.push(`svg: ${describe(svg)}`);
  }
  for (const link of document.querySelectorAll("link")) {
    if (!link.href.startsWith(own + "/")) problems.push(`link: ${describe(link)}`);
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) problems.push(`${attribute.name}: ${describe(element)}`);
    }
  }
  for (const element of document.querySelectorAll("[href], [src], [action], [formaction]")) {
    for (const name of ["href", "src", "action", "formaction"]) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      const protocol = new URL(value, location.href).protocol;
      if (!["http:", "https:", "mailto:"].includes(protocol)) {
        problems.push(`${name} to ${protocol}: ${describe(element)}`);
      }
    }
  }
  return problems;
}
"""
# The elements inside `element` other than those matching `allowed` (the header's icon).
CHILDREN = """
(element, allowed) => [...element.querySelectorAll("*")]
  .filter((child) => !(allowed && child.closest(allowed)))
  .map((child) => child.outerHTML.slice(0, 160))
"""


def values_for(payload: str) -> dict[str, str]:
    """What the person types into each field: the payload, cut to the field's length."""
    return {label: payload.strip()[:limit] for label, limit in FIELDS.items()}


def shown(label: str, value: str) -> str:
    """What a page shows for a field: saved stripped; specialisms are a comma list."""
    if label == "Specialisms":
        return ", ".join(part.strip() for part in value.split(",") if part.strip())
    return value.strip()


def expect_as_text(region: Locator, text: str, allowed: str | None = None) -> None:
    """The person's words, visible, exactly as typed, and nothing but text."""
    expect(region).to_be_visible()
    expect(region).to_have_text(text)
    assert region.evaluate(CHILDREN, allowed) == [], (
        f"markup inside {region}")


def expect_page_clean(view: PageObject, name: str) -> None:
    """The header's account link shows the name; nothing a payload made is on the page."""
    page = view.page
    link = page.get_by_role("navigation", name="Account").locator("a").first
    expect_as_text(link, name, allowed="svg.nhsuk-icon")
    assert page.evaluate(FOREIGN_MARKUP) == [], f"markup from a payload on {page.url}"


def summary_value(view: PageObject, label: str) -> Locator:
    row = view.main.locator(".nhsuk-summary-list__row").filter(
        has=view.page.locator("dt", has_text=label))
    return row.locator("dd")


@contextmanager
def about(number: int, payload: str):
    """Say which payload a failure was about."""
    try:
        yield
    except (AssertionError, PlaywrightError, pytest.fail.Exception) as error:
        pytest.fail(f"payload {number} {payload!r}: {error}", pytrace=False)


@pytest.fixture
def person_everywhere(app, make_user):
    """A staff member with a board post of their own."""
    from portal import audience
    from portal.blueprints.accounts.models import User
    from portal.blueprints.boards import services as boards

    person = make_user(role="staff", name="Pat Person", email="pat.person@example.nhs.uk")
    with app.app_context(), db.connection_context():
        author = User.get_by_id(person.id)
        board = boards.save_board(author, None, name="Open forum", description="Say hello.",
                                  audience_value=audience.SIGNED_IN, group_ids=[], position=0)
        post = boards.start_thread(author, board, THREAD_TITLE, "Hello, I am new here.")
    return {"person": person, "post_id": post.id, "thread_id": post.thread_id}


def edit_profile(page: Page, axe, values: dict[str, str]) -> ProfilePage:
    page.goto("/accounts/profile/edit")
    edit = EditProfilePage(page, axe)
    for label, value in values.items():
        edit.fill(label, value)
    edit.press("Save profile")
    return ProfilePage(page, axe)


# The payloads go through in a few batches, each its own test, so that parallel workers
# share the ~300 audited page loads instead of one worker taking them all.
BATCHES = 6


@pytest.mark.parametrize("batch", range(BATCHES), ids=lambda n: f"batch{n + 1}of{BATCHES}")
def test_each_payload_in_each_profile_field_is_shown_as_text(page, axe, person_everywhere,
                                                             batch):
    setting = person_everywhere
    person = setting["person"]
    LoginPage.open(page, axe).log_in(person.email, TEST_PASSWORD)
    for number, payload in list(enumerate(PAYLOADS, 1))[batch::BATCHES]:
        with about(number, payload):
            check_every_page(page, axe, setting, values_for(payload))


def test_the_batches_cover_every_payload():
    covered = sorted(n for batch in range(BATCHES)
                     for n, _ in list(enumerate(PAYLOADS, 1))[batch::BATCHES])
    assert covered == list(range(1, len(PAYLOADS) + 1)) and len(PAYLOADS) >= 40


def check_every_page(page: Page, axe, setting: dict, typed: dict[str, str]) -> None:
    seen = {label: shown(label, value) for label, value in typed.items()}
    name = seen["Full name"]

    profile = edit_profile(page, axe, typed)
    profile.expect_message("Your profile has been saved.")
    expect_page_clean(profile, name)
    expect_as_text(summary_value(profile, "Name"), name)
    for label in ("Organisation", "Team or department", "Job title", "About you",
                  "Specialisms"):
        expect_as_text(summary_value(profile, label), seen[label])

    dashboard = DashboardPage.open(page, axe)
    expect_page_clean(dashboard, name)
    expect_as_text(dashboard.main.get_by_role("heading", level=1), f"Hello, {name}")

    page.goto(f"/boards/threads/{setting['thread_id']}")
    thread = PageObject(page, axe, heading=THREAD_TITLE)
    expect_page_clean(thread, name)
    expect_as_text(page.locator(f"#post-{setting['post_id']} .tandem-meta > strong").first,
                   name)


# Many people at once -------------------------------------------------------------------------

@pytest.fixture
def payload_people(app, make_user, make_article):
    """One member per payload, every profile text field set to it (through the service the
    edit form saves with), each with a post in one thread (reported) and a comment on one
    article, and a seat at one webinar."""
    from portal import audience, reports
    from portal.blueprints.accounts import services as accounts
    from portal.blueprints.accounts.models import User
    from portal.blueprints.boards import services as boards
    from portal.blueprints.boards.models import NORMAL
    from portal.blueprints.hub import services as hub

    staff = make_user(role="staff", name="Sadia Staff", email="sadia.staff@example.nhs.uk")
    article = make_article(title=ARTICLE_TITLE)
    session = make_session(app, capacity=len(PAYLOADS))
    rita = make_user(name="Rita Reader", email="rita.reader@example.nhs.uk")
    people = [make_user(email=f"payload{n}@example.org") for n in range(len(PAYLOADS))]
    for person in people:
        book(app, person, session)
    posts = []
    with app.app_context(), db.connection_context():
        board = boards.save_board(User.get_by_id(staff.id), None, name="Open forum",
                                  description="Say hello.", audience_value=audience.SIGNED_IN,
                                  group_ids=[], position=0)
        thread = None
        for person, payload in zip(people, PAYLOADS, strict=True):
            values = {field: value for field, value in zip(
                PROFILE_FIELDS, values_for(payload).values(), strict=True)}
            accounts.update_profile(person, values | dict.fromkeys(CHOSEN_FIELDS, ""), [])
            author = User.get_by_id(person.id)
            if thread is None:
                post = boards.start_thread(author, board, THREAD_TITLE, "Hello, all.")
                thread = post.thread
            else:
                post = boards.reply(author, thread, "Hello from me too.")
            # Posting watches the thread; unwatched, each reply is not emailed to everyone
            # before it, which is not what this test is about.
            boards.set_watch(author, NORMAL, thread=thread)
            posts.append(post.id)
            hub.add_comment(author, article, "Useful, thank you.")
            reports.file_report(User.get_by_id(staff.id), reports.POST, post.id, "spam", "")
            # An entry in the audit log with the person as the one who acted.
            accounts.change_role(author, User.get_by_id(rita.id), "moderator")
    names = [shown("Full name", values_for(payload)["Full name"]) for payload in PAYLOADS]
    return {"staff": staff, "names": names, "thread_id": thread.id, "posts": posts,
            "article_slug": article.slug, "session_id": session.id}


def expect_names(page: Page, regions: Locator, names: list[str]) -> None:
    """Each name as text, in order, with nothing inside; nothing a payload made anywhere."""
    expect(regions).to_have_text(names)
    for number, (region, name) in enumerate(zip(regions.all(), names, strict=True), 1):
        with about(number, name):
            expect_as_text(region, name)
    assert page.evaluate(FOREIGN_MARKUP) == [], f"markup from a payload on {page.url}"


def test_lists_of_people_show_every_payload_as_text(page, axe, payload_people):
    setting, names = payload_people, payload_people["names"]
    LoginPage.open(page, axe).log_in(setting["staff"].email, TEST_PASSWORD)

    page.goto(f"/boards/threads/{setting['thread_id']}")
    thread = PageObject(page, axe, heading=THREAD_TITLE)
    authors = page.locator("#posts > li .tandem-meta > strong:first-child")
    for start in range(0, len(names), 20):
        expect_names(page, authors, names[start:start + 20])
        if start + 20 < len(names):
            thread.main.get_by_role("navigation", name="Pages of this thread").first.get_by_role(
                "link", name=re.compile(r"^Next")).click()
            thread = PageObject(page, axe, heading=THREAD_TITLE)

    page.goto(f"/hub/articles/{setting['article_slug']}")
    PageObject(page, axe, heading=ARTICLE_TITLE)
    expect_names(page, page.locator("#comments-list .tandem-meta > strong"), names)

    page.goto("/staff/moderation")
    PageObject(page, axe, heading="Moderation")
    queue = [page.locator(f"#queue-post-{post_id} .tandem-meta > strong").first
             for post_id in setting["posts"]]
    for number, (region, name) in enumerate(zip(queue, names, strict=True), 1):
        with about(number, name):
            expect_as_text(region, name)
    assert page.evaluate(FOREIGN_MARKUP) == [], f"markup from a payload on {page.url}"

    page.goto(f"/webinars/manage/sessions/{setting['session_id']}/people")
    PageObject(page, axe, heading="Bookings and attendance")
    expect_names(page, page.locator("#booked tbody tr td:first-child"), names)

    page.goto("/staff/people")  # newest first: the payload people joined last
    PageObject(page, axe, heading="People")
    expect_names(page, page.locator(f"#people-rows tr:nth-child(-n+{len(names)}) td a"),
                 names[::-1])

    page.goto("/staff/audit")  # newest first
    PageObject(page, axe, heading="Audit log")
    expect_names(page, page.locator("#audit-rows tr", has_text="user.change_role")
                 .locator("td:nth-child(2)"), names[::-1])
