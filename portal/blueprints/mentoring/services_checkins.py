"""Check-ins and inactivity nudges: the jobs' writes, a person's answer, and the
coordinator marking a call for help as dealt with.

Every N weeks (the programme's `checkin_weeks`) both people of an open pair are asked "How
is it going?". One CheckIn row per person per period: the unique index on (relationship,
person, period) and the outbox key make the job safe to run any number of times. Each
email carries one signed link per answer; a link opens a page that asks the person to
confirm with a button, because mail scanners open links, and an answer a scanner could give
would send a coordinator false alarms and use up the person's link. The answer is recorded
by a conditional UPDATE (only while unanswered), so it is recorded exactly once however
often the button is pressed.

A pair with no session held for the programme's `inactivity_days` gets one gentle nudge per
stretch without a session (`nudged_at`), unless the mentee is on leave without asking to
keep in touch (phases.is_paused); check-ins wait then too.
"""
import datetime as dt

from peewee import JOIN, fn

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import notices_care, status
from portal.blueprints.mentoring.models import (
    CHECKIN_ANSWERS,
    NEED_HELP,
    STARTED,
    STOPPED,
    CheckIn,
    Relationship,
)
from portal.blueprints.programmes.models import Programme
from portal.db import db, utcnow
from portal.links import absolute_url
from portal.signed_links import LinkProblem, load, sign

PURPOSE = "mentoring-checkin"
LINK_DAYS = 14  # a check-in can be answered for this long after it was sent
FLAGS = (NEED_HELP, STOPPED)


class CheckInRefused(ValueError):
    """An answer that cannot be taken; `reason` is "used" or "expired", as for links."""

    def __init__(self, reason: str):
        super().__init__(LinkProblem.MESSAGES[reason])
        self.reason = reason


def make_token(checkin_id: int, answer: str) -> str:
    return sign(PURPOSE, {"c": checkin_id, "a": answer})


def checkin_for_token(token: str) -> tuple[CheckIn, str]:
    """The check-in a link names and the answer it was for. Raises LinkProblem: "expired"
    after LINK_DAYS, "used" once answered, "invalid" otherwise."""
    data = load(PURPOSE, token, "c", LINK_DAYS * 24 * 3600)
    row = CheckIn.get_or_none(CheckIn.id == data["c"])
    if row is None:
        raise LinkProblem("invalid")
    if row.answered_at is not None:
        raise LinkProblem("used")
    answer = data.get("a")
    return row, answer if answer in CHECKIN_ANSWERS else ""


def pending_for(person_id: int, relationship_id: int, now: dt.datetime):
    """This person's latest check-in in this pair that can still be answered, or None."""
    return (CheckIn.select().where(CheckIn.person == person_id,
                                   CheckIn.relationship == relationship_id,
                                   CheckIn.answered_at.is_null(),
                                   CheckIn.sent_at > now - dt.timedelta(days=LINK_DAYS))
            .order_by(CheckIn.period.desc()).first())


def _pair(relationship_id: int) -> Relationship | None:
    return Relationship.with_people().where(Relationship.id == relationship_id).first()


def _care_candidates(rule):
    """Open pairs in programmes with `rule` set, with the columns the rules read."""
    return (Relationship.select(
        Relationship.id, Relationship.status, Relationship.started_at,
        Relationship.released_at, Relationship.last_session_on, Relationship.nudged_at,
        Relationship.leave_starts, Relationship.leave_returns, Relationship.keep_in_touch,
        Programme.checkin_weeks, Programme.inactivity_days)
        .join(Programme)
        .where(Relationship.status.in_(list(STARTED)), rule > 0))


# Check-ins ----------------------------------------------------------------------------------

def checkins_due(today: dt.date) -> list[int]:
    """Ids of open pairs whose current period has no check-in yet: one query."""
    latest = (CheckIn.select(CheckIn.relationship, fn.MAX(CheckIn.period).alias("latest"))
              .group_by(CheckIn.relationship).alias("latest"))
    rows = (_care_candidates(Programme.checkin_weeks)
            .select_extend(latest.c.latest)
            .join(latest, JOIN.LEFT_OUTER, on=(latest.c.relationship_id == Relationship.id),
                  src=Relationship)
            .order_by(Relationship.id).objects())
    return [r.id for r in rows
            if status.checkin_due(r, r.checkin_weeks, r.latest, today)]


