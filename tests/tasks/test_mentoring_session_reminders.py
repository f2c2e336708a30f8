"""The day-before reminder of a booked mentoring session: to both people, once, never for a
session not booked or not starting within a day, paused while the mentee is on leave unless
they asked to keep in touch; and, with a real consumer and a real SMTP server, nothing lost
or duplicated when the consumer is killed and restarted."""
import datetime as dt
import signal
import time

import pytest

from portal.blueprints.mentoring.models import (
    ACCEPTED,
    CANCELLED,
    PROPOSED,
    MentoringSession,
    Relationship,
)
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tasks import huey
from tasks.mentoring_sessions import (
    queue_due_mentoring_session_reminders,
    send_mentoring_session_reminder,
)
from tests.mentoring_factories import make_pair, make_programme, release_pair
from tests.tasks.conftest import expected_keys, received, wait_until

PREFIX = "mentoring-session-reminder:"


@pytest.fixture
def pair(app, make_user):
    with app.app_context(), db.connection_context():
        return make_pair(make_user)


def add_session(app, rel, starts_in=dt.timedelta(hours=23, minutes=50), status=ACCEPTED):
    with app.app_context(), db.connection_context():
        return MentoringSession.create(
            relationship=rel.id, proposed_by=rel.mentor_id, minutes=60, channel="telephone",
            starts_at=(utcnow() + starts_in).replace(second=0, microsecond=0), status=status,
            responded_at=utcnow() if status == ACCEPTED else None)


def run_periodic(app) -> int:
    with app.app_context(), db.connection_context():
        return queue_due_mentoring_session_reminders.call_local()


def reminders_to(app, person) -> list[OutboxMessage]:
    with app.app_context(), db.connection_context():
        return [m for m in OutboxMessage.latest_to(person.email) if m.key.startswith(PREFIX)]


def set_leave(app, rel, keep_in_touch: bool) -> None:
    """The mentee went on leave a month ago and is back in half a year."""
    today = dt.date.today()
    with app.app_context(), db.connection_context():
        (Relationship.update(leave_starts=today - dt.timedelta(days=30),
                             leave_returns=today + dt.timedelta(days=180),
                             keep_in_touch=keep_in_touch)
         .where(Relationship.id == rel.id).execute())


def test_both_people_are_reminded_once_the_day_before(app, pair):
    session = add_session(app, pair.rel)
    assert run_periodic(app) == 1
    assert run_periodic(app) == 0  # the next minute finds nothing more to do
    for person, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        [reminder] = reminders_to(app, person)
        assert reminder.key == f"{PREFIX}{session.id}:{person.id}"
        assert reminder.subject.startswith(f"Reminder: mentoring with {partner.name}, ")
        assert "How: by telephone" in reminder.body_text
        assert reminder.attachment_name == "mentoring-session.ics"


def test_no_reminder_for_sessions_not_booked_or_not_within_a_day(app, pair):
    add_session(app, pair.rel, starts_in=dt.timedelta(hours=25))
    add_session(app, pair.rel, status=PROPOSED)
    add_session(app, pair.rel, status=CANCELLED)
    add_session(app, pair.rel, starts_in=-dt.timedelta(minutes=5))  # started already
    assert run_periodic(app) == 0
    with app.app_context(), db.connection_context():
        Relationship.update(status="closed").where(Relationship.id == pair.rel.id).execute()
    add_session(app, pair.rel)
    assert run_periodic(app) == 0
    assert reminders_to(app, pair.mentor) == reminders_to(app, pair.mentee) == []


def test_reminders_pause_while_the_mentee_is_on_leave_unless_they_keep_in_touch(app, pair):
    add_session(app, pair.rel)
    set_leave(app, pair.rel, keep_in_touch=False)
    assert run_periodic(app) == 0
    assert reminders_to(app, pair.mentee) == []
    set_leave(app, pair.rel, keep_in_touch=True)
    assert run_periodic(app) == 1
    assert len(reminders_to(app, pair.mentee)) == len(reminders_to(app, pair.mentor)) == 1


def test_a_reminder_task_that_runs_twice_sends_once(app, pair):
    session = add_session(app, pair.rel)
    with app.app_context(), db.connection_context():
        assert send_mentoring_session_reminder.call_local(session.id) is True
        assert send_mentoring_session_reminder.call_local(session.id) is False
        # and if the "reminded" mark were lost, the outbox keys still make it one each
        MentoringSession.update(reminded_at=None).execute()
        send_mentoring_session_reminder.call_local(session.id)
    assert [m.key for m in reminders_to(app, pair.mentor)] == [
        f"{PREFIX}{session.id}:{pair.mentor.id}"]


# A real consumer, a real SMTP server, and a SIGKILL in the middle.

PAIRS = 30


def many_pairs(app, make_user) -> list[tuple[Relationship, object, object]]:
    """PAIRS pairs in one programme, each with a session booked for tomorrow."""
    coordinator = make_user(role="staff")
    people = [(make_user(email=f"mentor{n}@example.org"),
               make_user(email=f"mentee{n}@example.org")) for n in range(PAIRS)]
    with app.app_context(), db.connection_context():
        programme, cohort = make_programme(coordinator, "transcultural")
        rels = [release_pair(programme, cohort, mentor, mentee) for mentor, mentee in people]
    for rel in rels:
        add_session(app, rel)
    return [(rel, *people[n]) for n, rel in enumerate(rels)]


@pytest.mark.slow
def test_a_killed_and_restarted_consumer_loses_and_duplicates_no_reminder(
        app, tmp_path, make_user, smtp, start_consumer, monkeypatch):
    # This process plays the web server: its changes ring a queue that nobody here runs, so
    # every email reaches SMTP through the consumer processes alone.
    monkeypatch.setattr(huey, "immediate", False)
    pairs = many_pairs(app, make_user)
    with app.app_context(), db.connection_context():
        session_of = {s.relationship_id: s.id for s in MentoringSession.select()}
    wanted = {(person.email, f"{PREFIX}{session_of[rel.id]}:{person.id}")
              for rel, mentor, mentee in pairs for person in (mentor, mentee)}
    smtp.start()

    consumer = start_consumer()
    assert wait_until(lambda: len(smtp.inbox.messages) >= 10, timeout=30)
    consumer.send_signal(signal.SIGKILL)
    consumer.wait()
    sent_before_the_kill = len(smtp.inbox.messages)
    time.sleep(2.5)  # restarted a moment later: the dead sender's 2-second leases lapse
    with app.app_context(), db.connection_context():
        owed = MentoringSession.select().where(MentoringSession.reminded_at.is_null()).count()
    assert sent_before_the_kill < PAIRS * 2 or owed, "the consumer finished before the kill"

    consumer = start_consumer()
    try:
        assert wait_until(lambda: wanted <= set(received(smtp)), timeout=90), \
            (tmp_path / "consumer-2.log").read_text()[-3000:]
        assert wait_until(lambda: expected_keys(app) <= set(received(smtp)), timeout=30)
        time.sleep(2.5)  # time for any duplicate to show up
    finally:
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=60)  # a graceful stop finishes the tasks in hand

    arrived = received(smtp)
    assert set(arrived) == expected_keys(app)  # nothing lost, nothing extra
    assert {k for k in arrived if k[1].startswith(PREFIX)} == wanted
    # One message per key: a copy resent after a kill between SMTP and the sender's commit
    # would carry the same Message-ID, which is how mail systems drop such a repeat.
    assert all(len(ids) == 1 for ids in arrived.values())
    duplicates = len(smtp.inbox.messages) - len(arrived)
    assert duplicates <= 2  # at most one message in flight on each of its two threads
