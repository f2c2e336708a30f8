"""Supervision webinars from start to finish in a real browser, with JavaScript on and off:
staff schedule a six-weekly series; a participant books, adds it to a calendar, cancels
and rebooks; a second participant waits, is offered the freed seat by email and claims
it; staff mark attendance. axe-core checks every page and every in-page update."""
import datetime as dt
import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from portal.blueprints.webinars.models import WebinarSession
from portal.db import db
from tests.browser.pages import LoginPage
from tests.browser.webinar_pages import MyWebinarsPage, SessionPage, WebinarsPage
from tests.conftest import TEST_PASSWORD
from tests.webinar_factories import move_into_the_past

pytestmark = pytest.mark.browser

TITLE = "Return to work supervision"


def log_in(new_page, axe, person, javascript: bool):
    page = new_page(javascript=javascript)
    LoginPage.open(page, axe).log_in(person.email, TEST_PASSWORD)
    return page


def first_session(app) -> WebinarSession:
    with app.app_context(), db.connection_context():
        return (WebinarSession.select().where(WebinarSession.title == TITLE)
                .order_by(WebinarSession.starts_at).first())


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_series_booking_waitlist_promotion_and_attendance(app, new_page, axe, live_server,
                                                          make_user, sent_emails, javascript):
    staff = make_user(role="staff", name="Sam Staff", email="sam.staff@example.nhs.uk")
    priya = make_user(name="Priya Mentor", email="priya@example.nhs.uk")
    tom = make_user(name="Tom Mentee", email="tom@example.nhs.uk")
    first_day = dt.date.today() + dt.timedelta(days=8)

    # Staff schedule a six-weekly series with one seat per session.
    staff_page = log_in(new_page, axe, staff, javascript)
    webinars = WebinarsPage.open(staff_page, axe)
    series = webinars.manage().schedule_series().schedule(
        title=TITLE, facilitator="Dr Fay Facilitator", first_day=first_day.isoformat(),
        start="10:00", end="11:30", every_weeks=6, months=12, seats=1,
        link="https://meet.example.nhs.uk/rtw-supervision")
    series.expect_message("Series scheduled: 9 sessions.")
    sessions = series.sessions()
    assert len(sessions) == 9
    assert all(re.search(r", 10am to 11:30am \((GMT|BST)\)$", s["When"]) for s in sessions)
    assert sessions[0]["When"].startswith(first_day.strftime("%A %-d %B %Y"))

    # Priya books, adds the session to her calendar, cancels and books again.
    priya_page = log_in(new_page, axe, priya, javascript)
    session = WebinarsPage.open(priya_page, axe).open_session(TITLE)
    expect(session.seats).to_have_text("1 of 1 seat left")
    session.act("Book a place", "You have a place.")
    expect(session.seats).to_have_text("0 of 1 seat left")
    [event] = Calendar.from_ical(session.add_to_calendar()).walk("VEVENT")
    assert str(event["summary"]) == TITLE
    assert event.decoded("dtstart").strftime("%H:%M") == "10:00"
    session.act("Cancel my place", "You have given up your place.")
    expect(session.seats).to_have_text("1 of 1 seat left")
    session.act("Book a place", "You have a place.")

    # Tom finds it full and joins the waitlist.
    tom_page = log_in(new_page, axe, tom, javascript)
    tom_session = WebinarsPage.open(tom_page, axe).open_session(TITLE)
    expect(tom_session.panel).to_contain_text("This session is full.")
    tom_session.act("Join the waitlist", "you are on the waitlist")
    expect(tom_session.panel).to_contain_text("You are on the waitlist, number 1.")

    # Priya cancels: the seat is offered to Tom by email, and he claims it.
    session.act("Cancel my place", "You have given up your place.")
    [offer] = [m for m in sent_emails(tom.email) if m.subject.startswith("A seat is free")]
    link = re.search(r"https?://\S+", offer.body_text).group(0)
    assert link.startswith(live_server + "/webinars/sessions/")
    tom_page.goto(link)
    tom_session = SessionPage(tom_page, axe, heading=TITLE)
    expect(tom_session.panel).to_contain_text("A seat is free for you.")
    tom_session.act("Claim my seat", "You have a place.")
    mine = MyWebinarsPage.open(tom_page, axe)
    assert mine.table("Webinars coming up")[0]["Your place"] == "Booked"

    # The session takes place; staff mark attendance.
    taken_place = first_session(app)
    move_into_the_past(app, taken_place, minutes_ago=100)
    staff_page.goto(f"/webinars/sessions/{taken_place.id}")
    people = SessionPage(staff_page, axe, heading=TITLE).people()
    assert [r["Name"] for r in people.booked()] == ["Tom Mentee"]
    people.mark("Tom Mentee", attended=True)
    assert people.booked()[0]["Attendance"].startswith("Attended")

    past = MyWebinarsPage.open(tom_page, axe)
    assert past.table("Past webinars")[0]["Attendance"] == "Attended"
