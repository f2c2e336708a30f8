"""Building a survey: its details and questions while it is a draft, then opening and
closing it. Each change is one transaction with its audit entry; the views have already
checked that the actor may evaluate the programme.

Once open, a survey's questions are fixed (answers are kept by question, and before/after
change matches questions by their wording); its title and introduction may still change.
At most one survey per programme is open for a moment (for a follow-up, per number of
months), so a closing or an application sends one invitation, not several."""
import dataclasses
import datetime as dt

from portal.audit import AuditEntry
from portal.blueprints.evaluation.models import (
    ANONYMITY,
    CHOICE,
    CLOSED,
    DRAFT,
    EVERYONE,
    FOLLOW_UP,
    KINDS,
    MOMENTS,
    OPEN,
    Survey,
    SurveyQuestion,
)
from portal.blueprints.programmes.models import ROLE_KEYS
from portal.db import db, utcnow

MAX_OPTIONS = 10
MAX_QUESTIONS = 40


class SurveyRefused(ValueError):
    """A change that cannot be made; the message says why, for the form."""


@dataclasses.dataclass
class SurveyDetails:
    title: str
    moment: str
    anonymity: str
    intro: str = ""
    role: str = EVERYONE
    follow_up_months: int | None = None


@dataclasses.dataclass
class QuestionDetails:
    text: str
    kind: str
    required: bool = True
    options: str = ""


def _check_details(details: SurveyDetails) -> None:
    if not details.title.strip():
        raise SurveyRefused("Enter the survey's title")
    if details.moment not in MOMENTS:
        raise SurveyRefused("Choose when people are asked")
    if details.anonymity not in ANONYMITY:
        raise SurveyRefused("Choose whether answers are named or anonymous")
    if details.role not in (EVERYONE, *ROLE_KEYS):
        raise SurveyRefused("Choose who is asked")
    if details.moment == FOLLOW_UP and not (details.follow_up_months or 0) >= 1:
        raise SurveyRefused("Enter how many months after closing the follow-up comes")


def _check_question(details: QuestionDetails) -> list[str]:
    """The question's options, one per line; raises SurveyRefused."""
    if not details.text.strip():
        raise SurveyRefused("Enter the question")
    if details.kind not in KINDS:
        raise SurveyRefused("Choose the kind of question")
    options = list(dict.fromkeys(line.strip() for line in details.options.splitlines()
                                 if line.strip()))
    if details.kind == CHOICE and not 2 <= len(options) <= MAX_OPTIONS:
        raise SurveyRefused(f"Give between 2 and {MAX_OPTIONS} options, one per line")
    return options if details.kind == CHOICE else []


def _draft(survey_id: int) -> Survey:
    survey = Survey.get_by_id(survey_id)
    if survey.status != DRAFT:
        raise SurveyRefused("The survey is open: its questions can no longer change")
    return survey


def create_survey(actor, programme_id: int, details: SurveyDetails) -> Survey:
    _check_details(details)
    with db.atomic():
        survey = Survey.create(
            programme=programme_id, title=details.title.strip(), intro=details.intro.strip(),
            moment=details.moment, anonymity=details.anonymity, role=details.role,
            follow_up_months=details.follow_up_months if details.moment == FOLLOW_UP else None,
            created_by=actor.id)
        AuditEntry.record(actor, "survey.create", survey, after={"title": survey.title})
    return survey


def update_survey(actor, survey_id: int, details: SurveyDetails) -> Survey:
    """The title and introduction always; when, who and anonymity while a draft."""
    _check_details(details)
    with db.atomic():
        survey = Survey.get_by_id(survey_id)
        before = {"title": survey.title, "moment": survey.moment,
                  "anonymity": survey.anonymity}
        fixed = (details.moment, details.anonymity, details.role, details.follow_up_months
                 if details.moment == FOLLOW_UP else None)
        if survey.status != DRAFT and fixed != (survey.moment, survey.anonymity, survey.role,
                                                survey.follow_up_months):
            raise SurveyRefused("The survey is open: who is asked, when, and whether "
                                "answers are anonymous can no longer change")
        survey.title, survey.intro = details.title.strip(), details.intro.strip()
        (survey.moment, survey.anonymity, survey.role, survey.follow_up_months) = fixed
        survey.save()
        AuditEntry.record(actor, "survey.update", survey, before,
                          {"title": survey.title, "moment": survey.moment,
                           "anonymity": survey.anonymity})
    return survey


