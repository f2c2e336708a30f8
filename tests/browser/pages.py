"""Page objects: what a person sees on each page and what they do there.

Creating one means "I have arrived": it waits for the page's main heading, then runs axe
over the page. Fields are found by their label text and buttons and links by their role
and name, as a person (or a screen reader) finds them. Actions that lead to another page
return that page's object.
"""
import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect


class PageObject:
    path: str | None = None
    heading: str | re.Pattern = ""

    def __init__(self, page: Page, axe, heading: str | re.Pattern | None = None):
        self.page, self.axe = page, axe
        expect(self.main.get_by_role("heading", level=1)).to_have_text(heading or self.heading)
        self.check_accessibility()

    @classmethod
    def open(cls, page: Page, axe, path: str | None = None):
        page.goto(path or cls.path)
        return cls(page, axe)

    def scripts_running(self) -> bool:
        """The page's own JavaScript ran (tandem.js marks the body).

        Asked just after a click, the page may be between two documents: the new one has
        no body yet, or the old one goes away mid-question. Whether scripts run is the same
        for every document in one browser, so wait for a parsed document and ask again."""
        for attempt in range(5):
            try:
                self.page.wait_for_load_state("domcontentloaded")
                return self.page.evaluate(
                    "document.body.classList.contains('js-enabled')")
            except PlaywrightError:
                if attempt == 4:
                    raise
                self.page.wait_for_timeout(100)

    def check_accessibility(self) -> None:
        self.axe.check(self.page)

    # What a person sees
    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    @property
    def status(self) -> Locator:
        """The region that announces what just happened ("Your profile has been saved.")."""
        return self.main.get_by_role("status")

    @property
    def error_summary(self) -> Locator:
        return self.main.get_by_role("alert")

    def expect_message(self, text: str) -> None:
        expect(self.status).to_contain_text(text)

    def expect_errors(self, *messages: str) -> None:
        expect(self.error_summary.get_by_role("heading")).to_have_text("There is a problem")
        expect(self.error_summary.get_by_role("listitem")).to_have_text(list(messages))

    def summary_list(self) -> dict[str, str]:
        """A summary list (key: value rows) as a dict."""
        rows = self.main.locator(".nhsuk-summary-list__row")
        return {row.locator("dt").inner_text().strip(): row.locator("dd").inner_text().strip()
                for row in rows.all()}

    def table(self, name: str, exact: bool = False) -> list[dict[str, str]]:
        table = self.main.get_by_role("table", name=name, exact=exact)
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        return [dict(zip(headers, (c.strip() for c in row.locator("td").all_inner_texts()),
                         strict=False))
                for row in table.locator("tbody tr").all()]

    # What a person does
    def fill(self, label: str, value: str) -> None:
        self.main.get_by_label(label, exact=True).fill(value)

    def choose(self, label: str, option: str) -> None:
        self.main.get_by_label(label, exact=True).select_option(label=option)

    def tick(self, label: str) -> None:
        self.main.get_by_label(label, exact=True).check()

    def press(self, button: str) -> None:
        self.main.get_by_role("button", name=button, exact=True).click()

    def follow(self, link: str) -> None:
        self.main.get_by_role("link", name=link, exact=True).click()

    def navigate(self, link: str) -> None:
        """A link in the header's menu."""
        self.page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name=link, exact=True).click()

    def account_link(self, link: str) -> None:
        self.page.get_by_role("navigation", name="Account").get_by_role(
            "link", name=link, exact=True).click()

    def log_out(self) -> "HomePage":
        self.page.get_by_role("navigation", name="Account").get_by_role(
            "button", name="Log out").click()
        return HomePage(self.page, self.axe)


class HomePage(PageObject):
    path = "/"
    heading = "Mentoring for health and care staff"

    def create_account(self) -> "RegisterPage":
        self.follow("Create an account")
        return RegisterPage(self.page, self.axe)

    def go_to_log_in(self) -> "LoginPage":
        self.account_link("Log in")
        return LoginPage(self.page, self.axe)


class RegisterPage(PageObject):
    path = "/accounts/register"
    heading = "Create an account"

    def register(self, name: str, email: str, password: str,
                 confirm: str | None = None) -> "CheckEmailPage":
        self.fill_and_move_on("Full name", name)
        self.fill_and_move_on("Email address", email)
        self.fill_and_move_on("Password", password)
        self.fill_and_move_on("Confirm password", password if confirm is None else confirm)
        self.press("Create account")
        return CheckEmailPage(self.page, self.axe)


    def fill_and_move_on(self, label: str, value: str) -> None:
        """Type into a field and Tab on, at a person's pace: where the field is checked as
        you go (htmx), wait for the check to come back. What was typed must still be there."""
        field = self.main.get_by_label(label, exact=True)
        field.fill(value)
        checked_by = field.locator("xpath=ancestor::*[@hx-post][1]")
        if self.scripts_running() and checked_by.count():
            with self.page.expect_response(lambda r: "/validate" in r.url):
                field.press("Tab")
            expect(checked_by).not_to_have_class(re.compile(r"\bhtmx-request\b"))
        else:
            field.press("Tab")
        expect(self.main.get_by_label(label, exact=True)).to_have_value(value)


