"""The pair's sessions: propose, accept, decline, cancel, log as held (a booked session, or
one never proposed), and the day-before reminder.

The programme's allowance is hard (allowance.py): it is checked when a session is proposed
and again when one is logged, inside a transaction that first locks the relationship's row,
so two proposals sent at the same moment cannot both take the last session. Each change
tells the partner (their notification centre, and an email as they choose; bookings and
cancellations of booked sessions always by email) in the same transaction.
"""
import datetime as dt

from flask import render_template
from peewee import fn

from portal import mail_preferences, notifications
from portal.blueprints.mentoring import allowance, phases, sessions
from portal.blueprints.mentoring.models import (
    ACCEPTED,
    CANCELLED,
    COUNTED,
    DECLINED_SESSION,
    HELD,
    PROPOSED,
    STARTED,
    MentoringSession,
    Relationship,
)
from portal.blueprints.webinars import times
from portal.db import db, is_sqlite
from portal.links import absolute_url, path_for

REMIND_BEFORE = dt.timedelta(hours=24)
# A session logged without having been proposed has a day but no time: noon keeps it on
# that day in any zone.
LOGGED_TIME = dt.time(12)
# Which form field each allowance rule is about ("" is the form as a whole).
FIELD_OF = {allowance.COUNT: "", allowance.MINUTES: "minutes", allowance.CHANNEL: "channel"}
NOT_OPEN = {ACCEPTED: "This session is booked already.",
            DECLINED_SESSION: "This session was declined.",
            CANCELLED: "This session was cancelled.",
            HELD: "This session has been logged as held already."}


