"""The knowledge hub in a real browser: a mentor finds, saves, rates and discusses an
article (JavaScript on, with htmx updating the page in place, and off, with plain forms);
a staff member writes, publishes, edits and restores one through its revision history."""
import re

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.pages import DashboardPage, LoginPage, PageObject
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Planning your handover before leave"
SUMMARY = "What to hand over, and to whom, before a long absence."
BODY = "## Before you go\n\nWrite down who picks up each of your patients."
COMMENT = "The list of who picks up what saved my first week back."


# Page objects for the hub ------------------------------------------------------------------

class HubPage(PageObject):
    path = "/hub/"
    heading = "Knowledge hub"

    @property
    def results(self) -> Locator:
        return self.page.locator("#search-results")

    def search(self, text: str) -> "HubPage | HubSearchPage":
        """Active search with JavaScript (results arrive in place as you type); with it off,
        the Search button loads the search page."""
        field = self.main.get_by_label("Search the hub", exact=True)
        if self.scripts_running():
            field.press_sequentially(text)
            expect(self.results.get_by_role("status")).to_contain_text(f"for “{text}”")
            self.check_accessibility()
            return self
        field.fill(text)
        self.press("Search")
        return HubSearchPage(self.page, self.axe)

    def manage_articles(self) -> "ManageArticlesPage":
        self.follow("Manage articles")
        return ManageArticlesPage(self.page, self.axe)


class HubSearchPage(HubPage):
    path = "/hub/search"
    heading = "Search the knowledge hub"


class ArticlePage(PageObject):
    @property
    def body(self) -> Locator:
        return self.page.locator("#article-body")

    @property
    def bookmark_button(self) -> Locator:
        return self.page.locator("#bookmark").get_by_role("button")

    @property
    def rating_summary(self) -> Locator:
        return self.page.locator("#rating-summary")

    @property
    def comments(self) -> Locator:
        return self.page.locator("#comments-list > li")

    def _same_page(self) -> "ArticlePage":
        """After an action: in place with JavaScript (checked again with axe), or after the
        form's redirect back to this page."""
        if self.scripts_running():
            self.check_accessibility()
            return self
        return ArticlePage(self.page, self.axe, heading=self.title)

    @property
    def title(self) -> str:
        return self.main.get_by_role("heading", level=1).inner_text()

    def save_for_later(self) -> "ArticlePage":
        self.press("Save for later")
        expect(self.bookmark_button).to_have_attribute("aria-pressed", "true")
        return self._same_page()

    def rate(self, stars: int) -> "ArticlePage":
        self.main.get_by_label(f"{stars} stars", exact=True).check()
        self.press("Save rating")
        expect(self.rating_summary).not_to_have_text("Not rated yet")
        return self._same_page()

    def comment(self, text: str) -> "ArticlePage":
        self.fill("Add a comment", text)
        self.press("Post comment")
        expect(self.comments.last).to_contain_text(text)
        return self._same_page()


class ManageArticlesPage(PageObject):
    heading = "Manage articles"

    def write_an_article(self) -> "ArticleFormPage":
        self.follow("Write an article")
        return ArticleFormPage(self.page, self.axe, heading="Write an article")


class ArticleFormPage(PageObject):
    heading = "Edit article"

    @property
    def status_aside(self) -> Locator:
        return self.main.get_by_role("complementary")

    def save_draft(self, *, title: str, summary: str, body: str, kind: str,
                   topic: str) -> "ArticleFormPage":
        self.fill("Title", title)
        self.fill("Summary", summary)
        self.fill("Article", body)
        self.choose("Type", kind)
        self.tick(topic)
        self.press("Save draft")
        return ArticleFormPage(self.page, self.axe)

    def publish(self) -> "ArticleFormPage":
        self.status_aside.get_by_role("button", name="Publish", exact=True).click()
        return ArticleFormPage(self.page, self.axe)

    def save_changes(self, *, body: str, note: str) -> "ArticleFormPage":
        self.fill("Article", body)
        self.fill("What did you change?", note)
        self.press("Save changes")
        return ArticleFormPage(self.page, self.axe)

    def revision_history(self) -> "RevisionHistoryPage":
        self.status_aside.get_by_role("link", name="Revision history", exact=True).click()
        return RevisionHistoryPage(self.page, self.axe)

    def view_article(self, title: str) -> ArticlePage:
        self.status_aside.get_by_role("link", name="View the article", exact=True).click()
        return ArticlePage(self.page, self.axe, heading=title)


