"""Goal forms: a new goal, changing one, and signing one off with what was learned."""
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.blueprints.mentoring.models import GOAL_STATUS_LABELS
from portal.blueprints.mentoring.services_goals import (
    EDITABLE_STATUSES,
    MAX_TEXT,
    MAX_TITLE,
    learned_problem,
)

PRIVATE, SHARED = "private", "shared"
NEW_PREFIX = "new-goal"


def strip(text):
    return text.strip() if text else text


class GoalForm(FlaskForm):
    """A new goal. `today` is the first target date allowed; `current` is the goal's
    stored target date, which may stay as it is even once it has passed."""

    title = StringField("Goal", description="What you want to achieve, in a line",
                        filters=[strip], validators=[
                            DataRequired("Enter the goal"),
                            Length(max=MAX_TITLE,
                                   message=f"Keep the goal to {MAX_TITLE} characters")])
    success_criteria = TextAreaField(
        "Success criteria", description="How you will know you have achieved it",
        filters=[strip], validators=[
            Optional(),
            Length(max=MAX_TEXT,
                   message=f"Keep the success criteria to {MAX_TEXT:,} characters")])
    target_date = DateField(
        "Target date (optional)", description="For example, 2027-03-29",
        validators=[Optional()])
    visibility = RadioField(
        "Who can see it?", default=SHARED,
        choices=[SelectChoice(SHARED, "Both of us (shared)"),
                 SelectChoice(PRIVATE, "Only me (private)")],
        validators=[InputRequired("Choose who can see your goal")])

    def __init__(self, *args, today=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.current = today, current

    def validate_target_date(self, field):
        if field.errors:  # the field's own "Not a valid date value", said our way
            field.errors[:] = []
            raise ValidationError("Enter the target date like 2027-03-29, or leave it empty")
        if field.data and self.today and field.data < self.today and field.data != self.current:
            raise ValidationError("The target date must be today or later")

    @property
    def shared(self) -> bool:
        return self.visibility.data == SHARED

    @staticmethod
    def data_of(goal) -> dict:
        """The form's starting values for an existing goal."""
        return {"title": goal.title, "success_criteria": goal.success_criteria,
                "target_date": goal.target_date, "status": goal.status,
                "visibility": SHARED if goal.shared else PRIVATE}


class EditGoalForm(GoalForm):
    status = RadioField(
        "Status", choices=[SelectChoice(s, GOAL_STATUS_LABELS[s]) for s in EDITABLE_STATUSES],
        description="To mark the goal achieved, sign it off instead",
        validators=[InputRequired("Choose the goal's status")])


class SignOffForm(FlaskForm):
    learned = TextAreaField(
        "What did you learn?",
        description="In a sentence, in your own words. It goes in the workbook with "
                    "today's date.",
        filters=[strip], validators=[DataRequired("Say in a sentence what you learned")])

    def validate_learned(self, field):
        problem = learned_problem(field.data)
        if problem:
            raise ValidationError(problem)
