"""What the pair page shows about the notes, and the one way a view finds a note.

Notes are the pair's words: each person reads the shared notes and their own private
ones, and nobody else reads any (coordinators never reach the pair's space at all)."""
from flask import abort

from portal.blueprints.mentoring.forms_notes import NEW_PREFIX, NoteForm
from portal.blueprints.mentoring.models import Note


def section_context(rel, user, today, note_form: NoteForm | None = None) -> dict:
    """The template variables of the pair page's notes section: one query."""
    return {"notes": list(Note.visible_to(user, rel)),
            "note_form": note_form or NoteForm(prefix=NEW_PREFIX, formdata=None)}


def get_note_or_404(rel, user, note_id: int) -> Note:
    """A note of this pair that `user` may read, with its author; 404 otherwise, so a
    private note of the other person is as absent as a note that never was."""
    return Note.visible_to(user, rel).where(Note.id == note_id).first() or abort(404)
