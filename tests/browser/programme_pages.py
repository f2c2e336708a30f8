"""Page objects for the programmes area (see tests/browser/pages.py for the base): staff set
a programme and its cohorts up, visitors read and apply, coordinators decide."""
import datetime as dt
import re
from dataclasses import dataclass, field

from playwright.sync_api import Locator, expect

from tests.browser.pages import LoginPage, PageObject


def same_document(page_object: PageObject) -> bool:
    """True until the next page load: a mark left in the window by `mark_document`."""
    return page_object.page.evaluate("window.tandemSameDocument === true")


def mark_document(page_object: PageObject) -> None:
    page_object.page.evaluate("window.tandemSameDocument = true")


# Staff: setting a programme up ----------------------------------------------------------------

@dataclass
class RoleSetUp:
    """One side of a programme as staff enter it."""
    name: str
    description: str
    training_days: int
    commitments: list[str]
    # The one eligibility rule ticked for this side, by its label ("Leave", "Experience of
    # leave"), with the leave types it allows and its numbers by field label.
    rule: str = ""
    leave_types: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)


class ManageProgrammesPage(PageObject):
    path = "/programmes/manage"
    heading = "Programmes"

    def set_up_a_programme(self) -> "ProgrammeFormPage":
        self.follow("Set up a programme")
        return ProgrammeFormPage(self.page, self.axe)

    def open_programme(self, name: str) -> "ProgrammeSetUpPage":
        self.follow(name)
        return ProgrammeSetUpPage(self.page, self.axe, heading=name)


class ProgrammeFormPage(PageObject):
    heading = "Set up a programme"

    def _side(self, key: str, role: RoleSetUp) -> None:
        side = f"{key.capitalize()} side"
        self.fill(f"{side}: what the programme calls this role", role.name)
        self.fill(f"{side}: who it is for", role.description)
        self.fill(f"{side}: days of training", str(role.training_days))
        self.fill(f"{side}: commitments applicants must tick", "\n".join(role.commitments))
        if role.rule:
            # Both sides have the same rule fieldsets: each is found by its legend.
            rule = self.main.get_by_role("group", name=f"{side}: {role.rule.lower()} rule",
                                         exact=True)
            rule.get_by_label(f"{role.rule} rule: applicants must meet it", exact=True).check()
            types = rule.get_by_role("group", name="Leave types", exact=True)
            for leave_type in role.leave_types:
                types.get_by_label(leave_type, exact=True).check()
            for label, number in role.numbers.items():
                rule.get_by_label(label, exact=True).fill(str(number))

    def save(self, *, name: str, summary: str, description: str, length_months: tuple[int, int],
             fee: str, fee_wording: str, mentor: RoleSetUp,
             mentee: RoleSetUp) -> "ProgrammeSetUpPage":
        self.fill("Name", name)
        self.fill("Summary", summary)
        self.fill("Public description", description)
        self.tick("Recruits in cohorts")
        self.tick("One-way: the mentor guides the mentee")
        self.fill("Relationship length: at least (months)", str(length_months[0]))
        self.fill("Relationship length: at most (months)", str(length_months[1]))
        self.fill("Fee per participant in pounds", fee)
        self.fill("For people whose organisation cannot fund the fee", fee_wording)
        self._side("mentor", mentor)
        self._side("mentee", mentee)
        self.press("Save programme")
        return ProgrammeSetUpPage(self.page, self.axe, heading=name)


class ProgrammeSetUpPage(PageObject):
    def rules(self, key: str) -> Locator:
        return self.main.locator(f"#rules-{key} > li")

    def commitments(self, key: str) -> Locator:
        return self.main.locator(f"#commitments-{key} > li")

    @property
    def publication(self) -> Locator:
        return self.main.locator("#publication")

    @property
    def coordinators(self) -> Locator:
        return self.main.locator("#coordinator-list > li")

    def _again(self) -> "ProgrammeSetUpPage":
        return ProgrammeSetUpPage(self.page, self.axe,
                                  heading=self.main.get_by_role("heading", level=1).inner_text())

    def publish(self) -> "ProgrammeSetUpPage":
        self.press("Publish")
        return self._again()

    def add_coordinator(self, email: str) -> "ProgrammeSetUpPage":
        self.fill("Email address of a staff member", email)
        self.press("Add coordinator")
        return self._again()

    def add_a_cohort(self) -> "CohortFormPage":
        self.follow("Add a cohort")
        return CohortFormPage(self.page, self.axe)

    def review_applications(self) -> "ReviewListPage":
        self.main.get_by_role("link", name="Review applications", exact=True).click()
        return ReviewListPage(self.page, self.axe)


