"""Staff scheduling webinars: series across clock changes, bad input refused, moves and
cancellations with notices, attendance with and without htmx, and the CSV export."""
import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from portal.audit import AuditEntry
from portal.blueprints.webinars.models import (
    CANCELLED,
    WebinarReminder,
    WebinarSeries,
    WebinarSession,
)
from portal.db import db, utcnow
from tests.pages import Page
from tests.webinar_factories import (
    book,
    booking_of,
    make_session,
    move_into_the_past,
    next_spring_clock_change,
    reload,
)

HX = {"HX-Request": "true"}
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def staff(client, login, make_user):
    person = make_user(role="staff", name="Sam Staff")
    login(person)
    return person


def session_form(csrf_token, **overrides) -> dict:
    next_month = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = {"title": "Return to work supervision", "description": "Bring a case.",
            "facilitator": "Dr Fay", "day": next_month, "start_time": "10:00",
            "end_time": "11:30", "capacity": "12",
            "joining_link": "https://meet.example.nhs.uk/rtw", "audience": "signed_in",
            "csrf_token": csrf_token}
    data.update(overrides)
    return data


def local(moment) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(LONDON)


def morning_in_ten_days() -> dt.datetime:
    """10am London time ten days ahead, in naive UTC: a session the edit form's one day can
    hold (one made ten days from now, late in the evening, ends after midnight)."""
    day = dt.datetime.now(LONDON).date() + dt.timedelta(days=10)
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON).astimezone(
        dt.UTC).replace(tzinfo=None)


def test_a_six_weekly_series_for_twelve_months_keeps_10am_across_the_clock_changes(
        app, client, staff, csrf_token):
    change = next_spring_clock_change()
    first = change + dt.timedelta(days=1) - dt.timedelta(weeks=12)  # a Monday in winter
    response = client.post("/webinars/manage/series/new", data=session_form(
        csrf_token, day=first.isoformat(), cadence_weeks="6", months="12"))
    assert response.status_code == 303, Page(response).error_summary()
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Series scheduled: 9 sessions."]
    with app.app_context(), db.connection_context():
        series = WebinarSeries.get()
        sessions = list(series.sessions())
    assert (series.cadence_weeks, series.length_minutes, series.capacity) == (6, 90, 12)
    days = [local(s.starts_at).date() for s in sessions]
    assert days == [first + dt.timedelta(weeks=6 * n) for n in range(9)]
    assert {local(s.starts_at).strftime("%H:%M") for s in sessions} == {"10:00"}
    # Stored in UTC: 10:00 GMT in winter is 10:00 UTC; 10:00 BST the day after the clocks
    # go forward is 09:00 UTC.
    assert sessions[1].starts_at == dt.datetime.combine(days[1], dt.time(10))
    assert days[2] == change + dt.timedelta(days=1)
    assert sessions[2].starts_at == dt.datetime.combine(days[2], dt.time(9))
    rows = page.table("#series-sessions")
    assert [r["Status"] for r in rows] == ["Scheduled"] * 9
    assert rows[1]["When"] == f"{days[1]:%A %-d %B %Y}, 10am to 11:30am (GMT)"
    assert rows[2]["When"] == f"{days[2]:%A %-d %B %Y}, 10am to 11:30am (BST)"
    assert rows[8]["When"].endswith("(GMT)")  # and back again in the autumn


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"day": "2020-01-01"}, "start_time", "The start must be in the future"),
    ({"capacity": "0"}, "capacity", "Seats must be a whole number from 1 to 10,000"),
    ({"capacity": "-5"}, "capacity", "Seats must be a whole number from 1 to 10,000"),
    ({"end_time": "09:00"}, "end_time", "The end time must be after the start time"),
    ({"end_time": "10:00"}, "end_time", "The end time must be after the start time"),
    ({"joining_link": "http://meet.example.nhs.uk/rtw"}, "joining_link",
     "The joining link must start with https://"),
    ({"joining_link": "javascript:alert(1)"}, "joining_link",
     "The joining link must start with https://"),
    ({"title": ""}, "title", "Enter a title"),
    ({"day": next_spring_clock_change().isoformat(), "start_time": "01:30",
      "end_time": "02:30"}, "start_time",
     "That time does not exist on that date because the clocks go forward: choose another "
     "time"),
])
@pytest.mark.parametrize("url", ["/webinars/manage/sessions/new", "/webinars/manage/series/new"])
def test_bad_input_is_refused_with_a_clear_message(app, client, staff, csrf_token, url,
                                                   changes, field, message):
    data = session_form(csrf_token, cadence_weeks="6", months="12", **changes)
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = Page(response)
    assert page.field_errors()[field] == message
    assert message in page.error_summary()
    assert page.soup.title.get_text().startswith("Error: ")
    with app.app_context(), db.connection_context():
        assert WebinarSession.select().count() == 0


