"""Leave: the mentee keeps their leave dates and keep-in-touch choice up to date, and near
the expected return a job asks both people, once, to book a session (phases.py says which
phase a pair is in)."""
import datetime as dt

from portal.blueprints.mentoring import notices_care, phases
from portal.blueprints.mentoring.models import STARTED, Relationship
from portal.db import db, utcnow


class LeaveRefused(ValueError):
    """Leave details that cannot be saved; the message says why, in words."""


def save_leave(person_id: int, relationship_id: int, starts: dt.date, returns: dt.date,
               keep_in_touch: bool) -> Relationship:
    """The mentee's leave dates and whether they want contact while away. A new return
    date gets its own "book a session" prompt, so moving it clears the one sent."""
    if returns <= starts:
        raise LeaveRefused("The expected return must be after the start of the leave")
    with db.atomic():
        rel = Relationship.get_or_none(Relationship.id == relationship_id)
        if rel is None or rel.mentee_id != person_id or rel.status not in STARTED:
            raise LeaveRefused("Only the mentee can change the leave dates of an open pair")
        changes = {"leave_starts": starts, "leave_returns": returns,
                   "keep_in_touch": keep_in_touch}
        if returns != rel.leave_returns:
            changes["return_prompted_at"] = None
        Relationship.update(**changes).where(Relationship.id == rel.id).execute()
        for name, value in changes.items():
            setattr(rel, name, value)
    return rel


def return_prompts_due(today: dt.date) -> list[int]:
    """Ids of open pairs whose mentee returns within phases.RETURNING_WEEKS and who have
    not been asked to book a session: one query."""
    soon = today + dt.timedelta(weeks=phases.RETURNING_WEEKS)
    rows = (Relationship.select(Relationship.id, Relationship.leave_starts,
                                Relationship.leave_returns, Relationship.return_prompted_at)
            .where(Relationship.status.in_(list(STARTED)),
                   Relationship.return_prompted_at.is_null(),
                   Relationship.leave_returns >= today, Relationship.leave_returns <= soon)
            .order_by(Relationship.id))
    return [r.id for r in rows if phases.return_prompt_due(r, today)]


def prompt_return(relationship_id: int, today: dt.date, now: dt.datetime | None = None
                  ) -> list[str]:
    """Ask both people to book a session before the mentee returns: once per return date."""
    now = now or utcnow()
    with db.atomic():
        rel = Relationship.with_people().where(Relationship.id == relationship_id).first()
        if rel is None or rel.status not in STARTED or not phases.return_prompt_due(rel, today):
            return []
        Relationship.update(return_prompted_at=now).where(Relationship.id == rel.id).execute()
        return [notices_care.return_prompt(rel, person, rel.partner_of(person), rel.programme)
                for person in (rel.mentor, rel.mentee)]
