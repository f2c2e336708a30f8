"""The volunteer expert scheme for tests: an open programme, a small taxonomy, and experts
made as the portal makes them (accepted through the real application services, inducted
by attending an induction session, profile saved through the service). Call inside an app
context with a connection."""
import dataclasses
import datetime as dt

from portal.blueprints.accounts.models import User
from portal.blueprints.experts import services_experts, services_network
from portal.blueprints.experts.models import (
    ActivityCheck,
    Expert,
    ExpertSpecialism,
    ExpertWebinar,
    Introduction,
    IntroductionRequest,
    Specialism,
    WorkbookItem,
)
from portal.blueprints.experts.services_specialisms import ensure_taxonomy
from portal.blueprints.mentoring.models import ACTIVE, Relationship
from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as applications
from portal.blueprints.programmes.models import ACCEPTED, MENTEE, MENTOR, OPEN, Application
from portal.blueprints.webinars.models import BOOKED, WebinarBooking
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.db import db, utcnow

TAXONOMY = {
    "Finance": {
        "Building a budget": ["reading a budget statement", "forecasting spend for a year",
                              "explaining a variance to a manager"],
        "Reading a balance sheet": ["assets and liabilities", "reserves"],
    },
    "IT": {"Spreadsheets": ["formulas and references", "pivot tables"]},
}
ROLES = [services.RoleDetails(key=MENTOR, name="expert",
                              commitments=["Attend the short induction"]),
         services.RoleDetails(key=MENTEE, name="learner")]
BIO = "I have run budgets for a large hospital trust for ten years and like teaching."


@dataclasses.dataclass
class Aces:
    programme: object
    coordinator: object
    specialisms: dict  # name -> Specialism
    items: dict  # text -> WorkbookItem
    induction: object  # a WebinarSession


def make_aces(coordinator, name="Aces volunteer experts") -> Aces:
    programme = services.save_programme(coordinator, None, services.ProgrammeDetails(
        name=name, summary="Find an expert.", description="Experts pass on what they know.",
        kind=OPEN, published=True), ROLES)
    services.add_coordinator(coordinator, programme, coordinator)
    programme.load_coordinator_ids()
    ensure_taxonomy(TAXONOMY)
    start = utcnow().replace(microsecond=0) + dt.timedelta(days=3)
    induction = services_network.create_induction(coordinator, programme, SessionDetails(
        title="Expert induction", description="", facilitator="", starts_at=start,
        ends_at=start + dt.timedelta(hours=1), capacity=100, joining_link="",
        audience_value="signed_in", group_ids=[]), sessions=1, weeks_apart=1)[0]
    return Aces(programme, coordinator, {s.name: s for s in Specialism.select()},
                {i.text: i for i in WorkbookItem.select()}, induction)


def accept_into(aces: Aces, person, role: str = MENTOR):
    programme = aces.programme
    commitments = [c.id for c in programme.role(role).commitment_rows()]
    draft = applications.save_draft(person, programme, role, None, applications.Answers(
        motivation="I want to help.", commitment_ids=commitments, evaluation_consent=True))
    application = applications.submit(person, draft)
    return applications.accept(aces.coordinator, application)


def make_expert(aces: Aces, person, specialisms=("Building a budget",), capacity: int = 2,
                bio: str = BIO, inducted: bool = True, created_at=None) -> Expert:
    """An accepted expert with a profile; inducted (attended the induction) by default."""
    accept_into(aces, person)
    if inducted:
        induct(aces, person)
    expert = services_experts.save_profile(person, aces.programme.id, services_experts.Profile(
        bio=bio, capacity=capacity,
        specialism_ids=[aces.specialisms[name].id for name in specialisms]))
    if created_at is not None:
        Expert.update(created_at=created_at).where(Expert.id == expert.id).execute()
        expert.created_at = created_at
    return expert


def induct(aces: Aces, person) -> None:
    WebinarBooking.insert(session=aces.induction.id, user=person.id, status=BOOKED,
                          booked_at=utcnow(), attended=True).on_conflict_ignore().execute()


def induction_ids(aces: Aces) -> list[int]:
    return [w.session_id for w in ExpertWebinar.select().where(
        ExpertWebinar.programme == aces.programme.id)]


CHUNK = 400


def insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def add_listed_experts(app, aces, learner, first: int, count: int, created_at=None
                       ) -> list[int]:
    """`count` listed experts with a specialism each, some with answered requests, a
    learner and an answered activity check, written in bulk. Returns their ids."""
    now = utcnow()
    budget, sheets = aces.specialisms["Building a budget"].id, aces.specialisms["Spreadsheets"].id
    with app.app_context(), db.connection_context(), db.atomic():
        insert(User, [{"name": f"Expert {first + n:05d}", "email": f"e{first + n}@example.org",
                       "password_hash": "x", "created_at": now} for n in range(count)])
        users = [u.id for u in User.select(User.id).where(User.email.startswith("e"),
                                                            User.email.endswith("@example.org"))
                 .order_by(User.id)][-count:]
        insert(Application, [{"applicant": u, "programme": aces.programme.id, "role": MENTOR,
                              "status": ACCEPTED, "created_at": now, "updated_at": now}
                             for u in users])
        insert(WebinarBooking, [{"session": aces.induction.id, "user": u, "status": BOOKED,
                                 "attended": True, "joined_at": now} for u in users])
        insert(Expert, [{"programme": aces.programme.id, "user": u, "capacity": 3,
                         "bio": "I know budgets and spreadsheets well enough to teach them.",
                         "created_at": created_at or now, "updated_at": now} for u in users])
        experts = [e.id for e in Expert.select(Expert.id).where(Expert.user.in_(users))]
        insert(ExpertSpecialism, [{"expert": e, "specialism": budget if i % 2 else sheets}
                                  for i, e in enumerate(experts)])
        intro = Introduction.create(learner=learner.id, programme=aces.programme.id,
                                    wants="I want to learn", created_at=now)
        insert(IntroductionRequest, [{"introduction": intro.id, "expert": e, "status": "declined",
                                      "created_at": now, "expires_at": now, "responded_at": now,
                                      "response_seconds": 3600 * (i % 50)}
                                     for i, e in enumerate(experts) if i % 3 == 0])
        insert(ActivityCheck, [{"expert": e, "period_start": dt.date(2024, 1, 1), "sent_at": now,
                                "answer": "yes", "answered_at": now}
                               for i, e in enumerate(experts) if i % 2 == 0])
        insert(Relationship, [{"programme": aces.programme.id, "mentor": u, "mentee": learner.id,
                               "status": ACTIVE, "released_at": now, "created_at": now}
                              for i, u in enumerate(users) if i % 4 == 0])
    return experts
