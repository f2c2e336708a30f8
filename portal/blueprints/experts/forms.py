"""The expert directory's forms for learners and experts: the search, asking for an
introduction, answering one, the expert's profile and availability, and an activity check's
answer. Rules the services also hold (words in a bio, a pause date) are asked of the
services, so they are written once."""
import datetime as dt

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.blueprints.accounts.forms import MultiCheckboxField
from portal.blueprints.experts import services_experts, services_introductions
from portal.blueprints.experts.models import CHECK_ANSWERS


class SearchForm(FlaskForm):
    """The directory's filters, read from the address (GET): no CSRF."""

    class Meta:
        csrf = False

    q = StringField("Search by specialism, skill or name",
                    validators=[Optional(), Length(max=200)])
    specialism = StringField("Specialism", validators=[Optional(), Length(max=140)])


class IdList(SelectMultipleField):
    """Ids from the address or a form, with no choices to check against (the view checks
    them against what the person may see)."""

    def pre_validate(self, form):
        pass

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if str(v).isdigit()][:50]


class Choices(MultiCheckboxField):
    """Checkboxes whose ids the service checks: an expert who stopped taking requests
    since the page was drawn is named in the service's message, not refused as "not a
    valid choice"."""

    def pre_validate(self, form):
        pass


class AskForm(FlaskForm):
    """Ask one or several experts at once. `offered` carries every expert the page shows,
    so an unticked one stays on the page after an error."""

    offered = IdList("Experts offered")
    experts = Choices("Experts to ask", coerce=int)
    items = Choices("What do you want to learn?", coerce=int)
    wants = TextAreaField("In your own words, what do you want to learn?",
                          description="What you want to be able to do, and where you are now")
    for_what = StringField("Which course or role is it for? (optional)", validators=[
        Optional(), Length(max=services_introductions.MAX_FOR_WHAT,
                           message="Keep the course or role to 200 characters")],
        description="For example, a budget-holder role you start next month")

    def validate_experts(self, field):
        if not field.data:
            raise ValidationError("Choose at least one expert to ask")
        if len(field.data) > services_introductions.MAX_EXPERTS:
            raise ValidationError(
                f"Ask at most {services_introductions.MAX_EXPERTS} experts at once")

    def validate_items(self, field):
        if not field.data:
            raise ValidationError("Tick at least one thing you want to learn")

    def validate_wants(self, field):
        problem = services_introductions.wants_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)


class DeclineForm(FlaskForm):
    message = TextAreaField("A note for the learner (optional)", validators=[
        Optional(), Length(max=services_introductions.MAX_MESSAGE,
                           message="Keep your note to 1,000 characters")],
        description="For example, when you might be free, or who else could help")


class ProfileForm(FlaskForm):
    specialisms = MultiCheckboxField("Your specialisms", coerce=int,
                                     description="Choose every specialism you can pass on")
    bio = TextAreaField("Your bio", description="What you know, where you work, and how you "
                        "like to help. Learners read this in the directory.")
    capacity = IntegerField("How many learners can you take at once?", default=2, validators=[
        InputRequired("Enter how many learners you can take at once, like 2"),
        NumberRange(min=1, max=services_experts.MAX_CAPACITY,
                    message=f"Enter a number from 1 to {services_experts.MAX_CAPACITY}")])

    def validate_specialisms(self, field):
        if not field.data:
            raise ValidationError("Choose at least one specialism")

    def validate_bio(self, field):
        problem = services_experts.bio_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)


def _pause_date_checked(form, field) -> bool:
    """The date a pause needs, checked by the service's own rule (an empty date included,
    which Optional() would let through unchecked)."""
    if field.errors:
        return False
    problem = services_experts.pause_problem(field.data, dt.date.today())
    if problem:
        field.errors = [*field.errors, problem]
        return False
    return True


class PauseForm(FlaskForm):
    until = DateField("Pause until", validators=[Optional()],
                      description="You are listed again on this day, for example 2027-03-29")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _pause_date_checked(self, self.until) and valid


class CheckAnswerForm(FlaskForm):
    """An activity check's answer: the button pressed, and a date for "pause me"."""

    answer = HiddenField("Answer", validators=[InputRequired()])
    until = DateField("Pause until", validators=[Optional()],
                      description="You are listed again on this day, for example 2027-03-29")

    def validate_answer(self, field):
        if field.data not in CHECK_ANSWERS:
            raise ValidationError("Choose an answer")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.answer.data != "pause":
            return valid
        return _pause_date_checked(self, self.until) and valid
