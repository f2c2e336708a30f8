"""Demo programmes: the five schemes of DESIGN.md, each cohort in a different phase
relative to today (Return to Work recruiting, Short virtual training, Transcultural
mentoring, Reciprocal in evaluation, Aces always open), and applications in every status
from the demo people, all written through the real services. A programme that already
exists (by name) is left alone, so running it again adds nothing."""
import dataclasses
import datetime as dt

from portal.blueprints.accounts.models import STAFF_GROUPS, User
from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import MENTEE, MENTOR, OPEN, TWO_WAY, Programme
from portal.blueprints.programmes.rules import MINORITY_ETHNIC
from portal.dates import add_months

STAFF = "staff@tandem.example"
LEAVE = ["maternity", "paternity", "adoption", "carers", "fostering"]
# Demo members' profiles (only set where empty) and their self-declared background.
PROFILES = {
    "mentor@tandem.example": ("Allied health professionals", "Band 8a", "white"),
    "mentee@tandem.example": ("Nursing and midwifery", "Band 5", "white"),
    "aisha@tandem.example": ("Nursing and midwifery", "Band 6", "black"),
    "ben@tandem.example": ("Administrative and clerical", "Board level", "asian"),
    "chloe@tandem.example": ("Nursing and midwifery", "Band 6", "white"),
    "dev@tandem.example": ("Administrative and clerical", "Band 4", "asian"),
    "ellen@tandem.example": ("Administrative and clerical", "Band 7", "white"),
    "finn@tandem.example": ("Allied health professionals", "Band 6", "mixed"),
}
DEMO_MEMBERS = [("aisha@tandem.example", "Aisha Adeyemi"), ("ben@tandem.example", "Ben Okafor"),
                ("chloe@tandem.example", "Chloe Carter"), ("dev@tandem.example", "Dev Patel"),
                ("ellen@tandem.example", "Ellen Expert"), ("finn@tandem.example", "Finn Hughes"),
                # volunteer experts in the Aces scheme (the experts' demo)
                ("grace@tandem.example", "Grace Ledger"), ("hamid@tandem.example", "Hamid Khan"),
                ("isla@tandem.example", "Isla Byrne")]
RECIPROCAL_GROUPS = ["Nursing and midwifery", "Allied health professionals",
                     "Administrative and clerical", "Additional clinical services"]


def _role(key, name, training_days=1, rules=(), commitments=(), description=""):
    return services.RoleDetails(key=key, name=name, description=description,
                                training_description=f"{training_days} virtual training "
                                f"day{'s' if training_days > 1 else ''}" if training_days
                                else "", training_days=training_days, rules=list(rules),
                                commitments=list(commitments))


