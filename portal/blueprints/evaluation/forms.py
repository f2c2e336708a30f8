"""Evaluation forms: a survey's details, a question, answering a survey (built from its
questions), the outcome summary's introduction and publishing it, and the equality
report's filters."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.blueprints.evaluation.models import (
    ANONYMITY,
    CHOICE,
    CHOOSE,
    EVERYONE,
    FOLLOW_UP,
    KINDS,
    MOMENTS,
    TEXT,
)
from portal.blueprints.evaluation.services_answers import MAX_TEXT
from portal.blueprints.evaluation.summary import AUDIENCES
from portal.blueprints.programmes.models import ROLE_KEYS


def _strip(text):
    return text.strip() if isinstance(text, str) else text


class SurveyForm(FlaskForm):
    title = StringField("Title", filters=[_strip], validators=[
        InputRequired("Enter the survey's title"),
        Length(max=160, message="Keep the title to 160 characters")])
    intro = TextAreaField("Introduction (optional)", filters=[_strip], validators=[
        Optional(), Length(max=2000, message="Keep the introduction to 2,000 characters")],
        description="Shown above the questions: why you ask, and what you will do with it")
    moment = RadioField("When are people asked?",
                        choices=[SelectChoice(k, v) for k, v in MOMENTS.items()],
                        validators=[InputRequired("Choose when people are asked")])
    follow_up_months = IntegerField(
        "Months after closing (follow-up only)", validators=[
            Optional(), NumberRange(min=1, max=36, message="Enter from 1 to 36 months")])
    role = RadioField("Who is asked?", validators=[Optional()])
    anonymity = RadioField("Names", default="named",
                           choices=[SelectChoice(k, v) for k, v in ANONYMITY.items()],
                           validators=[InputRequired("Choose whether answers are named")],
                           description="Change since the baseline needs named answers: "
                                       "anonymous ones cannot be paired with a person's "
                                       "earlier answers.")

    def __init__(self, *args, role_names: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        names = role_names or {}
        self.role.choices = [SelectChoice(EVERYONE, "Everyone")] + [
            SelectChoice(key, (names.get(key) or key).capitalize() + "s") for key in ROLE_KEYS]
        if self.role.data is None:
            self.role.data = EVERYONE

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        months = self.follow_up_months
        if self.moment.data == FOLLOW_UP and months.data is None and not months.errors:
            months.errors = [*months.errors,
                             "Enter how many months after closing the follow-up comes"]
            return False
        return valid


class QuestionForm(FlaskForm):
    text = TextAreaField("Question", filters=[_strip], validators=[
        InputRequired("Enter the question"),
        Length(max=500, message="Keep the question to 500 characters")],
        description="For the agreement scale, write a statement people agree or disagree "
                    "with. Ask it in the same words at the baseline and later to see "
                    "the change.")
    kind = RadioField("Kind of answer", default="likert",
                      choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                      validators=[InputRequired("Choose the kind of answer")])
    options = TextAreaField("Options (single choice only)", filters=[_strip],
                            validators=[Optional(), Length(max=2000)],
                            description="One option per line, from 2 to 10")
    required = BooleanField("People must answer it", default=True)

    def validate_options(self, field):
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if self.kind.data == CHOICE and not 2 <= len(lines) <= 10:
            raise ValidationError("Give between 2 and 10 options, one per line")


def answer_form(questions, anonymity: str):
    """The form for answering: a field `q<id>` per question, in order, and for a survey
    where each person chooses, `anonymous`."""

    class AnswerForm(FlaskForm):
        token = HiddenField()

    for question in questions:
        label = question.text + ("" if question.required else " (optional)")
        needed = (InputRequired(f"Answer “{question.text}”") if question.required
                  else Optional())
        if question.kind == TEXT:
            field = TextAreaField(label, filters=[_strip], validators=[needed, Length(
                max=MAX_TEXT, message="Keep your answer to 2,000 characters")])
        else:
            field = RadioField(label, choices=[SelectChoice(k, v)
                                               for k, v in question.choices.items()],
                               validators=[needed])
        setattr(AnswerForm, f"q{question.id}", field)
    if anonymity == CHOOSE:
        AnswerForm.anonymous = BooleanField(
            "Answer anonymously",
            description="We keep your answers with nothing that leads back to you: no "
                        "name, no time beyond the day. Your earlier answers cannot then be "
                        "compared with these.")
    return AnswerForm()


def given_answers(form, questions) -> dict[int, str]:
    return {q.id: form[f"q{q.id}"].data or "" for q in questions}


class IntroForm(FlaskForm):
    intro = TextAreaField("Introduction", filters=[_strip], validators=[
        Optional(), Length(max=5000, message="Keep the introduction to 5,000 characters")],
        description="A few sentences on the cohort and what the team learned. Shown at the "
                    "top of the summary and the article.")


class PublishForm(FlaskForm):
    audience = RadioField("Who can read the article?", default="signed_in",
                          choices=[SelectChoice(k, v) for k, v in AUDIENCES.items()],
                          validators=[InputRequired("Choose who can read the article")])


class EqualityFilterForm(FlaskForm):
    class Meta:
        csrf = False

    cohort = SelectField("Cohort", coerce=int, validators=[Optional()])
    role = SelectField("Who", validators=[Optional()])

    def __init__(self, *args, cohorts=(), role_names: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort.choices = [SelectChoice(c.id, c.name) for c in cohorts]
        names = role_names or {}
        self.role.choices = [SelectChoice("", "Everyone")] + [
            SelectChoice(key, (names.get(key) or key).capitalize() + "s") for key in ROLE_KEYS]
