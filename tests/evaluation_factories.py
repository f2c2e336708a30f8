"""Surveys and answers for the evaluation tests, made through the real services. Call inside
an app context with a connection."""
import datetime as dt

from portal.blueprints.evaluation import invitations, services_answers
from portal.blueprints.evaluation import services_surveys as surveys
from portal.blueprints.evaluation.models import (
    CHOICE,
    CLOSING,
    LIKERT,
    NAMED,
    TEXT,
    SurveyInvitation,
)
from portal.db import utcnow

CONFIDENT = "I feel confident about my next career step"
USEFUL = "The mentoring was useful"
ADVICE = "What would you tell a colleague thinking of joining?"
FORMAT = "Which format suited you best?"
FORMATS = ["Telephone", "Video call", "In person"]


def make_survey(actor, programme, moment=CLOSING, anonymity=NAMED, title=None,
                questions=None, opened=True, opened_at=None, **details):
    """A survey with an agreement-scale, a single-choice and a free-text question."""
    survey = surveys.create_survey(actor, programme.id, surveys.SurveyDetails(
        title=title or f"{moment.capitalize()} survey", moment=moment, anonymity=anonymity,
        **details))
    for text, kind, required, options in questions or [
            (CONFIDENT, LIKERT, True, ""), (FORMAT, CHOICE, True, "\n".join(FORMATS)),
            (ADVICE, TEXT, False, "")]:
        surveys.add_question(actor, survey.id, surveys.QuestionDetails(
            text=text, kind=kind, required=required, options=options))
    if opened:
        survey = surveys.open_survey(actor, survey.id,
                                     opened_at or utcnow() - dt.timedelta(days=1))
    return survey


def by_text(survey) -> dict[str, int]:
    return {q.text: q.id for q in survey.question_rows()}


def invite(survey, person, cohort=None, occasion=None) -> SurveyInvitation:
    occasion = occasion or f"test:{person.id}"
    invitations.invite(survey.id, person.id, cohort.id if cohort else None, occasion)
    return SurveyInvitation.get(SurveyInvitation.survey == survey.id,
                                SurveyInvitation.person == person.id,
                                SurveyInvitation.occasion == occasion)


def answer(survey, person, cohort, answers: dict[str, str], anonymous=False,
           today: dt.date | None = None) -> None:
    """`person` answers through an invitation of their own; answers by question text."""
    ids = by_text(survey)
    invitation = invite(survey, person, cohort)
    services_answers.answer(invitation.id, {ids[text]: value for text, value in answers.items()},
                            anonymous, today or dt.date.today())
