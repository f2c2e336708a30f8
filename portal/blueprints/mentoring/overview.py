"""Reads across many pairs: the coordinator's pair list for a cohort, and a person's
"Your mentoring" dashboard card. Each runs a fixed number of queries, however many pairs:
counts come from aggregate subqueries, never one query per pair.

The coordinator's list carries dates, counts and status only: never a note, a session
summary, a goal's words or the agreement's.
"""
import dataclasses
import datetime as dt

from peewee import JOIN, Case, fn

from portal.blueprints.accounts.models import User
from portal.blueprints.evaluation import invitations
from portal.blueprints.mentoring import phases, status
from portal.blueprints.mentoring.models import (
    ACCEPTED,
    ACTIVE,
    CLOSED,
    COUNTED,
    HELD,
    PROPOSED,
    RELEASED,
    STARTED,
    Agreement,
    CheckIn,
    ClosingAnswer,
    Goal,
    MentoringSession,
    Relationship,
)
from portal.blueprints.mentoring.services_checkins import FLAGS, LINK_DAYS
from portal.prepared import Prepared, param

R = Relationship
LISTED = (RELEASED, ACTIVE, CLOSED)
GOALS_DUE_DAYS = 14
CLOSING_QUESTIONS_DAYS = 90  # a closed pair's questions wait on the card this long

# The coordinator list's columns, in order: (sort key, heading).
COLUMNS = (("mentor", "Mentor"), ("mentee", "Mentee"), ("status", "Status"),
           ("started", "Started"), ("last_session", "Last session"),
           ("sessions", "Sessions held"), ("ends", "Ends"))
DEFAULT_SORT = "status"


def sort_args(args) -> tuple[str, str]:
    """The list's sort column and direction from the query string; anything else gives
    the default, so a hand-edited URL never fails."""
    sort = args.get("sort", DEFAULT_SORT)
    sort = sort if sort in dict(COLUMNS) else DEFAULT_SORT
    order = "desc" if args.get("order") == "desc" else "asc"
    return sort, order


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def status_rank(today: dt.date, inactivity_days: int | None):
    """status.pair_status as SQL, giving its index in status.ORDER: the list sorts by it.
    tests/web/test_mentoring_coordinator.py holds the two to the same answers, day by day."""
    start = fn.COALESCE(R.started_at, R.released_at)
    flagged = fn.EXISTS(CheckIn.select(CheckIn.id).where(
        CheckIn.relationship == R.id, CheckIn.answer.in_(list(FLAGS)),
        CheckIn.resolved_at.is_null()))
    on_leave = (R.leave_starts.is_null(False) & R.leave_returns.is_null(False)
                & (R.leave_starts <= today)
                & (R.leave_returns > today + dt.timedelta(weeks=phases.RETURNING_WEEKS)))
    paused = on_leave & (R.keep_in_touch == False)  # noqa: E712
    settle = inactivity_days or status.SETTLING_DAYS
    too_early = R.last_session_on.is_null() & (
        start >= _midnight(today - dt.timedelta(days=settle - 1)))
    rules = [(R.status.not_in(list(STARTED)), status.CLOSED), (flagged, status.NEEDS_CHECKIN)]
    if inactivity_days:
        cutoff = today - dt.timedelta(days=inactivity_days)
        quiet = ((R.last_session_on.is_null(False) & (R.last_session_on <= cutoff))
                 | (R.last_session_on.is_null() & (start < _midnight(cutoff)
                                                   + dt.timedelta(days=1))))
        rules.append((quiet & ~paused, status.INACTIVE))
    rules += [(on_leave, status.ON_LEAVE), (too_early, status.TOO_EARLY)]
    return Case(None, [(condition, status.ORDER.index(key)) for condition, key in rules],
                status.ORDER.index(status.ON_TRACK))


def pair_rows(cohort, sort: str, order: str, today: dt.date) -> list[Relationship]:
    """The cohort's released, active and closed pairs with both people, `held` (sessions
    held), `flags` (calls for help not dealt with) and `status` (status.pair_status),
    sorted in SQL: one query."""
    mentor, mentee = User.alias("pair_mentor"), User.alias("pair_mentee")
    held = (MentoringSession.select(MentoringSession.relationship,
                                    fn.COUNT(MentoringSession.id).alias("n"))
            .where(MentoringSession.status == HELD)
            .group_by(MentoringSession.relationship).alias("held_counts"))
    flags = (CheckIn.select(CheckIn.relationship, fn.COUNT(CheckIn.id).alias("n"))
             .where(CheckIn.answer.in_(list(FLAGS)), CheckIn.resolved_at.is_null())
             .group_by(CheckIn.relationship).alias("flag_counts"))
    held_count = fn.COALESCE(held.c.n, 0)
    rank = status_rank(today, cohort.programme.inactivity_days)
    columns = {"mentor": mentor.name, "mentee": mentee.name, "status": rank,
               "started": fn.COALESCE(R.started_at, R.released_at),
               "last_session": R.last_session_on, "sessions": held_count, "ends": R.ends_on}
    direction = "desc" if order == "desc" else "asc"
    first = getattr(columns[sort], direction)(nulls="LAST")
    query = (R.select(R, mentor, mentee, held_count.alias("held"),
                      fn.COALESCE(flags.c.n, 0).alias("flags"))
             .join(mentor, on=(R.mentor == mentor.id)).switch(R)
             .join(mentee, on=(R.mentee == mentee.id)).switch(R)
             .join(held, JOIN.LEFT_OUTER, on=(held.c.relationship_id == R.id)).switch(R)
             .join(flags, JOIN.LEFT_OUTER, on=(flags.c.relationship_id == R.id))
             .where(R.cohort == cohort.id, R.status.in_(list(LISTED)))
             .order_by(first, mentor.name, mentee.name, R.id))
    rows = list(query)
    for row in rows:
        row.status_key = status.pair_status(row, today, cohort.programme.inactivity_days,
                                            row.flags)
    return rows


