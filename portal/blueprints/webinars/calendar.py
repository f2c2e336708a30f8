"""iCalendar files: one per session, and a person's feed of booked sessions.

Each event keeps its session's UID for life; SEQUENCE goes up when the session moves or is
cancelled, and a cancelled session stays in the feed with STATUS:CANCELLED, so calendar
apps update the event they already have instead of adding a second one."""
import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app
from icalendar import Calendar, Event

from portal.blueprints.webinars import times
from portal.blueprints.webinars.models import CANCELLED, WebinarFeed
from portal.db import utcnow
from portal.links import absolute_url

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Tandem//Supervision webinars//EN"


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def session_event(session, tz=None) -> Event:
    tz = tz or times.zone()
    page = absolute_url("webinars.show", session_id=session.id)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", (session.updated_at or utcnow()).replace(tzinfo=dt.UTC))
    event.add("dtstart", times.to_local(session.starts_at, tz))
    event.add("dtend", times.to_local(session.ends_at, tz))
    event.add("summary", session.title)
    description = session.description.strip()
    if session.facilitator:
        description = f"Facilitator: {session.facilitator}\n\n{description}".strip()
    if session.status == CANCELLED and session.cancel_reason:
        description = f"Cancelled: {session.cancel_reason}\n\n{description}"
    event.add("description", f"{description}\n\nDetails and joining link: {page}".strip())
    event.add("location", "Online")
    event.add("url", page)
    event.add("status", "CANCELLED" if session.status == CANCELLED else "CONFIRMED")
    return event


def calendar_bytes(sessions, name: str | None = None) -> bytes:
    calendar, tz, sessions = _calendar(name), times.zone(), list(sessions)
    for session in sessions:
        calendar.add_component(session_event(session, tz))
    if sessions:  # the zone's rules for the years the events span, not 1970 to 2038
        first = min(s.starts_at for s in sessions).date() - dt.timedelta(days=366)
        last = max(s.ends_at for s in sessions).date() + dt.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def attachment_for(session) -> tuple[str, str, str]:
    """The session's calendar file, for queue_email(attachment=...)."""
    return ("webinar.ics", "text/calendar", calendar_bytes([session]).decode())


# The feed's secret address
def _signature(feed: WebinarFeed) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"webinar-feed:{feed.id}:{feed.user_id}:{feed.nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def feed_token(feed: WebinarFeed) -> str:
    return f"{feed.id}-{_signature(feed)}"


def feed_for_token(token: str) -> WebinarFeed | None:
    feed_id, _, signature = token.partition("-")
    if not feed_id.isdigit() or len(feed_id) > 12:
        return None
    feed = WebinarFeed.get_or_none(WebinarFeed.id == int(feed_id))
    if feed is None or not hmac.compare_digest(signature, _signature(feed)):
        return None
    return feed


def new_nonce() -> str:
    return secrets.token_urlsafe(32)
