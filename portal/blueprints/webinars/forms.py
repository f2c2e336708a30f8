"""Webinar forms: sessions and series for staff, cancelling, attendance, and CSRF-only
buttons for booking. Times are entered on the organisation's wall clock."""
import datetime as dt
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal import audience
from portal.blueprints.accounts.forms import MultiCheckboxField
from portal.blueprints.webinars import times
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.db import utcnow


class SessionForm(FlaskForm):
    title = StringField("Title", validators=[
        InputRequired("Enter a title"),
        Length(max=200, message="Title must be 200 characters or fewer")])
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=5000, message="Description must be 5,000 characters or fewer")])
    facilitator = StringField("Facilitator", validators=[
        Optional(), Length(max=120, message="Facilitator must be 120 characters or fewer")])
    day = DateField("Date", validators=[InputRequired("Enter the date, like 2027-03-29")],
                    description="For example, 2027-03-29")
    start_time = TimeField("Start time", validators=[
        InputRequired("Enter the start time, like 10:00")], description="For example, 10:00")
    end_time = TimeField("End time", validators=[
        InputRequired("Enter the end time, like 11:30")], description="For example, 11:30")
    capacity = IntegerField("Seats", validators=[
        InputRequired("Enter the number of seats, like 20"),
        NumberRange(min=1, max=10_000, message="Seats must be a whole number from 1 to 10,000")])
    joining_link = URLField("Joining link", validators=[
        Optional(), Length(max=500, message="The joining link must be 500 characters or fewer")],
        description="The https:// address of the video call. Only people with a seat see it, "
                    "shortly before the start.")
    audience = RadioField("Who can book", choices=[SelectChoice(k, v)
                                                   for k, v in audience.CHOICES],
                          default=audience.SIGNED_IN,
                          validators=[InputRequired("Choose who can book")])
    groups = MultiCheckboxField("Groups", coerce=int,
                                description="Only for “Members of chosen groups”")

    def __init__(self, *args, original_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._original_start = original_start

    def starts_at(self) -> dt.datetime:
        return times.to_utc(self.day.data, self.start_time.data)

    def ends_at(self) -> dt.datetime:
        return self.starts_at() + (
            dt.datetime.combine(self.day.data, self.end_time.data)
            - dt.datetime.combine(self.day.data, self.start_time.data))

    def validate_start_time(self, field):
        if self.day.data is None or field.data is None:
            return
        if not times.exists(self.day.data, field.data):
            raise ValidationError("That time does not exist on that date because the clocks "
                                  "go forward: choose another time")
        unchanged = self._original_start is not None and self.starts_at() == self._original_start
        if not unchanged and self.starts_at() <= utcnow():
            raise ValidationError("The start must be in the future")

    def validate_end_time(self, field):
        if self.start_time.data is not None and field.data is not None \
                and field.data <= self.start_time.data:
            raise ValidationError("The end time must be after the start time")

    def validate_joining_link(self, field):
        if field.data:
            parts = urlsplit(field.data.strip())
            if parts.scheme != "https" or not parts.netloc:
                raise ValidationError("The joining link must start with https://")

    def validate_groups(self, field):
        if self.audience.data == audience.GROUPS and not field.data:
            raise ValidationError("Choose at least one group, or another audience")

    def details(self) -> SessionDetails:
        return self.details_for(self.audience.data, list(self.groups.data or []))

    def details_for(self, audience_value: str, group_ids: list[int]) -> SessionDetails:
        return SessionDetails(
            title=self.title.data.strip(), description=(self.description.data or "").strip(),
            facilitator=(self.facilitator.data or "").strip(), starts_at=self.starts_at(),
            ends_at=self.ends_at(), capacity=self.capacity.data,
            joining_link=(self.joining_link.data or "").strip(),
            audience_value=audience_value, group_ids=group_ids)


class SeriesForm(SessionForm):
    day = DateField("Date of the first session", validators=[
        InputRequired("Enter the date of the first session, like 2027-03-29")],
        description="For example, 2027-03-29")
    cadence_weeks = IntegerField("Every how many weeks", validators=[
        InputRequired("Enter how many weeks apart the sessions are, like 6"),
        NumberRange(min=1, max=52, message="Enter a number of weeks from 1 to 52")],
        description="For example, 6 for six-weekly supervision")
    months = IntegerField("For how many months", validators=[
        InputRequired("Enter how many months the series runs, like 12"),
        NumberRange(min=1, max=24, message="Enter a number of months from 1 to 24")])


class CancelSessionForm(FlaskForm):
    reason = TextAreaField("Reason for cancelling", validators=[
        InputRequired("Enter the reason: everyone booked is sent it"),
        Length(max=1000, message="Reason must be 1,000 characters or fewer")],
        description="Everyone booked or on the waitlist is emailed this")


class AttendanceForm(FlaskForm):
    attended = RadioField("Attendance", choices=[SelectChoice("yes", "Attended"),
                                                 SelectChoice("no", "Did not attend"),
                                                 SelectChoice("", "Not recorded")],
                          validators=[Optional()])

    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.attended.data)


def _id_or_none(value):
    return int(value) if value not in (None, "") else None


class AttachResourceForm(FlaskForm):
    resource = SelectField("Resource from the library", coerce=_id_or_none, validators=[
        InputRequired("Choose a resource from the library")],
        description="Upload the recording or slides to the library first, then attach them")
