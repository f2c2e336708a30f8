"""Page objects for the expert directory (see tests/browser/pages.py for the base)."""
import re
from urllib.parse import quote_plus

from playwright.sync_api import Locator, expect

from tests.browser.mentoring_pages import PairPage
from tests.browser.pages import PageObject


class DirectoryPage(PageObject):
    path = "/experts/"
    heading = "Find an expert"

    @property
    def names(self) -> Locator:
        return self.page.locator("#expert-rows .tandem-expert h2")

    def search(self, text: str) -> "DirectoryPage":
        """Type as a person types. With JavaScript the results follow the typing and the
        address follows the results; without it, the Search button sends the same address."""
        field = self.main.get_by_label("Search by specialism, skill or name", exact=True)
        field.clear()
        field.press_sequentially(text)
        if not self.scripts_running():
            self.press("Search")
            return DirectoryPage(self.page, self.axe)
        expect(self.page).to_have_url(re.compile(rf"/experts/\?q={re.escape(quote_plus(text))}"))
        expect(self.page.locator("#expert-loading.htmx-request")).to_have_count(0)
        self.check_accessibility()
        return self

    def ask(self, *names: str) -> "AskPage":
        for name in names:
            self.tick(f"Ask {name}")
        self.press("Ask the experts you chose")
        return AskPage(self.page, self.axe)


class AskPage(PageObject):
    heading = "Ask for an introduction"

    def send(self, items: list[str], wants: str, for_what: str = "") -> "IntroductionPage":
        for item in items:
            self.tick(item)
        self.fill("In your own words, what do you want to learn?", wants)
        if for_what:
            self.fill("Which course or role is it for? (optional)", for_what)
        self.main.get_by_role("button", name=re.compile(r"^Send the request")).click()
        return IntroductionPage(self.page, self.axe)


class IntroductionPage(PageObject):
    heading = "Your introduction"

    def request(self, expert: str) -> Locator:
        return self.main.locator(".tandem-request").filter(has_text=expert)

    def reload(self) -> "IntroductionPage":
        self.page.reload()
        return IntroductionPage(self.page, self.axe)

    def go_to_space_with(self, expert: str) -> PairPage:
        self.follow(f"Go to your space with {expert}")
        return PairPage(self.page, self.axe)


class AnswerPage(PageObject):
    """The page an expert's email link opens: one button to press."""

    heading = re.compile(r" asks for your help$")

    def accept(self) -> PageObject:
        self.press("Accept the request")
        return PageObject(self.page, self.axe, heading="This request has been accepted")
