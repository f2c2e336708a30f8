"""A cohort's webinars, each created in one step from the cohort page: its supervision
series (every 6 or 8 weeks), its training sessions for a role, and its network meetings.
Every session is a webinar whose audience is the cohort's group for the role (or its
everyone group), recorded as a CohortWebinar with its purpose, so training attendance
marks people trained (Application.with_training).

Each function is one transaction: the webinars, their audience rows, the CohortWebinar
rows and the audit rows, or none of them. `details` is the webinar area's SessionDetails
for the first session; its audience is set here, whatever the caller passed.
"""
import dataclasses
import datetime as dt

from portal import audience
from portal.audit import AuditEntry
from portal.blueprints.programmes.models import (
    ALL_ROLES,
    MENTOR,
    NETWORK,
    SUPERVISION,
    TRAINING,
    Cohort,
    CohortWebinar,
)
from portal.blueprints.webinars import services_staff, times
from portal.blueprints.webinars.models import WebinarSession
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.db import db

CADENCES = (6, 8)  # supervision every six or eight weeks
MAX_TRAINING_DAYS = 5
MAX_NETWORK_MEETINGS = 6


def group_for(cohort: Cohort, role: str) -> int:
    """The group a cohort webinar is restricted to: the role's, or everyone's."""
    if role == ALL_ROLES:
        return cohort.everyone_group_id
    return cohort.mentors_group_id if role == MENTOR else cohort.mentees_group_id


def _for_cohort(details: SessionDetails, cohort: Cohort, role: str) -> SessionDetails:
    return dataclasses.replace(details, audience_value=audience.GROUPS,
                               group_ids=[group_for(cohort, role)])


def shifted(details: SessionDetails, days: int) -> SessionDetails:
    """The same wall-clock time `days` later, whether the clocks change or not."""
    start = times.to_local(details.starts_at)
    starts_at = times.to_utc(start.date() + dt.timedelta(days=days),
                             start.time().replace(tzinfo=None))
    return dataclasses.replace(details, starts_at=starts_at,
                               ends_at=starts_at + (details.ends_at - details.starts_at))


def _record(actor, cohort: Cohort, purpose: str, role: str, sessions) -> list[WebinarSession]:
    sessions = list(sessions)
    CohortWebinar.insert_many([{"cohort": cohort.id, "session": s.id, "purpose": purpose,
                                "role": role} for s in sessions]).execute()
    AuditEntry.record(actor, f"cohort.{purpose}", cohort, {},
                      {"sessions": [s.id for s in sessions], "role": role})
    return sessions


def create_supervision(actor, cohort: Cohort, details: SessionDetails, *, role: str,
                       cadence_weeks: int, months: int) -> list[WebinarSession]:
    """A webinar series every `cadence_weeks` weeks for `months` months."""
    if cadence_weeks not in CADENCES:
        raise ValueError(f"supervision runs every {' or '.join(map(str, CADENCES))} weeks")
    with db.atomic():
        series = services_staff.create_series(actor, _for_cohort(details, cohort, role),
                                              cadence_weeks=cadence_weeks, months=months)
        sessions = (WebinarSession.select().where(WebinarSession.series == series)
                    .order_by(WebinarSession.starts_at, WebinarSession.id))
        return _record(actor, cohort, SUPERVISION, role, sessions)


def create_training(actor, cohort: Cohort, details: SessionDetails, *, role: str,
                    days: int) -> list[WebinarSession]:
    """Training for a role (or both): one session a day on `days` consecutive days.
    Attending every one of them marks a participant trained."""
    if not 1 <= days <= MAX_TRAINING_DAYS:
        raise ValueError(f"training runs on 1 to {MAX_TRAINING_DAYS} days")
    with db.atomic():
        base = _for_cohort(details, cohort, role)
        sessions = [services_staff.create_session(actor, shifted(base, n))
                    for n in range(days)]
        return _record(actor, cohort, TRAINING, role, sessions)


def create_network_meetings(actor, cohort: Cohort, details: SessionDetails, *,
                            meetings: int, weeks_apart: int) -> list[WebinarSession]:
    """Meetings for everyone in the cohort, `weeks_apart` weeks apart."""
    if not 1 <= meetings <= MAX_NETWORK_MEETINGS:
        raise ValueError(f"between 1 and {MAX_NETWORK_MEETINGS} network meetings")
    with db.atomic():
        base = _for_cohort(details, cohort, ALL_ROLES)
        sessions = [services_staff.create_session(actor, shifted(base, 7 * weeks_apart * n))
                    for n in range(meetings)]
        return _record(actor, cohort, NETWORK, ALL_ROLES, sessions)
