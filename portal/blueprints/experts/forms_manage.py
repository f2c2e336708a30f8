"""Staff forms: the specialism taxonomy, and the expert network's webinars."""
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal import audience
from portal.blueprints.experts import services_network, services_specialisms
from portal.blueprints.webinars.forms import SessionForm
from portal.blueprints.webinars.services_staff import SessionDetails


class AreaForm(FlaskForm):
    name = StringField("Name of the area", description="For example, Finance", validators=[
        InputRequired("Enter the name of the area"),
        Length(max=services_specialisms.MAX_AREA, message="Keep the name to 80 characters")])


class SpecialismForm(FlaskForm):
    area = SelectField("Area", coerce=int, validators=[InputRequired("Choose an area")])
    name = StringField("Name of the specialism", description="For example, Building a budget",
                       validators=[InputRequired("Enter the name of the specialism"),
                                   Length(max=services_specialisms.MAX_SPECIALISM,
                                          message="Keep the name to 120 characters")])
    description = TextAreaField("Description (optional)", validators=[
        Optional(), Length(max=services_specialisms.MAX_DESCRIPTION,
                           message="Keep the description to 2,000 characters")])


class ItemForm(FlaskForm):
    text = StringField("What an expert passes on", validators=[
        InputRequired("Enter what an expert passes on"),
        Length(max=services_specialisms.MAX_ITEM, message="Keep the item to 160 characters")],
        description="Learners sign it off as “I have adequate knowledge of …”, so write it "
                    "to follow those words: for example, reading a balance sheet")


class NetworkSessionForm(SessionForm):
    """A webinar for the programme's experts: the audience is their group, set by the
    service."""

    audience = None
    groups = None

    def details(self) -> SessionDetails:
        return self.details_for(audience.GROUPS, [])


class InductionForm(NetworkSessionForm):
    day = DateField("Date of the first session", validators=[
        InputRequired("Enter the date of the first session, like 2027-03-29")],
        description="For example, 2027-03-29")
    sessions = IntegerField("How many sessions", default=3, description="An expert attends "
                            "one; attending is what lets them be listed", validators=[
                                InputRequired("Enter how many sessions, like 3"),
                                NumberRange(min=1, max=services_network.MAX_INDUCTIONS,
                                            message="Enter 1 to 6 sessions")])
    weeks_apart = IntegerField("Weeks apart", default=4, validators=[
        InputRequired("Enter how many weeks apart the sessions are, like 4"),
        NumberRange(min=1, max=52, message="Enter a number of weeks from 1 to 52")])


class MeetingsForm(NetworkSessionForm):
    day = DateField("Date of the first meeting", validators=[
        InputRequired("Enter the date of the first meeting, like 2027-03-29")],
        description="For example, 2027-03-29")
    cadence_weeks = IntegerField("Every how many weeks", default=8, validators=[
        InputRequired("Enter how many weeks apart the meetings are, like 8"),
        NumberRange(min=1, max=52, message="Enter a number of weeks from 1 to 52")])
    months = IntegerField("For how many months", default=12, validators=[
        InputRequired("Enter how many months the meetings run, like 12"),
        NumberRange(min=1, max=24, message="Enter a number of months from 1 to 24")])
