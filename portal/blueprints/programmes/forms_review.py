"""Coordinators' forms: the review list's filters (a GET form), decisions, notes and fees."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.blueprints.programmes.models import (
    FEE_LABELS,
    REVIEWABLE,
    ROLE_KEYS,
    STATUS_LABELS,
)


def _id_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


class ReviewFilterForm(FlaskForm):
    """Which applications to list. Read from the query string, so a filtered list is a
    link; a bad value just means "all"."""

    class Meta:
        csrf = False

    cohort = SelectField("Cohort", coerce=_id_or_none, validators=[Optional()])
    role = SelectField("Role", validators=[Optional()])
    status = SelectField("Status", validators=[Optional()], choices=[
        SelectChoice("", "Any status")] + [SelectChoice(s, STATUS_LABELS[s]) for s in REVIEWABLE])

    def __init__(self, *args, cohorts=(), role_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort.choices = [SelectChoice(c.id, c.name) for c in cohorts]
        names = role_names or {}
        self.role.choices = [SelectChoice("", "Both roles")] + [
            SelectChoice(key, (names.get(key) or key).capitalize() + "s") for key in ROLE_KEYS]

    def chosen(self, cohorts) -> tuple:
        """(cohort or None, role or "", status or ""), each falling back to "all" (or, for
        the cohort, the newest) when the query string holds something unknown."""
        by_id = {c.id: c for c in cohorts}
        cohort = by_id.get(self.cohort.data) or (cohorts[0] if cohorts else None)
        self.cohort.data = cohort.id if cohort else None
        role = self.role.data if self.role.data in ROLE_KEYS else ""
        status = self.status.data if self.status.data in REVIEWABLE else ""
        return cohort, role, status


class DecisionForm(FlaskForm):
    note = TextAreaField("Message to the applicant (optional)",
                         description="Sent with the email telling them of the decision",
                         validators=[Optional(), Length(
                             max=2000, message="Keep the message to 2,000 characters")])


class NoteForm(FlaskForm):
    body = TextAreaField("Add a note", description="Only the programme's coordinators see "
                         "notes", filters=[lambda text: text.strip() if text else text],
                         validators=[
        DataRequired("Write the note first"),
        Length(max=5000, message="Keep the note to 5,000 characters")])


class FeeForm(FlaskForm):
    fee_status = RadioField("Fee", choices=[SelectChoice(k, v) for k, v in FEE_LABELS.items()],
                            validators=[InputRequired("Choose the fee status")])
    fee_note = TextAreaField("About the fee (optional)", description="For example, the "
                             "invoice number or why it was reduced", validators=[
        Optional(), Length(max=1000, message="Keep this to 1,000 characters")])
