"""Demo webinars: a six-weekly supervision series for the 2027 return-to-work cohort and an
open network meeting, with the demo mentor booked on the first supervision session."""
import datetime as dt

from portal import audience
from portal.blueprints.webinars import services, services_staff, times
from portal.blueprints.webinars.models import WebinarSeries, WebinarSession
from portal.db import utcnow
from portal.groups import Group

SERIES_TITLE = "Return to work supervision"
MEETING_TITLE = "Reverse mentoring network meeting"


def _next_monday() -> dt.date:
    today = times.to_local(utcnow()).date()
    return today + dt.timedelta(days=7 - today.weekday())


def _details(title, description, day, start, minutes, capacity, audience_value, groups):
    starts_at = times.to_utc(day, start)
    return services_staff.SessionDetails(
        title=title, description=description, facilitator="Dr Fay Facilitator",
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes),
        capacity=capacity, joining_link="https://meet.example.nhs.uk/tandem-supervision",
        audience_value=audience_value, group_ids=groups)


def ensure_webinars(people: dict) -> None:
    staff, mentor = people["staff@tandem.example"], people["mentor@tandem.example"]
    if not WebinarSeries.select().where(WebinarSeries.title == SERIES_TITLE).exists():
        cohort = Group.get_or_none(Group.name == "Return to Work 2027 cohort")
        details = _details(
            SERIES_TITLE, "Group supervision for mentors and mentees in the 2027 cohort: "
            "bring a dilemma from your mentoring to talk through.", _next_monday(),
            dt.time(10, 0), 90, 12, audience.GROUPS if cohort else audience.SIGNED_IN,
            [cohort.id] if cohort else [])
        series = services_staff.create_series(staff, details, cadence_weeks=6, months=12)
        first = series.sessions().first()
        services.book_seat(mentor, first.id)
    if not WebinarSession.select().where(WebinarSession.title == MEETING_TITLE).exists():
        services_staff.create_session(staff, _details(
            MEETING_TITLE, "An open meeting for everyone in the reverse mentoring scheme.",
            _next_monday() + dt.timedelta(days=16), dt.time(13, 0), 60, 40,
            audience.SIGNED_IN, []))
