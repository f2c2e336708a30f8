"""Introductions: a learner asks one or several listed experts at once; each expert
accepts or declines once, from the email's signed links (signed out) or their requests
page; a request not answered within the setting's days lapses.

An accepted request opens a relationship in the pair's space under the open programme's
rules (mentor = the expert, mentee = the learner, no cohort), whose goals start as the
ticked items the expert passes on, each "I have adequate knowledge of ..." owned by the
learner: the pair's space signs them off and countersigns them as any goal.

Concurrency: every answer is a conditional UPDATE (only while pending and in time), so a
request is answered exactly once however many clicks, links and jobs race for it. On
PostgreSQL an accept first locks the expert's row, so two accepts at once cannot take an
expert past their number of learners; SQLite's writers already take turns (IMMEDIATE).
"""
import dataclasses
import datetime as dt

from portal import settings
from portal.blueprints.accounts.models import User
from portal.blueprints.experts import notices
from portal.blueprints.experts.models import (
    ACCEPTED_REQUEST,
    DECLINED,
    EXPIRED,
    PENDING,
    WITHDRAWN,
    Expert,
    ExpertSpecialism,
    Introduction,
    IntroductionRequest,
    RequestItem,
    WorkbookItem,
)
from portal.blueprints.mentoring.models import (
    RELEASED,
    STARTED,
    Goal,
    Note,
    Relationship,
)
from portal.blueprints.programmes.models import ACCEPTED, MENTEE, MENTOR, Application
from portal.db import db, is_sqlite, utcnow

MAX_EXPERTS = 5
MIN_WANTS_WORDS = 3
MAX_WANTS = 2000
MAX_FOR_WHAT = 200
MAX_MESSAGE = 1000
SUGGESTIONS = 5


