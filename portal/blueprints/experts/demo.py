"""Demo experts in the Aces programme: a specialism taxonomy, four experts (three listed,
one paused) who attended a past induction, upcoming induction sessions and expert meetings
(the experts' board is left for staff to make in one step), Tom Mentee's introduction to
two of them, waiting for their answer, and an earlier request Hamid declined (so his
response time shows). Written through the real services; a second run adds nothing."""
import datetime as dt

from portal.blueprints.accounts.models import User
from portal.blueprints.experts import (
    services_experts,
    services_introductions,
    services_network,
    services_specialisms,
)
from portal.blueprints.experts.models import (
    Expert,
    ExpertWebinar,
    Specialism,
    WorkbookItem,
)
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import MENTOR, OPEN, Programme
from portal.blueprints.webinars import times
from portal.blueprints.webinars.models import BOOKED, WebinarBooking
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.db import utcnow

STAFF = "staff@tandem.example"
LEARNER = "mentee@tandem.example"
TAXONOMY = {
    "Finance": {
        "Building a budget": ["reading a budget statement", "forecasting spend for a year",
                              "explaining a variance to your manager"],
        "Reading a balance sheet": ["assets and liabilities", "reserves and provisions"],
        "Writing a business case": ["the financial case", "an options appraisal"],
    },
    "IT": {
        "Spreadsheets": ["formulas and cell references", "pivot tables",
                         "charts that make a point"],
        "Digital rostering": ["building a rota in the e-rostering system",
                              "approving annual leave requests"],
    },
    "Leadership": {
        "Running meetings": ["chairing a meeting", "writing clear actions"],
        "Recruitment": ["shortlisting fairly", "structured interviews"],
    },
}
# (email, job title, specialisms, capacity, bio, paused for days)
EXPERTS = [
    ("ellen@tandem.example", "Finance business partner",
     ["Building a budget", "Reading a balance sheet"], 3,
     "Fifteen years in NHS finance, the last five as a business partner to clinical "
     "divisions. I enjoy making budgets make sense to people who did not train in finance.",
     0),
    ("grace@tandem.example", "Management accountant",
     ["Building a budget", "Writing a business case"], 2,
     "I help service managers build their first budget and write business cases that get "
     "approved. Happy to look at real papers with you.", 0),
    ("hamid@tandem.example", "Rostering lead",
     ["Spreadsheets", "Digital rostering"], 2,
     "I look after e-rostering for a large acute trust and teach spreadsheet skills on the "
     "side. Bring a messy rota and we will tidy it together.", 0),
    ("isla@tandem.example", "Head of recruitment",
     ["Recruitment", "Running meetings"], 1,
     "Twenty years of recruiting clinical and support staff. I can help with fair "
     "shortlisting and structured interviews.", 21),
]


def _session(title: str, start: dt.datetime, minutes: int = 60) -> SessionDetails:
    return SessionDetails(title=title, description="", facilitator="Sam Staff",
                          starts_at=start, ends_at=start + dt.timedelta(minutes=minutes),
                          capacity=30, joining_link="", audience_value="signed_in",
                          group_ids=[])


def _at(day: dt.date, hour: int) -> dt.datetime:
    return times.to_utc(day, dt.time(hour, 0))


def _accept(staff, person, programme) -> None:
    if services_experts.expert_place(person, programme.id) is not None:
        return
    live = apps.live_application(person, programme, None, MENTOR)
    if live is None:
        commitments = [c.id for c in programme.role(MENTOR).commitment_rows()]
        live = apps.save_draft(person, programme, MENTOR, None, apps.Answers(
            motivation="I would like to pass on what I know.", commitment_ids=commitments,
            evaluation_consent=True))
    if live.status == "draft":
        live = apps.submit(person, live)
    apps.accept(staff, live)


def ensure_experts(people: dict, today: dt.date | None = None) -> int:
    """`people`: demo users by email (the experts are among the programmes' demo members).
    Returns how many experts were added."""
    today = today or dt.date.today()
    programme = Programme.select().where(Programme.kind == OPEN).order_by(Programme.id).first()
    staff = people.get(STAFF)
    if programme is None or staff is None:
        return 0
    services_specialisms.ensure_taxonomy(TAXONOMY)
    if ExpertWebinar.select().where(ExpertWebinar.programme == programme.id).exists():
        return 0
    past = services_network.create_induction(
        staff, programme, _session("Expert induction: the role and its responsibilities",
                                   _at(today - dt.timedelta(days=14), 12)),
        sessions=1, weeks_apart=1)[0]
    services_network.create_induction(
        staff, programme, _session("Expert induction: the role and its responsibilities",
                                   _at(today + dt.timedelta(days=10), 12)),
        sessions=2, weeks_apart=4)
    services_network.create_meetings(
        staff, programme, _session("Informal expert meeting", _at(today + dt.timedelta(days=17),
                                                                   16)),
        cadence_weeks=8, months=6)
    specialisms = {s.name: s.id for s in Specialism.select()}
    experts = {}
    for email, job, chosen, capacity, bio, paused in EXPERTS:
        person = people.get(email)
        if person is None:
            continue
        if not person.job_title:
            User.update(job_title=job).where(User.id == person.id).execute()
        _accept(staff, person, programme)
        WebinarBooking.insert(session=past.id, user=person.id, status=BOOKED,
                              booked_at=past.starts_at - dt.timedelta(days=7),
                              attended=True).on_conflict_ignore().execute()
        experts[email] = services_experts.save_profile(
            person, programme.id, services_experts.Profile(
                bio=bio, capacity=capacity, specialism_ids=[specialisms[s] for s in chosen]))
        if paused:
            services_experts.pause(experts[email], today + dt.timedelta(days=paused), today)
    _introduce(people, experts, utcnow())
    return len(experts)


def _introduce(people: dict, experts: dict[str, Expert], now: dt.datetime) -> None:
    """Tom asks Ellen and Grace about budgets (waiting for their answer); three days ago
    Chloe asked Hamid about rostering, and he declined the next day."""
    tom, chloe = people.get(LEARNER), people.get("chloe@tandem.example")
    ellen, grace = experts.get("ellen@tandem.example"), experts.get("grace@tandem.example")
    hamid = experts.get("hamid@tandem.example")
    if tom and ellen and grace:
        services_introductions.ask(tom, services_introductions.Ask(
            expert_ids=[ellen.id, grace.id],
            item_ids=[i.id for i in _items_of("Building a budget").limit(2)],
            wants="I have just become a ward manager and hold a budget for the first time. "
                  "I want to read my monthly statement and explain the gaps to my manager.",
            for_what="Ward manager role"), now=now)
    if chloe and hamid:
        asked = now - dt.timedelta(days=3)
        introduction = services_introductions.ask(chloe, services_introductions.Ask(
            expert_ids=[hamid.id], item_ids=[i.id for i in _items_of("Digital rostering")],
            wants="Our ward is moving to e-rostering and I will build the first rotas."),
            now=asked)
        services_introductions.decline(
            introduction.requests.get().id, "I am on leave this month: please ask me again "
            "in the new year, or try the rostering team.", now=asked + dt.timedelta(days=1))


def _items_of(specialism_name: str):
    return (WorkbookItem.select().join(Specialism).where(Specialism.name == specialism_name)
            .order_by(WorkbookItem.position, WorkbookItem.id))
