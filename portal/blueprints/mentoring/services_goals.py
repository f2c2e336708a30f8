"""Writes to goals: adding and editing one's own, signing one off as achieved with a
sentence on what was learned, and countersigning someone else's.

Signing off and countersigning are generic: they take a goal and a person and know
nothing of mentors and mentees. The learner is the goal's owner; the countersigner is the
relationship's other person. So the expert directory's workbook items (goals with an
`item_key`, signed off by the learner, countersigned by the expert) use the same two
functions. Only who may set goals depends on the programme (`add_goal`).

The views have already checked who may act; each function re-reads the goal and its
relationship inside its transaction and refuses, in words, what the data must never hold:
a goal changed or signed off by someone other than its owner, a countersignature on one's
own goal or on a private one, anything in a relationship that has ended."""
import datetime as dt

from portal import permissions
from portal.blueprints.mentoring.models import (
    ACHIEVED,
    DROPPED,
    IN_PROGRESS,
    NOT_STARTED,
    Goal,
    Relationship,
)
from portal.blueprints.programmes.models import Programme
from portal.db import db, utcnow

MAX_TITLE = 200
MAX_TEXT = 4000
MIN_LEARNED_WORDS = 3
# A goal becomes achieved only by being signed off, which records what was learned.
EDITABLE_STATUSES = (NOT_STARTED, IN_PROGRESS, DROPPED)


class GoalRefused(ValueError):
    """A goal change that is not allowed; the message says why, in words."""


def learned_problem(learned: str) -> str | None:
    """What is wrong with a sign-off sentence, or None: it must say something."""
    words = (learned or "").split()
    if not words:
        return "Say in a sentence what you learned"
    if len(words) < MIN_LEARNED_WORDS:
        return f"Say in a sentence what you learned: at least {MIN_LEARNED_WORDS} words"
    if len(learned) > MAX_TEXT:
        return f"Keep what you learned to {MAX_TEXT:,} characters"
    return None


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise GoalRefused("Enter the goal")
    if len(title) > MAX_TITLE:
        raise GoalRefused(f"Keep the goal to {MAX_TITLE} characters")
    return title


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise GoalRefused(f"Keep the success criteria to {MAX_TEXT:,} characters")
    return text


def _open_relationship(relationship_id: int, person) -> Relationship:
    rel = (Relationship.select(Relationship, Programme).join(Programme)
           .where(Relationship.id == relationship_id).first())
    if rel is None or not rel.involves(person):
        raise GoalRefused("Only the two people in a relationship work on its goals")
    if not rel.is_open:
        raise GoalRefused("This relationship has ended, so its goals can no longer change")
    return rel


def _fresh(goal) -> Goal:
    fresh = Goal.get_or_none(Goal.id == goal.id)
    if fresh is None:
        raise GoalRefused("This goal no longer exists")
    return fresh


def add_goal(rel, person, title: str, success_criteria: str = "",
             target_date: dt.date | None = None, shared: bool = True, now=None) -> Goal:
    """A new goal owned by `person`: in a one-way programme only the mentee sets goals,
    in a two-way one both people do."""
    title, success_criteria = _clean_title(title), _clean_text(success_criteria)
    with db.atomic():
        fresh = _open_relationship(rel.id, person)
        if not permissions.can_set_goals(person, fresh):
            raise GoalRefused("In this programme the mentee sets the goals")
        return Goal.create(relationship=fresh.id, owner=person.id, title=title,
                           success_criteria=success_criteria, target_date=target_date,
                           shared=bool(shared), created_at=now or utcnow())


def edit_goal(goal, person, title: str, success_criteria: str, target_date: dt.date | None,
              status: str, shared: bool) -> Goal:
    """The owner changes their goal, until they sign it off."""
    title, success_criteria = _clean_title(title), _clean_text(success_criteria)
    if status not in EDITABLE_STATUSES:
        raise GoalRefused("Choose not started, in progress or dropped; to mark the goal "
                          "achieved, sign it off")
    with db.atomic():
        fresh = _fresh(goal)
        _open_relationship(fresh.relationship_id, person)
        if fresh.owner_id != person.id:
            raise GoalRefused("Only the person whose goal it is can change it")
        if fresh.signed_off_at is not None:
            raise GoalRefused("This goal is signed off: it is part of the workbook now")
        changes = {"title": title, "success_criteria": success_criteria,
                   "target_date": target_date, "status": status, "shared": bool(shared)}
        Goal.update(**changes).where(Goal.id == fresh.id).execute()
    for name, value in changes.items():
        setattr(fresh, name, value)
    return fresh


def sign_off_goal(goal, person, learned: str, now=None) -> Goal:
    """The learner (the goal's owner) signs the goal off as achieved, saying what they
    learned: the goal is achieved, dated and in the workbook."""
    learned = (learned or "").strip()
    problem = learned_problem(learned)
    if problem:
        raise GoalRefused(problem)
    now = now or utcnow()
    with db.atomic():
        fresh = _fresh(goal)
        _open_relationship(fresh.relationship_id, person)
        if fresh.owner_id != person.id:
            raise GoalRefused("Only the learner whose goal it is can sign it off")
        signed = Goal.update(status=ACHIEVED, signed_off_at=now, learned=learned).where(
            Goal.id == fresh.id, Goal.signed_off_at.is_null()).execute()
        if not signed:
            raise GoalRefused("This goal is signed off already")
    fresh.status, fresh.signed_off_at, fresh.learned = ACHIEVED, now, learned
    return fresh


def countersign_goal(goal, person, now=None) -> Goal:
    """The relationship's other person countersigns a shared goal its owner has signed
    off: dated, once. Nobody countersigns their own goal, and a private goal is not
    countersigned (the other person cannot see it)."""
    now = now or utcnow()
    with db.atomic():
        fresh = _fresh(goal)
        _open_relationship(fresh.relationship_id, person)
        if fresh.owner_id == person.id:
            raise GoalRefused("You cannot countersign your own goal")
        if not fresh.shared:
            raise GoalRefused("A private goal cannot be countersigned")
        if fresh.signed_off_at is None:
            raise GoalRefused("The goal has not been signed off yet")
        signed = Goal.update(countersigned_by=person.id, countersigned_at=now).where(
            Goal.id == fresh.id, Goal.countersigned_at.is_null(),
            Goal.signed_off_at.is_null(False), Goal.shared == True).execute()  # noqa: E712
        if not signed:
            raise GoalRefused("This goal is countersigned already")
    fresh.countersigned_by_id, fresh.countersigned_at = person.id, now
    return fresh
