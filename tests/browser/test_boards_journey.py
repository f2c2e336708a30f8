"""Two people on the boards, each in their own browser: one starts a thread mentioning the
other, who gets a notification and an email, replies in place, and sees the unread
marker clear. axe-core checks every page and every in-page update."""
import re

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.pages import LoginPage, PageObject
from tests.conftest import TEST_PASSWORD
from tests.web.boards_setup import *  # noqa: F403  (the boards and post_as fixtures)

pytestmark = pytest.mark.browser

TITLE = "Keeping in touch days: how many did you use?"


def mark_document(page) -> None:
    """A mark that a page load would wipe: htmx updates must keep it."""
    page.evaluate("window.tandemSameDocument = true")


def still_same_document(page) -> bool:
    return page.evaluate("window.tandemSameDocument === true")


class BoardsPage(PageObject):
    path = "/boards/"
    heading = "Boards"

    @property
    def unread_notifications(self) -> Locator:
        return self.main.locator("#unread-notifications")

    def board(self, name: str) -> "BoardPage":
        self.follow(name)
        return BoardPage(self.page, self.axe, heading=name)

    def notifications(self) -> "NotificationsPage":
        self.follow("Notifications")
        return NotificationsPage(self.page, self.axe)


class BoardPage(PageObject):
    def thread_row(self, title: str) -> Locator:
        return self.main.locator("#thread-rows > li").filter(
            has=self.page.get_by_role("link", name=title, exact=True))

    def start_thread(self, title: str, text: str, mention: str, rest: str) -> None:
        """Type the post, pick the person from the suggestions, and post it in place."""
        self.fill("Title", title)
        box = self.main.get_by_label("Your post", exact=True)
        box.press_sequentially(text, delay=20)
        suggestion = self.main.get_by_role("button", name=f"@{mention}", exact=True)
        expect(suggestion).to_be_visible()
        self.check_accessibility()  # with the suggestions open
        suggestion.click()
        box.press_sequentially(rest, delay=10)
        self.press("Start thread")

    def open_thread(self, title: str) -> "ThreadPage":
        self.main.get_by_role("link", name=title, exact=True).click()
        return ThreadPage(self.page, self.axe, heading=title)


class ThreadPage(PageObject):
    @property
    def posts(self) -> Locator:
        return self.main.locator("#posts > li")

    @property
    def new_posts(self) -> Locator:
        return self.main.locator("#posts > li .tandem-unread")

    def reply(self, text: str) -> None:
        self.fill("Your reply", text)
        self.press("Post reply")

    def back_to_board(self, name: str) -> BoardPage:
        self.follow(name)
        return BoardPage(self.page, self.axe, heading=name)


class NotificationsPage(PageObject):
    path = "/notifications/"
    heading = "Notifications"

    @property
    def rows(self) -> Locator:
        return self.main.locator("#notification-rows > li")

    def open_notification(self, text: str) -> ThreadPage:
        self.main.get_by_role("link", name=text).click()
        return ThreadPage(self.page, self.axe, heading=TITLE)


def log_in(page, axe, person) -> BoardsPage:
    LoginPage.open(page, axe).log_in(person.email, TEST_PASSWORD).navigate("Boards")
    return BoardsPage(page, axe)