def test_series_needs_a_cadence_and_a_length(client, staff, csrf_token):
    response = client.post("/webinars/manage/series/new",
                           data=session_form(csrf_token, cadence_weeks="0", months="30"))
    errors = Page(response).field_errors()
    assert errors["cadence_weeks"] == "Enter a number of weeks from 1 to 52"
    assert errors["months"] == "Enter a number of months from 1 to 24"


@pytest.mark.parametrize("url", ["/webinars/manage", "/webinars/manage/series/new",
                                 "/webinars/manage/sessions/new",
                                 "/webinars/manage/sessions/{id}/edit",
                                 "/webinars/manage/sessions/{id}/cancel",
                                 "/webinars/manage/sessions/{id}/people",
                                 "/webinars/manage/sessions/{id}/attendance.csv"])
def test_members_cannot_reach_the_staff_pages(app, client, login, make_user, url):
    session = make_session(app)
    login(make_user())
    assert client.get(url.format(id=session.id)).status_code == 403


def test_an_unknown_session_is_404_for_staff(client, staff):
    assert client.get("/webinars/manage/sessions/999/edit").status_code == 404
    assert client.get("/webinars/sessions/999").status_code == 404


def test_a_one_off_session_is_audited(app, client, staff, csrf_token):
    response = client.post("/webinars/manage/sessions/new", data=session_form(csrf_token))
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.heading() == "Return to work supervision"
    assert page.text("#session-when").endswith("10am to 11:30am (GMT)") or \
        page.text("#session-when").endswith("10am to 11:30am (BST)")
    with app.app_context(), db.connection_context():
        assert [e.action for e in AuditEntry.select()] == ["webinar_session.create"]


def test_moving_a_session_tells_everyone_and_raises_the_sequence(
        app, client, staff, make_user, csrf_token, sent_emails):
    session = make_session(app, capacity=1, starts_in=dt.timedelta(days=10))
    booked, waiting = make_user(email="b@example.org"), make_user(email="w@example.org")
    book(app, booked, session)
    book(app, waiting, session)
    form = Page(client.get(f"/webinars/manage/sessions/{session.id}/edit"))
    assert form.value("title") == "Group supervision"
    new_day = (local(session.starts_at) + dt.timedelta(days=2)).date()
    response = client.post(f"/webinars/manage/sessions/{session.id}/edit", data=session_form(
        csrf_token, title="Group supervision", day=new_day.isoformat(), capacity="1"))
    assert response.status_code == 303, Page(response).error_summary()
    assert Page(client.get(response.headers["Location"])).flashes() == [
        "Session moved: everyone booked or waiting has been emailed the new time."]
    moved = reload(app, session)
    assert moved.sequence == 1 and moved.uid == session.uid
    assert local(moved.starts_at).date() == new_day
    for address in ("b@example.org", "w@example.org"):
        [notice] = [m for m in sent_emails(address) if "has moved" in m.subject]
        assert notice.attachment_type == "text/calendar"
        assert "SEQUENCE:1" in notice.attachment_body
    with app.app_context(), db.connection_context():
        due = sorted(r.due_at for r in WebinarReminder.select())
    assert due == [moved.starts_at - dt.timedelta(hours=24),
                   moved.starts_at - dt.timedelta(hours=1)]


def test_saving_without_moving_sends_nothing(app, client, staff, make_user, csrf_token,
                                             sent_emails):
    session = make_session(app, starts_at=morning_in_ten_days())
    book(app, make_user(email="b@example.org"), session)
    start = local(session.starts_at)
    end = local(session.ends_at)
    client.post(f"/webinars/manage/sessions/{session.id}/edit", data=session_form(
        csrf_token, title="Renamed supervision", day=start.date().isoformat(),
        start_time=start.strftime("%H:%M"), end_time=end.strftime("%H:%M"), capacity="10"))
    assert reload(app, session).sequence == 1  # calendars show the new title
    assert [m.subject for m in sent_emails("b@example.org")] == [
        "You have a place at “Group supervision”"]


