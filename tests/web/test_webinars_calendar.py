"""Calendar files and the personal feed: they parse with icalendar, keep their UID across
changes, raise SEQUENCE, mark cancellations, and give the right local time on both sides of
a clock change."""
import datetime as dt
import email
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.blueprints.webinars import services_staff
from portal.db import db
from portal.mailer import build_message
from portal.outbox import OutboxMessage
from tests.pages import Page
from tests.webinar_factories import (
    book,
    cancel,
    make_session,
    next_spring_clock_change,
    reload,
)

LONDON = ZoneInfo("Europe/London")
# The clocks go forward at 01:00 UTC on the last Sunday of March (28 March in 2027).
CHANGE = next_spring_clock_change()
BEFORE_CHANGE = dt.datetime.combine(CHANGE - dt.timedelta(days=1), dt.time(10))  # 10:00 GMT
AFTER_CHANGE = dt.datetime.combine(CHANGE + dt.timedelta(days=1), dt.time(9))  # 10:00 BST


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def local_start(event) -> dt.datetime:
    return event.decoded("dtstart").astimezone(LONDON)


@pytest.fixture
def member(client, login, make_user):
    person = make_user(email="cal@example.org")
    login(person)
    return person


def test_an_ics_file_per_session_gives_10am_london_both_sides_of_the_clock_change(
        app, client, member):
    saturday = make_session(app, title="Saturday session", starts_at=BEFORE_CHANGE)
    monday = make_session(app, title="Monday session", starts_at=AFTER_CHANGE)
    for session, day in ((saturday, BEFORE_CHANGE.day), (monday, AFTER_CHANGE.day)):
        response = client.get(f"/webinars/sessions/{session.id}/calendar.ics")
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert "attachment" in response.headers["Content-Disposition"]
        [event] = events(response.data)
        start = local_start(event)
        assert (start.day, start.hour, start.minute) == (day, 10, 0)
        assert str(event["dtstart"].params["TZID"]) == "Europe/London"
        assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=90)
        assert str(event["uid"]) == session.uid
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["summary"]) == session.title
    calendar = Calendar.from_ical(client.get(
        f"/webinars/sessions/{monday.id}/calendar.ics").data)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_the_pages_show_the_local_time_both_sides_of_the_clock_change(app, client, member):
    saturday = make_session(app, title="Saturday session", starts_at=BEFORE_CHANGE)
    monday = make_session(app, title="Monday session", starts_at=AFTER_CHANGE)
    assert Page(client.get(f"/webinars/sessions/{saturday.id}")).text("#session-when") == \
        f"Saturday {BEFORE_CHANGE:%-d} March {CHANGE.year}, 10am to 11:30am (GMT)"
    assert Page(client.get(f"/webinars/sessions/{monday.id}")).text("#session-when") == \
        f"Monday {AFTER_CHANGE:%-d} March {CHANGE.year}, 10am to 11:30am (BST)"


def test_the_ics_keeps_its_uid_and_raises_sequence_when_moved_then_cancelled(app, client,
                                                                             member):
    session = make_session(app, starts_at=BEFORE_CHANGE)
    url = f"/webinars/sessions/{session.id}/calendar.ics"
    [first] = events(client.get(url).data)
    assert first["sequence"] == 0

    details = services_staff.SessionDetails(
        title=session.title, description=session.description, facilitator=session.facilitator,
        starts_at=AFTER_CHANGE, ends_at=AFTER_CHANGE + dt.timedelta(minutes=90),
        capacity=session.capacity, joining_link=session.joining_link,
        audience_value=session.audience, group_ids=[])
    with app.app_context(), db.connection_context():
        services_staff.update_session(None, session.id, details)
    [moved] = events(client.get(url).data)
    assert (str(moved["uid"]), moved["sequence"]) == (session.uid, 1)
    assert local_start(moved).strftime("%d %H:%M") == f"{AFTER_CHANGE:%d} 10:00"

    with app.app_context(), db.connection_context():
        services_staff.cancel_session(None, session.id, "Facilitator unwell")
    [cancelled] = events(client.get(url).data)
    assert (str(cancelled["uid"]), cancelled["sequence"]) == (session.uid, 2)
    assert str(cancelled["status"]) == "CANCELLED"
    assert "Facilitator unwell" in str(cancelled["description"])


