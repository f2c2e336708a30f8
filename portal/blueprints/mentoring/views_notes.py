"""The pair's notes: add, edit and delete one's own. Every action is a plain form that
works without JavaScript (POST, then back to the pair page; or 422 with the input kept
and an error summary); with htmx it answers in place (the section, or the one note).

Nobody outside the pair reaches these routes (404, coordinators and admins included), a
private note of the other person is 404 too, and a shared note of the other person may
be read but not changed (403)."""
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.mentoring import notes
from portal.blueprints.mentoring import services_notes as svc
from portal.blueprints.mentoring.forms_notes import NEW_PREFIX, NoteForm
from portal.blueprints.mentoring.loaders import get_open_pair_or_404, get_pair_or_404
from portal.blueprints.mentoring.views import bp
from portal.forms import EmptyForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes


def get_own_note_or_404(relationship_id: int, note_id: int):
    """The pair (open) and one of the current person's own notes in it."""
    rel = get_open_pair_or_404(relationship_id)
    note = notes.get_note_or_404(rel, current_user, note_id)
    permissions.require(permissions.can_edit_note, current_user, rel, note)
    return rel, note


def _section(rel, status: int = 200, note_form: NoteForm | None = None):
    context = notes.section_context(rel, current_user, dt.date.today(), note_form=note_form)
    return with_flashes(render_template("mentoring/_notes.html", rel=rel,
                                        partner=rel.partner_of(current_user), **context)), status


def _item(rel, note_id: int, status: int = 200):
    note = notes.get_note_or_404(rel, current_user, note_id)
    return with_flashes(render_template("mentoring/_notes_item.html", rel=rel,
                                        note=note)), status


def _back(rel, anchor: str):
    return redirect(url_for("mentoring.show", relationship_id=rel.id, _anchor=anchor), 303)


@bp.post("/<int:relationship_id>/notes")
@login_required
def add_note(relationship_id):
    rel = get_open_pair_or_404(relationship_id)
    form = NoteForm(prefix=NEW_PREFIX)
    if form.validate_on_submit():
        try:
            note = svc.add_note(rel, current_user, form.body.data, form.shared)
        except svc.NoteRefused as exc:
            form.body.errors.append(str(exc))
        else:
            flash("Your note has been added.", "success")
            return _section(rel) if wants_fragment() else _back(rel, f"note-{note.id}")
    if wants_fragment():
        return _section(rel, 422, note_form=form)
    return render_template("mentoring/notes_new.html", rel=rel, form=form,
                           partner=rel.partner_of(current_user)), 422


@bp.get("/<int:relationship_id>/notes/<int:note_id>")
@login_required
def show_note(relationship_id, note_id):
    """One note: what "Cancel" on the in-place edit form puts back."""
    rel = get_pair_or_404(relationship_id)
    if not wants_fragment():
        notes.get_note_or_404(rel, current_user, note_id)
        return _back(rel, f"note-{note_id}")
    return _item(rel, note_id)


@bp.route("/<int:relationship_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(relationship_id, note_id):
    rel, note = get_own_note_or_404(relationship_id, note_id)
    form = NoteForm(prefix=f"note-{note.id}",
                    data=NoteForm.data_of(note) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            svc.edit_note(note, current_user, form.body.data, form.shared)
        except svc.NoteRefused as exc:
            form.body.errors.append(str(exc))
        else:
            flash("Your note has been saved.", "success")
            return _item(rel, note.id) if wants_fragment() else _back(rel, f"note-{note.id}")
    return render_page_or_fragment("mentoring/notes_edit.html", "mentoring/_notes_edit.html",
                                   422 if form.errors else 200, rel=rel, note=note, form=form)


@bp.post("/<int:relationship_id>/notes/<int:note_id>/delete")
@login_required
def delete_note(relationship_id, note_id):
    rel, note = get_own_note_or_404(relationship_id, note_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.delete_note(note, current_user)
    except svc.NoteRefused as exc:
        flash(str(exc), "error")
        return _item(rel, note.id, 422) if wants_fragment() else _back(rel, "notes")
    flash("Your note has been deleted.", "success")
    if wants_fragment():  # the note goes: an empty 200 is swapped, a 204 would not be
        return with_flashes(""), 200
    return _back(rel, "notes")
