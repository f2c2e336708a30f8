"""The forms visitors and applicants fill in: "tell me when it opens" and the application.
They validate; the views pick the data apart and the services save."""
import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from portal.blueprints.accounts.forms import EmailOnlyForm, MultiCheckboxField
from portal.blueprints.programmes import rules
from portal.blueprints.programmes.models import CHANNELS, DISABILITIES, ETHNICITIES, SEXES
from portal.blueprints.programmes.services_applications import Answers, Equality


class AlertForm(EmailOnlyForm):
    """"Tell me when the next cohort opens": an email address, nothing more."""


def _text(label, max_length, description=None):
    return TextAreaField(label, description=description, validators=[
        Optional(), Length(max=max_length,
                           message=f"{label} must be {max_length:,} characters or fewer")])


def _choices(mapping, blank=None):
    options = [SelectChoice(k, v) for k, v in mapping.items()]
    return ([SelectChoice("", blank)] if blank else []) + options


# The fields each rule kind needs the applicant to answer.
RULE_FIELDS = {
    rules.LEAVE_AHEAD: ("leave_type", "leave_starts", "leave_months"),
    rules.LEAVE_EXPERIENCE: ("leave_type", "leave_experience_on"),
    rules.BACKGROUND: ("background",),
}
OPTIONAL_FIELDS = {name for names in RULE_FIELDS.values() for name in names} | {
    "cannot_fund", "cannot_fund_reason", "remove_equality"}


class ApplicationForm(FlaskForm):
    """Every question an application can ask. `fit()` removes the ones this programme's
    role does not need and fills in the choices, so one class serves every programme."""

    motivation = _text("Why do you want to take part?", 5000)
    topics = MultiCheckboxField("Themes you would like to work on", coerce=int,
                                validators=[Optional()])
    learning_goals = _text("What do you want to learn or get from it?", 5000)
    availability = _text("When are you usually available?", 1000,
                         "For example, weekday lunchtimes or Tuesday evenings")
    leave_type = SelectField("Type of leave", choices=_choices(rules.LEAVE_TYPES, "Choose"),
                             validators=[Optional()])
    leave_starts = DateField("When your leave starts", validators=[Optional()],
                             description="The first day of your leave, even if it may still change")
    leave_months = IntegerField("How many months your leave will last", validators=[
        Optional(), NumberRange(min=1, max=60, message="Enter a number of months from 1 to 60")])
    leave_experience_on = DateField("When your own leave started", validators=[Optional()])
    background = SelectField("Your background", choices=_choices(rules.BACKGROUNDS, "Choose"),
                             validators=[Optional()],
                             description="This programme offers positive-action places")
    preferred_channel = RadioField("How would you prefer to meet?", validators=[Optional()])
    access_requirements = _text("Access requirements for training (optional)", 2000,
                                "Anything we should arrange so you can take part fully")
    commitments = MultiCheckboxField("What you agree to", coerce=int, validators=[Optional()])
    evaluation_consent = BooleanField("I agree to take part in the programme's evaluation")
    cannot_fund = BooleanField("My organisation cannot fund the full fee")
    cannot_fund_reason = _text("Tell us about your organisation's situation (optional)", 2000)
    ethnicity = RadioField("Ethnicity", choices=_choices(ETHNICITIES),
                           validators=[Optional()])
    sex = RadioField("Sex", choices=_choices(SEXES), validators=[Optional()])
    disability = RadioField("Do you consider yourself to have a disability?",
                            choices=_choices(DISABILITIES), validators=[Optional()])
    remove_equality = BooleanField("Delete the equality monitoring answers I gave before")
    save = SubmitField("Save as draft")
    send = SubmitField("Submit application")

    def fit(self, rule_kinds, commitments, topics, channels, fee_pence: int,
            has_equality: bool) -> "ApplicationForm":
        """Keep the questions this role's rules need; set the choices."""
        needed = {name for kind in rule_kinds for name in RULE_FIELDS.get(kind, ())}
        if fee_pence:
            needed |= {"cannot_fund", "cannot_fund_reason"}
        if has_equality:
            needed.add("remove_equality")
        for name in OPTIONAL_FIELDS - needed:
            del self[name]
        self.commitments.choices = [SelectChoice(c.id, c.text) for c in commitments]
        self.topics.choices = [SelectChoice(t.id, t.name) for t in topics]
        self.preferred_channel.choices = _choices(
            {key: CHANNELS[key] for key in (channels or CHANNELS)})
        return self

    def answers(self) -> Answers:
        def value(name, default=None):
            return self[name].data if name in self else default

        return Answers(
            motivation=self.motivation.data or "", learning_goals=self.learning_goals.data or "",
            availability=self.availability.data or "", topic_ids=self.topics.data or [],
            leave_type=value("leave_type") or "", leave_starts=value("leave_starts"),
            leave_months=value("leave_months"), leave_experience_on=value("leave_experience_on"),
            background=value("background") or "",
            preferred_channel=self.preferred_channel.data or "",
            access_requirements=self.access_requirements.data or "",
            commitment_ids=self.commitments.data or [],
            evaluation_consent=bool(self.evaluation_consent.data),
            cannot_fund=bool(value("cannot_fund", False)),
            cannot_fund_reason=value("cannot_fund_reason") or "")

    def equality(self) -> Equality | None:
        """None leaves earlier answers as they are; all-empty with "delete" ticked clears."""
        given = Equality(self.ethnicity.data or "", self.sex.data or "",
                         self.disability.data or "")
        if given.ethnicity or given.sex or given.disability:
            return given
        if "remove_equality" in self and self.remove_equality.data:
            return Equality()
        return None

    def fill_from(self, application, topic_ids) -> None:
        """A draft's answers back into the form (never its equality answers, which only
        the programme's coordinators see once given)."""
        for name in ("motivation", "learning_goals", "availability", "leave_type",
                     "leave_starts", "leave_months", "leave_experience_on", "background",
                     "preferred_channel", "access_requirements", "evaluation_consent",
                     "cannot_fund", "cannot_fund_reason"):
            if name in self:
                self[name].data = getattr(application, name)
        self.topics.data = list(topic_ids)
        ticked = set(application.commitment_texts)
        self.commitments.data = [choice.value for choice in self.commitments.choices
                                 if choice.label in ticked]

    def require_motivation(self) -> bool:
        if (self.motivation.data or "").strip():
            return True
        self.motivation.errors = [*self.motivation.errors, "Tell us why you want to take part"]
        return False

    def show_problems(self, problems: list[str]) -> None:
        """Put each refusal from services_applications.submit next to the question it is
        about, or above the form when no question can fix it (staff group, pay band)."""
        for problem in problems:
            name = field_for_problem(problem)
            if name and name in self:
                self[name].errors = [*self[name].errors, problem]
            else:
                self.form_errors.append(problem)


def field_for_problem(problem: str) -> str | None:
    """The question a refusal message is about. Messages start with the rule's label
    (rules.KIND_LABELS) or "Commitments"/"Evaluation" (services_applications.eligibility)."""
    label, _, reason = problem.partition(": ")
    if label == rules.KIND_LABELS[rules.LEAVE_AHEAD]:
        if re.search(r"\bmust start\b", reason):
            return "leave_starts"
        if re.search(r"\bmust last\b", reason):
            return "leave_months"
        return "leave_type"
    if label == rules.KIND_LABELS[rules.LEAVE_EXPERIENCE]:
        return "leave_experience_on" if "must have been" in reason else "leave_type"
    return {rules.KIND_LABELS[rules.BACKGROUND]: "background", "Commitments": "commitments",
            "Evaluation": "evaluation_consent"}.get(label)