def add_question(actor, survey_id: int, details: QuestionDetails) -> SurveyQuestion:
    options = _check_question(details)
    with db.atomic():
        survey = _draft(survey_id)
        rows = list(survey.question_rows())
        if len(rows) >= MAX_QUESTIONS:
            raise SurveyRefused(f"A survey has at most {MAX_QUESTIONS} questions")
        question = SurveyQuestion.create(
            survey=survey.id, position=(rows[-1].position + 1) if rows else 0,
            kind=details.kind, text=details.text.strip(), options="\n".join(options),
            required=details.required)
        AuditEntry.record(actor, "survey.question_add", survey,
                          after={"question": question.text})
    return question


def update_question(actor, question_id: int, details: QuestionDetails) -> SurveyQuestion:
    options = _check_question(details)
    with db.atomic():
        question = SurveyQuestion.get_by_id(question_id)
        survey = _draft(question.survey_id)
        before = {"question": question.text}
        question.text, question.kind = details.text.strip(), details.kind
        question.options, question.required = "\n".join(options), details.required
        question.save()
        AuditEntry.record(actor, "survey.question_edit", survey, before,
                          {"question": question.text})
    return question


def delete_question(actor, question_id: int) -> None:
    with db.atomic():
        question = SurveyQuestion.get_by_id(question_id)
        survey = _draft(question.survey_id)
        question.delete_instance()
        AuditEntry.record(actor, "survey.question_delete", survey,
                          before={"question": question.text})


def move_question(actor, question_id: int, step: int) -> None:
    """Swap the question with the one before (step -1) or after (step 1)."""
    with db.atomic():
        question = SurveyQuestion.get_by_id(question_id)
        survey = _draft(question.survey_id)
        rows = list(survey.question_rows())
        index = next(i for i, row in enumerate(rows) if row.id == question.id)
        other = index + step
        if not 0 <= other < len(rows):
            return
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            SurveyQuestion.update(position=position).where(SurveyQuestion.id == row.id) \
                .execute()
        AuditEntry.record(actor, "survey.question_move", survey,
                          after={"order": [row.id for row in rows]})


def open_survey(actor, survey_id: int, now: dt.datetime | None = None) -> Survey:
    """Open a draft with at least one question: invitations start at its moment, for
    occasions from now on."""
    now = now or utcnow()
    with db.atomic():
        survey = _draft(survey_id)
        if not survey.question_rows().exists():
            raise SurveyRefused("Add at least one question before opening the survey")
        clash = Survey.select().where(Survey.programme == survey.programme_id,
                                      Survey.status == OPEN, Survey.moment == survey.moment,
                                      Survey.id != survey.id)
        if survey.moment == FOLLOW_UP:
            clash = clash.where(Survey.follow_up_months == survey.follow_up_months)
        other = clash.first()
        if other is not None:
            raise SurveyRefused(f"“{other.title}” is already open for this moment: close "
                                "it first")
        survey.status, survey.opened_at = OPEN, now
        survey.save()
        AuditEntry.record(actor, "survey.open", survey, {"status": DRAFT}, {"status": OPEN})
    return survey


def close_survey(actor, survey_id: int, now: dt.datetime | None = None) -> Survey:
    """No more invitations or answers; the results stay."""
    now = now or utcnow()
    with db.atomic():
        survey = Survey.get_by_id(survey_id)
        if survey.status != OPEN:
            raise SurveyRefused("Only an open survey can be closed")
        survey.status, survey.closed_at = CLOSED, now
        survey.save()
        AuditEntry.record(actor, "survey.close", survey, {"status": OPEN}, {"status": CLOSED})
    return survey