class RevisionHistoryPage(PageObject):
    heading = "Revision history"

    def revisions(self) -> list[dict[str, str]]:
        return self.table("Revisions, newest first")

    def see_changes(self, number: int) -> "RevisionPage":
        self.follow(f"See changes in revision {number}")
        return RevisionPage(self.page, self.axe, heading=f"Revision {number}")

    def restore(self, number: int) -> ArticleFormPage:
        self.press(f"Restore revision {number}")
        return ArticleFormPage(self.page, self.axe)


class RevisionPage(PageObject):
    @property
    def added(self) -> Locator:
        return self.page.locator("#diff ins")

    @property
    def removed(self) -> Locator:
        return self.page.locator("#diff del")

    def back_to_history(self) -> RevisionHistoryPage:
        self.follow("Revision history")
        return RevisionHistoryPage(self.page, self.axe)


# Helpers -------------------------------------------------------------------------------------

def mark_document(page) -> None:
    """A mark in the window, which any page load wipes."""
    page.evaluate("window.tandemSameDocument = true")


def still_same_document(page) -> bool:
    return page.evaluate("window.tandemSameDocument === true")


def status_saying(page_object: PageObject, text: str) -> Locator:
    """The live region (role=status) that announces `text`: the comment status in place,
    or the flash message after a redirect."""
    return page_object.main.get_by_role("status").filter(has_text=text)


# Journeys --------------------------------------------------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_mentor_finds_saves_rates_and_discusses_an_article(page, axe, javascript, make_user,
                                                           make_article, topics):
    mentor = make_user(name="Maya Mentor", email="maya.mentor@example.nhs.uk")
    make_article(title=TITLE, summary=SUMMARY, body=BODY, topic_ids=[topics[0].id])
    make_article(title="Supervision that helps", summary="Reflective supervision, monthly.",
                 body="Book a room and protect the hour.", kind="toolkit")

    dashboard = LoginPage.open(page, axe).log_in(mentor.email, TEST_PASSWORD)
    expect(dashboard.main.locator("#bookmarks")).to_have_text(
        "Use “Save for later” on an article to keep it here.")
    dashboard.navigate("Knowledge hub")
    hub = HubPage(page, axe)
    assert hub.scripts_running() is javascript

    mark_document(page)
    results = hub.search("handover")
    expect(results.results.get_by_role("status")).to_have_text("1 result for “handover”")
    expect(results.results.get_by_role("heading")).to_have_text([TITLE])
    expect(page).to_have_url(re.compile(r"/hub/search\?q=handover(&|$)"))
    assert still_same_document(page) is javascript
    if javascript:  # the address can be shared and reloaded: it is a real page
        page.reload()
        results = HubSearchPage(page, axe)
        expect(results.main.get_by_label("Search the hub", exact=True)).to_have_value("handover")
        expect(results.results.get_by_role("heading")).to_have_text([TITLE])

    results.results.get_by_role("link", name=TITLE, exact=True).click()
    article = ArticlePage(page, axe, heading=TITLE)
    expect(article.body).to_contain_text("Write down who picks up each of your patients.")
    expect(article.bookmark_button).to_have_attribute("aria-pressed", "false")
    expect(article.rating_summary).to_have_text("Not rated yet")

    mark_document(page)
    article = article.save_for_later()
    expect(article.bookmark_button).to_have_attribute("aria-pressed", "true")
    expect(article.main.get_by_role("button", name="Save for later", exact=True)).to_be_visible()
    expect(article.main.locator("#bookmark .tandem-saved-tag")).to_have_text("✓ Saved")
    assert still_same_document(page) is javascript

    mark_document(page)
    article = article.rate(4)
    expect(article.rating_summary).to_have_text("Rated 4.0 out of 5 by 1 person")
    expect(article.main.get_by_label("4 stars", exact=True)).to_be_checked()
    assert still_same_document(page) is javascript

    mark_document(page)
    article = article.comment(COMMENT)
    expect(article.comments).to_have_count(1)
    expect(article.comments.first).to_contain_text("Maya Mentor")
    expect(article.comments.first.locator(".tandem-comment__body")).to_have_text(COMMENT)
    expect(article.main.get_by_label("Add a comment", exact=True)).to_have_value("")
    expect(status_saying(article, "Your comment has been posted.")).to_have_count(1)
    assert still_same_document(page) is javascript

    article.navigate("Dashboard")
    dashboard = DashboardPage(page, axe)
    saved = dashboard.main.locator("#bookmarks")
    expect(saved.get_by_role("link")).to_have_text([TITLE])
    saved.get_by_role("link", name=TITLE, exact=True).click()
    article = ArticlePage(page, axe, heading=TITLE)
    expect(article.bookmark_button).to_have_attribute("aria-pressed", "true")
    expect(article.rating_summary).to_have_text("Rated 4.0 out of 5 by 1 person")
    expect(article.comments).to_have_count(1)


