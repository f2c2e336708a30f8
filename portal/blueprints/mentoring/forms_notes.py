"""The note form: its words, and who may read it."""
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from portal.blueprints.mentoring.services_notes import MAX_BODY

PRIVATE, SHARED = "private", "shared"
NEW_PREFIX = "new-note"


def strip(text):
    return text.strip() if text else text


class NoteForm(FlaskForm):
    body = TextAreaField("Note", filters=[strip], validators=[
        DataRequired("Write your note"),
        Length(max=MAX_BODY, message=f"Keep your note to {MAX_BODY:,} characters")])
    visibility = RadioField(
        "Who can read it?", default=PRIVATE,
        choices=[SelectChoice(PRIVATE, "Only me (private)"),
                 SelectChoice(SHARED, "Both of us (shared)")],
        validators=[InputRequired("Choose who can read your note")])

    @property
    def shared(self) -> bool:
        return self.visibility.data == SHARED

    @staticmethod
    def data_of(note) -> dict:
        """The form's starting values for an existing note."""
        return {"body": note.body, "visibility": SHARED if note.shared else PRIVATE}
