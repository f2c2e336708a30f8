"""Activity checks: every N weeks (the setting) each expert on the list is emailed "Still
available?" with one-click answers: yes, pause me until a date, take me off the list.

Periods are fixed stretches of N weeks counted from EPOCH, named by their first day, so a
change to N starts a new series of periods rather than clashing with the old one. One
ActivityCheck per expert per period: the unique index on (expert, period_start) and the
outbox key make the job safe to run any number of times. An expert joins the checks from
the first period that starts after their profile was made.

A check not answered within M days (the setting) hides the expert from the directory and
puts them on the organiser's list (Expert.silent, Expert.unanswered_checks) until they
answer (a late answer still counts) or the organiser deals with it.

Each link opens a page asking for one button press, because mail scanners open links; the
answer is recorded by a conditional UPDATE (only while unanswered), so every link of a
check works once, whichever is pressed first.
"""
import datetime as dt

from peewee import fn

from portal import settings
from portal.audit import AuditEntry
from portal.blueprints.experts import notices
from portal.blueprints.experts.models import (
    CHECK_ANSWERS,
    OFF_THE_LIST,
    PAUSE,
    STILL_AVAILABLE,
    ActivityCheck,
    Expert,
)
from portal.blueprints.experts.services_experts import pause_problem
from portal.db import db, utcnow
from portal.signed_links import LinkProblem, load

EPOCH = dt.date(2024, 1, 1)  # a Monday
LINK_DAYS = 60  # a check can be answered for this long, late answers included


class CheckRefused(ValueError):
    """An answer that cannot be taken. `reason` is "used" or "expired" (as for links), or
    "date" when a pause needs a proper date; the message says why."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or LinkProblem.MESSAGES.get(reason, reason))
        self.reason = reason


def period_start(today: dt.date, weeks: int | None = None) -> dt.date:
    """The first day of the period `today` falls in."""
    weeks = weeks or settings.get("expert_check_weeks")
    length = 7 * weeks
    return EPOCH + dt.timedelta(days=(today - EPOCH).days // length * length)


def _due(now: dt.datetime, start: dt.date):
    """Experts on the list, there since before the period began, not yet asked in it."""
    asked = (ActivityCheck.select(ActivityCheck.id)
             .where(ActivityCheck.expert == Expert.id, ActivityCheck.period_start == start))
    began = dt.datetime.combine(start, dt.time())
    return Expert.on_the_list(now).where(Expert.created_at < began, ~fn.EXISTS(asked))


def checks_due(today: dt.date, now: dt.datetime | None = None) -> list[int]:
    """Ids of the experts owed this period's check: one query."""
    now = now or utcnow()
    return [e.id for e in _due(now, period_start(today)).order_by(Expert.id)]


def send_check(expert_id: int, today: dt.date, now: dt.datetime | None = None) -> list[str]:
    """This period's check for one expert: the row and its email, or nothing if it is not
    (or no longer) due. Returns the outbox keys."""
    now = now or utcnow()
    start = period_start(today)
    with db.atomic():
        expert = _due(now, start).where(Expert.id == expert_id).first()
        if expert is None:
            return []
        inserted = (ActivityCheck.insert(expert=expert.id, period_start=start, sent_at=now)
                    .on_conflict_ignore().as_rowcount().execute())
        if not inserted:
            return []  # asked already: the row and its email were written together
        check = ActivityCheck.get(ActivityCheck.expert == expert.id,
                                  ActivityCheck.period_start == start)
        return [notices.activity_check(check, expert, expert.user, expert.programme,
                                       settings.get("expert_check_answer_days"))]


def check_for_token(token: str) -> tuple[ActivityCheck, str]:
    """The check a link names and the answer it was for. Raises LinkProblem: "expired"
    after LINK_DAYS, "used" once answered, "invalid" otherwise."""
    data = load(notices.CHECK_LINK, token, "c", LINK_DAYS * 24 * 3600)
    row = ActivityCheck.get_or_none(ActivityCheck.id == data["c"])
    if row is None:
        raise LinkProblem("invalid")
    if row.answered_at is not None:
        raise LinkProblem("used")
    answer = data.get("a")
    return row, answer if answer in CHECK_ANSWERS else ""


def pending_for(expert_id: int, now: dt.datetime):
    """The expert's latest check that can still be answered, or None."""
    return (ActivityCheck.select()
            .where(ActivityCheck.expert == expert_id, ActivityCheck.answered_at.is_null(),
                   ActivityCheck.sent_at > now - dt.timedelta(days=LINK_DAYS))
            .order_by(ActivityCheck.period_start.desc()).first())


def answer(check_id: int, answer_key: str, paused_until: dt.date | None = None,
           today: dt.date | None = None, now: dt.datetime | None = None) -> ActivityCheck:
    """Record the expert's answer, once, and act on it: "yes" lists them again (and ends a
    pause), "pause" pauses them until the date, "off" takes them off the list. Raises
    CheckRefused("used") if the check was answered already, ("expired") after LINK_DAYS,
    ("date") for a pause without a proper date."""
    now = now or utcnow()
    today = today or now.date()
    if answer_key not in CHECK_ANSWERS:
        raise ValueError(f"not an activity check answer: {answer_key!r}")
    if answer_key == PAUSE and (problem := pause_problem(paused_until, today)):
        raise CheckRefused("date", problem)
    with db.atomic():
        row = ActivityCheck.get_or_none(ActivityCheck.id == check_id)
        if row is None or row.answered_at is not None:
            raise CheckRefused("used")
        if row.sent_at <= now - dt.timedelta(days=LINK_DAYS):
            raise CheckRefused("expired")
        until = paused_until if answer_key == PAUSE else None
        recorded = (ActivityCheck.update(answer=answer_key, answered_at=now, paused_until=until)
                    .where(ActivityCheck.id == check_id, ActivityCheck.answered_at.is_null())
                    .execute())
        if not recorded:
            raise CheckRefused("used")
        changes = {STILL_AVAILABLE: {"paused_until": None}, PAUSE: {"paused_until": until},
                   OFF_THE_LIST: {"withdrawn_at": now}}[answer_key]
        Expert.update(updated_at=now, **changes).where(Expert.id == row.expert_id).execute()
        row.answer, row.answered_at, row.paused_until = answer_key, now, until
    return row


def resolve(actor, programme_id: int, check_id: int, now: dt.datetime | None = None) -> bool:
    """The organiser has been in touch with a silent expert and puts them back on the list.
    False if the check was not open (answered, or dealt with already) or not this
    programme's."""
    now = now or utcnow()
    with db.atomic():
        experts = Expert.select(Expert.id).where(Expert.programme == programme_id)
        done = (ActivityCheck.update(resolved_at=now, resolved_by=actor.id)
                .where(ActivityCheck.id == check_id, ActivityCheck.expert.in_(experts),
                       ActivityCheck.answered_at.is_null(),
                       ActivityCheck.resolved_at.is_null()).execute())
        if done:
            row = ActivityCheck.get_by_id(check_id)
            AuditEntry.record(actor, "expert.check_resolved", row, {}, {"resolved_at": now})
    return bool(done)
