"""Matching's forms: the programme's criteria weights, a whole-cohort run, swapping two
drafts, comparing two candidates (a GET form), picking one, and a participant's decline."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.blueprints.programmes import matching

MAX_WEIGHT = 100


def _id_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class WeightsForm(FlaskForm):
    """One whole number per criterion, 0 to MAX_WEIGHT; fields are added below, one per
    matching.CRITERIA entry, so a new criterion gets its field without a change here."""

    def weights(self) -> dict[str, int]:
        return {name: self[name].data for name in matching.CRITERIA}


for _name, _label in matching.CRITERIA.items():
    setattr(WeightsForm, _name, IntegerField(
        _label, description=f"0 turns it off; at most {MAX_WEIGHT}", validators=[
            InputRequired(f"Enter a weight for “{_label.lower()}”"),
            NumberRange(min=0, max=MAX_WEIGHT,
                        message=f"“{_label}” must be a whole number from 0 to {MAX_WEIGHT}")]))


class RunMatchingForm(FlaskForm):
    mode = RadioField("How to match", default=matching.BEST_TOTAL,
                      choices=[SelectChoice(k, v) for k, v in matching.MODES.items()],
                      validators=[InputRequired("Choose how to match")])


class SwapForm(FlaskForm):
    """Two of the cohort's drafts whose mentees change places."""

    first = SelectField("First match", coerce=_id_or_none,
                        validators=[DataRequired("Choose the first match")])
    second = SelectField("Second match", coerce=_id_or_none,
                         validators=[DataRequired("Choose the second match")])

    def __init__(self, *args, drafts=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", "Choose a match")] + [
            SelectChoice(r.id, f"{r.mentor.name} with {r.mentee.name}") for r in drafts]
        self.first.choices = self.second.choices = choices

    def validate_second(self, field):
        if field.data is not None and field.data == self.first.data:
            raise ValidationError("Choose two different matches")


class CompareForm(FlaskForm):
    """Two suggested mentors side by side; read from the query string, so a comparison
    is a link. An unknown id just shows nothing."""

    class Meta:
        csrf = False

    first = SelectField("First mentor", coerce=_id_or_none, validators=[Optional()])
    second = SelectField("Second mentor", coerce=_id_or_none, validators=[Optional()])

    def __init__(self, *args, mentors=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", "Choose a mentor")] + [
            SelectChoice(m.user_id, m.name) for m in mentors]
        self.first.choices = self.second.choices = choices


class PickForm(FlaskForm):
    mentor = HiddenField(validators=[DataRequired()])

    @property
    def mentor_id(self) -> int | None:
        return _id_or_none(self.mentor.data)


class DeclineMatchForm(FlaskForm):
    reason = TextAreaField(
        "Why are you declining this match?",
        description="Only the programme team reads this. The other person is not told why.",
        filters=[lambda text: text.strip() if text else text],
        validators=[DataRequired("Tell us briefly why you are declining this match"),
                    Length(max=2000, message="Keep your reason to 2,000 characters")])
