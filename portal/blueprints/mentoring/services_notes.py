"""Writes to the pair's notes. Each person adds notes, and edits and deletes their own;
the views have already checked that the person may work in the pair, and these re-check
what the data must never allow (a note changed by someone other than its author, or in a
relationship that has ended) inside the transaction."""
from portal.blueprints.mentoring.models import Note, Relationship
from portal.db import db, utcnow

MAX_BODY = 10_000


class NoteRefused(ValueError):
    """A note change that is not allowed; the message says why, in words."""


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise NoteRefused("Write your note")
    if len(body) > MAX_BODY:
        raise NoteRefused(f"Keep your note to {MAX_BODY:,} characters")
    return body


def _check_open(relationship_id: int, person) -> None:
    rel = Relationship.get_or_none(Relationship.id == relationship_id)
    if rel is None or not rel.involves(person):
        raise NoteRefused("Only the two people in a mentoring relationship keep its notes")
    if not rel.is_open:
        raise NoteRefused("This relationship has ended, so its notes can no longer change")


def add_note(rel, author, body: str, shared: bool, now=None) -> Note:
    body, now = _clean(body), now or utcnow()
    with db.atomic():
        _check_open(rel.id, author)
        return Note.create(relationship=rel.id, author=author.id, body=body,
                           shared=bool(shared), created_at=now, updated_at=now)


def _own(note, person) -> None:
    """Read the note again inside the transaction: it may have gone since it was shown."""
    fresh = Note.get_or_none(Note.id == note.id)
    if fresh is None:
        raise NoteRefused("This note has been deleted")
    if fresh.author_id != person.id:
        raise NoteRefused("Only the person who wrote a note can change it")
    _check_open(fresh.relationship_id, person)


def edit_note(note, person, body: str, shared: bool, now=None) -> Note:
    body, now = _clean(body), now or utcnow()
    with db.atomic():
        _own(note, person)
        Note.update(body=body, shared=bool(shared), updated_at=now).where(
            Note.id == note.id).execute()
    note.body, note.shared, note.updated_at = body, bool(shared), now
    return note


def delete_note(note, person) -> None:
    with db.atomic():
        _own(note, person)
        Note.delete().where(Note.id == note.id).execute()
