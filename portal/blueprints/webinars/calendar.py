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


def _calendar(name: str | None = None, prodid: str = PRODID) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def event(*, uid: str, sequence: int, stamp: dt.datetime, starts_at: dt.datetime,
          ends_at: dt.datetime, summary: str, description: str, url: str, location: str,
          cancelled: bool = False, tz=None) -> Event:
    """One VEVENT from naive UTC times, written in the organisation's zone (any area's
    calendar files use it: webinars, mentoring sessions)."""
    tz = tz or times.zone()
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.replace(tzinfo=dt.UTC))
    event.add("dtstart", times.to_local(starts_at, tz))
    event.add("dtend", times.to_local(ends_at, tz))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def session_event(session, tz=None) -> Event:
    page = absolute_url("webinars.show", session_id=session.id)
    description = session.description.strip()
    if session.facilitator:
        description = f"Facilitator: {session.facilitator}\n\n{description}".strip()
    if session.status == CANCELLED and session.cancel_reason:
        description = f"Cancelled: {session.cancel_reason}\n\n{description}"
    return event(uid=session.uid, sequence=session.sequence,
                 stamp=session.updated_at or utcnow(), starts_at=session.starts_at,
                 ends_at=session.ends_at, summary=session.title,
                 description=f"{description}\n\nDetails and joining link: {page}".strip(),
                 url=page, location="Online", cancelled=session.status == CANCELLED, tz=tz)


def events_bytes(events: list[Event], name: str | None = None, prodid: str = PRODID) -> bytes:
    """A calendar file of these events, with the VTIMEZONE of the zone they are written in,
    so calendar apps and parsers read the local times in the right zone."""
    calendar = _calendar(name, prodid)
    for one in events:
        calendar.add_component(one)
    if events:  # the zone's rules for the years the events span, not 1970 to 2038
        first = min(e.decoded("dtstart") for e in events).date() - dt.timedelta(days=366)
        last = max(e.decoded("dtend") for e in events).date() + dt.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def calendar_bytes(sessions, name: str | None = None) -> bytes:
    tz = times.zone()
    return events_bytes([session_event(session, tz) for session in sessions], name)


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
