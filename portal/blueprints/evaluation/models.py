"""Evaluation: surveys staff build per programme, who was invited to each, the answers, and
each cohort's outcome summary.

A Survey belongs to a programme and a moment: at application (the baseline), after a
training session, at closing, or a follow-up some months after closing. It is built as a
draft, opened (from then on its questions are fixed, because answers are kept by question),
and closed. Invitations go out at the moment, one per person per occasion (an
application, a training session, a relationship), each with a signed link.

Anonymous answers: a SurveyResponse carries no person, no invitation, no time finer than
the day and no address, and its id is a random number rather than a count, so neither its
columns nor its id say who wrote it or when. The invitation's `answered` flag (no date)
stops a second answer. Why the row order cannot link them either: services_answers.
"""
import json
import secrets

from peewee import (
    JOIN,
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from portal.blueprints.accounts.models import User
from portal.blueprints.hub.models import Article
from portal.blueprints.programmes.models import Cohort, Programme
from portal.db import BaseModel, utcnow

BASELINE, TRAINING, CLOSING, FOLLOW_UP = "baseline", "training", "closing", "follow_up"
MOMENTS = {BASELINE: "At application (the baseline)", TRAINING: "After a training session",
           CLOSING: "At closing", FOLLOW_UP: "Follow-up, some months after closing"}
LATER_MOMENTS = (TRAINING, CLOSING, FOLLOW_UP)  # compared with the baseline

NAMED, ANONYMOUS, CHOOSE = "named", "anonymous", "choose"
ANONYMITY = {NAMED: "Named: we know who gave each answer",
             ANONYMOUS: "Anonymous: nothing links an answer to the person",
             CHOOSE: "Each person chooses whether to answer anonymously"}

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
STATUS_LABELS = {DRAFT: "Draft", OPEN: "Open", CLOSED: "Closed"}

LIKERT, CHOICE, TEXT = "likert", "choice", "text"
KINDS = {LIKERT: "Agreement scale (1 to 5)", CHOICE: "Single choice", TEXT: "Free text"}
LIKERT_LABELS = {"1": "Strongly disagree", "2": "Disagree", "3": "Neither agree nor disagree",
                 "4": "Agree", "5": "Strongly agree"}
NO_ANSWER = ""  # an optional question left blank

EVERYONE = ""  # Survey.role: both roles


class Survey(BaseModel):
    programme = ForeignKeyField(Programme, backref="surveys", on_delete="CASCADE")
    title = CharField(max_length=160)
    intro = TextField(default="")
    moment = CharField(max_length=20)
    follow_up_months = IntegerField(null=True)
    role = CharField(max_length=10, default=EVERYONE)  # programmes' MENTOR, MENTEE or both
    anonymity = CharField(max_length=10, default=NAMED)
    status = CharField(max_length=10, default=DRAFT)
    opened_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("programme", "status", "moment"), False), (("status", "moment"), False))

    @property
    def moment_label(self) -> str:
        if self.moment == FOLLOW_UP and self.follow_up_months:
            months = self.follow_up_months
            return f"Follow-up, {months} month{'s' if months != 1 else ''} after closing"
        return MOMENTS[self.moment]

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def may_be_anonymous(self) -> bool:
        return self.anonymity in (ANONYMOUS, CHOOSE)

    @classmethod
    def of_programme(cls, programme_id: int):
        """The programme's surveys, newest first, with `invited` and `answered` counts:
        one query."""
        answered = Case(None, [(SurveyInvitation.answered == True, 1)], 0)  # noqa: E712
        invited = (SurveyInvitation.select(SurveyInvitation.survey,
                                           fn.COUNT(SurveyInvitation.id).alias("n"),
                                           fn.SUM(answered).alias("answered"))
                   .group_by(SurveyInvitation.survey).alias("invited_counts"))
        return (cls.select(cls, fn.COALESCE(invited.c.n, 0).alias("invited"),
                           fn.COALESCE(invited.c.answered, 0).alias("answered"))
                .join(invited, on=(invited.c.survey_id == cls.id), join_type=JOIN.LEFT_OUTER)
                .where(cls.programme == programme_id)
                .order_by(cls.created_at.desc(), cls.id.desc()))

    @classmethod
    def open_at(cls, moment: str):
        """Open surveys of a moment, with their programmes (the invitation finders)."""
        return (cls.select(cls, Programme).join(Programme)
                .where(cls.status == OPEN, cls.moment == moment).order_by(cls.id))

    def question_rows(self):
        return (SurveyQuestion.select().where(SurveyQuestion.survey == self.id)
                .order_by(SurveyQuestion.position, SurveyQuestion.id))


