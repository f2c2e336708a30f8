"""Forms that more than one area uses."""
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.reports import REPORT_REASONS


class EmptyForm(FlaskForm):
    """A button that only needs the CSRF token: book, cancel, claim, confirm."""


class ReportForm(FlaskForm):
    """A member reports a post or a comment to the moderators."""

    reason = RadioField("Why are you reporting this?",
                        choices=[SelectChoice(k, v) for k, v in REPORT_REASONS.items()],
                        validators=[InputRequired("Choose why you are reporting this")])
    note = TextAreaField("Anything the moderators should know (optional)", validators=[
        Optional(), Length(max=1000, message="Note must be 1,000 characters or fewer")])
