"""Booking webinar seats: places, the waitlist, offers of freed seats, and reminders owed.

Every change to a session's seats happens inside one transaction that first locks the
session: on SQLite `db.atomic()` begins IMMEDIATE, which already serialises writers; on
PostgreSQL the session row is taken FOR UPDATE before anything is counted. So however many
people click at once, no more seats are given than the session has.
"""
import datetime as dt

from flask import current_app

from portal import settings
from portal.blueprints.accounts.models import User
from portal.blueprints.webinars import notices
from portal.blueprints.webinars.models import (
    BOOKED,
    CANCELLED,
    LAPSED,
    OFFERED,
    SCHEDULED,
    WAITLISTED,
    WITHDRAWN,
    WebinarBooking,
    WebinarReminder,
    WebinarSession,
)
from portal.db import db, is_sqlite, utcnow

DEFAULT_REMINDERS = (("24h", 24 * 60), ("1h", 60))


class BookingRefused(Exception):
    """The action is not possible now; the message is for the person."""


def reminder_kinds() -> tuple[tuple[str, int], ...]:
    """(kind, minutes before the start): WEBINAR_REMINDERS in the config may change them."""
    return tuple(current_app.config.get("WEBINAR_REMINDERS", DEFAULT_REMINDERS))


def lock_session(session_id: int) -> WebinarSession:
    """Call inside db.atomic(): the session row, locked against other writers."""
    query = WebinarSession.select().where(WebinarSession.id == session_id)
    if not is_sqlite():
        query = query.for_update()
    session = query.first()
    if session is None:
        raise BookingRefused("This session no longer exists")
    return session


def _booking(session_id: int, user_id: int) -> WebinarBooking | None:
    return (WebinarBooking.select(WebinarBooking, User).join(User)
            .where(WebinarBooking.session == session_id, WebinarBooking.user == user_id)
            .first())


def book_seat(user, session_id: int, now=None) -> WebinarBooking:
    """A seat if one is free, otherwise a place at the end of the waitlist."""
    now = now or utcnow()
    with db.atomic():
        session = lock_session(session_id)
        if session.status == CANCELLED:
            raise BookingRefused("This session is cancelled")
        if not session.is_open_for_booking(now):
            raise BookingRefused("Booking for this session has closed")
        booking = _booking(session.id, user.id)
        if booking is not None and booking.is_active:
            return booking
        fill_free_seats(session, now)  # anyone already waiting goes first
        has_seat = session.seats_taken_now() < session.capacity
        if booking is None:
            booking = WebinarBooking(session=session, user=User.get_by_id(user.id))
        booking.status, booking.joined_at = (BOOKED if has_seat else WAITLISTED), now
        booking.booked_at = now if has_seat else None
        booking.offer_expires_at = booking.cancelled_at = booking.attended = None
        booking.save()
        if has_seat:
            schedule_reminders(session, [booking.id], now)
            notices.booked(booking, session)
    return booking


def cancel_booking(user, session_id: int, now=None) -> WebinarBooking | None:
    """Give up a seat, an offered seat or a waitlist place; a freed seat is offered on."""
    now = now or utcnow()
    with db.atomic():
        session = lock_session(session_id)
        booking = _booking(session.id, user.id)
        if booking is None or not booking.is_active:
            return booking
        if session.has_started(now):
            raise BookingRefused("This session has started, so your place can no longer "
                                 "be cancelled")
        held_seat = booking.holds_seat
        booking.status, booking.cancelled_at, booking.offer_expires_at = WITHDRAWN, now, None
        booking.save()
        if held_seat:
            fill_free_seats(session, now)
    return booking


def claim_offer(user, session_id: int, now=None) -> WebinarBooking:
    now = now or utcnow()
    with db.atomic():
        session = lock_session(session_id)
        booking = _booking(session.id, user.id)
        if booking is None or booking.status != OFFERED:
            raise BookingRefused("There is no seat offered to you on this session")
        if booking.offer_expires_at <= now or not session.is_open_for_booking(now):
            lapsed = True
            _lapse(booking, session, now)
        else:
            lapsed = False
            _confirm(booking, session, now)
    if lapsed:
        raise BookingRefused("Your offer has lapsed and the seat has passed to the next "
                             "person. You can join the waitlist again.")
    return booking


def expire_offer(booking_id: int, now=None) -> bool:
    """Let an unclaimed offer lapse and offer the seat to the next person."""
    now = now or utcnow()
    with db.atomic():
        found = WebinarBooking.get_or_none(WebinarBooking.id == booking_id)
        if found is None:
            return False
        session = lock_session(found.session_id)
        booking = _booking(session.id, found.user_id)  # re-read under the lock
        if booking.status != OFFERED or booking.offer_expires_at > now:
            return False
        _lapse(booking, session, now)
    return True