def test_staff_write_publish_edit_and_restore_an_article(page, axe, make_user, topics):
    staff = make_user(role="staff", name="Sadia Staff", email="sadia.staff@example.nhs.uk")
    topic = topics[1].name
    first_body = "## Plan the first week\n\nMeet your mentor on the first morning."
    second_body = ("## Plan the first week\n\nMeet your mentor before the first morning.\n\n"
                   "Agree how often you will meet.")

    dashboard = LoginPage.open(page, axe).log_in(staff.email, TEST_PASSWORD)
    dashboard.navigate("Knowledge hub")
    manage = HubPage(page, axe).manage_articles()
    expect(manage.main).to_contain_text("No articles.")

    form = manage.write_an_article().save_draft(
        title="Your first week back", summary="A short plan for the first five days.",
        body=first_body, kind="Checklist", topic=topic)
    form.expect_message("Draft saved. Publish it when it is ready.")
    expect(form.status_aside.locator("#article-status")).to_have_text("Draft")
    expect(form.main.get_by_label(topic, exact=True)).to_be_checked()

    form = form.publish()
    form.expect_message("“Your first week back” published.")
    expect(form.status_aside.locator("#article-status")).to_have_text("Published")

    form = form.save_changes(body=second_body, note="Meet earlier; how often")
    form.expect_message("Changes saved.")
    expect(form.main.get_by_label("Article", exact=True)).to_have_value(second_body)

    history = form.revision_history()
    assert [(r["Revision"], r["By"], r["Note"]) for r in history.revisions()] == [
        ("2 (current)", "Sadia Staff", "Meet earlier; how often"),
        ("1", "Sadia Staff", "Created"),
    ]

    changes = history.see_changes(2)
    expect(changes.main).to_contain_text("Changes from revision 1: Meet earlier; how often")
    expect(changes.removed).to_have_text(["Removed: Meet your mentor on the first morning."])
    expect(changes.added).to_have_text(["Added: Meet your mentor before the first morning.",
                                        "Added: ", "Added: Agree how often you will meet."])

    form = changes.back_to_history().restore(1)
    form.expect_message("Revision 1 restored as the current version.")
    expect(form.main.get_by_label("Article", exact=True)).to_have_value(first_body)

    article = form.view_article("Your first week back")
    expect(article.body).to_have_text(re.compile(
        r"^\s*Plan the first week\s*Meet your mentor on the first morning\.\s*$"))
    expect(article.body).not_to_contain_text("Agree how often")
    expect(article.main.get_by_role("link", name=topic, exact=True)).to_be_visible()

    article.main.get_by_role("link", name="Edit this article", exact=True).click()
    history = ArticleFormPage(page, axe).revision_history()
    assert [(r["Revision"], r["Note"]) for r in history.revisions()] == [
        ("3 (current)", "Restored revision 1"),
        ("2", "Meet earlier; how often"),
        ("1", "Created"),
    ]