class CohortFormPage(PageObject):
    heading = "Add a cohort"

    def save(self, name: str, dates: dict[str, dt.date], mentor_places: int,
             mentee_places: int) -> "CohortPage":
        self.fill("Name", name)
        for label, day in dates.items():
            self.fill(label, day.isoformat())
        self.fill("Places for mentors", str(mentor_places))
        self.fill("Places for mentees", str(mentee_places))
        self.press("Save cohort")
        return CohortPage(self.page, self.axe, heading=f"Cohort {name}")


class CohortPage(PageObject):
    @property
    def phase(self) -> Locator:
        return self.main.locator("#phase")

    @property
    def groups(self) -> Locator:
        return self.main.locator("#groups > li")


# Visitors: reading and applying -----------------------------------------------------------------

class ProgrammesPage(PageObject):
    path = "/programmes/"
    heading = "Mentoring programmes"

    def card(self, name: str) -> Locator:
        return self.main.locator(".tandem-programme-card").filter(
            has=self.page.get_by_role("link", name=name, exact=True))

    def open_programme(self, name: str) -> "ProgrammePage":
        self.follow(name)
        return ProgrammePage(self.page, self.axe, heading=name)


class ProgrammePage(PageObject):
    @property
    def dates(self) -> Locator:
        return self.main.locator("#programme-dates")

    @property
    def fee(self) -> Locator:
        return self.main.locator("#programme-fee")

    def role(self, key: str) -> Locator:
        return self.main.locator(f"#role-{key}")

    def who_can_apply(self, key: str) -> Locator:
        return self.role(key).locator(".tandem-eligibility > li")

    def apply_signed_out(self, role_name: str) -> LoginPage:
        """Applying needs an account: the button leads to the log-in page first."""
        self.follow(f"Apply as a {role_name}")
        return LoginPage(self.page, self.axe)

    def apply(self, role_name: str) -> "ApplyPage":
        self.follow(f"Apply as a {role_name}")
        return ApplyPage(self.page, self.axe, heading=f"Apply as a {role_name}")


class ApplyPage(PageObject):
    def answer(self, *, motivation: str, leave_type: str, leave_starts: dt.date,
               leave_months: int, channel: str, commitments: list[str],
               evaluation: bool) -> None:
        self.fill("Why do you want to take part?", motivation)
        self.choose("Type of leave", leave_type)
        self.fill("When your leave starts", leave_starts.isoformat())
        self.fill("How many months your leave will last", str(leave_months))
        self.tick(channel)
        for text in commitments:
            self.tick(text)
        if evaluation:
            self.tick("I agree to take part in the programme's evaluation")

    def submit_refused(self) -> "ApplyPage":
        heading = self.main.get_by_role("heading", level=1).inner_text()
        self.press("Submit application")
        expect(self.page).to_have_title(re.compile(r"^Error: Apply as a "))
        return ApplyPage(self.page, self.axe, heading=heading)

    def submit(self) -> "ApplicationPage":
        self.press("Submit application")
        return ApplicationPage(self.page, self.axe)


class ApplicationPage(PageObject):
    heading = re.compile(r"^Your application as a ")

    @property
    def state(self) -> Locator:
        return self.main.locator("#application-state")

    @property
    def history(self) -> Locator:
        return self.main.locator("#application-history > li")


# Coordinators: reviewing ------------------------------------------------------------------------

class ReviewListPage(PageObject):
    heading = "Applications"

    def applications(self) -> list[dict[str, str]]:
        return self.table("Applications", exact=True)  # not "Applications by role and status"

    def open_application(self, name: str) -> "ReviewApplicationPage":
        self.main.get_by_role("table", name="Applications", exact=True).get_by_role(
            "link", name=name, exact=True).click()
        return ReviewApplicationPage(self.page, self.axe, heading=name)


