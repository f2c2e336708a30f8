"""An expert's own profile and availability, and the organiser taking someone off the list
or putting them back.

Only people accepted into an open programme's expert role have a profile: the first save
creates it. Every write stamps `updated_at`, which the directory reads as a sign of life.
Each function is one transaction; the organiser's changes are audited.
"""
import dataclasses
import datetime as dt

from portal.audit import AuditEntry
from portal.blueprints.experts.models import (
    ActivityCheck,
    Expert,
    ExpertSpecialism,
    Specialism,
)
from portal.blueprints.programmes.models import ACCEPTED, MENTOR, Application, Programme
from portal.db import db, utcnow

MAX_BIO = 2000
MIN_BIO_WORDS = 5
MAX_CAPACITY = 10
MAX_PAUSE_DAYS = 366


class ExpertRefused(ValueError):
    """A change to an expert's profile that cannot be made; the message says why."""


@dataclasses.dataclass
class Profile:
    bio: str
    capacity: int
    specialism_ids: list[int]


def expert_place(user, programme_id: int) -> Application | None:
    """The person's accepted place in the programme's expert role, if they hold one."""
    return Application.get_or_none(Application.applicant == user.id,
                                   Application.programme == programme_id,
                                   Application.role == MENTOR, Application.status == ACCEPTED)


def open_programmes_of(user):
    """The open programmes this person is an accepted expert in, by name."""
    return (Programme.select().join(Application)
            .where(Application.applicant == user.id, Application.role == MENTOR,
                   Application.status == ACCEPTED, Programme.kind == "open")
            .order_by(Programme.name, Programme.id))


def bio_problem(bio: str) -> str | None:
    words = (bio or "").split()
    if len(words) < MIN_BIO_WORDS:
        return (f"Write a short bio of at least {MIN_BIO_WORDS} words: what you know and "
                "how you like to help")
    if len(bio) > MAX_BIO:
        return f"Keep your bio to {MAX_BIO:,} characters"
    return None


def save_profile(user, programme_id: int, profile: Profile, now=None) -> Expert:
    """Create or change the person's expert profile in this programme."""
    now = now or utcnow()
    bio = (profile.bio or "").strip()
    problem = bio_problem(bio)
    if problem:
        raise ExpertRefused(problem)
    if not 1 <= int(profile.capacity or 0) <= MAX_CAPACITY:
        raise ExpertRefused(f"Choose how many learners you can take at once, from 1 to "
                            f"{MAX_CAPACITY}")
    with db.atomic():
        if expert_place(user, programme_id) is None:
            raise ExpertRefused("Only people accepted as experts in this programme have an "
                                "expert profile")
        wanted = {s.id for s in Specialism.select(Specialism.id).where(
            Specialism.id.in_(list(profile.specialism_ids) or [0]),
            Specialism.retired == False)}  # noqa: E712
        if not wanted:
            raise ExpertRefused("Choose at least one specialism")
        expert = Expert.get_or_none(Expert.user == user.id, Expert.programme == programme_id)
        if expert is None:
            expert = Expert.create(user=user.id, programme=programme_id, bio=bio,
                                   capacity=profile.capacity, created_at=now, updated_at=now)
        else:
            Expert.update(bio=bio, capacity=profile.capacity, updated_at=now).where(
                Expert.id == expert.id).execute()
            expert.bio, expert.capacity, expert.updated_at = bio, profile.capacity, now
        ExpertSpecialism.delete().where(ExpertSpecialism.expert == expert.id,
                                        ExpertSpecialism.specialism.not_in(list(wanted))
                                        ).execute()
        ExpertSpecialism.insert_many([{"expert": expert.id, "specialism": sid}
                                      for sid in sorted(wanted)]).on_conflict_ignore().execute()
    return expert


def _stamp(expert: Expert, now, **changes) -> Expert:
    Expert.update(updated_at=now, **changes).where(Expert.id == expert.id).execute()
    for name, value in {**changes, "updated_at": now}.items():
        setattr(expert, name, value)
    return expert


def pause_problem(until: dt.date | None, today: dt.date) -> str | None:
    if until is None:
        return "Enter the date to pause until, like " + \
            (today + dt.timedelta(days=28)).isoformat()
    if until <= today:
        return "The date to pause until must be in the future"
    if until > today + dt.timedelta(days=MAX_PAUSE_DAYS):
        return "Pause for a year at most; you can pause again later"
    return None


def pause(expert: Expert, until: dt.date, today: dt.date, now=None) -> Expert:
    """Not listed before `until`; listed again on that day without anyone doing anything."""
    problem = pause_problem(until, today)
    if problem:
        raise ExpertRefused(problem)
    with db.atomic():
        return _stamp(expert, now or utcnow(), paused_until=until)


def resume(expert: Expert, now=None) -> Expert:
    with db.atomic():
        return _stamp(expert, now or utcnow(), paused_until=None)


def take_off_list(expert: Expert, now=None, actor=None) -> Expert:
    """Off the list: by the expert, or by the organiser (`actor`, audited), whose open
    activity checks are then dealt with."""
    now = now or utcnow()
    with db.atomic():
        _stamp(expert, now, withdrawn_at=now)
        if actor is not None:
            (ActivityCheck.update(resolved_at=now, resolved_by=actor.id)
             .where(ActivityCheck.expert == expert.id, ActivityCheck.answered_at.is_null(),
                    ActivityCheck.resolved_at.is_null()).execute())
            AuditEntry.record(actor, "expert.take_off_list", expert, {}, {"withdrawn_at": now})
    return expert


def put_back_on_list(expert: Expert, now=None) -> Expert:
    """The expert puts themselves back (a paused date stays as it was)."""
    with db.atomic():
        return _stamp(expert, now or utcnow(), withdrawn_at=None)
