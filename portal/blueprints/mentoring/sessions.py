"""What the pair page shows about the sessions: what is planned (proposed and booked), the
latest held sessions with their shared summaries, the next session, the sessions left in
the programme's allowance and the progress towards its target. Three queries, whatever the
number of sessions; and each booked session's calendar file."""
import dataclasses
import datetime as dt

from peewee import fn

from portal.blueprints.mentoring import allowance
from portal.blueprints.mentoring.models import (
    ACCEPTED,
    CANCELLED,
    COUNTED,
    HELD,
    PROPOSED,
    MentoringSession,
)
from portal.blueprints.programmes.models import CHANNELS
from portal.blueprints.webinars import calendar, times
from portal.db import utcnow
from portal.links import absolute_url
from portal.permissions import can_work_in_pair

HELD_SHOWN = 5  # the rest are on the held sessions page
PRODID = "-//Tandem//Mentoring sessions//EN"


def ends_at(session: MentoringSession) -> dt.datetime:
    return session.starts_at + dt.timedelta(minutes=session.minutes)


def when(session: MentoringSession) -> str:
    """"Tuesday 5 May 2026, 2pm to 3pm (BST)" on the organisation's clock."""
    return times.fmt_span(session.starts_at, ends_at(session))


def held_day(session: MentoringSession) -> str:
    return session.held_on.strftime("%A %-d %B %Y")


def channel_label(channel: str) -> str:
    """"Telephone", "Video call": a channel on its own."""
    return CHANNELS.get(channel, channel)


@dataclasses.dataclass
class SessionsSection:
    planned: list
    held: list
    held_count: int
    counted: int
    sessions_left: int | None
    max_sessions: int | None
    target: str | None
    rule: str
    next_session: MentoringSession | None
    can_work: bool


def _describe_planned(session, rel, user, now, can_work: bool) -> None:
    """What this person sees and may do about one planned session (the services check the
    same rules again on each action)."""
    mine = session.proposed_by_id in (None, user.id)
    proposer = rel.mentor if session.proposed_by_id == rel.mentor_id else rel.mentee
    partner = rel.partner_of(user).name
    started = session.starts_at <= now
    session.when, session.channel_label = when(session), channel_label(session.channel)
    session.is_booked = session.status == ACCEPTED
    session.can_accept = can_work and not mine and session.status == PROPOSED and not started
    session.can_decline = can_work and not mine and session.status == PROPOSED
    session.can_cancel = can_work and mine
    session.can_log = can_work and session.is_booked and started
    if session.is_booked:
        session.state = "Booked: log it once you have had it" if started else "Booked"
    elif started:
        session.state = ("No reply came before the time: cancel it so it no longer counts"
                         if mine else f"{proposer.name} proposed this time, which has passed")
    else:
        session.state = (f"Waiting for {partner} to reply" if mine
                         else f"{proposer.name} proposed this time")


def describe_held(session) -> None:
    session.day, session.channel_label = held_day(session), channel_label(session.channel)


def _counts(rel) -> dict[str, int]:
    return dict(MentoringSession.select(MentoringSession.status, fn.COUNT(MentoringSession.id))
                .where(MentoringSession.relationship == rel.id)
                .group_by(MentoringSession.status).tuples())


def held_sessions(rel):
    """The pair's held sessions, latest first, with their summaries (never for coordinators:
    only the pair's loaders reach this)."""
    return (MentoringSession.select(
        MentoringSession.id, MentoringSession.held_on, MentoringSession.minutes,
        MentoringSession.channel, MentoringSession.summary)
        .where(MentoringSession.relationship == rel.id, MentoringSession.status == HELD)
        .order_by(MentoringSession.held_on.desc(), MentoringSession.id.desc()))


def section(rel, user, now: dt.datetime) -> SessionsSection:
    counts = _counts(rel)
    planned = list(MentoringSession.select(
        MentoringSession.id, MentoringSession.proposed_by, MentoringSession.starts_at,
        MentoringSession.minutes, MentoringSession.channel, MentoringSession.status)
        .where(MentoringSession.relationship == rel.id,
               MentoringSession.status.in_([PROPOSED, ACCEPTED]))
        .order_by(MentoringSession.starts_at, MentoringSession.id))
    held = list(held_sessions(rel).limit(HELD_SHOWN))
    can_work = can_work_in_pair(user, rel)
    for session in planned:
        _describe_planned(session, rel, user, now, can_work)
    for session in held:
        describe_held(session)
    counted = sum(counts.get(status, 0) for status in COUNTED)
    programme = rel.programme
    return SessionsSection(
        planned=planned, held=held, held_count=counts.get(HELD, 0), counted=counted,
        sessions_left=allowance.sessions_left(programme, counted),
        max_sessions=programme.max_sessions,
        target=allowance.target_progress(programme, counts.get(HELD, 0)),
        rule=allowance.rule_summary(programme),
        next_session=next((s for s in planned if s.is_booked and ends_at(s) > now), None),
        can_work=can_work)


def section_context(rel, user, today) -> dict:
    """The template variables of the pair page's sessions section: three queries."""
    return {"sessions_section": section(rel, user, utcnow())}


# Calendar files ----------------------------------------------------------------------------

def was_booked(session: MentoringSession) -> bool:
    """Accepted at some point: it may be in the pair's calendars."""
    return session.responded_at is not None and session.status in (ACCEPTED, HELD, CANCELLED)


def calendar_file(rel, session: MentoringSession) -> bytes:
    """The session as an iCalendar file in the organisation's zone (with its VTIMEZONE). A
    cancelled session keeps its UID with a higher SEQUENCE, so calendars drop the event."""
    page = absolute_url("mentoring.show", relationship_id=rel.id)
    cancelled = session.status == CANCELLED
    how = CHANNELS.get(session.channel, session.channel)
    event = calendar.event(
        uid=f"mentoring-session-{session.id}@tandem", sequence=1 if cancelled else 0,
        stamp=utcnow(), starts_at=session.starts_at, ends_at=ends_at(session),
        summary=f"Mentoring: {rel.mentor.name} and {rel.mentee.name}",
        description=f"{session.minutes}-minute mentoring session ({how.lower()}) in "
                    f"{rel.programme.name}.\n\nYour pair page: {page}",
        url=page, location=how, cancelled=cancelled)
    return calendar.events_bytes([event], prodid=PRODID)


def attachment_for(rel, session) -> tuple[str, str, str]:
    """The calendar file, for queue_email(attachment=...)."""
    return ("mentoring-session.ics", "text/calendar", calendar_file(rel, session).decode())
