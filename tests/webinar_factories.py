"""Webinar sessions and bookings for tests, made through the real services."""
import datetime as dt

from portal import audience, settings
from portal.blueprints.accounts.models import User
from portal.blueprints.webinars import services, services_staff
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow

LINK = "https://meet.example.nhs.uk/supervision-123"


def make_session(app, *, title="Group supervision", starts_at=None,
                 starts_in=dt.timedelta(days=7), minutes=90, capacity=10,
                 audience_value=audience.SIGNED_IN, group_ids=(), joining_link=LINK,
                 facilitator="Dr Fay Facilitator", description="Bring a dilemma.",
                 actor=None) -> WebinarSession:
    """A one-off session; starts_at (naive UTC) may be in the past, for attendance tests."""
    starts_at = starts_at or (utcnow() + starts_in).replace(second=0, microsecond=0)
    details = services_staff.SessionDetails(
        title=title, description=description, facilitator=facilitator, starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes), capacity=capacity,
        joining_link=joining_link, audience_value=audience_value, group_ids=list(group_ids))
    with app.app_context(), db.connection_context():
        return services_staff.create_session(actor, details)


def book(app, user, session, now=None) -> WebinarBooking:
    with app.app_context(), db.connection_context():
        return services.book_seat(User.get_by_id(user.id), session.id, now=now)


def cancel(app, user, session, now=None):
    with app.app_context(), db.connection_context():
        return services.cancel_booking(User.get_by_id(user.id), session.id, now=now)


def booking_of(app, user, session) -> WebinarBooking | None:
    with app.app_context(), db.connection_context():
        return WebinarBooking.get_or_none(WebinarBooking.user == user.id,
                                          WebinarBooking.session == session.id)


def reload(app, session) -> WebinarSession:
    with app.app_context(), db.connection_context():
        return WebinarSession.get_by_id(session.id)


def set_settings(app, **values) -> None:
    with app.app_context(), db.connection_context():
        settings.save(values)


def move_into_the_past(app, session, minutes_ago=30) -> None:
    """Time passes: the session started `minutes_ago` minutes ago."""
    with app.app_context(), db.connection_context():
        length = session.ends_at - session.starts_at
        start = utcnow() - dt.timedelta(minutes=minutes_ago)
        (WebinarSession.update(starts_at=start, ends_at=start + length)
         .where(WebinarSession.id == session.id).execute())


def next_spring_clock_change() -> dt.date:
    """The next Sunday the UK clocks go forward (the last Sunday of March) that is more than
    13 weeks away, so a series can start in the winter before it (28 March in 2027)."""
    today = utcnow().date()
    for year in (today.year, today.year + 1):
        last = dt.date(year, 3, 31)
        change = last - dt.timedelta(days=(last.weekday() + 1) % 7)
        if change - dt.timedelta(weeks=13) > today:
            return change
    raise AssertionError("unreachable")
