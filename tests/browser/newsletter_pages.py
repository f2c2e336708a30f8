"""Page objects for the newsletter: staff compose, preview and send an issue; a reader stops
it from the link in the email."""
import re

from playwright.sync_api import Locator

from tests.browser.pages import PageObject


class NewsletterManagePage(PageObject):
    path = "/newsletter/manage"
    heading = "Newsletter"

    def write_issue(self) -> "IssueFormPage":
        self.main.get_by_role("link", name="Write a new issue", exact=True).click()
        return IssueFormPage(self.page, self.axe)


class IssueFormPage(PageObject):
    heading = "New issue"

    def include(self, title: str, position: int) -> None:
        self.tick(f"Include “{title}”")
        self.fill(f"Position of “{title}”", str(position))

    def save(self, subject: str) -> "IssuePage":
        self.press("Save issue")
        return IssuePage(self.page, self.axe, heading=subject)


class IssuePage(PageObject):
    @property
    def blocks(self) -> Locator:
        return self.main.locator("#issue-blocks > li")

    def preview_as(self, email: str, name: str) -> "PreviewPage":
        self.fill("Preview as", email)
        self.press("Preview")
        return PreviewPage(self.page, self.axe, heading=f"Preview as {name}")

    def send_now(self, subject: str) -> "IssuePage":
        self.main.get_by_label("Now", exact=True).check()
        self.press("Send the issue")
        return IssuePage(self.page, self.axe, heading=subject)


class PreviewPage(PageObject):
    @property
    def left_out(self) -> Locator:
        return self.main.locator("#left-out > li")

    @property
    def email(self) -> Locator:
        return self.main.locator("#email-copy")

    def back(self, subject: str) -> IssuePage:
        self.page.get_by_role("link", name=subject, exact=True).click()
        return IssuePage(self.page, self.axe, heading=subject)


class UnsubscribePage(PageObject):
    heading = re.compile(r"^(Stop emails about|Emails about) ")

    def stop(self) -> "UnsubscribePage":
        self.press("Stop these emails")
        return UnsubscribePage(self.page, self.axe)
