"""Page objects for the pair's space (see tests/browser/pages.py for the base)."""
import re
from pathlib import Path

from playwright.sync_api import Locator, expect

from tests.browser.pages import PageObject


class PairPage(PageObject):
    heading = re.compile(r"^Mentoring with ")

    @classmethod
    def open_pair(cls, page, axe, relationship_id: int) -> "PairPage":
        page.goto(f"/mentoring/{relationship_id}")
        return cls(page, axe)

    def section(self, name: str) -> Locator:
        return self.main.locator(f"#{name}")

    def after_update(self) -> "PairPage":
        """Whether the answer was a new page (no JavaScript) or a swapped section, the page
        is audited again as it now stands."""
        return PairPage(self.page, self.axe)

    def confirm_agreement(self) -> "PairPage":
        self.section("agreement").get_by_role("button", name=re.compile(
            "^Confirm the agreement")).click()
        expect(self.section("agreement").get_by_role(
            "button", name=re.compile("^Confirm the agreement"))).to_have_count(0)
        return self.after_update()

    def propose_session(self, day: str, time: str, minutes: int) -> "PairPage":
        self.section("sessions").get_by_role("link", name="Propose a session").click()
        form = PageObject(self.page, self.axe, heading=re.compile("^Propose a session"))
        form.fill("Date", day)
        form.fill("Start time (UK time)", time)
        form.fill("Length in minutes", str(minutes))
        form.main.get_by_label("Telephone").check()
        form.press("Propose the session")
        return PairPage(self.page, self.axe)

    def session_action(self, action: str) -> "PairPage":
        self.section("planned-sessions").get_by_role(
            "button", name=re.compile(f"^{action} the session")).click()
        expect(self.section("planned-sessions")).not_to_contain_text(
            "Waiting for", timeout=10_000)
        return self.after_update()

    def download_calendar(self) -> bytes:
        with self.page.expect_download() as download:
            self.section("planned-sessions").get_by_role(
                "link", name=re.compile("^Calendar file")).click()
        return Path(download.value.path()).read_bytes()

    def log_session(self, day: str, minutes: int, summary: str) -> "PairPage":
        self.section("sessions").get_by_role("link", name="Log a session you have had").click()
        form = PageObject(self.page, self.axe, heading=re.compile("^Log a session"))
        form.fill("Date of the session", day)
        form.fill("Length in minutes", str(minutes))
        form.main.get_by_label("Telephone").check()
        form.fill("Summary", summary)
        form.press("Log the session")
        return PairPage(self.page, self.axe)

    def add_goal(self, title: str, criteria: str) -> "PairPage":
        goals = self.section("goals")
        goals.get_by_label("Goal", exact=True).fill(title)
        goals.get_by_label("Success criteria").fill(criteria)
        goals.get_by_role("button", name="Add goal").click()
        expect(self.section("goals-list")).to_contain_text(title)
        return self.after_update()

    def goal(self, title: str) -> Locator:
        return self.main.locator(".tandem-goal").filter(has_text=title)

    def sign_off(self, title: str, learned: str) -> "PairPage":
        self.goal(title).get_by_role("link", name=re.compile("^Sign off as achieved")).click()
        if not self.scripts_running():
            PageObject(self.page, self.axe, heading=title)
        else:
            self.check_accessibility()
        self.main.get_by_label("What did you learn?").fill(learned)
        self.main.get_by_role("button", name="Sign off as achieved").click()
        expect(self.goal(title)).to_contain_text("Signed off")
        return self.after_update()

    def countersign(self, title: str) -> "PairPage":
        self.goal(title).get_by_role("button", name=re.compile("^Countersign")).click()
        expect(self.goal(title)).to_contain_text("Countersigned")
        return self.after_update()


class WorkbookPage(PageObject):
    heading = re.compile("workbook", re.IGNORECASE)
