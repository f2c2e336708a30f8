"""Forms that more than one area uses, and rendering a form field once per value."""
from flask import get_template_attribute
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.kept import kept
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


def field_once(field, **options):
    """`_macros/forms.html`'s field(), rendered once per process for each value, for a
    field whose label and choices are fixed in code (the rating stars, the watch levels):
    what it renders depends on nothing else. A field showing errors renders afresh."""
    render = get_template_attribute("_macros/forms.html", "field")
    if field.errors:
        return render(field, **options)
    key = (type(field).__name__, field.id, field.name, field.label.text,
           repr(getattr(field, "choices", None)), repr(field.description), repr(field.flags),
           repr(field.data), tuple(sorted(options.items())))
    return kept("rendered_fields", key, lambda: render(field, **options))