def _confirm(booking: WebinarBooking, session: WebinarSession, now, promoted=False) -> None:
    booking.status, booking.booked_at, booking.offer_expires_at = BOOKED, now, None
    booking.save()
    schedule_reminders(session, [booking.id], now)
    notices.booked(booking, session, promoted=promoted)


def _lapse(booking: WebinarBooking, session: WebinarSession, now) -> None:
    expired_at = booking.offer_expires_at
    booking.status, booking.offer_expires_at = LAPSED, None
    booking.save()
    notices.offer_lapsed(booking, session, expired_at)
    fill_free_seats(session, now)


def fill_free_seats(session: WebinarSession, now) -> list[WebinarBooking]:
    """Offer each free seat to the next person waiting (or book them straight away when
    the claim window is 0). Nothing moves once booking has closed."""
    if not session.is_open_for_booking(now):
        return []
    free = session.capacity - session.seats_taken_now()
    if free <= 0:
        return []
    waiting = list(WebinarBooking.select(WebinarBooking, User).join(User)
                   .where(WebinarBooking.session == session,
                          WebinarBooking.status == WAITLISTED)
                   .order_by(WebinarBooking.joined_at, WebinarBooking.id).limit(free))
    hours = settings.get("webinar_claim_hours")
    for booking in waiting:
        if hours <= 0:
            _confirm(booking, session, now, promoted=True)
            continue
        booking.status = OFFERED
        booking.offer_expires_at = min(now + dt.timedelta(hours=hours),
                                       session.booking_closes_at())
        booking.save()
        notices.offered(booking, session)
    return waiting


def schedule_reminders(session: WebinarSession, booking_ids: list[int], now) -> None:
    """Owe each booked person the reminders still ahead of the session's start. A reminder
    already sent stays sent (a moved session gets a change notice, not a second reminder);
    one whose time has passed is not owed (no stale reminder for a late booking)."""
    if not booking_ids:
        return
    existing = {(r.booking_id, r.kind): r for r in WebinarReminder.select().where(
        WebinarReminder.booking.in_(booking_ids))}
    for kind, minutes in reminder_kinds():
        due = session.starts_at - dt.timedelta(minutes=minutes)
        pending = [r.id for (_, k), r in existing.items() if k == kind and r.sent_at is None]
        if due <= now:
            WebinarReminder.delete().where(WebinarReminder.id.in_(pending or [0])).execute()
            continue
        if pending:
            (WebinarReminder.update(due_at=due)
             .where(WebinarReminder.id.in_(pending)).execute())
        missing = [b for b in booking_ids if (b, kind) not in existing]
        if missing:
            WebinarReminder.insert_many([{"booking": b, "kind": kind, "due_at": due}
                                         for b in missing]).execute()


def due_reminders(now=None):
    """Ids of reminders whose time has come, for booked people on sessions not yet begun."""
    now = now or utcnow()
    return (WebinarReminder.select(WebinarReminder.id)
            .join(WebinarBooking).join(WebinarSession)
            .where(WebinarReminder.sent_at.is_null(), WebinarReminder.due_at <= now,
                   WebinarBooking.status == BOOKED, WebinarSession.status == SCHEDULED,
                   WebinarSession.starts_at > now)
            .order_by(WebinarReminder.due_at, WebinarReminder.id))


def send_reminder(reminder_id: int, now=None) -> str | None:
    """Queue one reminder email, once: returns its outbox key, or None if not due."""
    now = now or utcnow()
    with db.atomic():
        query = WebinarReminder.select().where(WebinarReminder.id == reminder_id)
        if not is_sqlite():  # two workers given the same reminder: the second waits
            query = query.for_update()
        if query.first() is None or not due_reminders(now).where(
                WebinarReminder.id == reminder_id).exists():
            return None
        reminder = (WebinarReminder.select(WebinarReminder, WebinarBooking, WebinarSession, User)
                    .join(WebinarBooking).join(WebinarSession)
                    .switch(WebinarBooking).join(User)
                    .where(WebinarReminder.id == reminder_id).get())
        if _superseded(reminder, now):
            reminder.delete_instance()  # "starts in an hour" has come: "tomorrow" is stale
            return None
        key = notices.reminder(reminder.booking, reminder.booking.session, reminder.kind)
        WebinarReminder.update(sent_at=now).where(WebinarReminder.id == reminder_id).execute()
    return key


def _superseded(reminder: WebinarReminder, now) -> bool:
    """A later reminder for the same booking is already due (the jobs were not running)."""
    return (WebinarReminder.select()
            .where(WebinarReminder.booking == reminder.booking_id,
                   WebinarReminder.due_at > reminder.due_at, WebinarReminder.due_at <= now)
            .exists())