# The dashboard card ---------------------------------------------------------------------------

@dataclasses.dataclass
class CardItem:
    rel: Relationship
    partner: User
    next_session: dt.datetime | None = None  # the next booked session, UTC
    counted: int = 0  # sessions planned or held, against the allowance
    goals_due: int = 0
    waiting: list[str] = dataclasses.field(default_factory=list)

    @property
    def sessions_left(self) -> int | None:
        limit = self.rel.programme.max_sessions
        return None if limit is None else max(limit - self.counted, 0)


# What can be waiting for the person, in the order the card lists them.
AGREEMENT, PROPOSAL, CHECKIN, CLOSING = "agreement", "proposal", "checkin", "closing"


def _card_query():
    me = param("user")
    answered = ClosingAnswer.select(ClosingAnswer.id).where(
        ClosingAnswer.relationship == R.id, ClosingAnswer.person == me)
    recently_closed = ((R.status == CLOSED) & (R.closed_at > param("closed_after"))
                       & ~fn.EXISTS(answered) & ~invitations.answered_closing(R.id, me))
    return R.with_people().where((R.mentor == me) | (R.mentee == me),
                                 R.status.in_(list(STARTED)) | recently_closed)


# Every dashboard asks, most people have no relationship: the SQL is written once.
CARD_RELATIONSHIPS = Prepared(_card_query)


def _card_relationships(user, now: dt.datetime) -> list[Relationship]:
    return CARD_RELATIONSHIPS().models(
        user=user.id, closed_after=now - dt.timedelta(days=CLOSING_QUESTIONS_DAYS))


def card(user, today: dt.date, now: dt.datetime) -> list[CardItem]:
    """The person's open relationships (and closed ones whose closing questions they have
    not answered), each with what the card shows: at most six queries, whatever the
    number of relationships."""
    items = {rel.id: CardItem(rel, rel.partner_of(user))
             for rel in _card_relationships(user, now)}
    open_ids = [i for i, item in items.items() if item.rel.is_open]
    for item in items.values():
        if not item.rel.is_open:
            item.waiting.append(CLOSING)
    if not open_ids:
        return list(items.values())
    S = MentoringSession
    counts = (S.select(S.relationship, fn.COUNT(S.id).alias("counted"),
                       fn.SUM(Case(None, [((S.status == PROPOSED) & (S.proposed_by != user.id)
                                           & (S.starts_at >= now), 1)], 0)).alias("proposals"))
              .where(S.relationship.in_(open_ids), S.status.in_(list(COUNTED)))
              .group_by(S.relationship).tuples())
    for rel_id, counted, proposals in counts:
        items[rel_id].counted = counted
        if proposals:
            items[rel_id].waiting.append(PROPOSAL)
    booked = (S.select(S.relationship, fn.MIN(S.starts_at).alias("first"))
              .where(S.relationship.in_(open_ids), S.status == ACCEPTED, S.starts_at >= now)
              .group_by(S.relationship))
    for row in booked:
        items[row.relationship_id].next_session = row.first
    for rel_id, due in Goal.due_for(user, today, GOALS_DUE_DAYS):
        items[rel_id].goals_due = due
    for agreement in Agreement.select().where(Agreement.relationship.in_(open_ids)):
        item = items[agreement.relationship_id]
        mine = (agreement.mentor_confirmed_at if item.rel.mentor_id == user.id
                else agreement.mentee_confirmed_at)
        if mine is None:
            item.waiting.insert(0, AGREEMENT)
    pending = (CheckIn.select(CheckIn.relationship).distinct()
               .where(CheckIn.relationship.in_(open_ids), CheckIn.person == user.id,
                      CheckIn.answered_at.is_null(),
                      CheckIn.sent_at > now - dt.timedelta(days=LINK_DAYS)).tuples())
    for (rel_id,) in pending:
        items[rel_id].waiting.append(CHECKIN)
    return list(items.values())
