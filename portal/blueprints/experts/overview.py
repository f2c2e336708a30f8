"""The organiser's view of an open programme's experts: each expert's standing and activity
(introductions asked, accepted, declined and lapsed; sessions held; workbook items signed
off; the last activity check and its answer), one keyset page at a time. Counts and dates
only: what pairs write stays in their space.

One query per page whatever the number of experts: every count is an aggregate subquery
joined once, and the last check is the row with each expert's latest period.
"""
import dataclasses
import datetime as dt

from peewee import JOIN, Case, fn

from portal.blueprints.accounts.models import User
from portal.blueprints.experts.availability import AVAILABLE
from portal.blueprints.experts.loaders import standing_of
from portal.blueprints.experts.models import (
    ACCEPTED_REQUEST,
    DECLINED,
    EXPIRED,
    ActivityCheck,
    Expert,
    IntroductionRequest,
)
from portal.blueprints.mentoring.models import HELD, Goal, MentoringSession, Relationship

PAGE_SIZE = 50


@dataclasses.dataclass
class Page:
    experts: list
    next_cursor: str | None


def _count(condition):
    return fn.COALESCE(fn.SUM(Case(None, [(condition, 1)], 0)), 0)


def _per_mentor(model, programme_id: int, condition, name: str):
    return (model.select(Relationship.mentor, fn.COUNT(model.id).alias("n"))
            .join(Relationship, on=(model.relationship == Relationship.id))
            .where(Relationship.programme == programme_id, condition)
            .group_by(Relationship.mentor).alias(name))


def experts_of(programme, now: dt.datetime, cursor: str | None = None) -> Page:
    R = IntroductionRequest
    asked = (R.select(R.expert, fn.COUNT(R.id).alias("asked"),
                      _count(R.status == ACCEPTED_REQUEST).alias("accepted"),
                      _count(R.status == DECLINED).alias("declined"),
                      _count((R.status == EXPIRED) | ((R.status == "pending")
                                                      & (R.expires_at <= now))).alias("lapsed"))
             .group_by(R.expert).alias("asked"))
    sessions = _per_mentor(MentoringSession, programme.id, MentoringSession.status == HELD,
                           "sessions")
    signed = _per_mentor(Goal, programme.id, Goal.signed_off_at.is_null(False)
                         & (Goal.item_key != ""), "signed")
    latest = (ActivityCheck.select(ActivityCheck.expert,
                                   fn.MAX(ActivityCheck.period_start).alias("start"))
              .group_by(ActivityCheck.expert).alias("latest"))
    last = ActivityCheck.alias("last_check")
    query = (Expert.with_standing(now)
             .select_extend(fn.COALESCE(asked.c.asked, 0).alias("asked"),
                            fn.COALESCE(asked.c.accepted, 0).alias("accepted"),
                            fn.COALESCE(asked.c.declined, 0).alias("declined"),
                            fn.COALESCE(asked.c.lapsed, 0).alias("lapsed"),
                            fn.COALESCE(sessions.c.n, 0).alias("sessions_held"),
                            fn.COALESCE(signed.c.n, 0).alias("items_signed"),
                            last.id, last.sent_at, last.answer, last.answered_at)
             .join(asked, JOIN.LEFT_OUTER, on=(asked.c.expert_id == Expert.id), src=Expert)
             .join(sessions, JOIN.LEFT_OUTER, on=(sessions.c.mentor_id == Expert.user), src=Expert)
             .join(signed, JOIN.LEFT_OUTER, on=(signed.c.mentor_id == Expert.user), src=Expert)
             .join(latest, JOIN.LEFT_OUTER, on=(latest.c.expert_id == Expert.id), src=Expert)
             .join(last, JOIN.LEFT_OUTER, on=((last.expert == Expert.id)
                                              & (last.period_start == latest.c.start)),
                   src=Expert, attr="last_check")
             .where(Expert.programme == programme.id))
    name, _, expert_id = (cursor or "").rpartition("~")
    if expert_id.isdigit():
        query = query.where((User.name > name)
                            | ((User.name == name) & (Expert.id > int(expert_id))))
    rows = list(query.order_by(User.name, Expert.id).limit(PAGE_SIZE + 1))
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = f"{rows[-1].user.name}~{rows[-1].id}"
    for row in rows:
        if getattr(row, "last_check", None) is not None and row.last_check.id is None:
            row.last_check = None
        row.state = standing_of(row, now)
        row.listed = row.state == AVAILABLE
    return Page(rows, next_cursor)
