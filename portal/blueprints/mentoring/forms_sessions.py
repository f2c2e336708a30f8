"""Session forms: propose a time (on the organisation's wall clock), and log a session as
held. The programme's allowance is checked by the services, which know the count."""
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from portal.blueprints.webinars import times

MAX_MINUTES = 8 * 60


def _minutes():
    return IntegerField("Length in minutes", validators=[
        InputRequired("Enter the length in minutes, like 60"),
        NumberRange(min=5, max=MAX_MINUTES,
                    message=f"The length must be a whole number of minutes from 5 to "
                            f"{MAX_MINUTES}")], description="For example, 60")


class _WithChannel(FlaskForm):
    """The channel's choices are the programme's. A value outside them is left to the
    service, whose refusal states the programme's rule rather than "Not a valid choice"."""

    def __init__(self, *args, channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = [SelectChoice(key, label) for key, label in channels.items()]


class ProposeSessionForm(_WithChannel):
    day = DateField("Date", validators=[InputRequired("Enter the date, like 2027-03-29")],
                    description="For example, 2027-03-29")
    start_time = TimeField("Start time (UK time)", validators=[
        InputRequired("Enter the start time, like 14:00")], description="For example, 14:00")
    minutes = _minutes()
    channel = RadioField("How you will meet", validate_choice=False, validators=[
        InputRequired("Choose how you will meet")])

    def validate_start_time(self, field):
        if self.day.data is not None and field.data is not None \
                and not times.exists(self.day.data, field.data):
            raise ValidationError("That time does not exist on that date because the clocks "
                                  "go forward: choose another time")


class LogSessionForm(_WithChannel):
    held_on = DateField("Date of the session", validators=[
        InputRequired("Enter the date of the session, like 2027-03-29")],
        description="For example, 2027-03-29")
    minutes = _minutes()
    channel = RadioField("How you met", validate_choice=False,
                         validators=[InputRequired("Choose how you met")])
    summary = TextAreaField("Summary", validators=[
        InputRequired("Write a short summary of the session"),
        Length(max=5000, message="The summary must be 5,000 characters or fewer")],
        description="What you talked about and agreed. You both read it; the programme team "
                    "never does.")