class SurveyQuestion(BaseModel):
    survey = ForeignKeyField(Survey, backref="questions", on_delete="CASCADE")
    position = IntegerField(default=0)
    kind = CharField(max_length=10)
    text = CharField(max_length=500)
    options = TextField(default="")  # single choice: one option per line
    required = BooleanField(default=True)

    class Meta:
        indexes = ((("survey", "position"), False),)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def choices(self) -> dict[str, str]:
        """{stored value: label}, in order; empty for free text."""
        if self.kind == LIKERT:
            return dict(LIKERT_LABELS)
        if self.kind == CHOICE:
            return {option: option for option in self.option_list}
        return {}

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    @property
    def comparable_text(self) -> str:
        """The wording as before/after matching reads it: case and spacing aside."""
        return " ".join(self.text.lower().split())


class SurveyInvitation(BaseModel):
    """One person asked to answer one survey for one occasion: "application:<id>",
    "session:<id>" (a training session) or "relationship:<id>". `answered` has no date on
    purpose: with one, it and an anonymous answer's day could be matched."""

    survey = ForeignKeyField(Survey, backref="invitations", on_delete="CASCADE")
    person = ForeignKeyField(User, backref="survey_invitations", on_delete="CASCADE")
    cohort = ForeignKeyField(Cohort, null=True, backref="survey_invitations",
                             on_delete="CASCADE")
    occasion = CharField(max_length=40)
    sent_at = DateTimeField(default=utcnow)
    reminded_at = DateTimeField(null=True)
    answered = BooleanField(default=False)

    class Meta:
        indexes = ((("survey", "person", "occasion"), True),
                   (("survey", "cohort", "answered"), False),
                   (("answered", "reminded_at", "sent_at"), False),
                   (("occasion", "person"), False))


def new_response_id() -> int:
    """A random positive 63-bit id: ids say nothing about the order answers came in."""
    return secrets.randbits(62) + 1


class SurveyResponse(BaseModel):
    """One person's answers. Named answers carry `respondent`; anonymous ones carry only
    the survey, the cohort and the day."""

    id = BigIntegerField(primary_key=True, default=new_response_id)
    survey = ForeignKeyField(Survey, backref="responses", on_delete="CASCADE")
    cohort = ForeignKeyField(Cohort, null=True, backref="survey_responses", on_delete="CASCADE")
    respondent = ForeignKeyField(User, null=True, backref="survey_responses",
                                 on_delete="SET NULL")
    answered_on = DateField()
    answers = TextField(default="{}")  # JSON: question id (as text) -> value
    hidden = TextField(default="[]")  # JSON: question ids whose free text staff hid
    quoted = TextField(default="[]")  # JSON: question ids quoted in the outcome summary

    class Meta:
        indexes = ((("survey", "cohort"), False), (("respondent", "survey"), False))

    @property
    def answer_map(self) -> dict[str, str]:
        return json.loads(self.answers or "{}")

    @property
    def hidden_ids(self) -> set[int]:
        return set(json.loads(self.hidden or "[]"))

    @property
    def quoted_ids(self) -> set[int]:
        return set(json.loads(self.quoted or "[]"))

    @classmethod
    def of(cls, survey_id: int, cohort_id: int | None):
        """A survey's answers in one cohort (or, cohort None, of an open programme)."""
        return cls.select().where(
            cls.survey == survey_id,
            cls.cohort.is_null() if cohort_id is None else cls.cohort == cohort_id
        ).order_by(cls.id)


class OutcomeSummary(BaseModel):
    """A cohort's outcome summary: the staff's introduction, and the hub article it was
    last published as."""

    cohort = ForeignKeyField(Cohort, unique=True, backref="outcome_summaries",
                             on_delete="CASCADE")
    intro = TextField(default="")
    article = ForeignKeyField(Article, null=True, backref="+", on_delete="SET NULL")
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)
    published_at = DateTimeField(null=True)


MODELS = [Survey, SurveyQuestion, SurveyInvitation, SurveyResponse, OutcomeSummary]
