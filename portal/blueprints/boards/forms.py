"""Board forms: threads, replies, reports, watching, preferences, search and boards."""
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal import audience
from portal.blueprints.accounts.forms import MultiCheckboxField
from portal.blueprints.boards.models import WATCH_LEVELS

BODY_HINT = ("You can use Markdown: **bold**, *italic*, [link text](https://…), > to quote. "
             "To mention someone, type @ and their full name, like @Priya Mentor.")
MAX_BODY = 20_000


def _no_nul(form, field):
    """PostgreSQL refuses text with a NUL byte; SQLite would keep it. Refuse it on both."""
    if field.data and "\x00" in field.data:
        raise ValidationError("Remove the unusual characters and try again")


def one_line(text):
    """Titles and names are one line: newlines and runs of spaces become one space (a
    newline in a title would otherwise reach an email's Subject header)."""
    return " ".join(text.split()) if isinstance(text, str) else text


def _body(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[
        InputRequired("Write your post"), _no_nul,
        Length(max=MAX_BODY, message="Posts must be 20,000 characters or fewer")],
        description=BODY_HINT)


class ThreadForm(FlaskForm):
    title = StringField("Title", filters=[one_line], validators=[
        InputRequired("Enter a title for your thread"), _no_nul,
        Length(max=200, message="Title must be 200 characters or fewer")])
    body = _body("Your post")

    def validate_title(self, field):
        if not field.data:
            raise ValidationError("Enter a title for your thread")


class ReplyForm(FlaskForm):
    body = _body("Your reply")
    seen = HiddenField()  # the last post number on the page, to show what came since

    @property
    def seen_number(self) -> int:
        try:
            return max(0, int(self.seen.data or 0))
        except ValueError:
            return 0


class PostForm(FlaskForm):
    body = _body("Your post")


class WatchForm(FlaskForm):
    level = RadioField("Notifications", choices=[
        SelectChoice(k, f"{label}: {hint.lower()}") for k, (label, hint) in WATCH_LEVELS.items()],
        validators=[InputRequired("Choose how you want to hear about this")])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search the boards", validators=[Optional(), Length(max=200)])


class BoardForm(FlaskForm):
    name = StringField("Name", filters=[one_line], validators=[
        InputRequired("Enter a name for the board"), _no_nul,
        Length(max=120, message="Name must be 120 characters or fewer")])
    description = TextAreaField("Description", validators=[
        Optional(), _no_nul, Length(max=1000, message="Description must be 1,000 characters "
                                                      "or fewer")])
    audience = RadioField("Who can see it", choices=[SelectChoice(k, v)
                                                     for k, v in audience.CHOICES],
                          default=audience.SIGNED_IN,
                          validators=[InputRequired("Choose who can see the board")])
    groups = MultiCheckboxField("Groups", coerce=int,
                                description="Only for “Members of chosen groups”")
    position = IntegerField("Order", default=0, validators=[
        InputRequired("Enter a number for the order"),
        NumberRange(min=0, max=1000, message="Enter a number from 0 to 1000")],
        description="Boards are listed from the lowest number")

    def validate_groups(self, field):
        if self.audience.data == audience.GROUPS and not field.data:
            raise ValidationError("Choose at least one group, or another audience")
