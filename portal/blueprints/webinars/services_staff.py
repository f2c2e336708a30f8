"""Staff scheduling: series that generate their sessions, one-off sessions, moves and
cancellations with notices to the people booked, and attendance. Each change is one
transaction with its audit row and its emails (in the outbox)."""
import dataclasses
import datetime as dt

from portal import audience
from portal.audit import AuditEntry
from portal.blueprints.webinars import notices, times
from portal.blueprints.webinars.models import (
    ACTIVE,
    BOOKED,
    CANCELLED,
    FINISHED,
    SCHEDULED,
    WebinarBooking,
    WebinarResource,
    WebinarSeries,
    WebinarSession,
)
from portal.blueprints.webinars.services import (
    fill_free_seats,
    lock_session,
    schedule_reminders,
)
from portal.dates import add_months
from portal.db import db, utcnow

MAX_SESSIONS_PER_SERIES = 120


@dataclasses.dataclass
class SessionDetails:
    """What staff enter for a session, validated by the form; times in naive UTC."""

    title: str
    description: str
    facilitator: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    joining_link: str
    audience_value: str
    group_ids: list[int]

    def calendar_fields(self) -> dict:
        return {"title": self.title, "description": self.description,
                "facilitator": self.facilitator}


def series_days(first_day: dt.date, cadence_weeks: int, months: int) -> list[dt.date]:
    """Every `cadence_weeks` weeks from the first day, for `months` months."""
    end, days, day = add_months(first_day, months), [], first_day
    while day < end and len(days) < MAX_SESSIONS_PER_SERIES:
        days.append(day)
        day += dt.timedelta(weeks=cadence_weeks)
    return days


def create_series(actor, details: SessionDetails, *, cadence_weeks: int,
                  months: int) -> WebinarSeries:
    """The series and its sessions, at the same wall-clock time on every date, whether
    the clocks have changed in between or not."""
    local_start = times.to_local(details.starts_at)
    length = details.ends_at - details.starts_at
    with db.atomic():
        series = WebinarSeries.create(
            title=details.title, description=details.description,
            facilitator=details.facilitator, audience=details.audience_value,
            cadence_weeks=cadence_weeks, length_minutes=int(length.total_seconds() // 60),
            capacity=details.capacity, joining_link=details.joining_link, created_by=actor)
        for day in series_days(local_start.date(), cadence_weeks, months):
            starts_at = times.to_utc(day, local_start.time().replace(tzinfo=None))
            _new_session(actor, dataclasses.replace(details, starts_at=starts_at,
                                                    ends_at=starts_at + length), series)
        AuditEntry.record(actor, "webinar_series.create", series, {},
                          {"title": series.title, "cadence_weeks": cadence_weeks,
                           "months": months})
    return series


def _new_session(actor, details: SessionDetails, series=None) -> WebinarSession:
    session = WebinarSession.create(
        series=series, starts_at=details.starts_at, ends_at=details.ends_at,
        capacity=details.capacity, joining_link=details.joining_link,
        audience=details.audience_value, created_by=actor, **details.calendar_fields())
    if details.audience_value == audience.GROUPS:
        audience.set_groups(session, details.group_ids)
    return session


def create_session(actor, details: SessionDetails) -> WebinarSession:
    with db.atomic():
        session = _new_session(actor, details)
        AuditEntry.record(actor, "webinar_session.create", session, {},
                          {"title": session.title, "starts_at": session.starts_at})
    return session


def update_session(actor, session_id: int, details: SessionDetails, now=None) -> WebinarSession:
    """Edit or move a session. A change calendars show raises SEQUENCE; a move also sends
    everyone booked or waiting a notice and re-times the reminders they are still owed."""
    now = now or utcnow()
    with db.atomic():
        session = lock_session(session_id)
        before = {"title": session.title, "starts_at": session.starts_at,
                  "ends_at": session.ends_at, "capacity": session.capacity}
        moved = _apply(session, details, now)
        if moved:
            _tell_everyone_it_moved(session, now)
        fill_free_seats(session, now)  # more seats, or a later cut-off
        AuditEntry.record(actor, "webinar_session.update", session, before,
                          {"title": session.title, "starts_at": session.starts_at,
                           "ends_at": session.ends_at, "capacity": session.capacity})
    return session


def _apply(session: WebinarSession, details: SessionDetails, now) -> bool:
    """Save the new details; True when the session moved."""
    moved = (session.starts_at, session.ends_at) != (details.starts_at, details.ends_at)
    changed = moved or any(getattr(session, k) != v for k, v in details.calendar_fields().items())
    for name, value in details.calendar_fields().items():
        setattr(session, name, value)
    session.starts_at, session.ends_at = details.starts_at, details.ends_at
    session.capacity, session.joining_link = details.capacity, details.joining_link
    session.audience = details.audience_value
    session.sequence += 1 if changed else 0  # calendars show title, times, description
    session.updated_at = now
    session.save()
    audience.set_groups(session, details.group_ids
                        if details.audience_value == audience.GROUPS else [])
    return moved


def _active_bookings(session):
    return list(session.people().where(WebinarBooking.status.in_(ACTIVE)))


def _tell_everyone_it_moved(session: WebinarSession, now) -> None:
    bookings = _active_bookings(session)
    schedule_reminders(session, [b.id for b in bookings if b.status == BOOKED], now)
    for booking in bookings:
        notices.moved(booking, session)


def cancel_session(actor, session_id: int, reason: str, now=None) -> WebinarSession:
    """Cancel with a reason, which everyone booked, offered or waiting is sent."""
    now = now or utcnow()
    with db.atomic():
        session = lock_session(session_id)
        if session.status == CANCELLED:
            return session
        before = {"status": session.status}
        session.status, session.cancel_reason = CANCELLED, reason.strip()
        session.sequence += 1
        session.updated_at = now
        session.save()
        for booking in _active_bookings(session):
            notices.cancelled(booking, session)
        AuditEntry.record(actor, "webinar_session.cancel", session, before,
                          {"status": CANCELLED, "reason": session.cancel_reason})
    return session


def mark_attendance(actor, booking: WebinarBooking, attended: bool | None) -> WebinarBooking:
    with db.atomic():
        before = {"attended": booking.attended}
        booking.attended = attended
        booking.save(only=[WebinarBooking.attended])
        AuditEntry.record(actor, "webinar_booking.attendance", booking, before,
                          {"attended": attended})
    return booking


def finish_past_sessions(now=None) -> int:
    """Scheduled sessions that have ended become finished."""
    now = now or utcnow()
    return (WebinarSession.update(status=FINISHED)
            .where(WebinarSession.status == SCHEDULED, WebinarSession.ends_at <= now)
            .execute())


def attach_resource(actor, session: WebinarSession, resource) -> bool:
    """Link a library resource to the session; False if it was already there."""
    with db.atomic():
        added = (WebinarResource.insert(session=session, resource=resource)
                 .on_conflict_ignore().as_rowcount().execute())
        if added:
            AuditEntry.record(actor, "webinar_session.attach", session, {},
                              {"resource": resource.id, "title": resource.title})
    return bool(added)


def detach_resource(actor, session: WebinarSession, resource_id: int) -> None:
    with db.atomic():
        removed = (WebinarResource.delete()
                   .where(WebinarResource.session == session,
                          WebinarResource.resource == resource_id).execute())
        if removed:
            AuditEntry.record(actor, "webinar_session.detach", session,
                              {"resource": resource_id}, {})
