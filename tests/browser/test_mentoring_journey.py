"""The pair's space in two browsers at once, with JavaScript on and off: the mentor and the
mentee each confirm the agreement, one proposes a session and the other accepts it, both
download the calendar file (icalendar reads the right time zone), they log a session and
the mentee sets goals, signs one off, the mentor countersigns, and the workbook shows both
signatures. axe-core checks every page and every in-page update."""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect

from portal.db import db
from tests.browser.mentoring_pages import PairPage, WorkbookPage
from tests.browser.pages import LoginPage
from tests.conftest import TEST_PASSWORD
from tests.mentoring_factories import make_pair

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")


def logged_in(new_page, axe, javascript, person, relationship_id) -> PairPage:
    page = new_page(javascript=javascript)
    LoginPage.open(page, axe).log_in(person.email, TEST_PASSWORD)
    return PairPage.open_pair(page, axe, relationship_id)


def calendar_start(data: bytes) -> dt.datetime:
    events = [c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    assert len(events) == 1
    return events[0].decoded("DTSTART")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_pair_agrees_meets_sets_goals_and_signs_one_off(app, new_page, axe, live_server,
                                                          make_user, javascript):
    with app.app_context(), db.connection_context():
        pair = make_pair(make_user)
    rel_id = pair.rel.id
    mentor = logged_in(new_page, axe, javascript, pair.mentor, rel_id)
    mentee = logged_in(new_page, axe, javascript, pair.mentee, rel_id)

    mentor = mentor.confirm_agreement()
    expect(mentor.section("agreement-confirmations")).to_contain_text(
        "Maya Mentor (mentor): confirmed on")
    mentee = PairPage.open_pair(mentee.page, axe, rel_id).confirm_agreement()
    expect(mentee.main.locator("#pair-status")).to_contain_text("Active")
    expect(mentee.section("agreement-confirmations")).not_to_contain_text("not confirmed")

    day = dt.date.today() + dt.timedelta(days=9)
    mentor = mentor.propose_session(day.isoformat(), "10:30", 60)
    expect(mentor.section("planned-sessions")).to_contain_text("Waiting for Ned Mentee")
    mentee = PairPage.open_pair(mentee.page, axe, rel_id).session_action("Accept")
    expect(mentee.section("planned-sessions")).to_contain_text("Booked")
    expect(mentee.section("next-session")).to_contain_text("Telephone, 60 minutes")
    expect(mentee.section("sessions-left")).to_have_text("2 of 3")
    mentor = PairPage.open_pair(mentor.page, axe, rel_id)
    for side in (mentor, mentee):
        start = calendar_start(side.download_calendar())
        assert start == dt.datetime.combine(day, dt.time(10, 30), tzinfo=LONDON)
        assert start.tzinfo.key == "Europe/London"

    yesterday = dt.date.today() - dt.timedelta(days=1)
    mentee = mentee.log_session(yesterday.isoformat(), 45, "We planned the handover.")
    expect(mentee.section("held-sessions")).to_contain_text("We planned the handover.")
    expect(mentee.section("sessions-left")).to_have_text("1 of 3")

    mentee = mentee.add_goal("Plan my keeping-in-touch days", "Dates agreed with my manager")
    mentee = mentee.add_goal("Rebuild my rota confidence", "Two rotas written unaided")
    mentee = mentee.sign_off("Plan my keeping-in-touch days",
                             "I learned to agree dates with my manager early.")
    mentor = PairPage.open_pair(mentor.page, axe, rel_id)
    expect(mentor.section("held-sessions")).to_contain_text("We planned the handover.")
    expect(mentor.section("goal-form")).to_have_count(0)  # one-way: the mentee sets goals
    mentor = mentor.countersign("Plan my keeping-in-touch days")

    for side in (mentee, mentor):
        side.main.get_by_role("link", name="Your learning workbook").click()
        workbook = WorkbookPage(side.page, axe)
        entries = workbook.main.locator(".tandem-workbook-entry")
        expect(entries).to_have_count(1)
        expect(entries.first).to_contain_text("Plan my keeping-in-touch days")
        expect(entries.first.locator(".tandem-workbook-learner")).to_have_text("Ned Mentee")
        expect(entries.first.locator(".tandem-workbook-learned")).to_have_text(
            "I learned to agree dates with my manager early.")
        expect(entries.first).to_contain_text("Maya Mentor")
        expect(entries.first).not_to_contain_text("Not countersigned")
