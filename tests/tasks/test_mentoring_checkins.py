"""The mentoring care jobs: the periodic finders fan out one task per due pair, and a second
run finds nothing; and, with a real huey consumer killed mid-run and a real SMTP server,
every check-in and nudge arrives exactly once."""
import datetime as dt
import signal
import time

import pytest

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import ACTIVE, CLOSED, CheckIn, Relationship
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tasks import huey
from tasks.mentoring_care import (
    find_due_checkins,
    find_ended_pairs,
    find_inactive_pairs,
    find_returns_from_leave,
)
from tests.mentoring_factories import make_programme
from tests.tasks.conftest import received, wait_until


def make_pairs(app, coordinator, count: int, today: dt.date, quiet_every: int = 2,
               **fields) -> list[int]:
    """`count` active short-virtual pairs started five weeks ago (a check-in is due); every
    `quiet_every`-th has held no session for 40 days (a nudge is due), the others met
    three days ago."""
    started = utcnow() - dt.timedelta(weeks=5)
    with app.app_context(), db.connection_context(), db.atomic():
        programme, cohort = make_programme(User.get_by_id(coordinator.id), "short_virtual")
        before = User.select(User.id).order_by(User.id.desc()).scalar() or 0
        User.insert_many([{"name": f"Person {before + n}", "password_hash": "x",
                           "email": f"p{before + n}@example.org"}
                          for n in range(2 * count)]).execute()
        ids = [u.id for u in User.select(User.id).where(User.id > before).order_by(User.id)]
        Relationship.insert_many([
            {"programme": programme.id, "cohort": cohort.id, "mentor": ids[2 * n],
             "mentee": ids[2 * n + 1], "status": ACTIVE, "released_at": started,
             "started_at": started, "created_at": utcnow(),
             "last_session_on": today - dt.timedelta(days=40 if n % quiet_every == 0 else 3),
             **fields}
            for n in range(count)]).execute()
        return [r.id for r in Relationship.select(Relationship.id)
                .where(Relationship.cohort == cohort.id).order_by(Relationship.id)]


def outbox_keys(app, prefix: str) -> list[str]:
    with app.app_context(), db.connection_context():
        return sorted(m.key for m in OutboxMessage.select().where(
            OutboxMessage.key.startswith(prefix)))


def test_the_finders_fan_out_once_per_due_pair(app, make_user, today):
    coordinator = make_user(role="staff")
    rels = make_pairs(app, coordinator, 4, today)
    with app.app_context(), db.connection_context():
        assert find_due_checkins.call_local() == 4
        assert find_due_checkins.call_local() == 0
        assert find_inactive_pairs.call_local() == 2
        assert find_inactive_pairs.call_local() == 0
        assert CheckIn.select().count() == 8
    assert len(outbox_keys(app, "mentoring-checkin:")) == 8
    assert outbox_keys(app, "mentoring-nudge:") == sorted(
        f"mentoring-nudge:{rel.id}:{person}:{rel.last_session_on.isoformat()}"
        for rel in _rels(app, rels[0::2]) for person in (rel.mentor_id, rel.mentee_id))


def _rels(app, ids):
    with app.app_context(), db.connection_context():
        return list(Relationship.select().where(Relationship.id.in_(ids)))


def test_paused_leave_and_closed_pairs_get_no_check_in_or_nudge(app, make_user, today):
    coordinator = make_user(role="staff")
    make_pairs(app, coordinator, 2, today, quiet_every=1,
               leave_starts=today - dt.timedelta(days=5),
               leave_returns=today + dt.timedelta(days=200))
    make_pairs(app, coordinator, 2, today, quiet_every=1, status=CLOSED)
    with app.app_context(), db.connection_context():
        assert find_due_checkins.call_local() == 0
        assert find_inactive_pairs.call_local() == 0


