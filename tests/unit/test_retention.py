"""The retention job, with the clock moved: each rule removes exactly what is past its
period and nothing else, and the audit log says what went."""
import datetime as dt
import json

import pytest

from portal import settings
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as boards
from portal.blueprints.boards.models import Notification
from portal.blueprints.mentoring.models import Note
from portal.blueprints.programmes import services as programme_services
from portal.blueprints.programmes.models import (
    ACCEPTED,
    DECLINED,
    MENTEE,
    WITHDRAWN,
    Application,
    Cohort,
)
from portal.dates import add_months
from portal.db import db
from portal.outbox import QUEUED, SENT, OutboxMessage
from portal.people_data import retention
from tests.mentoring_factories import make_programme, release_pair
from tests.programme_factories import RTW_ROLES, make_rtw, programme_details

NOW = dt.datetime(2031, 6, 15, 12, 0)
DAY = dt.timedelta(days=1)


def months_ago(months: int, days: int = 0) -> dt.datetime:
    return dt.datetime.combine(add_months(NOW.date(), -months), NOW.time()) + days * DAY


@pytest.fixture
def ctx(app):
    with app.app_context(), db.connection_context():
        yield


def email(key, status, sent_at):
    OutboxMessage.create(key=key, to_addr="a@example.org", subject=key, body_text=f"{key} text",
                         status=status, sent_at=sent_at, created_at=sent_at or NOW)


def test_each_period_removes_exactly_what_is_past_it(ctx, make_user):
    staff = make_user(role="staff")
    member = make_user()

    email("old-sent", SENT, NOW - 91 * DAY)
    email("recent-sent", SENT, NOW - 89 * DAY)
    email("old-unsent", QUEUED, None)
    OutboxMessage.update(created_at=NOW - 200 * DAY).where(
        OutboxMessage.key == "old-unsent").execute()

    board = boards.save_board(staff, None, name="General", description="",
                              audience_value="signed_in", group_ids=[], position=0)
    post = boards.start_thread(User.get_by_id(member.id), board, "Hello", "First post")
    for days in (366, 364):
        Notification.create(user=make_user(), kind="reply", post=post, thread=post.thread_id,
                            created_at=NOW - days * DAY)

    for months, address in ((7, "10.0.0.7"), (5, "10.0.0.5")):
        AuditEntry.create(actor=staff.id, action="test", object_type="user", object_id=1,
                          ip_address=address, created_at=months_ago(months))

    programme, cohort = make_programme(User.get_by_id(staff.id))
    pairs = {}
    for label, months in (("closed long ago", 25), ("closed lately", 23), ("open", None)):
        rel = release_pair(programme, cohort, make_user(), make_user())
        if months:
            rel.status, rel.closed_at = "closed", months_ago(months)
            rel.save()
        Note.create(relationship=rel, author=rel.mentor_id, body=f"{label} note",
                    created_at=NOW - 900 * DAY, updated_at=NOW - 900 * DAY)
        pairs[label] = rel

    for label, days, verified, erased in (("stale", 31, False, False),
                                          ("fresh", 29, False, False),
                                          ("confirmed", 400, True, False),
                                          ("erased", 400, False, True)):
        person = make_user(email=f"{label}@example.org", verified=verified)
        User.update(created_at=NOW - days * DAY,
                    erased_at=NOW - DAY if erased else None).where(
            User.id == person.id).execute()

    rtw, old_cohort = make_rtw(User.get_by_id(staff.id), name="Old RTW")
    Cohort.update(evaluation_ends=add_months(NOW.date(), -13) - DAY).where(
        Cohort.id == old_cohort.id).execute()
    _, late_cohort = make_rtw(User.get_by_id(staff.id), name="Late RTW")
    Cohort.update(evaluation_ends=add_months(NOW.date(), -11)).where(
        Cohort.id == late_cohort.id).execute()
    open_programme = programme_services.save_programme(
        User.get_by_id(staff.id), None, programme_details(name="Aces", kind="open"), RTW_ROLES)
    for label, prog, cohort_row, status, decided in (
            ("declined, cohort over 12 months", rtw, old_cohort, DECLINED, None),
            ("accepted, cohort over 12 months", rtw, old_cohort, ACCEPTED, None),
            ("withdrawn, cohort ended 11 months ago", rtw, late_cohort, WITHDRAWN, None),
            ("withdrawn from an open programme 13 months ago", open_programme, None,
             WITHDRAWN, months_ago(13)),
            ("declined by an open programme 11 months ago", open_programme, None,
             DECLINED, months_ago(11))):
        Application.create(applicant=make_user(), programme=prog, cohort=cohort_row,
                           role=MENTEE, status=status, decided_at=decided,
                           motivation=label)

    removed = retention.apply(now=NOW)

    assert removed == {"email_bodies": 1, "notifications": 1, "audit_addresses": 1,
                       "closed_relationship_notes": 1, "unconfirmed_accounts": 1,
                       "ended_applications": 2, "data_exports": 0}
    bodies = {m.key: m.body_text for m in OutboxMessage.select()}
    assert bodies == {"old-sent": "", "recent-sent": "recent-sent text",
                      "old-unsent": "old-unsent text"}
    assert [n.created_at for n in Notification.select()] == [NOW - 364 * DAY]
    addresses = {e.ip_address for e in AuditEntry.select().where(AuditEntry.action == "test")}
    assert addresses == {"", "10.0.0.5"}
    assert sorted(n.body for n in Note.select()) == ["closed lately note", "open note"]
    left = {u.email for u in User.select().where(User.email.endswith("@example.org"))}
    assert {"fresh@example.org", "confirmed@example.org", "erased@example.org"} <= left
    assert "stale@example.org" not in left
    assert sorted(a.motivation for a in Application.select()) == [
        "accepted, cohort over 12 months", "declined by an open programme 11 months ago",
        "withdrawn, cohort ended 11 months ago"]

    [report] = AuditEntry.select().where(AuditEntry.action == "retention.apply")
    assert json.loads(report.after) == removed and report.actor_id is None

    again = retention.apply(now=NOW)  # the same day: nothing more
    assert set(again.values()) == {0}

    later = retention.apply(now=NOW + 40 * DAY)  # the recent ones' time has come
    assert later["email_bodies"] == 1 and later["notifications"] == 1
    assert later["closed_relationship_notes"] == 1 and later["unconfirmed_accounts"] == 1


def test_a_period_of_zero_keeps_things_for_ever(ctx, make_user):
    settings.save({"retention_email_body_days": 0})
    email("ancient", SENT, NOW - 5000 * DAY)
    removed = retention.apply(now=NOW)
    assert "email_bodies" not in removed
    assert OutboxMessage.get().body_text == "ancient text"


def test_the_periods_are_site_settings_admins_change(client, login, make_user, csrf_token, app):
    login(make_user(role="admin"))
    response = client.post("/staff/settings", data={"csrf_token": csrf_token,
                                                    "retention_notification_days": "30"})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        assert settings.get("retention_notification_days") == 30
        assert settings.get("retention_email_body_days") == 90  # untouched: the default
