"""What webinars tell people: an item in their notification centre and, as they choose, an
email (bookings and their changes always). Each is written inside the transaction of the
change that causes it, under a key that makes it one message however often it is queued."""
from flask import render_template

from portal import mail_preferences, notifications
from portal.blueprints.webinars import calendar, times
from portal.links import absolute_url, path_for


def _send(key: str, booking, session, template: str, subject: str, kind: str = "booking",
          with_calendar=True, **context) -> str:
    notifications.notify(booking.user_id, kind, subject,
                         path_for("webinars.show", session_id=session.id), key)
    body = render_template(f"emails/{template}.txt", session=session, booking=booking,
                           person=booking.user, when=times.fmt_span(session.starts_at,
                                                                    session.ends_at),
                           link=absolute_url("webinars.show", session_id=session.id),
                           **context)
    mail_preferences.queue_email(
        booking.user, kind, key, subject, body,
        attachment=calendar.attachment_for(session) if with_calendar else None)
    return key


def booked(booking, session, promoted: bool = False) -> str:
    stamp = booking.booked_at.isoformat()
    return _send(f"webinar-booked:{booking.id}:{stamp}", booking, session, "webinar_booked",
                 f"You have a place at “{session.title}”", promoted=promoted)


def offered(booking, session) -> str:
    stamp = booking.offer_expires_at.isoformat()
    return _send(f"webinar-offer:{booking.id}:{stamp}", booking, session, "webinar_offer",
                 f"A seat is free at “{session.title}”: claim it", "webinar_offer",
                 with_calendar=False,
                 claim_by=times.fmt_when(booking.offer_expires_at))


def offer_lapsed(booking, session, expired_at) -> str:
    return _send(f"webinar-offer-lapsed:{booking.id}:{expired_at.isoformat()}", booking,
                 session, "webinar_offer_lapsed",
                 f"Your seat at “{session.title}” has passed to the next person",
                 "webinar_offer", with_calendar=False)


def reminder(booking, session, kind: str) -> str:
    lead = {"24h": "tomorrow", "1h": "in an hour"}.get(kind, "soon")
    return _send(f"webinar-reminder:{booking.id}:{kind}", booking, session,
                 "webinar_reminder", f"Reminder: “{session.title}” starts {lead}", "reminder",
                 lead=lead)


def moved(booking, session) -> str:
    return _send(f"webinar-change:{booking.id}:{session.sequence}", booking, session,
                 "webinar_moved", f"“{session.title}” has moved to "
                 f"{times.fmt_when(session.starts_at)}")


def cancelled(booking, session) -> str:
    return _send(f"webinar-cancelled:{booking.id}:{session.sequence}", booking, session,
                 "webinar_cancelled", f"Cancelled: “{session.title}”")
