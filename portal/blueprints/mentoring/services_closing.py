"""Ending a relationship: either person or a programme coordinator closes it with a reason,
and the other person (or both, when a coordinator closes it) is told by email; at the end
date a job offers both the chance to close, once; and each person answers the closing
questions once, kept for the evaluation. When the programme has an open closing survey,
closing invites both people to it (evaluation.invitations) and its questions are the
closing questions; otherwise the built-in questions below are asked (ClosingAnswer)."""
import datetime as dt
import json

from peewee import IntegrityError

from portal.audit import AuditEntry
from portal.blueprints.evaluation import invitations
from portal.blueprints.mentoring import notices_care, status
from portal.blueprints.mentoring.models import CLOSED, STARTED, ClosingAnswer, Relationship
from portal.db import db, utcnow

USEFULNESS = {str(n): str(n) for n in range(1, 6)}
GOALS_MET = {"yes": "Yes", "partly": "Partly", "no": "No"}
QUESTIONS = {
    "usefulness": "How useful was the mentoring, from 1 (not at all) to 5 (very)?",
    "goals_met": "Did you meet your goals?",
    "advice": "What would you tell a colleague thinking of joining? (optional)",
}
MAX_REASON = MAX_ADVICE = 2000


class ClosingRefused(ValueError):
    """A close or an answer that cannot be taken; the message says why, in words."""


def close(actor, relationship_id: int, reason: str, now: dt.datetime | None = None
          ) -> Relationship:
    """Close an open relationship (the views have checked `actor` may). The other person,
    or both when a coordinator closes it, is told why by email. Closing twice is refused."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ClosingRefused("Tell us briefly why the mentoring is ending")
    with db.atomic():
        rel = Relationship.with_people().where(Relationship.id == relationship_id).first()
        closed = rel is not None and (
            Relationship.update(status=CLOSED, closed_at=now, closed_by=actor.id,
                                close_reason=reason)
            .where(Relationship.id == rel.id, Relationship.status.in_(list(STARTED)))
            .execute())
        if not closed:
            raise ClosingRefused("This mentoring has already ended")
        rel.status, rel.closed_at, rel.closed_by, rel.close_reason = CLOSED, now, actor, reason
        by_coordinator = not rel.involves(actor)
        for person in (rel.mentor, rel.mentee):
            if person.id != actor.id:
                notices_care.closed(rel, person, actor, rel.programme, reason, by_coordinator)
        if by_coordinator:
            AuditEntry.record(actor, "mentoring.closed", rel, after={"reason": reason})
        invitations.invite_on_close(rel, now)
    return rel


def answer_closing(person_id: int, relationship_id: int, usefulness: str, goals_met: str,
                   advice: str, now: dt.datetime | None = None) -> ClosingAnswer:
    """One person's closing answers, once, on a closed relationship of theirs."""
    if usefulness not in USEFULNESS or goals_met not in GOALS_MET:
        raise ClosingRefused("Answer how useful the mentoring was and whether you met "
                             "your goals")
    answers = {"usefulness": int(usefulness), "goals_met": goals_met,
               "advice": (advice or "").strip()[:MAX_ADVICE]}
    try:
        with db.atomic():
            rel = Relationship.get_or_none(Relationship.id == relationship_id)
            if rel is None or person_id not in (rel.mentor_id, rel.mentee_id) \
                    or rel.status != CLOSED:
                raise ClosingRefused("The closing questions open once the mentoring has "
                                     "ended")
            return ClosingAnswer.create(relationship=rel.id, person=person_id,
                                        answers=json.dumps(answers), created_at=now or utcnow())
    except IntegrityError as exc:
        raise ClosingRefused("You have already answered the closing questions") from exc


def end_offers_due(today: dt.date) -> list[int]:
    """Ids of open pairs whose end date has come and who have not been offered to close."""
    return [r.id for r in Relationship.select(Relationship.id).where(
        Relationship.status.in_(list(STARTED)), Relationship.ends_on <= today,
        Relationship.end_offered_at.is_null()).order_by(Relationship.id)]


def offer_end(relationship_id: int, today: dt.date, now: dt.datetime | None = None
              ) -> list[str]:
    """Offer both people the chance to close, once, when the end date has come."""
    now = now or utcnow()
    with db.atomic():
        rel = Relationship.with_people().where(Relationship.id == relationship_id).first()
        if rel is None or not status.end_offer_due(rel, today):
            return []
        Relationship.update(end_offered_at=now).where(Relationship.id == rel.id).execute()
        return [notices_care.end_offer(rel, person, rel.partner_of(person), rel.programme)
                for person in (rel.mentor, rel.mentee)]
