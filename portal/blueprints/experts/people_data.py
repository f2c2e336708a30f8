"""A person's expert-directory data, for their data export and their account's erasure
(portal/people_data calls these; this area never reaches into that one)."""
import datetime as dt

from portal.blueprints.experts.models import (
    PENDING,
    WITHDRAWN,
    ActivityCheck,
    Expert,
    ExpertSpecialism,
    Introduction,
    IntroductionRequest,
    Specialism,
)


def export_of(user) -> dict:
    """Their expert profiles (with specialisms and activity-check answers), the requests
    sent to them, and the introductions they asked for."""
    experts = list(Expert.of(user))
    ids = [e.id for e in experts] or [0]
    specialisms: dict[int, list[str]] = {e.id: [] for e in experts}
    for link in (ExpertSpecialism.select(ExpertSpecialism.expert, Specialism.name)
                 .join(Specialism).where(ExpertSpecialism.expert.in_(ids))):
        specialisms[link.expert_id].append(link.specialism.name)
    checks = list(ActivityCheck.select().where(ActivityCheck.expert.in_(ids))
                  .order_by(ActivityCheck.sent_at, ActivityCheck.id))
    received = list(IntroductionRequest.with_people().where(IntroductionRequest.expert.in_(ids))
                    .order_by(IntroductionRequest.created_at, IntroductionRequest.id))
    asked = list(IntroductionRequest.with_people()
                 .where(Introduction.learner == user.id)
                 .order_by(IntroductionRequest.created_at, IntroductionRequest.id))
    return {
        "expert_profiles": [{"programme": e.programme.name, "bio": e.bio,
                             "capacity": e.capacity, "paused_until": e.paused_until,
                             "off_the_list_since": e.withdrawn_at,
                             "specialisms": specialisms[e.id], "created_at": e.created_at}
                            for e in experts],
        "activity_checks": [{"sent_at": c.sent_at, "answer": c.answer,
                             "answered_at": c.answered_at, "paused_until": c.paused_until}
                            for c in checks],
        "requests_to_you": [{"learner": r.introduction.learner.name,
                             "status": r.status, "created_at": r.created_at,
                             "responded_at": r.responded_at, "your_note": r.message}
                            for r in received],
        "introductions_you_asked_for": [{"expert": r.expert.user.name,
                                         "what_you_want_to_learn": r.introduction.wants,
                                         "for": r.introduction.for_what, "status": r.status,
                                         "created_at": r.created_at} for r in asked],
    }


def erase(person, now: dt.datetime) -> int:
    """Inside the erasure's transaction: off the list with no bio, their words in requests
    removed, and their requests still waiting withdrawn. Returns the rows changed."""
    mine = Expert.select(Expert.id).where(Expert.user == person.id)
    asked = Introduction.select(Introduction.id).where(Introduction.learner == person.id)
    changed = Expert.update(bio="", withdrawn_at=now).where(Expert.user == person.id).execute()
    changed += (IntroductionRequest.update(status=WITHDRAWN, responded_at=now)
                .where(IntroductionRequest.status == PENDING,
                       IntroductionRequest.expert.in_(mine)
                       | IntroductionRequest.introduction.in_(asked)).execute())
    changed += IntroductionRequest.update(message="").where(
        IntroductionRequest.expert.in_(mine)).execute()
    changed += Introduction.update(wants="", for_what="").where(
        Introduction.learner == person.id).execute()
    return changed