def test_a_mention_a_notification_an_email_a_reply_in_place_and_the_marker_clears(
        new_page, axe, live_server, sent_emails, boards):
    mina, omar = boards.mentor, boards.outsider

    # Mina starts a thread in place, picking Omar from the @mention suggestions.
    mina_page = new_page()
    general = log_in(mina_page, axe, mina).board("General")
    mark_document(mina_page)
    general.start_thread(TITLE, "Could you share your plan, @Om", "Omar Outsider",
                         "please? Mine was ten days.")
    general.expect_message("Your thread has been started.")
    expect(general.thread_row(TITLE)).to_be_visible()
    assert still_same_document(mina_page)
    general.check_accessibility()

    # Omar, in his own browser, has a notification and an email.
    omar_page = new_page()
    boards_page = log_in(omar_page, axe, omar)
    expect(boards_page.unread_notifications).to_have_text("1 new")
    [email] = [m for m in sent_emails(omar.email)
               if m.subject == f"Mina Mentor mentioned you in “{TITLE}”"]
    assert ("Could you share your plan, @Omar Outsider please? Mine was ten days."
            in email.body_text)
    link = re.search(r"https?://\S+/boards/posts/\d+", email.body_text).group(0)
    assert link.startswith(live_server + "/")

    general_for_omar = boards_page.board("General")
    expect(general_for_omar.thread_row(TITLE).locator(".tandem-unread")).to_have_text("New")
    omar_page.go_back()
    notifications = BoardsPage(omar_page, axe).notifications()
    expect(notifications.rows).to_have_text(
        [re.compile(rf"^New\s+Mina Mentor mentioned you in “{re.escape(TITLE)}”")])
    thread = notifications.open_notification(f"Mina Mentor mentioned you in “{TITLE}”")
    expect(thread.posts.first.locator(".tandem-post__body strong")).to_have_text(
        "@Omar Outsider")
    expect(thread.new_posts).to_have_count(1)

    # He replies in place: the reply appears without a page load.
    mark_document(omar_page)
    thread.reply("Happy to. I used all ten, spread over the last two months.")
    thread.expect_message("Your reply has been posted.")
    expect(thread.posts).to_have_count(2)
    expect(thread.posts.nth(1)).to_contain_text("I used all ten")
    assert still_same_document(omar_page)
    thread.check_accessibility()

    # Back on the board, the thread is no longer marked unread, nor the notification.
    general_for_omar = thread.back_to_board("General")
    expect(general_for_omar.thread_row(TITLE).locator(".tandem-unread")).to_have_count(0)
    notifications = NotificationsPage.open(omar_page, axe)
    expect(notifications.rows.locator(".tandem-unread")).to_have_count(0)

    # Mina sees one new post, jumps straight to it, and her marker clears too.
    mina_page.reload()
    general = BoardPage(mina_page, axe, heading="General")
    row = general.thread_row(TITLE)
    expect(row.locator(".tandem-unread")).to_have_text("1 new")
    row.get_by_role("link", name=f"First unread post in {TITLE}").click()
    thread = ThreadPage(mina_page, axe, heading=TITLE)
    expect(mina_page).to_have_url(re.compile(r"#post-\d+$"))
    expect(thread.new_posts).to_have_count(1)
    general = thread.back_to_board("General")
    expect(general.thread_row(TITLE).locator(".tandem-unread")).to_have_count(0)


def test_without_javascript_quote_reply_edit_report_and_delete(js_disabled_page, axe, boards,
                                                               post_as):
    page, mina, omar = js_disabled_page, boards.mentor, boards.outsider
    post_as(mina, boards.general, TITLE, "My plan: ten days, **two** of them for training.")
    thread = log_in(page, axe, omar).board("General").open_thread(TITLE)

    thread.posts.first.get_by_role("link", name="Quote post by Mina Mentor").click()
    reply = PageObject(page, axe, heading=f"Reply to “{TITLE}”")
    box = reply.main.get_by_label("Your reply", exact=True)
    expect(box).to_have_value(re.compile(r"^> \*\*Mina Mentor\*\* wrote:\n>\n> My plan"))
    box.press("Control+End")
    box.press_sequentially("Training days were the best use of mine too.")
    reply.press("Post reply")
    thread = ThreadPage(page, axe, heading=TITLE)
    thread.expect_message("Your reply has been posted.")
    expect(thread.posts.nth(1).locator("blockquote")).to_contain_text("My plan: ten days")

    thread.posts.nth(1).get_by_role("link", name="Edit your post").click()
    edit = PageObject(page, axe, heading="Edit your post")
    edit.fill("Your post", "Thank you, that is helpful.")
    edit.press("Save post")
    thread = ThreadPage(page, axe, heading=TITLE)
    thread.expect_message("Your post has been saved.")
    expect(thread.posts.nth(1)).to_contain_text("edited")

    thread.posts.first.get_by_role("link", name="Report post by Mina Mentor").click()
    report = PageObject(page, axe, heading="Report a post")
    report.main.get_by_label("Spam or advertising", exact=True).check()
    report.fill("Anything the moderators should know (optional)", "Looks like an advert.")
    report.press("Send report")
    thread = ThreadPage(page, axe, heading=TITLE)
    thread.expect_message("Thank you. The moderators will look at this post.")

    thread.posts.nth(1).get_by_role("button", name="Delete your post").click()
    thread = ThreadPage(page, axe, heading=TITLE)
    thread.expect_message("Your post has been deleted.")
    expect(thread.posts.nth(1)).to_contain_text("This post was deleted.")