class ReviewApplicationPage(PageObject):
    @property
    def status_panel(self) -> Locator:
        return self.main.locator("#status-panel")

    @property
    def eligibility(self) -> Locator:
        return self.main.locator("#eligibility-result")

    def decide(self, button: str, message: str) -> "ReviewApplicationPage":
        """With JavaScript the status panel is swapped in place and the message lands in
        the page's status region; without, the form posts and the page comes back."""
        heading = self.main.get_by_role("heading", level=1).inner_text()
        self.status_panel.get_by_role("button", name=button, exact=True).click()
        self.expect_message(message)
        if self.scripts_running():
            self.check_accessibility()
            return self
        return ReviewApplicationPage(self.page, self.axe, heading=heading)


# Coordinators: matching ------------------------------------------------------------------------

class MatchingPage(PageObject):
    """The cohort's matching board. Each action answers in place with JavaScript (the
    board, or one row) and with a new page without; either way the message lands in the
    page's status region."""

    heading = "Matching"

    def drafts(self) -> list[dict[str, str]]:
        return self.table("Draft matches", exact=True)

    def draft_row(self, mentor: str, mentee: str) -> Locator:
        return self.main.locator("#draft-rows tr").filter(has_text=mentor).filter(
            has_text=mentee)

    def _act(self, click, path: str, message: str) -> "MatchingPage":
        with self.page.expect_response(lambda r: r.request.method == "POST"
                                       and r.url.split("?")[0].endswith(path)):
            click()
        self.expect_message(message)
        if self.scripts_running():
            self.check_accessibility()
            return self
        return MatchingPage(self.page, self.axe)

    def run(self, mode: str, message: str) -> "MatchingPage":
        self.main.get_by_label(mode, exact=True).check()
        button = self.main.get_by_role("button", name=re.compile(r"^(Re-r|R)un matching$"))
        return self._act(button.click, "/matching/run", message)

    def swap(self, first: str, second: str, message: str) -> "MatchingPage":
        self.choose("First match", first)
        self.choose("Second match", second)
        return self._act(lambda: self.press("Swap mentees"), "/matching/swap", message)

    def lock(self, mentor: str, mentee: str, message: str) -> "MatchingPage":
        button = self.main.get_by_role("button", name=f"Lock {mentor} with {mentee}",
                                       exact=True)
        return self._act(button.click, "/lock", message)

    def open_suggestions(self, mentee: str) -> "SuggestionsPage":
        self.main.get_by_role("table", name="Mentees", exact=True).get_by_role(
            "link", name=re.compile(f"^{re.escape(mentee)}")).click()
        return SuggestionsPage(self.page, self.axe, heading=f"Suggestions for {mentee}")

    def release(self, message: str) -> "MatchingPage":
        """The confirm step swaps into the board with JavaScript, or is a page without."""
        self.follow("Release the draft matches")
        if self.scripts_running():
            expect(self.main.locator("#release-confirm")).to_be_visible()
            self.check_accessibility()
            confirm = self
        else:
            confirm = PageObject(self.page, self.axe, heading="Release the draft matches")
        return self._act(lambda: confirm.press("Yes, release and email everyone"),
                         "/matching/release", message)


class SuggestionsPage(PageObject):
    def suggestions(self) -> list[dict[str, str]]:
        return self.table("Suggested mentors", exact=True)

    def compare(self, first: str, second: str) -> "SuggestionsPage":
        heading = self.main.get_by_role("heading", level=1).inner_text()
        self.choose("First mentor", first)
        self.choose("Second mentor", second)
        self.press("Compare")
        page = SuggestionsPage(self.page, self.axe, heading=heading)
        expect(page.main.get_by_role("table", name="Side by side")).to_be_visible()
        return page

    def back_to_matching(self) -> MatchingPage:
        self.page.get_by_role("link", name="Matching", exact=True).click()
        return MatchingPage(self.page, self.axe)
