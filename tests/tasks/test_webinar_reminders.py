"""Webinar reminders 24 hours and 1 hour before: each once per person per session, never
stale, never repeated for a moved session; and, with a real consumer and a real SMTP server,
nothing lost or duplicated when the consumer is killed and restarted."""
import datetime as dt
import signal
import time

import pytest

from portal.blueprints.accounts.models import User
from portal.blueprints.webinars import services, services_staff
from portal.blueprints.webinars.models import WebinarBooking, WebinarReminder
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tasks import huey
from tasks.webinars import queue_due_webinar_reminders, send_webinar_reminder
from tests.tasks.conftest import expected_keys, received, wait_until
from tests.webinar_factories import LINK, book, cancel, make_session, set_settings


def booked_earlier(app, user, session, hours_ago=2):
    """A booking made some time ago, before the reminders' times."""
    return book(app, user, session, now=utcnow() - dt.timedelta(hours=hours_ago))


def reminders_to(app, address):
    with app.app_context(), db.connection_context():
        return [m for m in OutboxMessage.latest_to(address) if m.key.startswith(
            "webinar-reminder:")]


def run_periodic(app):
    with app.app_context(), db.connection_context():
        return queue_due_webinar_reminders.call_local()


def details_moved(session, by: dt.timedelta) -> services_staff.SessionDetails:
    return services_staff.SessionDetails(
        title=session.title, description=session.description, facilitator=session.facilitator,
        starts_at=session.starts_at + by, ends_at=session.ends_at + by,
        capacity=session.capacity, joining_link=session.joining_link,
        audience_value=session.audience, group_ids=[])


def test_the_24_hour_reminder_goes_once_with_the_calendar_file_and_joining_link(
        app, make_user):
    person = make_user(email="r@example.org", name="Rita")
    session = make_session(app, starts_in=dt.timedelta(hours=23, minutes=50))
    booked_earlier(app, person, session)
    assert run_periodic(app) == 1
    assert run_periodic(app) == 0  # the next minute finds nothing more to do
    [reminder] = reminders_to(app, "r@example.org")
    assert reminder.subject == "Reminder: “Group supervision” starts tomorrow"
    assert f"Joining link: {LINK}" in reminder.body_text
    assert reminder.attachment_name == "webinar.ics"
    assert "BEGIN:VEVENT" in reminder.attachment_body


def test_a_reminder_task_that_runs_twice_sends_once(app, make_user):
    person = make_user(email="twice@example.org")
    session = make_session(app, starts_in=dt.timedelta(minutes=50))
    booked_earlier(app, person, session, hours_ago=3)
    with app.app_context(), db.connection_context():
        [reminder] = list(services.due_reminders())
        assert send_webinar_reminder.call_local(reminder.id) is True
        assert send_webinar_reminder.call_local(reminder.id) is False
        # and if the "done" mark were lost, the outbox key still makes it one message
        WebinarReminder.update(sent_at=None).execute()
        send_webinar_reminder.call_local(reminder.id)
    booking = WebinarBooking.get()
    assert [m.key for m in reminders_to(app, "twice@example.org")] == [
        f"webinar-reminder:{booking.id}:1h"]


def test_someone_booking_after_a_reminders_time_gets_no_stale_reminder(app, make_user):
    set_settings(app, webinar_booking_cutoff_minutes=0)
    person = make_user(email="late@example.org")
    session = make_session(app, starts_in=dt.timedelta(hours=5))
    book(app, person, session)  # 19 hours after the 24-hour reminder's time
    with app.app_context(), db.connection_context():
        assert [r.kind for r in WebinarReminder.select()] == ["1h"]
    assert run_periodic(app) == 0
    very_late = make_session(app, title="Very late", starts_in=dt.timedelta(minutes=40))
    book(app, make_user(), very_late)
    with app.app_context(), db.connection_context():
        assert WebinarReminder.select().count() == 1  # still only the first session's 1h


def test_when_the_jobs_were_down_only_the_latest_due_reminder_is_sent(app, make_user):
    person = make_user(email="down@example.org")
    session = make_session(app, starts_in=dt.timedelta(minutes=50))
    booked_earlier(app, person, session, hours_ago=48)
    assert run_periodic(app) == 2  # both due: the 24-hour one is stale by now
    assert [m.subject for m in reminders_to(app, "down@example.org")] == [
        "Reminder: “Group supervision” starts in an hour"]


def test_no_reminders_for_cancelled_places_or_cancelled_sessions(app, make_user):
    gone, kept = make_user(email="gone@example.org"), make_user(email="kept@example.org")
    session = make_session(app, starts_in=dt.timedelta(hours=23, minutes=50))
    other = make_session(app, title="Called off", starts_in=dt.timedelta(hours=23, minutes=50))
    for person in (gone, kept):
        booked_earlier(app, person, session)
        booked_earlier(app, person, other)
    cancel(app, gone, session)
    with app.app_context(), db.connection_context():
        services_staff.cancel_session(None, other.id, "Snow")
    assert run_periodic(app) == 1
    assert reminders_to(app, "gone@example.org") == []
    assert [m.subject for m in reminders_to(app, "kept@example.org")] == [
        "Reminder: “Group supervision” starts tomorrow"]


