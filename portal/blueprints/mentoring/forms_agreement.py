"""The agreement's forms: its words, and the confirm button. Both carry the version the
person read, so a change made meanwhile by the other person is not confirmed or
overwritten unseen."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from portal.blueprints.mentoring.services_agreement import WORD_FIELDS, Words


def _text(label: str, missing: str, limit: int = 4000, description: str = ""):
    return TextAreaField(label, description=description, validators=[
        InputRequired(missing),
        Length(max=limit, message=f"{label} must be {limit:,} characters or fewer")])


class _Versioned(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[
        InputRequired("Reload the page and try again"), NumberRange(min=0)])


class AgreementForm(_Versioned):
    expectations = _text("What we expect of each other", "Write what you expect of each other")
    confidentiality = _text("Confidentiality", "Write what you agree about confidentiality")
    frequency = StringField("How often we will meet", validators=[
        InputRequired("Write how often you will meet, like “About once a month”"),
        Length(max=160, message="How often you will meet must be 160 characters or fewer")],
        description="For example, “About once a month”")
    channel = RadioField("How we will usually meet", validate_choice=False,
                         validators=[InputRequired("Choose how you will usually meet")])
    ending = _text("How either of us can end it", "Write how either of you can end it")

    def __init__(self, *args, channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = [SelectChoice(key, label) for key, label in channels.items()]

    def words(self) -> Words:
        return Words(**{name: (getattr(self, name).data or "").strip()
                        for name in WORD_FIELDS})


class ConfirmAgreementForm(_Versioned):
    """The confirm button: the version shown on the page."""

