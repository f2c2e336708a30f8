"""A member reports a post; a moderator hides it from the queue in place; the author sees
the reason; the audit log shows the action. axe-core checks every page and update."""
import pytest
from playwright.sync_api import expect

from tests.browser.pages import LoginPage, PageObject
from tests.conftest import TEST_PASSWORD
from tests.web.boards_setup import *  # noqa: F403  (the boards and post_as fixtures)

pytestmark = pytest.mark.browser

TITLE = "Swapping night shifts"
BODY = "Ring me on 07700 900123 if you can cover Friday."
REASON = "Please keep phone numbers off the boards."


class ThreadPage(PageObject):
    def report(self, reason: str, note: str) -> None:
        post = self.main.locator("#posts > li").first
        post.get_by_role("link", name="Report post by Mina Mentor").click()
        form = post.locator("form.tandem-report")
        form.get_by_label(reason, exact=True).check()
        form.get_by_label("Anything the moderators should know (optional)").fill(note)
        self.check_accessibility()
        form.get_by_role("button", name="Send report").click()


class ModerationPage(PageObject):
    path = "/staff/moderation"
    heading = "Moderation"

    def hide(self, reason: str) -> None:
        row = self.main.locator("#report-queue > li").first
        row.get_by_label("Reason for hiding, shown to the author").fill(reason)
        row.get_by_role("button", name="Hide this post").click()


class AuditPage(PageObject):
    path = "/staff/audit"
    heading = "Audit log"


def log_in(page, axe, person):
    return LoginPage.open(page, axe).log_in(person.email, TEST_PASSWORD)


def test_report_hide_in_place_reason_for_the_author_and_the_audit_log(
        new_page, axe, boards, post_as, make_user):
    post = post_as(boards.mentor, boards.general, TITLE, BODY)
    thread_path = f"/boards/threads/{post.thread_id}"

    reader = new_page()
    log_in(reader, axe, boards.outsider)
    reader.goto(thread_path)
    thread = ThreadPage(reader, axe, heading=TITLE)
    thread.report("Shares personal or patient information", "A personal phone number")
    expect(thread.status).to_contain_text("Thank you. The moderators will look at this post.")
    thread.check_accessibility()

    moderator = make_user(role="moderator", name="Mo Moderator")
    mod_page = new_page()
    log_in(mod_page, axe, moderator)
    expect(mod_page.get_by_role("navigation", name="Menu")).to_contain_text(
        "Staff (1 open reports)")
    queue = ModerationPage.open(mod_page, axe)
    row = queue.main.locator("#report-queue > li")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("A personal phone number")
    expect(row.first.locator("blockquote")).to_have_text(BODY)
    mod_page.evaluate("window.tandemSameDocument = true")
    queue.hide(REASON)
    expect(queue.main.locator("#report-queue > li")).to_have_count(0)
    expect(queue.status).to_contain_text("Hidden. The author sees the reason.")
    assert mod_page.evaluate("window.tandemSameDocument === true")
    queue.check_accessibility()

    author = new_page()
    log_in(author, axe, boards.mentor)
    author.goto(thread_path)
    own = ThreadPage(author, axe, heading=TITLE)
    expect(own.main.locator(".tandem-hidden-note")).to_have_text(
        f"Hidden by a moderator. Reason: {REASON}")

    reader.goto(thread_path)
    other = ThreadPage(reader, axe, heading=TITLE)
    expect(other.main.locator("#posts")).not_to_contain_text("07700")
    expect(other.main.locator(".tandem-placeholder")).to_have_text(
        "This post was hidden by a moderator.")

    staff = make_user(role="staff", name="Sam Auditor")
    staff_page = new_page()
    log_in(staff_page, axe, staff)
    audit = AuditPage.open(staff_page, axe)
    first = audit.table("Audit entries")[0]
    assert (first["Who"], first["Action"], first["Object"]) == ("Mo Moderator", "post.hide",
                                                                f"post {post.id}")
    assert REASON in first["Change"]