class IntroductionRefused(ValueError):
    """A request that cannot be made or answered; the message says why, in words.
    `reason` names the request's state when that is the cause ("expired", "declined",
    "accepted", "withdrawn", "full")."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


@dataclasses.dataclass
class Ask:
    expert_ids: list[int]
    item_ids: list[int]
    wants: str
    for_what: str = ""


def wants_problem(wants: str) -> str | None:
    words = (wants or "").split()
    if len(words) < MIN_WANTS_WORDS:
        return (f"Say in your own words what you want to learn: at least {MIN_WANTS_WORDS} "
                "words")
    if len(wants) > MAX_WANTS:
        return f"Keep what you want to learn to {MAX_WANTS:,} characters"
    return None


def _has_expert(learner_id: int, expert: Expert) -> bool:
    return Relationship.select().where(
        Relationship.programme == expert.programme_id, Relationship.mentor == expert.user_id,
        Relationship.mentee == learner_id, Relationship.status.in_(list(STARTED))).exists()


def _waiting_on(learner_id: int, expert_ids: list[int], now) -> dict[int, IntroductionRequest]:
    rows = (IntroductionRequest.select(IntroductionRequest, Introduction).join(Introduction)
            .where(Introduction.learner == learner_id, IntroductionRequest.status == PENDING,
                   IntroductionRequest.expires_at > now,
                   IntroductionRequest.expert.in_(expert_ids or [0])))
    return {row.expert_id: row for row in rows}


def _covered(experts: list[Expert], item_ids: list[int]) -> dict[int, list[WorkbookItem]]:
    """{expert id: the chosen items in that expert's specialisms}."""
    items = list(WorkbookItem.select().where(WorkbookItem.id.in_(item_ids or [0]),
                                             WorkbookItem.retired == False))  # noqa: E712
    specialisms = ExpertSpecialism.by_expert([e.id for e in experts])
    return {e.id: [i for i in items if i.specialism_id in {s.id for s in specialisms[e.id]}]
            for e in experts}


def ask(learner, request: Ask, now: dt.datetime | None = None) -> Introduction:
    """One introduction, and one request per expert with the ticked items they pass on,
    each emailed to its expert with signed accept and decline links."""
    now = now or utcnow()
    wants = (request.wants or "").strip()
    for_what = " ".join((request.for_what or "").split())
    expert_ids = sorted(set(request.expert_ids))
    problem = wants_problem(wants)
    if problem:
        raise IntroductionRefused(problem)
    if len(for_what) > MAX_FOR_WHAT:
        raise IntroductionRefused(f"Keep the course or role to {MAX_FOR_WHAT} characters")
    if not expert_ids:
        raise IntroductionRefused("Choose at least one expert to ask")
    if len(expert_ids) > MAX_EXPERTS:
        raise IntroductionRefused(f"Ask at most {MAX_EXPERTS} experts at once")
    if not request.item_ids:
        raise IntroductionRefused("Tick at least one thing you want to learn")
    with db.atomic():
        # In name order: the requests are made, and listed to the learner, in this order.
        experts = sorted(Expert.listed(now).where(Expert.id.in_(expert_ids)),
                         key=lambda expert: (expert.user.name, expert.id))
        _check_experts(learner, expert_ids, experts, now)
        covered = _covered(experts, request.item_ids)
        for expert in experts:
            if not covered[expert.id]:
                raise IntroductionRefused(
                    f"{expert.user.name} does not pass on any of the things you ticked: tick "
                    f"one of theirs, or do not ask {expert.user.name} this time")
        introduction = Introduction.create(learner=learner.id, programme=experts[0].programme_id,
                                           wants=wants, for_what=for_what, created_at=now)
        expires_at = now + dt.timedelta(days=settings.get("expert_request_days"))
        for expert in experts:
            row = IntroductionRequest.create(introduction=introduction, expert=expert.id,
                                             created_at=now, expires_at=expires_at)
            RequestItem.insert_many([{"request": row.id, "item": item.id}
                                     for item in covered[expert.id]]).execute()
            notices.request_to_expert(row, expert.user, learner, introduction,
                                      covered[expert.id], expert.programme)
    return introduction


def _check_experts(learner, expert_ids: list[int], experts: list[Expert], now) -> None:
    found = {e.id for e in experts}
    if len(found) < len(expert_ids):
        gone = (Expert.select(Expert, User).join(User)
                .where(Expert.id.in_([i for i in expert_ids if i not in found])))
        names = [e.user.name for e in gone] or ["One of the experts"]
        raise IntroductionRefused(f"{names[0]} is not taking requests at the moment: choose "
                                  "another expert")
    if len({e.programme_id for e in experts}) > 1:
        raise IntroductionRefused("Ask the experts of one programme at a time")
    waiting = _waiting_on(learner.id, expert_ids, now)
    for expert in experts:
        if expert.user_id == learner.id:
            raise IntroductionRefused("You cannot ask yourself for an introduction")
        if expert.id in waiting:
            raise IntroductionRefused(
                f"You asked {expert.user.name} on "
                f"{waiting[expert.id].created_at.strftime('%-d %B %Y')}: wait for their answer")
        if _has_expert(learner.id, expert):
            raise IntroductionRefused(f"{expert.user.name} is already helping you")


# Answers -------------------------------------------------------------------------------------

REFUSALS = {
    ACCEPTED_REQUEST: "This request has already been accepted.",
    DECLINED: "This request was declined, so it can no longer be accepted.",
    EXPIRED: "This request was not answered in time, so it has closed.",
    WITHDRAWN: "The learner withdrew this request.",
}


def _locked(request_id: int) -> IntroductionRequest:
    query = IntroductionRequest.with_people().where(IntroductionRequest.id == request_id)
    row = (query if is_sqlite() else query.for_update(of=IntroductionRequest)).first()
    if row is None:
        raise IntroductionRefused("This request no longer exists", "invalid")
    return row


def _refuse_unless_open(row: IntroductionRequest, now) -> None:
    state = row.state(now)
    if state != PENDING:
        raise IntroductionRefused(REFUSALS[state], state)


def _answered(row: IntroductionRequest, status: str, now, **changes) -> bool:
    done = (IntroductionRequest.update(
        status=status, responded_at=now,
        response_seconds=int((now - row.created_at).total_seconds()), **changes)
        .where(IntroductionRequest.id == row.id, IntroductionRequest.status == PENDING,
               IntroductionRequest.expires_at > now).execute())
    if not done:
        raise IntroductionRefused("This request has already been answered.", "used")
    row.status, row.responded_at = status, now
    for name, value in changes.items():
        setattr(row, name, value)
    return True


def accept(request_id: int, now: dt.datetime | None = None) -> IntroductionRequest:
    """The expert accepts: a relationship opens in the pair's space, with a goal per item
    and the learner's words as their first shared note, and the learner is told."""
    now = now or utcnow()
    with db.atomic():
        row = _locked(request_id)
        _refuse_unless_open(row, now)
        expert = row.expert
        if not is_sqlite():
            Expert.select().where(Expert.id == expert.id).for_update().execute()
        learners = (Relationship.select().where(
            Relationship.programme == expert.programme_id, Relationship.mentor == expert.user_id,
            Relationship.status.in_(list(STARTED))).count())
        if learners >= expert.capacity:
            raise IntroductionRefused(
                f"You already have {learners} learner{'s' if learners != 1 else ''}, the "
                "most you said you can take. To accept, raise that number on your expert "
                "profile first.", "full")
        learner = row.introduction.learner
        if _has_expert(learner.id, expert):
            raise IntroductionRefused(f"You are already helping {learner.name}.", "accepted")
        rel = _open_relationship(row, expert, learner, now)
        _answered(row, ACCEPTED_REQUEST, now, relationship=rel.id)
        notices.accepted_to_learner(row, expert.user, learner, row.introduction.programme, rel)
    return row


def _open_relationship(row: IntroductionRequest, expert: Expert, learner, now) -> Relationship:
    def place(person_id: int, role: str):
        return (Application.select(Application.id).where(
            Application.applicant == person_id, Application.programme == expert.programme_id,
            Application.role == role, Application.status == ACCEPTED).scalar())

    rel = Relationship.create(programme=expert.programme_id, cohort=None,
                              mentor=expert.user_id, mentee=learner.id,
                              mentor_application=place(expert.user_id, MENTOR),
                              mentee_application=place(learner.id, MENTEE),
                              status=RELEASED, released_at=now, created_at=now)
    items = RequestItem.by_request([row.id])[row.id]
    if items:
        Goal.insert_many([{"relationship": rel.id, "owner": learner.id,
                           "title": item.goal_title[:200], "item_key": item.key,
                           "shared": True, "created_at": now} for item in items]).execute()
    introduction = row.introduction
    words = f"What I would like to learn: {introduction.wants}"
    if introduction.for_what:
        words += f"\n\nIt is for: {introduction.for_what}"
    Note.create(relationship=rel.id, author=learner.id, body=words, shared=True,
                created_at=now, updated_at=now)
    return rel


def decline(request_id: int, message: str = "", now: dt.datetime | None = None
            ) -> IntroductionRequest:
    """The expert declines, with an optional note; the learner is told kindly and pointed
    to other experts for the same items."""
    now = now or utcnow()
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise IntroductionRefused(f"Keep your note to {MAX_MESSAGE:,} characters")
    with db.atomic():
        row = _locked(request_id)
        _refuse_unless_open(row, now)
        _answered(row, DECLINED, now, message=message)
        notices.not_this_time_to_learner(row, row.expert.user, row.introduction.learner,
                                         row.introduction.programme)
    return row


def withdraw(learner, request_id: int, now: dt.datetime | None = None) -> IntroductionRequest:
    """The learner withdraws a request the expert has not answered."""
    now = now or utcnow()
    with db.atomic():
        row = _locked(request_id)
        if row.introduction.learner_id != learner.id:
            raise IntroductionRefused("This request is not yours", "invalid")
        _refuse_unless_open(row, now)
        done = (IntroductionRequest.update(status=WITHDRAWN, responded_at=now)
                .where(IntroductionRequest.id == row.id, IntroductionRequest.status == PENDING)
                .execute())
        if not done:
            raise IntroductionRefused("This request has already been answered.", "used")
        row.status = WITHDRAWN
    return row


def expire(request_id: int, now: dt.datetime | None = None) -> bool:
    """A pending request past its time lapses, once; the learner is told and pointed to
    other experts for the same items. False when there was nothing to do."""
    now = now or utcnow()
    with db.atomic():
        done = (IntroductionRequest.update(status=EXPIRED)
                .where(IntroductionRequest.id == request_id,
                       IntroductionRequest.status == PENDING,
                       IntroductionRequest.expires_at <= now).execute())
        if not done:
            return False
        row = IntroductionRequest.with_people().where(IntroductionRequest.id == request_id).get()
        notices.not_this_time_to_learner(row, row.expert.user, row.introduction.learner,
                                         row.introduction.programme)
    return True


def expiring(now: dt.datetime) -> list[int]:
    return [r.id for r in IntroductionRequest.due_to_expire(now)]


# After a "no" ------------------------------------------------------------------------------

def other_experts(introduction: Introduction, item_ids: list[int],
                  now: dt.datetime | None = None) -> list[Expert]:
    """Listed experts, not yet asked in this introduction, whose specialisms cover any of
    the items, by name. Two queries."""
    now = now or utcnow()
    specialisms = (WorkbookItem.select(WorkbookItem.specialism)
                   .where(WorkbookItem.id.in_(list(item_ids) or [0])))
    asked = (IntroductionRequest.select(IntroductionRequest.expert)
             .where(IntroductionRequest.introduction == introduction.id))
    covering = (ExpertSpecialism.select(ExpertSpecialism.expert)
                .where(ExpertSpecialism.specialism.in_(specialisms)))
    experts = list(Expert.listed(now)
                   .where(Expert.id.in_(covering), Expert.id.not_in(asked),
                          Expert.user != introduction.learner_id,
                          Expert.programme == introduction.programme_id)
                   .order_by(User.name, Expert.id).limit(SUGGESTIONS))
    specialisms_of = ExpertSpecialism.by_expert([e.id for e in experts])
    for expert in experts:
        expert.specialism_list = specialisms_of[expert.id]
    return experts
