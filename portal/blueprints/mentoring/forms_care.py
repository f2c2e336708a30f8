"""The care section's forms: leave details, a check-in answer, closing a relationship, the
closing questions, and marking a call for help as dealt with (EmptyForm)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.blueprints.mentoring.models import CHECKIN_ANSWERS
from portal.blueprints.mentoring.services_closing import (
    GOALS_MET,
    MAX_ADVICE,
    MAX_REASON,
    QUESTIONS,
    USEFULNESS,
)


def _strip(text):
    return text.strip() if text else text


class LeaveForm(FlaskForm):
    leave_starts = DateField("Leave starts", description="For example, 2027-03-29",
                             validators=[InputRequired("Enter the date your leave starts, "
                                                       "like 2027-03-29")])
    leave_returns = DateField("Expected return to work", description="For example, 2027-12-06",
                              validators=[InputRequired("Enter the date you expect to return, "
                                                        "like 2027-12-06")])
    keep_in_touch = BooleanField(
        "Keep in touch while I am on leave",
        description="Without this, check-ins and reminders pause while you are on leave.")

    def validate_leave_returns(self, field):
        if self.leave_starts.data and field.data and field.data <= self.leave_starts.data:
            raise ValidationError("The expected return must be after the start of the leave")


class CheckInForm(FlaskForm):
    answer = RadioField("How is it going?",
                        choices=[SelectChoice(k, v) for k, v in CHECKIN_ANSWERS.items()],
                        validators=[InputRequired("Choose how it is going")])


class CloseForm(FlaskForm):
    reason = TextAreaField(
        "Why is the mentoring ending?", filters=[_strip],
        validators=[DataRequired("Tell us briefly why the mentoring is ending"),
                    Length(max=MAX_REASON, message="Keep your reason to 2,000 characters")])


class ClosingQuestionsForm(FlaskForm):
    usefulness = RadioField(QUESTIONS["usefulness"],
                            choices=[SelectChoice(k, v) for k, v in USEFULNESS.items()],
                            validators=[InputRequired("Choose how useful the mentoring was")])
    goals_met = RadioField(QUESTIONS["goals_met"],
                           choices=[SelectChoice(k, v) for k, v in GOALS_MET.items()],
                           validators=[InputRequired("Choose whether you met your goals")])
    advice = TextAreaField(QUESTIONS["advice"], filters=[_strip], validators=[
        Optional(), Length(max=MAX_ADVICE, message="Keep your answer to 2,000 characters")])