SCHEMES = [
    ("recruiting", services.ProgrammeDetails(
        name="Return to Work", summary="Mentoring for colleagues about to take maternity, "
        "paternity, adoption, carers or fostering leave, from planning the handover to "
        "settling back in.",
        description="## Who it is for\n\nColleagues about to take at least three months of "
        "maternity, paternity, adoption, carers or fostering leave, and mentors who have "
        "taken such leave in the last five years.\n\n## What it asks of you\n\nOne virtual "
        "training day, then 6 to 12 months of mentoring at a frequency set by the mentee's "
        "need, with six-weekly supervision webinars.",
        length_min_months=6, length_max_months=12, mentor_capacity_min=1,
        mentor_capacity_max=2, fee_pence=50_000, checkin_weeks=6, inactivity_days=60,
        fee_wording="Places cost £500 per participant, usually paid by your organisation. "
        "If your organisation cannot fund the full fee, tell us on the form: we offer "
        "places at a reduced cost.", published=True),
     [_role(MENTOR, "mentor", rules=[("leave_experience", {"types": LEAVE, "within_years": 5})],
            commitments=["Attend the virtual training day", "Mentor for up to 12 months",
                         "Join the supervision webinars", "Take part in the evaluation"]),
      _role(MENTEE, "mentee", rules=[("leave_ahead", {
          "types": LEAVE, "min_months_ahead": 3, "max_months_ahead": 6,
          "min_length_months": 3})],
            commitments=["Attend the virtual training day",
                         "Meet your mentor for up to 12 months",
                         "Take part in the evaluation",
                         "Consider paying it forward as a mentor later"])]),
    ("training", services.ProgrammeDetails(
        name="Short virtual mentoring", summary="Up to three 90-minute telephone sessions "
        "with a trained mentor, for a focused question.",
        description="Each mentee may have at most three sessions of 90 minutes, by "
        "telephone. A new cohort starts each year, with an evaluation afterwards.",
        max_sessions=3, max_session_minutes=90, allowed_channels=["telephone"],
        length_max_months=6, published=True),
     [_role(MENTOR, "mentor", commitments=["Complete the mentor training"]),
      _role(MENTEE, "mentee", training_days=0,
            commitments=["Keep to three sessions of up to 90 minutes"])]),
    ("mentoring", services.ProgrammeDetails(
        name="Transcultural reverse mentoring", summary="Senior leaders are mentored by "
        "colleagues from Black, Asian and minority ethnic backgrounds, and both learn.",
        description="A positive-action programme: mentees are colleagues from Black, Asian "
        "or minority ethnic backgrounds at band 6 and above; mentors are board members. "
        "Year-long relationships of about six meetings, separate training days, and two "
        "network meetings for everyone.",
        relationship=TWO_WAY, target_meetings=6, target_months=12, length_min_months=12,
        length_max_months=12, published=True),
     [_role(MENTOR, "senior mentor", rules=[("min_band", {"band": "board"})],
            commitments=["Attend the mentors' training day", "Meet about six times in the year"]),
      _role(MENTEE, "reverse mentor", training_days=2,
            rules=[("background", {"backgrounds": MINORITY_ETHNIC}), ("min_band", {"band": "6"})],
            commitments=["Attend both training days", "Meet about six times in the year"])]),
    ("evaluation", services.ProgrammeDetails(
        name="Reciprocal mentoring", summary="Early-career and senior colleagues across staff "
        "groups learn from each other.",
        description="Nurses, midwives, allied health professionals, administrative and "
        "operational staff pair across staff groups and career stages. Workshops and an "
        "online space.", relationship=TWO_WAY, length_min_months=6, length_max_months=9,
        published=True),
     [_role(MENTOR, "senior partner", rules=[("staff_group", {"groups": RECIPROCAL_GROUPS})]),
      _role(MENTEE, "early-career partner",
            rules=[("staff_group", {"groups": RECIPROCAL_GROUPS})])]),
    ("open", services.ProgrammeDetails(
        name="Aces volunteer experts", summary="Always open: find an expert by specialism "
        "and ask for an introduction.", kind=OPEN,
        description="Subject experts (finance, IT and more) volunteer to pass on what they "
        "know. A learner finds the right expert and asks for an introduction; a workbook "
        "records what they learn.", published=True),
     [_role(MENTOR, "expert", training_days=0, commitments=["Attend the short induction"]),
      _role(MENTEE, "learner", training_days=0)]),
]


def _cohort(phase: str, today: dt.date) -> services.CohortDetails:
    """A year of dates, shifted so that today falls in `phase`."""
    offset = {"recruiting": -10, "training": -35, "mentoring": -120, "evaluation": -430}[phase]
    opens = today + dt.timedelta(days=offset)
    closes = opens + dt.timedelta(days=28)
    mentoring = closes + dt.timedelta(days=21)
    return services.CohortDetails(
        name=str(mentoring.year), recruitment_opens=opens, recruitment_closes=closes,
        training_starts=closes + dt.timedelta(days=7), training_ends=closes + dt.timedelta(days=8),
        mentoring_starts=mentoring, mentoring_ends=add_months(mentoring, 12),
        evaluation_starts=add_months(mentoring, 12), evaluation_ends=add_months(mentoring, 14),
        mentor_capacity=20, mentee_capacity=30)