def feed_url(client) -> str | None:
    page = Page(client.get("/webinars/mine"))
    field = page.soup.select_one("#feed-url")
    return field["value"].removeprefix("http://localhost") if field else None


def test_the_feed_lists_booked_sessions_and_follows_changes(app, client, member, make_user,
                                                            csrf_token):
    booked = make_session(app, title="Booked", starts_at=BEFORE_CHANGE)
    also = make_session(app, title="Also booked", starts_at=AFTER_CHANGE)
    waiting = make_session(app, title="Waiting", capacity=1)
    given_up = make_session(app, title="Given up")
    other = make_session(app, title="Not mine")
    book(app, make_user(), waiting)
    for session in (booked, also, waiting, given_up):
        book(app, member, session)
    cancel(app, member, given_up)
    assert other.id and feed_url(client) is None

    response = client.post("/webinars/feed", data={"csrf_token": csrf_token})
    assert response.status_code == 303
    url = feed_url(client)
    assert url.startswith("/webinars/feed/") and url.endswith(".ics")

    client.get("/accounts/logout")  # the feed needs no log-in: the address is the secret
    with app.test_client() as calendar_app:
        body = calendar_app.get(url)
        assert body.status_code == 200
        found = {str(e["summary"]): e for e in events(body.data)}
        assert sorted(found) == ["Also booked", "Booked"]
        assert local_start(found["Booked"]).hour == 10
        assert local_start(found["Also booked"]).hour == 10
        with app.app_context(), db.connection_context():
            services_staff.cancel_session(None, also.id, "Room lost")
        found = {str(e["summary"]): e for e in events(calendar_app.get(url).data)}
        assert str(found["Also booked"]["status"]) == "CANCELLED"
        assert str(found["Also booked"]["uid"]) == reload(app, also).uid
        assert found["Also booked"]["sequence"] == 1


def test_the_feed_address_can_be_replaced_and_turned_off(app, client, member, csrf_token):
    client.post("/webinars/feed", data={"csrf_token": csrf_token})
    first = feed_url(client)
    assert client.get(first).status_code == 200

    response = client.post("/webinars/feed", data={"csrf_token": csrf_token})
    assert Page(client.get(response.headers["Location"])).flashes() == [
        "Your calendar feed has a new address. Any old address no longer works."]
    second = feed_url(client)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    client.post("/webinars/feed/off", data={"csrf_token": csrf_token})
    assert feed_url(client) is None
    assert client.get(second).status_code == 404


@pytest.mark.parametrize("token", ["1-deadbeef", "x-1", "99999999999999-abc", "-", "1"])
def test_a_made_up_feed_address_is_404(app, client, member, csrf_token, token):
    client.post("/webinars/feed", data={"csrf_token": csrf_token})
    assert client.get(f"/webinars/feed/{token}.ics").status_code == 404


def test_emails_carry_the_calendar_file_as_an_attachment(app, member, sent_emails):
    session = make_session(app, starts_at=AFTER_CHANGE)
    book(app, member, session)
    [message] = sent_emails("cal@example.org")
    with app.app_context(), db.connection_context():
        built = build_message(OutboxMessage.get_by_id(message.id))
        again = build_message(OutboxMessage.get_by_id(message.id))
    assert built["Message-ID"] == again["Message-ID"]  # a resend is recognisably the same
    parsed = email.message_from_bytes(built.as_bytes())
    [attachment] = [part for part in parsed.walk() if part.get_filename()]
    assert attachment.get_filename() == "webinar.ics"
    assert attachment.get_content_type() == "text/calendar"
    [event] = events(attachment.get_payload(decode=True))
    assert str(event["uid"]) == session.uid and local_start(event).hour == 10