def test_the_return_and_end_date_finders_send_once(app, make_user, today):
    coordinator = make_user(role="staff")
    make_pairs(app, coordinator, 1, today, leave_starts=today - dt.timedelta(days=200),
               leave_returns=today + dt.timedelta(days=10), ends_on=today)
    with app.app_context(), db.connection_context():
        assert find_returns_from_leave.call_local() == 1
        assert find_returns_from_leave.call_local() == 0
        assert find_ended_pairs.call_local() == 1
        assert find_ended_pairs.call_local() == 0
    assert len(outbox_keys(app, "mentoring-return:")) == 2
    assert len(outbox_keys(app, "mentoring-end-offer:")) == 2


# A real consumer, a real SMTP server, and a SIGKILL in the middle.

PAIRS = 20


def wanted_keys(app, rel_ids, today: dt.date) -> set[tuple[str, str]]:
    """(address, outbox key) of every check-in and nudge the pairs are owed."""
    wanted = set()
    with app.app_context(), db.connection_context():
        emails = {u.id: u.email for u in User.select()}
        for rel in Relationship.select().where(Relationship.id.in_(rel_ids)):
            for person in (rel.mentor_id, rel.mentee_id):
                wanted.add((emails[person], f"mentoring-checkin:{rel.id}:{person}:1"))
                if rel.last_session_on < today - dt.timedelta(days=30):
                    wanted.add((emails[person], f"mentoring-nudge:{rel.id}:{person}:"
                                                f"{rel.last_session_on.isoformat()}"))
    return wanted


def all_outbox(app) -> set[tuple[str, str]]:
    with app.app_context(), db.connection_context():
        return {(m.to_addr, m.key) for m in OutboxMessage.select()}


@pytest.mark.slow
def test_a_killed_and_restarted_consumer_sends_every_check_in_and_nudge_once(
        app, tmp_path, make_user, smtp, start_consumer, monkeypatch, today):
    # This process only sets up: every email reaches SMTP through the consumer processes.
    monkeypatch.setattr(huey, "immediate", False)
    coordinator = make_user(role="staff")
    rel_ids = make_pairs(app, coordinator, PAIRS, today)
    make_pairs(app, coordinator, 3, today, status=CLOSED)  # owed nothing
    wanted = wanted_keys(app, rel_ids, today)
    assert len(wanted) == PAIRS * 2 + PAIRS  # a check-in each, a nudge for half the pairs
    smtp.start()

    consumer = start_consumer()  # its start runs the every-minute finders at once
    assert wait_until(lambda: len(smtp.inbox.messages) >= 10, timeout=30), \
        (tmp_path / "consumer-1.log").read_text()[-3000:]
    consumer.send_signal(signal.SIGKILL)
    consumer.wait()
    sent_before_the_kill = len(smtp.inbox.messages)
    assert sent_before_the_kill < len(wanted) or set(received(smtp)) < wanted, \
        "the consumer finished before the kill"
    time.sleep(2.5)  # restarted a moment later: the dead sender's 2-second leases lapse

    consumer = start_consumer()
    try:
        assert wait_until(lambda: wanted <= set(received(smtp)), timeout=90), \
            (tmp_path / "consumer-2.log").read_text()[-3000:]
        time.sleep(2.5)  # time for any duplicate to show up
    finally:
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=60)  # a graceful stop finishes the tasks in hand

    arrived = received(smtp)
    assert set(arrived) == wanted == all_outbox(app)  # nothing lost, nothing extra
    # One message per key: a copy resent after a kill between SMTP and the sender's commit
    # carries the same Message-ID, which is how mail systems drop such a repeat.
    assert all(len(ids) == 1 for ids in arrived.values())
    assert len(smtp.inbox.messages) - len(arrived) <= 2  # at most those in flight at the kill
    with app.app_context(), db.connection_context():
        per_person = list(CheckIn.select(CheckIn.relationship, CheckIn.person, CheckIn.period)
                          .tuples())
        nudged = Relationship.select().where(Relationship.id.in_(rel_ids),
                                             Relationship.nudged_at.is_null(False)).count()
    assert len(per_person) == len(set(per_person)) == PAIRS * 2
    assert nudged == PAIRS // 2