class SessionRefused(ValueError):
    """A session change that breaks a rule. `errors` maps the form field each message is
    about ("" for the form as a whole) to the message, in words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _refuse(message: str, about: str = ""):
    raise SessionRefused({about: message})


def _lock(rel) -> Relationship:
    """Inside the transaction: the relationship row, locked against other writers (SQLite's
    writers hold the database's lock from BEGIN)."""
    query = Relationship.select().where(Relationship.id == rel.id)
    if not is_sqlite():
        query = query.for_update()
    fresh = query.get()
    if fresh.status not in STARTED:
        _refuse("This mentoring has ended, so its sessions can no longer change.")
    return fresh


def _session(rel, session_id: int) -> MentoringSession:
    session = MentoringSession.get_or_none(MentoringSession.id == session_id,
                                           MentoringSession.relationship == rel.id)
    if session is None:
        _refuse("That session no longer exists.")
    return session


def _allowance_problems(rel, minutes: int, channel: str, adds_one: bool) -> dict[str, str]:
    counted = (MentoringSession.select().where(MentoringSession.relationship == rel.id,
                                               MentoringSession.status.in_(COUNTED)).count()
               if adds_one and rel.programme.max_sessions is not None else 0)
    found = allowance.refusals(rel.programme, counted=counted, minutes=minutes,
                               channel=channel, adds_one=adds_one)
    return {FIELD_OF[about]: message for about, message in found.items()}


def _held_on_problem(held_on: dt.date, now: dt.datetime) -> dict[str, str]:
    if held_on > times.to_local(now).date():
        return {"held_on": "A session can be logged once you have had it: choose today or "
                           "an earlier date."}
    return {}


def _raise_any(problems: dict[str, str]) -> None:
    if problems:
        raise SessionRefused(problems)


def _is_proposer(session, user) -> bool:
    return session.proposed_by_id in (None, user.id)


# Planning ------------------------------------------------------------------------------------

def propose(rel, proposer, day: dt.date, start_time: dt.time, minutes: int, channel: str,
            now: dt.datetime) -> MentoringSession:
    """A session at this wall-clock time, for the partner to accept or decline."""
    starts_at = times.to_utc(day, start_time)
    with db.atomic():
        _lock(rel)
        problems = {}
        if starts_at <= now:
            problems["day"] = ("Choose a date and time in the future. To record a session "
                               "you have had, log it instead.")
        problems.update(_allowance_problems(rel, minutes, channel, adds_one=True))
        _raise_any(problems)
        session = MentoringSession.create(
            relationship=rel.id, proposed_by=proposer.id, starts_at=starts_at,
            minutes=minutes, channel=channel, status=PROPOSED, created_at=now)
        partner = rel.partner_of(proposer)
        _email(f"mentoring-session-proposed:{session.id}", rel, session, partner,
               f"{proposer.name} proposed a mentoring session", "proposed",
               kind="session_request")
    return session


def accept(rel, user, session_id: int, now: dt.datetime) -> MentoringSession:
    with db.atomic():
        _lock(rel)
        session = _session(rel, session_id)
        if session.status != PROPOSED:
            _refuse(NOT_OPEN[session.status])
        if _is_proposer(session, user):
            _refuse(f"You proposed this session, so {rel.partner_of(user).name} accepts or "
                    "declines it.")
        if session.starts_at <= now:
            _refuse("The time of this session has passed: propose a new one.")
        session.status, session.responded_at = ACCEPTED, now
        session.save()
        proposer = rel.partner_of(user)
        _email(f"mentoring-session-accepted:{session.id}", rel, session, proposer,
               f"{user.name} accepted: calendar file attached", "accepted",
               attachment=sessions.attachment_for(rel, session))
    return session


def decline(rel, user, session_id: int, now: dt.datetime) -> MentoringSession:
    with db.atomic():
        _lock(rel)
        session = _session(rel, session_id)
        if session.status != PROPOSED:
            _refuse(NOT_OPEN[session.status])
        if _is_proposer(session, user):
            _refuse("You proposed this session: cancel it instead.")
        session.status, session.responded_at = DECLINED_SESSION, now
        session.save()
        _email(f"mentoring-session-declined:{session.id}", rel, session,
               rel.partner_of(user), f"{user.name} cannot make the session you proposed",
               "declined", kind="session_request")
    return session


def cancel(rel, user, session_id: int, now: dt.datetime) -> MentoringSession:
    """The proposer calls off a proposed or booked session; it no longer counts. A booked
    session still to come is cancelled in the partner's calendar too."""
    with db.atomic():
        _lock(rel)
        session = _session(rel, session_id)
        if session.status not in (PROPOSED, ACCEPTED):
            _refuse(NOT_OPEN[session.status])
        if not _is_proposer(session, user):
            _refuse(f"Only {rel.partner_of(user).name}, who proposed it, can cancel this "
                    "session." + (" You can decline it." if session.status == PROPOSED
                                  else ""))
        was_booked = session.status == ACCEPTED
        session.status = CANCELLED
        session.save()
        if session.starts_at > now:
            _email(f"mentoring-session-cancelled:{session.id}", rel, session,
                   rel.partner_of(user), f"{user.name} cancelled a mentoring session",
                   "cancelled", was_booked=was_booked,
                   attachment=sessions.attachment_for(rel, session) if was_booked else None,
                   kind="booking" if was_booked else "session_request")
    return session


# Logging ---------------------------------------------------------------------------------------

def _keep_last_session_on(rel) -> None:
    latest = (MentoringSession.select(fn.MAX(MentoringSession.held_on))
              .where(MentoringSession.relationship == rel.id, MentoringSession.status == HELD))
    Relationship.update(last_session_on=latest).where(Relationship.id == rel.id).execute()
    rel.last_session_on = (Relationship.select(Relationship.last_session_on)
                           .where(Relationship.id == rel.id).get().last_session_on)


def log_held(rel, user, session_id: int, held_on: dt.date, minutes: int, channel: str,
             summary: str, now: dt.datetime) -> MentoringSession:
    """A booked session took place. It counts already, so only its length and channel are
    checked against the allowance."""
    with db.atomic():
        _lock(rel)
        session = _session(rel, session_id)
        if session.status != ACCEPTED:
            _refuse("Only a booked session can be logged as held. "
                    + NOT_OPEN.get(session.status, "It has not been accepted yet."))
        problems = _held_on_problem(held_on, now)
        if session.starts_at > now:
            problems[""] = "This session has not started yet: log it once you have had it."
        problems.update(_allowance_problems(rel, minutes, channel, adds_one=False))
        _raise_any(problems)
        session.status, session.held_on, session.minutes = HELD, held_on, minutes
        session.channel, session.summary = channel, summary
        session.logged_by, session.logged_at = user.id, now
        session.save()
        _keep_last_session_on(rel)
    return session


def log_unplanned(rel, user, held_on: dt.date, minutes: int, channel: str, summary: str,
                  now: dt.datetime) -> MentoringSession:
    """A session the pair had without proposing it here: it counts like any other."""
    with db.atomic():
        _lock(rel)
        problems = _held_on_problem(held_on, now)
        problems.update(_allowance_problems(rel, minutes, channel, adds_one=True))
        _raise_any(problems)
        session = MentoringSession.create(
            relationship=rel.id, starts_at=times.to_utc(held_on, LOGGED_TIME),
            minutes=minutes, channel=channel, status=HELD, held_on=held_on, summary=summary,
            logged_by=user.id, logged_at=now, created_at=now)
        _keep_last_session_on(rel)
    return session


# Emails ----------------------------------------------------------------------------------------

def _email(key: str, rel, session, to, subject: str, template: str, attachment=None,
           kind: str = "booking", **context) -> str:
    notifications.notify(to.id, kind, subject,
                         path_for("mentoring.show", relationship_id=rel.id), key)
    body = render_template(
        f"emails/mentoring_session_{template}.txt", person=to, partner=rel.partner_of(to),
        rel=rel, session=session, when=sessions.when(session),
        how=allowance.how(session.channel),
        link=absolute_url("mentoring.show", relationship_id=rel.id), **context)
    mail_preferences.queue_email(to, kind, key, subject, body, attachment=attachment)
    return key


def _due(now: dt.datetime):
    return (MentoringSession.select(MentoringSession.id, Relationship.leave_starts,
                                    Relationship.leave_returns, Relationship.keep_in_touch)
            .join(Relationship)
            .where(MentoringSession.status == ACCEPTED, MentoringSession.reminded_at.is_null(),
                   MentoringSession.starts_at > now,
                   MentoringSession.starts_at <= now + REMIND_BEFORE,
                   Relationship.status.in_(list(STARTED))))


def due_reminders(now: dt.datetime) -> list[int]:
    """Booked sessions starting within a day whose pair have not been reminded, unless the
    mentee is on leave and asked not to be contacted."""
    today = times.to_local(now).date()
    return [row.id for row in _due(now).order_by(MentoringSession.starts_at,
                                                 MentoringSession.id)
            if not phases.is_paused(row.relationship, today)]


def send_reminder(session_id: int, now: dt.datetime) -> list[str] | None:
    """Queue the reminder to both people, once: their outbox keys, or None if not due."""
    with db.atomic():
        query = MentoringSession.select().where(MentoringSession.id == session_id)
        if not is_sqlite():  # two workers given the same session: the second waits
            query = query.for_update()
        session = query.first()
        if session is None or not _due(now).where(MentoringSession.id == session_id).exists():
            return None
        rel = Relationship.with_people().where(Relationship.id == session.relationship_id).get()
        if phases.is_paused(rel, times.to_local(now).date()):
            return None
        keys = [_email(f"mentoring-session-reminder:{session.id}:{person.id}", rel, session,
                       person, f"Reminder: mentoring with {rel.partner_of(person).name}, "
                       f"{times.fmt_when(session.starts_at)}", "reminder",
                       attachment=sessions.attachment_for(rel, session), kind="reminder")
                for person in (rel.mentor, rel.mentee)]
        (MentoringSession.update(reminded_at=now)
         .where(MentoringSession.id == session_id).execute())
    return keys
