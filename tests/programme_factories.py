"""Programmes, cohorts and applications for tests, made through the real services. Call
inside an app context with a connection (the `ctx` fixture in the programme tests)."""
import datetime as dt

from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as applications
from portal.blueprints.programmes.models import MENTEE, MENTOR
from portal.dates import add_months

LEAVE_TYPES = ["maternity", "paternity", "adoption", "carers", "fostering"]
RTW_ROLES = [
    services.RoleDetails(
        key=MENTOR, name="mentor", training_days=1,
        rules=[("leave_experience", {"types": LEAVE_TYPES, "within_years": 5})],
        commitments=["Attend the training day", "Take part in the evaluation"]),
    services.RoleDetails(
        key=MENTEE, name="mentee", training_days=1,
        rules=[("leave_ahead", {"types": LEAVE_TYPES, "min_months_ahead": 3,
                                "max_months_ahead": 6, "min_length_months": 3})],
        commitments=["Attend the training day", "Meet your mentor for up to 12 months"]),
]


def programme_details(**overrides) -> services.ProgrammeDetails:
    values = {"name": "Return to Work", "summary": "Mentoring around leave.",
              "description": "## Who it is for\n\nPeople taking leave.",
              "length_min_months": 6, "length_max_months": 12, "fee_pence": 50_000,
              "fee_wording": "Ask about a reduced cost.", "published": True}
    values.update(overrides)
    return services.ProgrammeDetails(**values)


def cohort_details(today: dt.date | None = None, name="2027", **overrides):
    """A cohort recruiting today: recruitment from a week ago for three weeks, then
    training, twelve months of mentoring and a month of evaluation."""
    today = today or dt.date.today()
    opens = today - dt.timedelta(days=7)
    closes = today + dt.timedelta(days=14)
    values = {"name": name, "recruitment_opens": opens, "recruitment_closes": closes,
              "training_starts": closes + dt.timedelta(days=7),
              "training_ends": closes + dt.timedelta(days=8),
              "mentoring_starts": closes + dt.timedelta(days=14),
              "mentoring_ends": add_months(closes, 12),
              "evaluation_starts": add_months(closes, 12),
              "evaluation_ends": add_months(closes, 13)}
    values.update(overrides)
    return services.CohortDetails(**values)


def make_rtw(actor, roles=None, **overrides):
    """Return to Work, published, with a recruiting cohort: (programme, cohort)."""
    programme = services.save_programme(actor, None, programme_details(**overrides),
                                        roles or RTW_ROLES)
    return programme, services.create_cohort(actor, programme, cohort_details())


def mentee_answers(programme, today: dt.date | None = None, months_ahead=4,
                   **overrides) -> applications.Answers:
    """Answers that pass the Return to Work mentee rules and tick every commitment."""
    today = today or dt.date.today()
    role = programme.role(MENTEE)
    values = {"motivation": "I want to plan my return.", "leave_type": "maternity",
              "leave_starts": add_months(today, months_ahead), "leave_months": 9,
              "commitment_ids": [c.id for c in role.commitment_rows()],
              "evaluation_consent": True}
    values.update(overrides)
    return applications.Answers(**values)


def mentor_answers(programme, today: dt.date | None = None, **overrides):
    today = today or dt.date.today()
    role = programme.role(MENTOR)
    values = {"motivation": "I came back two years ago.", "leave_type": "adoption",
              "leave_experience_on": add_months(today, -24),
              "commitment_ids": [c.id for c in role.commitment_rows()],
              "evaluation_consent": True}
    values.update(overrides)
    return applications.Answers(**values)


def submitted(applicant, programme, cohort, role=MENTEE, answers=None):
    answers = answers or (mentee_answers(programme) if role == MENTEE
                          else mentor_answers(programme))
    draft = applications.save_draft(applicant, programme, role, cohort, answers)
    return applications.submit(applicant, draft)