def test_a_session_moved_after_the_24_hour_reminder_sends_a_notice_not_a_second_reminder(
        app, make_user):
    person = make_user(email="moved@example.org")
    session = make_session(app, starts_in=dt.timedelta(hours=23, minutes=50))
    booked_earlier(app, person, session)
    run_periodic(app)
    with app.app_context(), db.connection_context():
        services_staff.update_session(None, session.id,
                                      details_moved(session, dt.timedelta(days=2)))
    assert run_periodic(app) == 0
    with app.app_context(), db.connection_context():
        keys = sorted(m.key for m in OutboxMessage.latest_to("moved@example.org"))
        booking = WebinarBooking.get()
        one_hour = WebinarReminder.get(WebinarReminder.kind == "1h")
    assert keys == sorted([f"webinar-booked:{booking.id}:{booking.booked_at.isoformat()}",
                           f"webinar-reminder:{booking.id}:24h",
                           f"webinar-change:{booking.id}:1"])
    assert one_hour.sent_at is None
    assert one_hour.due_at == session.starts_at + dt.timedelta(days=2, hours=-1)


# A real consumer, a real SMTP server, and a SIGKILL in the middle.

PEOPLE = 30


@pytest.mark.slow
def test_a_killed_and_restarted_consumer_loses_and_duplicates_no_reminder(
        app, tmp_path, make_user, smtp, start_consumer, monkeypatch):
    # This process plays the web server: its changes ring a queue that nobody here runs, so
    # every email reaches SMTP through the consumer processes alone.
    monkeypatch.setattr(huey, "immediate", False)
    tomorrow = make_session(app, title="Tomorrow", starts_in=dt.timedelta(hours=23, minutes=50),
                            capacity=PEOPLE)
    within_the_hour = make_session(app, title="Soon", starts_in=dt.timedelta(minutes=50),
                                   capacity=PEOPLE)
    people = [make_user(email=f"m{n}@example.org") for n in range(PEOPLE)]
    for person in people:
        booked_earlier(app, person, tomorrow)
        booked_earlier(app, person, within_the_hour)
    smtp.start()

    consumer = start_consumer()
    assert wait_until(lambda: len(smtp.inbox.messages) >= 10, timeout=30)
    consumer.send_signal(signal.SIGKILL)
    consumer.wait()
    sent_before_the_kill = len(smtp.inbox.messages)
    time.sleep(2.5)  # restarted a moment later: the dead sender's 2-second leases lapse
    with app.app_context(), db.connection_context():
        reminders = WebinarReminder.select().where(WebinarReminder.kind.in_(["24h", "1h"]))
        owed = reminders.where(WebinarReminder.sent_at.is_null(),
                               WebinarReminder.due_at <= utcnow()).count()
    assert sent_before_the_kill < PEOPLE * 4 or owed, "the consumer finished before the kill"

    consumer = start_consumer()
    try:
        wanted = {(f"m{n}@example.org", kind) for n in range(PEOPLE)
                  for kind in ("24h", "1h")}
        assert wait_until(lambda: wanted <= {
            (to, key.rsplit(":", 1)[1]) for to, key in received(smtp)
            if key.startswith("webinar-reminder:")}, timeout=90), \
            (tmp_path / "consumer-2.log").read_text()[-3000:]
        assert wait_until(lambda: expected_keys(app) <= set(received(smtp)), timeout=90)

        # A session moved after its 24-hour reminder: a notice, not a second reminder.
        with app.app_context(), db.connection_context():
            actor = User.get_by_id(people[0].id)
            services_staff.update_session(actor, tomorrow.id,
                                          details_moved(tomorrow, dt.timedelta(hours=2)))
    finally:
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
    consumer = start_consumer()  # runs the sweeps
    try:
        assert wait_until(lambda: expected_keys(app) <= set(received(smtp)), timeout=30)
        time.sleep(2.5)  # time for any duplicate to show up
    finally:
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=60)  # a graceful stop finishes the tasks in hand

    arrived = received(smtp)
    assert set(arrived) == expected_keys(app)  # nothing lost, nothing extra
    # One message per key: a copy resent after a kill between SMTP and the sender's commit
    # would carry the same Message-ID, which is how mail systems drop such a repeat.
    assert all(len(ids) == 1 for ids in arrived.values())
    duplicates = len(smtp.inbox.messages) - len(arrived)
    assert duplicates <= 2  # at most the messages in flight at each kill
    for n in range(PEOPLE):
        mine = sorted(key.split(":")[0] + ":" + key.rsplit(":", 1)[-1]
                      for to, key in arrived if to == f"m{n}@example.org")
        assert [k for k in mine if k.startswith("webinar-reminder")] == [
            "webinar-reminder:1h", "webinar-reminder:24h"]
        assert len([k for k in mine if k.startswith("webinar-change")]) == 1