def test_more_seats_go_to_the_waitlist(app, client, staff, make_user, csrf_token):
    session = make_session(app, capacity=1, starts_at=morning_in_ten_days())
    first, second = make_user(), make_user()
    book(app, first, session)
    book(app, second, session)
    start, end = local(session.starts_at), local(session.ends_at)
    client.post(f"/webinars/manage/sessions/{session.id}/edit", data=session_form(
        csrf_token, title="Group supervision", day=start.date().isoformat(),
        start_time=start.strftime("%H:%M"), end_time=end.strftime("%H:%M"), capacity="2"))
    assert booking_of(app, second, session).status == "offered"


def test_cancelling_needs_a_reason_and_sends_it(app, client, staff, make_user, csrf_token,
                                                sent_emails):
    session = make_session(app)
    book(app, make_user(email="b@example.org"), session)
    refused = client.post(f"/webinars/manage/sessions/{session.id}/cancel",
                          data={"reason": "", "csrf_token": csrf_token})
    assert refused.status_code == 422
    assert Page(refused).field_errors() == {"reason": "Enter the reason: everyone booked is "
                                                      "sent it"}
    response = client.post(f"/webinars/manage/sessions/{session.id}/cancel",
                           data={"reason": "The facilitator is unwell.",
                                 "csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.text(".tandem-booking__state") == \
        "This session is cancelled. The facilitator is unwell."
    assert reload(app, session).status == CANCELLED
    [notice] = [m for m in sent_emails("b@example.org") if m.subject.startswith("Cancelled")]
    assert "Reason: The facilitator is unwell." in notice.body_text
    assert "STATUS:CANCELLED" in notice.attachment_body
    refused = client.post(f"/webinars/sessions/{session.id}/book",
                          data={"csrf_token": csrf_token}, headers=HX)
    assert refused.status_code == 422
    assert Page(refused).flashes() == ["This session is cancelled"]
    edit = client.get(f"/webinars/manage/sessions/{session.id}/edit")
    assert Page(client.get(edit.headers["Location"])).flashes() == [
        "A cancelled session cannot be changed."]


def test_the_people_page_lists_bookings_offers_and_the_waitlist(app, client, staff,
                                                                 make_user):
    session = make_session(app, capacity=2)
    people = [make_user(name=f"Person {n}", email=f"p{n}@example.org") for n in range(4)]
    for person in people:
        book(app, person, session)
    page = Page(client.get(f"/webinars/manage/sessions/{session.id}/people"))
    assert [r["Name"] for r in page.table("#booked")] == ["Person 0", "Person 1"]
    assert [(r["Place"], r["Name"]) for r in page.table("#waitlist")] == [
        ("1", "Person 2"), ("2", "Person 3")]
    assert page.text("#people-summary") == "2 of 2 seats booked, 2 on the waitlist."


def test_attendance_with_htmx_swaps_the_row(app, client, staff, make_user, csrf_token):
    session = make_session(app)
    person = make_user(name="Ada Attender")
    book(app, person, session)
    booking = booking_of(app, person, session)
    url = f"/webinars/manage/sessions/{session.id}/attendance/{booking.id}"
    early = client.post(url, data={"attended": "yes", "csrf_token": csrf_token}, headers=HX)
    assert early.status_code == 422
    assert booking_of(app, person, session).attended is None

    move_into_the_past(app, session)
    response = client.post(url, data={"attended": "yes", "csrf_token": csrf_token}, headers=HX)
    row = Page(response)
    assert response.status_code == 200 and not row.is_full_page
    assert row.text(f"#attendance-{booking.id}") == "Attended"
    assert row.soup.select_one("button[value=yes]")["aria-pressed"] == "true"
    assert booking_of(app, person, session).attended is True


def test_attendance_without_javascript(app, client, staff, make_user, csrf_token):
    session = make_session(app)
    person = make_user(name="Nat Noshow")
    book(app, person, session)
    move_into_the_past(app, session)
    booking = booking_of(app, person, session)
    response = client.post(f"/webinars/manage/sessions/{session.id}/attendance/{booking.id}",
                           data={"attended": "no", "csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Attendance saved for Nat Noshow."]
    assert page.table("#booked")[0]["Attendance"].startswith("Did not attend")
    assert booking_of(app, person, session).attended is False


def test_attendance_csv_guards_against_formulas(app, client, staff, make_user):
    session = make_session(app, title="=HYPERLINK(\"http://evil\")")
    people = [make_user(name="Ann Able", organisation="Leeds"),
              make_user(name="+SUM(A1:A2)", organisation="@cmd"),
              make_user(name="-2+3", organisation="Trust")]
    for person in people:
        book(app, person, session)
    move_into_the_past(app, session)
    first = booking_of(app, people[0], session)
    with app.app_context(), db.connection_context():
        from portal.blueprints.webinars.models import WebinarBooking

        WebinarBooking.update(attended=True).where(WebinarBooking.id == first.id).execute()
    response = client.get(f"/webinars/manage/sessions/{session.id}/attendance.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["Name"], r["Organisation"], r["Attended"]) for r in rows] == [
        ("Ann Able", "Leeds", "Yes"), ("'+SUM(A1:A2)", "'@cmd", "Not recorded"),
        ("'-2+3", "Trust", "Not recorded")]
    assert {r["Session"] for r in rows} == {"'=HYPERLINK(\"http://evil\")"}
    assert {r["Booking"] for r in rows} == {"Booked"}


def test_the_manage_page_counts_seats_and_the_waitlist(app, client, staff, make_user):
    session = make_session(app, capacity=1)
    for _ in range(3):
        book(app, make_user(), session)
    page = Page(client.get("/webinars/manage"))
    [row] = page.table("#sessions")
    assert (row["Session"], row["Status"], row["Booked"], row["Waitlist"]) == (
        "Group supervision", "Scheduled", "1 of 1", "2")
    past = Page(client.get("/webinars/manage?show=past"))
    assert past.table("#sessions") == [{"When": "No sessions here yet."}]


def test_finished_sessions_are_marked_by_the_periodic_job(app, make_user):
    session = make_session(app)
    move_into_the_past(app, session, minutes_ago=200)
    with app.app_context(), db.connection_context():
        from tasks.webinars import finish_webinar_sessions

        assert finish_webinar_sessions.call_local() == 1
    assert reload(app, session).status == "finished"
    assert utcnow() > reload(app, session).ends_at


def test_site_settings_include_the_webinar_settings(client, login, make_user, csrf_token):
    login(make_user(role="admin"))
    page = Page(client.get("/staff/settings"))
    assert page.value("webinar_claim_hours") == "24"
    assert page.value("organisation_timezone") == "Europe/London"
    response = client.post("/staff/settings", data={
        "hub_review_months": "12", "library_max_upload_mb": "20", "webinar_claim_hours": "-1",
        "webinar_booking_cutoff_minutes": "60", "webinar_join_minutes": "15",
        "organisation_timezone": "Mars/Olympus", "csrf_token": csrf_token})
    assert response.status_code == 422
    errors = Page(response).field_errors()
    assert errors["webinar_claim_hours"] == "Enter a number of hours from 0 to 168"
    assert errors["organisation_timezone"] == \
        "Enter a time zone from the tz database, like Europe/London"


def test_staff_attach_the_recording_and_slides_which_follow_the_library_audience(
        app, client, staff, login, make_user, csrf_token):
    from portal import audience
    from portal.blueprints.library.models import Resource

    session = make_session(app)
    move_into_the_past(app, session, minutes_ago=200)
    with app.app_context(), db.connection_context():
        recording = Resource.create(title="Recording: March supervision", kind="video",
                                    url="https://video.example.nhs.uk/r/1")
        notes = Resource.create(title="Facilitator notes", kind="link",
                                url="https://docs.example.nhs.uk/n", audience=audience.STAFF)
    url = f"/webinars/manage/sessions/{session.id}/resources"
    refused = client.post(url, data={"resource": "", "csrf_token": csrf_token})
    assert refused.status_code == 422
    assert Page(refused).field_errors() == {"resource": "Choose a resource from the library"}
    for resource in (recording, notes):
        response = client.post(url, data={"resource": str(resource.id),
                                          "csrf_token": csrf_token})
        assert response.status_code == 303
    assert Page(client.get(url)).texts("#attached a") == [
        "Recording: March supervision", "Facilitator notes"]

    login(make_user())
    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.texts("#session-resources a") == ["Recording: March supervision"]

    login(staff)
    client.post(f"{url}/{recording.id}/remove", data={"csrf_token": csrf_token})
    assert Page(client.get(url)).texts("#attached a") == ["Facilitator notes"]
    with app.app_context(), db.connection_context():
        assert [e.action for e in AuditEntry.select().order_by(AuditEntry.id)][-3:] == [
            "webinar_session.attach", "webinar_session.attach", "webinar_session.detach"]