def _answers(programme, role, person, applied_on: dt.date) -> apps.Answers:
    background = PROFILES.get(person.email, ("", "", ""))[2]
    commitments = [c.id for c in programme.role(role).commitment_rows()]
    leave = ({"leave_type": "maternity", "leave_starts": add_months(applied_on, 4),
              "leave_months": 9} if role == MENTEE else
             {"leave_type": "adoption", "leave_experience_on": add_months(applied_on, -30)})
    return apps.Answers(motivation="I would like to learn from someone who has been there.",
                        learning_goals="Plan my handover and my first month back.",
                        availability="Tuesday and Thursday afternoons", background=background,
                        preferred_channel="video", commitment_ids=commitments,
                        evaluation_consent=True, **leave)


# (scheme, person, role, status)
APPLICATIONS = [
    ("Return to Work", "mentee@tandem.example", MENTEE, "submitted"),
    ("Return to Work", "chloe@tandem.example", MENTEE, "under_review"),
    ("Return to Work", "mentor@tandem.example", MENTOR, "accepted"),
    ("Return to Work", "finn@tandem.example", MENTEE, "waitlisted"),
    ("Return to Work", "dev@tandem.example", MENTEE, "declined"),
    ("Return to Work", "ellen@tandem.example", MENTOR, "withdrawn"),
    ("Return to Work", "aisha@tandem.example", MENTEE, "draft"),
    ("Short virtual mentoring", "mentor@tandem.example", MENTOR, "accepted"),
    ("Short virtual mentoring", "mentee@tandem.example", MENTEE, "accepted"),
    ("Transcultural reverse mentoring", "ben@tandem.example", MENTOR, "accepted"),
    ("Transcultural reverse mentoring", "aisha@tandem.example", MENTEE, "accepted"),
    ("Reciprocal mentoring", "mentor@tandem.example", MENTOR, "accepted"),
    ("Reciprocal mentoring", "mentee@tandem.example", MENTEE, "accepted"),
    ("Aces volunteer experts", "ellen@tandem.example", MENTOR, "accepted"),
    ("Aces volunteer experts", "mentee@tandem.example", MENTEE, "submitted"),
]


def _move_to(staff, person, application, status: str) -> None:
    steps = {"submitted": [], "under_review": [apps.start_review],
             "accepted": [apps.start_review, apps.accept],
             "waitlisted": [apps.start_review, apps.waitlist],
             "declined": [apps.start_review, apps.decline]}
    if status == "withdrawn":
        apps.withdraw(person, application)
        return
    for step in steps[status]:
        step(staff, application)


def _set_profiles(people: dict) -> None:
    for email, (group, band, _) in PROFILES.items():
        person = people.get(email)
        if person is not None and not person.staff_group and group in STAFF_GROUPS:
            (User.update(staff_group=group, pay_band=band)
             .where(User.id == person.id).execute())
            person.staff_group, person.pay_band = group, band


def ensure_programmes(people: dict, today: dt.date | None = None) -> int:
    """`people`: demo users by email (staff@, mentor@, mentee@ and DEMO_MEMBERS). Returns
    how many programmes were added."""
    today = today or dt.date.today()
    staff = people[STAFF]
    _set_profiles(people)
    added = {}
    for phase, details, roles in SCHEMES:
        if Programme.select().where(Programme.name == details.name).exists():
            continue
        programme = services.save_programme(staff, None, dataclasses.replace(details),
                                            roles, STAFF_GROUPS)
        services.add_coordinator(staff, programme, staff)
        cohort = None if phase == "open" else services.create_cohort(
            staff, programme, _cohort(phase, today))
        added[programme.name] = (programme, cohort)
    for name, email, role, status in APPLICATIONS:
        if name not in added or email not in people:
            continue
        programme, cohort = added[name]
        applied_on = cohort.recruitment_opens if cohort else today
        person = people[email]
        draft = apps.save_draft(person, programme, role, cohort,
                                _answers(programme, role, person, applied_on), today=applied_on)
        if status != "draft":
            application = apps.submit(person, draft, today=applied_on)
            _move_to(staff, person, application, status)
    return len(added)
