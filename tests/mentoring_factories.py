"""Released pairs in the demo's schemes, for the pair's-space tests. Call inside an app
context with a connection. The programme is made through the real services; the pair is
written as matching's release would leave it, so each test starts in the pair's space."""
import dataclasses
import datetime as dt

from portal.blueprints.mentoring.models import RELEASED, Relationship
from portal.blueprints.programmes import services
from portal.blueprints.programmes.models import TWO_WAY
from portal.db import utcnow
from tests.programme_factories import RTW_ROLES, cohort_details, programme_details

SHORT_VIRTUAL = {"name": "Short virtual mentoring", "max_sessions": 3,
                 "max_session_minutes": 90, "allowed_channels": ["telephone"],
                 "length_min_months": 1, "length_max_months": 3, "checkin_weeks": 4,
                 "inactivity_days": 30}
TRANSCULTURAL = {"name": "Transcultural reverse mentoring", "relationship": TWO_WAY,
                 "target_meetings": 6, "target_months": 12, "length_max_months": 12,
                 "checkin_weeks": 8, "inactivity_days": 90}
RETURN_TO_WORK = {"name": "Return to Work", "length_max_months": 12, "checkin_weeks": 6,
                  "inactivity_days": 60}
SCHEMES = {"short_virtual": SHORT_VIRTUAL, "transcultural": TRANSCULTURAL,
           "return_to_work": RETURN_TO_WORK}


@dataclasses.dataclass
class Pair:
    rel: Relationship
    mentor: object
    mentee: object
    coordinator: object


def make_programme(coordinator, scheme="short_virtual", **overrides):
    """One of the schemes, published, with a cohort in its mentoring phase, and
    `coordinator` named as its coordinator: (programme, cohort)."""
    details = {**SCHEMES[scheme], **overrides}
    programme = services.save_programme(coordinator, None, programme_details(**details),
                                        RTW_ROLES)
    services.add_coordinator(coordinator, programme, coordinator)
    today = dt.date.today()
    cohort = services.create_cohort(coordinator, programme, cohort_details(
        recruitment_opens=today - dt.timedelta(days=60),
        recruitment_closes=today - dt.timedelta(days=40),
        training_starts=today - dt.timedelta(days=30),
        training_ends=today - dt.timedelta(days=29),
        mentoring_starts=today - dt.timedelta(days=7)))
    programme.load_coordinator_ids()
    return programme, cohort


def release_pair(programme, cohort, mentor, mentee, now=None, **fields) -> Relationship:
    now = now or utcnow()
    return Relationship.create(programme=programme, cohort=cohort, mentor=mentor, mentee=mentee,
                               status=RELEASED, released_at=now,
                               respond_by=now + dt.timedelta(days=7), **fields)


def make_pair(make_user, scheme="short_virtual", coordinator=None, **overrides) -> Pair:
    """A released pair in a new programme of `scheme`, with a staff coordinator."""
    coordinator = coordinator or make_user(role="staff", name="Cora Coordinator")
    programme, cohort = make_programme(coordinator, scheme, **overrides)
    mentor = make_user(name="Maya Mentor")
    mentee = make_user(name="Ned Mentee")
    return Pair(release_pair(programme, cohort, mentor, mentee), mentor, mentee, coordinator)
