"""The pair's agreement: saving a change (which asks both people to confirm again) and
confirming it; the first time both have confirmed, the relationship starts.

Each write is one transaction that first locks the relationship's row, so two people
confirming at the same moment cannot both miss the other's confirmation, and a change
cannot slip in between reading the words and confirming them: each confirmation names the
version the person read.
"""
import dataclasses
import datetime as dt

from portal.blueprints.mentoring.allowance import channels_for
from portal.blueprints.mentoring.models import ACTIVE, RELEASED, STARTED, Agreement, Relationship
from portal.blueprints.programmes.models import Application, Cohort
from portal.blueprints.webinars import times
from portal.dates import add_months
from portal.db import db, is_sqlite


class AgreementRefused(ValueError):
    """A change or confirmation that cannot be made; the message says why, in words."""


@dataclasses.dataclass(frozen=True)
class Words:
    expectations: str
    confidentiality: str
    frequency: str
    channel: str
    ending: str


WORD_FIELDS = tuple(f.name for f in dataclasses.fields(Words))

CONFIDENTIALITY = (
    "What we talk about stays between the two of us. Neither of us will pass it on to "
    "anyone else, including managers and the programme team, unless the other agrees. The "
    "one exception is a risk of serious harm to someone: then we will say first that we need "
    "to tell someone, and who.")
ENDING = (
    "Either of us can end the mentoring at any time, without having to give a reason, by "
    "telling the other person (or the programme team, if that is easier) and closing it in "
    "this space. If it is not working, we will say so early and kindly. At the end we will "
    "look back together at what we set out to do.")


def _expectations(rel) -> str:
    if rel.programme.is_open:
        return ("The learner says what they want to learn, and signs off each item in the "
                "workbook when they have it; the expert shares what they know, checks the "
                "learning and countersigns. We will both come prepared, be on time, and say "
                "if we need to move a session.")
    if rel.programme.is_two_way:
        return ("We are here to learn from each other. We will each bring something to every "
                "session, listen without judging, be honest about what we find hard, and come "
                "prepared. Either of us can set the agenda.")
    return ("The mentee sets the agenda and brings what they want to work on; the mentor "
            "listens, asks questions and shares experience rather than giving orders. We will "
            "both come prepared, be on time, and say if we need to move a session.")


def _frequency(programme) -> str:
    if programme.max_sessions and programme.length_max_months:
        return (f"Up to {programme.max_sessions} sessions over "
                f"{programme.length_max_months} months")
    if programme.target_meetings and programme.target_months:
        return (f"About {programme.target_meetings} times over "
                f"{programme.target_months} months")
    return "About once a month"


def default_words(rel) -> Words:
    """What a new agreement says until the pair change it: they only edit."""
    return Words(expectations=_expectations(rel), confidentiality=CONFIDENTIALITY,
                 frequency=_frequency(rel.programme),
                 channel=next(iter(channels_for(rel.programme)), ""), ending=ENDING)


def words_of(agreement: Agreement) -> Words:
    return Words(**{name: getattr(agreement, name) for name in WORD_FIELDS})


def _lock(rel) -> Relationship:
    """Inside the transaction: the relationship row as it stands, locked against other
    writers (SQLite's writers already hold the database's lock from BEGIN)."""
    query = Relationship.select().where(Relationship.id == rel.id)
    if not is_sqlite():
        query = query.for_update()
    fresh = query.get()
    if fresh.status not in STARTED:
        raise AgreementRefused("This mentoring has ended, so its agreement can no longer "
                               "change.")
    return fresh


def _changed_since(agreement: Agreement | None, seen_version: int) -> bool:
    return (agreement.version if agreement else 0) != seen_version


def save(rel, user, words: Words, seen_version: int, now: dt.datetime) -> Agreement:
    """Save the pair's words. A change bumps the version and clears both confirmations;
    saving the words as they stand changes nothing."""
    if words.channel not in channels_for(rel.programme):
        raise AgreementRefused(f"{rel.programme.name} does not offer that way of meeting.")
    with db.atomic():
        _lock(rel)
        agreement = Agreement.get_or_none(Agreement.relationship == rel.id)
        if _changed_since(agreement, seen_version):
            who = ("It was changed in another window" if agreement.updated_by_id == user.id
                   else f"{rel.partner_of(user).name} changed it")
            raise AgreementRefused(
                f"{who} while you were editing the agreement: that version is on your pair "
                "page. Saving again replaces it with what you have written here.")
        if agreement is not None and words_of(agreement) == words:
            return agreement
        if agreement is None:
            agreement = Agreement(relationship=rel.id, version=0)
        for name in WORD_FIELDS:
            setattr(agreement, name, getattr(words, name))
        agreement.version += 1
        agreement.updated_by, agreement.updated_at = user.id, now
        agreement.mentor_confirmed_at = agreement.mentee_confirmed_at = None
        agreement.save()
    return agreement


def confirm(rel, user, seen_version: int, now: dt.datetime) -> tuple[Agreement, bool]:
    """This person confirms the version they read (a new agreement: the default words).
    Returns the agreement and whether the relationship started with it."""
    with db.atomic():
        fresh = _lock(rel)
        agreement = Agreement.get_or_none(Agreement.relationship == rel.id)
        if _changed_since(agreement, seen_version):
            raise AgreementRefused("The agreement changed after you opened it. Read it as it "
                                   "stands now, then confirm it.")
        if agreement is None:
            agreement = Agreement(relationship=rel.id, version=1, updated_at=now,
                                  **dataclasses.asdict(default_words(rel)))
        stamp = f"{rel.role_of(user)}_confirmed_at"
        if getattr(agreement, stamp) is None:
            setattr(agreement, stamp, now)
            agreement.save()
        started = agreement.confirmed and fresh.status == RELEASED
        if started:
            start(rel, now)
    return agreement, started


def start(rel, now: dt.datetime) -> None:
    """Released -> active, once both people have confirmed the agreement for the first
    time: the start and end dates, and the mentee's leave from their application (unless
    the pair have set leave dates already). Call inside the caller's transaction."""
    today = times.to_local(now).date()
    ends_on = None
    if rel.cohort_id is not None:
        ends_on = Cohort.select(Cohort.mentoring_ends).where(Cohort.id == rel.cohort_id).scalar()
    elif rel.programme.length_max_months:
        ends_on = add_months(today, rel.programme.length_max_months)
    changes = {"status": ACTIVE, "started_at": now, "ends_on": ends_on}
    if rel.mentee_application_id is not None and rel.leave_starts is None:
        application = (Application.select(Application.leave_starts, Application.leave_months)
                       .where(Application.id == rel.mentee_application_id).first())
        if application is not None and application.leave_starts is not None:
            changes["leave_starts"] = application.leave_starts
            if application.leave_months:
                changes["leave_returns"] = add_months(application.leave_starts,
                                                      application.leave_months)
    Relationship.update(changes).where(Relationship.id == rel.id).execute()
    for name, value in changes.items():
        setattr(rel, name, value)
