"""The expert directory's jobs: the finders fan out one task per due expert or lapsed
request and a second run finds nothing; and, with a real huey consumer killed mid-run and a
real SMTP server, each listed expert gets one activity check per period, exactly once, and
each learner hears once about a request that lapsed."""
import datetime as dt
import signal
import time

import pytest

from portal.blueprints.accounts.models import User
from portal.blueprints.experts.models import ActivityCheck, Expert, IntroductionRequest
from portal.blueprints.experts.services_checks import period_start
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tasks import huey
from tasks.experts import find_due_activity_checks, find_lapsed_introductions
from tests.expert_factories import add_listed_experts, make_aces
from tests.tasks.conftest import received, wait_until
from tests.tasks.test_mentoring_checkins import all_outbox


def scheme(app, make_user, experts: int, lapsed: int = 0) -> tuple[list[int], list[int]]:
    """`experts` listed experts, there since long ago, and `lapsed` pending requests to
    the first of them that ran out of time: (expert ids, request ids)."""
    learner = make_user(name="Lee Learner")
    long_ago = utcnow() - dt.timedelta(days=400)
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff"))
        ids = add_listed_experts(app, aces, learner, 0, experts, created_at=long_ago)
        introduction = IntroductionRequest.select().first().introduction
        IntroductionRequest.delete().where(IntroductionRequest.expert.in_(ids[:lapsed])
                                           ).execute()
        IntroductionRequest.insert_many([
            {"introduction": introduction.id, "expert": e, "status": "pending",
             "created_at": long_ago, "expires_at": utcnow() - dt.timedelta(hours=1)}
            for e in ids[:lapsed]]).execute()
        requests = [r.id for r in IntroductionRequest.select().where(
            IntroductionRequest.status == "pending").order_by(IntroductionRequest.id)]
    return ids, requests


def test_the_finders_fan_out_once(app, make_user):
    ids, requests = scheme(app, make_user, 6, lapsed=2)
    with app.app_context(), db.connection_context():
        assert find_due_activity_checks.call_local() == 6
        assert find_due_activity_checks.call_local() == 0
        assert find_lapsed_introductions.call_local() == 2
        assert find_lapsed_introductions.call_local() == 0
        start = period_start(dt.date.today())
        assert ActivityCheck.select().where(ActivityCheck.period_start == start).count() == 6
        keys = sorted(m.key for m in OutboxMessage.select().where(
            OutboxMessage.key.startswith("expert-")))
    assert len([k for k in keys if k.startswith("expert-activity-check:")]) == 6
    assert [k for k in keys if k.startswith("expert-request-expired:")] == [
        f"expert-request-expired:{r}" for r in requests]


# A real consumer, a real SMTP server, and a SIGKILL in the middle.

EXPERTS = 20


def wanted_keys(app, expert_ids, request_ids) -> set[tuple[str, str]]:
    with app.app_context(), db.connection_context():
        start = period_start(dt.date.today())
        emails = {e.id: e.user.email for e in Expert.select(Expert, User).join(User)
                  .where(Expert.id.in_(expert_ids))}
        learner = User.get(User.name == "Lee Learner").email
    return ({(emails[e], f"expert-activity-check:{e}:{start.isoformat()}") for e in expert_ids}
            | {(learner, f"expert-request-expired:{r}") for r in request_ids})


@pytest.mark.slow
def test_a_killed_and_restarted_consumer_sends_each_check_once(
        app, tmp_path, make_user, smtp, start_consumer, monkeypatch):  # noqa: F811
    monkeypatch.setattr(huey, "immediate", False)
    expert_ids, request_ids = scheme(app, make_user, EXPERTS, lapsed=3)
    wanted = wanted_keys(app, expert_ids, request_ids)
    assert len(wanted) == EXPERTS + 3
    smtp.start()

    consumer = start_consumer()  # its start runs the every-minute finder at once
    assert wait_until(lambda: len(smtp.inbox.messages) >= 6, timeout=30), \
        (tmp_path / "consumer-1.log").read_text()[-3000:]
    consumer.send_signal(signal.SIGKILL)
    consumer.wait()
    assert len(smtp.inbox.messages) < len(wanted) or set(received(smtp)) < wanted, \
        "the consumer finished before the kill"
    time.sleep(2.5)  # the dead sender's 2-second leases lapse

    consumer = start_consumer()
    try:
        assert wait_until(lambda: wanted <= set(received(smtp)), timeout=90), \
            (tmp_path / "consumer-2.log").read_text()[-3000:]
        time.sleep(2.5)  # time for any duplicate to show up
    finally:
        consumer.send_signal(signal.SIGTERM)
        consumer.wait(timeout=60)

    arrived = received(smtp)
    outbox = {(to, key) for to, key in all_outbox(app) if key.startswith("expert-")}
    assert {k for k in arrived if k[1].startswith("expert-")} == wanted == outbox
    assert all(len(ids) == 1 for ids in arrived.values())  # one Message-ID per key
    with app.app_context(), db.connection_context():
        rows = list(ActivityCheck.select(ActivityCheck.expert).where(
            ActivityCheck.period_start == period_start(dt.date.today())).tuples())
        lapsed = IntroductionRequest.select().where(IntroductionRequest.status == "expired")
        assert lapsed.count() == 3
    assert len(rows) == len(set(rows)) == EXPERTS