def send_checkins(relationship_id: int, today: dt.date, now: dt.datetime | None = None
                  ) -> list[str]:
    """Ask both people how it is going, for the current period: one CheckIn row and one
    email each. Returns the outbox keys; [] when nothing is due (any more)."""
    now = now or utcnow()
    with db.atomic():
        rel = _pair(relationship_id)
        if rel is None:
            return []
        weeks = rel.programme.checkin_weeks
        period = status.checkin_period(rel, weeks, today)
        if not status.checkin_due(rel, weeks, None, today):
            return []
        keys = []
        for person in (rel.mentor, rel.mentee):
            inserted = (CheckIn.insert(relationship=rel.id, person=person.id, period=period,
                                       sent_at=now)
                        .on_conflict_ignore().as_rowcount().execute())
            if not inserted:
                continue  # asked already: the row and its email were written together
            row = CheckIn.get(CheckIn.relationship == rel.id, CheckIn.person == person.id,
                              CheckIn.period == period)
            links = {answer: absolute_url("mentoring.checkin_link",
                                          token=make_token(row.id, answer))
                     for answer in CHECKIN_ANSWERS}
            keys.append(notices_care.checkin(rel, person, rel.partner_of(person),
                                             rel.programme, period, links))
    return keys


def answer(checkin_id: int, answer_key: str, now: dt.datetime | None = None) -> CheckIn:
    """Record one person's answer, once. "We need help" and "we have stopped" flag the pair
    on the coordinator's list and email each of the programme's coordinators. Raises
    CheckInRefused("used") if it was answered already, ("expired") after LINK_DAYS."""
    now = now or utcnow()
    if answer_key not in CHECKIN_ANSWERS:
        raise ValueError(f"not a check-in answer: {answer_key!r}")
    with db.atomic():
        row = CheckIn.get_or_none(CheckIn.id == checkin_id)
        if row is None or row.answered_at is not None:
            raise CheckInRefused("used")
        if row.sent_at <= now - dt.timedelta(days=LINK_DAYS):
            raise CheckInRefused("expired")
        recorded = (CheckIn.update(answer=answer_key, answered_at=now)
                    .where(CheckIn.id == checkin_id, CheckIn.answered_at.is_null())
                    .execute())
        if not recorded:
            raise CheckInRefused("used")
        row.answer, row.answered_at = answer_key, now
        if answer_key in FLAGS:
            _tell_coordinators(row)
    return row


def _tell_coordinators(row: CheckIn) -> None:
    rel = _pair(row.relationship_id)
    person = rel.mentor if row.person_id == rel.mentor_id else rel.mentee
    for coordinator in rel.programme.coordinators():
        notices_care.checkin_flag(row, rel, person, coordinator, rel.programme)


def open_flags(cohort_id: int):
    """The cohort's calls for help not yet dealt with, oldest first, with who answered and
    both people's names: one query."""
    mentor, mentee = User.alias("flag_mentor"), User.alias("flag_mentee")
    return (CheckIn.select(CheckIn, Relationship, User, mentor, mentee)
            .join(Relationship)
            .join(mentor, on=(Relationship.mentor == mentor.id)).switch(Relationship)
            .join(mentee, on=(Relationship.mentee == mentee.id)).switch(CheckIn)
            .join(User, on=(CheckIn.person == User.id))
            .where(Relationship.cohort == cohort_id, CheckIn.answer.in_(list(FLAGS)),
                   CheckIn.resolved_at.is_null())
            .order_by(CheckIn.answered_at, CheckIn.id))


def resolve(actor, cohort_id: int, checkin_id: int, now: dt.datetime | None = None) -> bool:
    """A coordinator marks a call for help in their cohort as dealt with: the pair's flag
    goes. False if it was not open (already dealt with, or not this cohort's)."""
    now = now or utcnow()
    with db.atomic():
        in_cohort = Relationship.select(Relationship.id).where(Relationship.cohort == cohort_id)
        done = (CheckIn.update(resolved_at=now)
                .where(CheckIn.id == checkin_id, CheckIn.relationship.in_(in_cohort),
                       CheckIn.answer.in_(list(FLAGS)), CheckIn.resolved_at.is_null())
                .execute())
        if done:
            row = CheckIn.get_by_id(checkin_id)
            AuditEntry.record(actor, "mentoring.checkin_resolved", row,
                              after={"resolved_at": now, "answer": row.answer})
    return bool(done)


# Inactivity nudges ----------------------------------------------------------------------------

def nudges_due(today: dt.date) -> list[int]:
    """Ids of open, inactive pairs not yet nudged in their current quiet stretch."""
    rows = _care_candidates(Programme.inactivity_days).order_by(Relationship.id).objects()
    return [r.id for r in rows if status.nudge_due(r, r.inactivity_days, today)]


def nudge(relationship_id: int, today: dt.date, now: dt.datetime | None = None) -> list[str]:
    """One gentle email to each person, once per stretch without a session."""
    now = now or utcnow()
    with db.atomic():
        rel = _pair(relationship_id)
        if rel is None or not status.nudge_due(rel, rel.programme.inactivity_days, today):
            return []
        since = status.inactive_since(rel)
        Relationship.update(nudged_at=now).where(Relationship.id == rel.id).execute()
        return [notices_care.nudge(rel, person, rel.partner_of(person), rel.programme, since)
                for person in (rel.mentor, rel.mentee)]