class CheckEmailPage(PageObject):
    heading = "Check your email"


class LoginPage(PageObject):
    path = "/accounts/login"
    heading = "Log in"

    def _submit(self, email: str, password: str) -> None:
        self.fill("Email address", email)
        self.fill("Password", password)
        self.press("Log in")

    def log_in(self, email: str, password: str) -> "DashboardPage":
        self._submit(email, password)
        return DashboardPage(self.page, self.axe)

    def log_in_and_return(self, email: str, password: str) -> None:
        """Log in from a page that sent the person here; the caller checks where they are."""
        self._submit(email, password)

    def log_in_refused(self, email: str, password: str) -> "LoginPage":
        self._submit(email, password)
        expect(self.page).to_have_title(re.compile(r"^Error: Log in"))
        return LoginPage(self.page, self.axe)

    def forgotten_password(self) -> "ForgotPasswordPage":
        self.follow("Forgotten your password?")
        return ForgotPasswordPage(self.page, self.axe)


class DashboardPage(PageObject):
    path = "/dashboard"
    heading = re.compile(r"^Hello, ")

    @property
    def greeting(self) -> str:
        return self.main.get_by_role("heading", level=1).inner_text()

    def your_profile(self) -> "ProfilePage":
        self.navigate("Your profile")
        return ProfilePage(self.page, self.axe)

    def staff(self) -> "StaffPage":
        self.navigate("Staff")
        return StaffPage(self.page, self.axe)


class ProfilePage(PageObject):
    path = "/accounts/profile"
    heading = "Your profile"

    def edit(self) -> "EditProfilePage":
        self.follow("Edit profile")
        return EditProfilePage(self.page, self.axe)


class EditProfilePage(PageObject):
    heading = "Edit your profile"

    def save(self, *, organisation: str, job_title: str, staff_group: str, bio: str,
             topics: list[str], team: str = "", manager_email: str = "") -> ProfilePage:
        self.fill("Organisation", organisation)
        self.fill("Team or department", team)
        self.fill("Your line manager's email address", manager_email)
        self.fill("Job title", job_title)
        self.choose("Staff group", staff_group)
        self.fill("About you", bio)
        for topic in topics:
            self.tick(topic)
        self.press("Save profile")
        return ProfilePage(self.page, self.axe)


class ForgotPasswordPage(PageObject):
    heading = "Reset your password"

    def request_reset(self, email: str) -> CheckEmailPage:
        self.fill("Email address", email)
        self.press("Send reset link")
        return CheckEmailPage(self.page, self.axe)


class ResetPasswordPage(PageObject):
    heading = "Choose a new password"

    def set_password(self, password: str) -> LoginPage:
        self.fill("New password", password)
        self.fill("Confirm password", password)
        self.press("Save new password")
        return LoginPage(self.page, self.axe)


class StaffPage(PageObject):
    path = "/staff/"
    heading = "Staff"

    def groups(self) -> "GroupsPage":
        self.follow("Groups")
        return GroupsPage(self.page, self.axe)

    def people(self) -> "PeoplePage":
        self.follow("People")
        return PeoplePage(self.page, self.axe)


class GroupsPage(PageObject):
    path = "/staff/groups"
    heading = "Groups"

    def create_group(self) -> "GroupFormPage":
        self.follow("Create a group")
        return GroupFormPage(self.page, self.axe)


class GroupFormPage(PageObject):
    heading = "Create a group"

    def save(self, name: str, description: str) -> "GroupPage":
        self.fill("Group name", name)
        self.fill("Description", description)
        self.press("Save group")
        return GroupPage(self.page, self.axe, heading=name)


class GroupPage(PageObject):
    @property
    def members(self) -> Locator:
        return self.main.locator("#members").get_by_role("listitem")

    def add_member(self, email: str) -> "GroupPage":
        name = self.main.get_by_role("heading", level=1).inner_text()
        self.fill("Email address of the person to add", email)
        self.press("Add to group")
        return GroupPage(self.page, self.axe, heading=name)

    def remove(self, person: str) -> None:
        """The Remove button: with JavaScript, htmx asks to confirm and removes the row in
        place (the caller answers the dialog)."""
        self.main.get_by_role("button", name=f"Remove {person}", exact=True).click()


class PeoplePage(PageObject):
    path = "/staff/people"
    heading = "People"

    @property
    def rows(self) -> Locator:
        return self.main.get_by_role("table", name="People with an account").locator("tbody tr")

    def people(self) -> list[dict[str, str]]:
        return self.table("People with an account")

    def type_search(self, text: str) -> None:
        self.main.get_by_label("Search by name or email").press_sequentially(text)

    def open_person(self, name: str) -> "PersonPage":
        self.follow(name)
        return PersonPage(self.page, self.axe, heading=name)


class PersonPage(PageObject):
    def change_role(self, role: str) -> "PersonPage":
        name = self.main.get_by_role("heading", level=1).inner_text()
        self.choose("Role", role)
        self.press("Change role")
        return PersonPage(self.page, self.axe, heading=name)
