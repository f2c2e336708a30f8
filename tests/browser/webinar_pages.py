"""Page objects for the webinar pages (see tests/browser/pages.py for the base)."""
import re
from pathlib import Path

from playwright.sync_api import Locator, expect

from tests.browser.pages import PageObject


class WebinarsPage(PageObject):
    path = "/webinars/"
    heading = "Supervision webinars"

    def manage(self) -> "ManageWebinarsPage":
        self.follow("Manage webinars")
        return ManageWebinarsPage(self.page, self.axe)

    def open_session(self, title: str) -> "SessionPage":
        self.main.get_by_role("link", name=title, exact=True).first.click()
        return SessionPage(self.page, self.axe, heading=title)


class ManageWebinarsPage(PageObject):
    path = "/webinars/manage"
    heading = "Manage webinars"

    def schedule_series(self) -> "SeriesFormPage":
        self.follow("Schedule a series")
        return SeriesFormPage(self.page, self.axe)


class SeriesFormPage(PageObject):
    heading = "Schedule a series"

    def schedule(self, *, title: str, facilitator: str, first_day: str, start: str, end: str,
                 every_weeks: int, months: int, seats: int, link: str) -> "SeriesPage":
        self.fill("Title", title)
        self.fill("Description", "Bring a dilemma from your mentoring to talk through.")
        self.fill("Facilitator", facilitator)
        self.fill("Date of the first session", first_day)
        self.fill("Start time", start)
        self.fill("End time", end)
        self.fill("Every how many weeks", str(every_weeks))
        self.fill("For how many months", str(months))
        self.fill("Seats", str(seats))
        self.fill("Joining link", link)
        self.press("Schedule series")
        return SeriesPage(self.page, self.axe, heading=title)


class SeriesPage(PageObject):
    def sessions(self) -> list[dict[str, str]]:
        return self.table("Sessions in this series")


class SessionPage(PageObject):
    @property
    def panel(self) -> Locator:
        return self.main.locator(".tandem-booking")

    @property
    def seats(self) -> Locator:
        return self.panel.locator(".tandem-seats")

    def act(self, button: str, message: str) -> None:
        """Book, cancel, claim: with JavaScript the panel is swapped in place and the
        message lands in the page's status region; without, the page comes back."""
        self.panel.get_by_role("button", name=re.compile(f"^{re.escape(button)}")).click()
        self.expect_message(message)
        self.check_accessibility()

    def add_to_calendar(self) -> bytes:
        with self.page.expect_download() as download:
            self.follow("Add to your calendar (.ics file)")
        return Path(download.value.path()).read_bytes()

    def people(self) -> "PeoplePage":
        self.follow("Bookings, waitlist and attendance")
        return PeoplePage(self.page, self.axe)


class PeoplePage(PageObject):
    heading = "Bookings and attendance"

    def booked(self) -> list[dict[str, str]]:
        return self.table("People with a place")

    def waitlist(self) -> list[dict[str, str]]:
        return self.table("Waitlist")

    def mark(self, name: str, attended: bool) -> None:
        label = "Attended" if attended else "Did not attend"
        button = self.main.get_by_role("button", name=re.compile(
            rf"^{label}\s*: {re.escape(name)}$"))  # the name is in visually hidden text
        button.click()
        self.expect_message(f"Attendance saved for {name}.")
        expect(button).to_have_attribute("aria-pressed", "true")
        self.check_accessibility()


class MyWebinarsPage(PageObject):
    path = "/webinars/mine"
    heading = "My webinars"
