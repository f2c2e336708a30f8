"""The moderation queue: reported posts and comments, and posts held for approval, acted
on in place with htmx (or as plain forms), each action audited."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.blueprints.boards.models import Board, Thread
from portal.blueprints.hub.forms import HideForm
from portal.blueprints.hub.models import Comment
from portal.blueprints.hub.views import article_page
from portal.blueprints.hub.views_comments import comment_fragment, get_comment_or_404
from portal.blueprints.staff import moderation
from portal.blueprints.staff.forms import (
    ModerationReasonForm,
    ModeratorEditForm,
    MoveThreadForm,
    RenameThreadForm,
    SuspendAuthorForm,
    WarnForm,
)
from portal.blueprints.staff.views import bp
from portal.htmx import wants_fragment, with_flashes
from portal.reports import COMMENT, POST
from portal.security import is_safe_next

KINDS = (POST, COMMENT)
THREAD_DONE = {"pin": "Thread pinned.", "unpin": "Thread unpinned.", "lock": "Thread locked.",
               "unlock": "Thread unlocked.", "hide": "Thread hidden.",
               "unhide": "Thread shown again."}
DONE = {"dismiss": "Reports dismissed.", "hide": "Hidden. The author sees the reason.",
        "unhide": "Shown again.", "delete": "Deleted.", "warn": "Warning sent to the author.",
        "approve": "Approved: everyone can see it now."}


def get_item_or_404(kind: str, item_id: int) -> moderation.Item:
    if kind not in KINDS:
        abort(404)
    return moderation.load_item(kind, item_id) or abort(404)


def _forms(**given) -> dict:
    forms = {"reason_form": ModerationReasonForm(formdata=None),
             "warn_form": WarnForm(formdata=None), "suspend_form": SuspendAuthorForm(formdata=None)}
    forms.update(given)
    return forms


@bp.get("/moderation")
def moderation_queue():
    permissions.require(permissions.can_moderate, current_user)
    return render_template("staff/moderation.html", entries=moderation.open_queue(),
                           held=moderation.held_posts(), **_forms())


def _done(item: moderation.Item, message: str):
    """Success: the row leaves the queue in place, or the page reloads without JavaScript."""
    flash(message, "success")
    if wants_fragment():
        return with_flashes()
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("staff.moderation_queue"), 303)


def _failed(item: moderation.Item, message: str | None = None, **forms):
    """A refused action: the row again with its errors, or the whole queue."""
    if message:
        flash(message, "error")
    if wants_fragment():
        template = "staff/_held_row.html" if item.status == "held" and not forms \
            else "staff/_queue_row.html"
        entry = next((e for e in moderation.open_queue() if e.item.id == item.id
                      and e.item.kind == item.kind), None)
        return with_flashes(render_template(template, entry=entry, item=item,
                                            **_forms(**forms))), 422
    return render_template("staff/moderation.html", entries=moderation.open_queue(),
                           held=moderation.held_posts(), **_forms(**forms)), 422


def _act(item: moderation.Item, action, message: str):
    try:
        action()
    except moderation.ModerationError as problem:
        return _failed(item, str(problem))
    return _done(item, message)


@bp.post("/moderation/<kind>/<int:item_id>/dismiss")
def dismiss_reports(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    return _act(item, lambda: moderation.dismiss(current_user, item), DONE["dismiss"])


@bp.post("/moderation/<kind>/<int:item_id>/hide")
def hide_content(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    form = ModerationReasonForm()
    if not form.validate_on_submit():
        return _failed(item, reason_form=form)
    return _act(item, lambda: moderation.hide(current_user, item, form.reason.data.strip()),
                DONE["hide"])


@bp.post("/moderation/<kind>/<int:item_id>/unhide")
def unhide_content(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    return _act(item, lambda: moderation.unhide(current_user, item), DONE["unhide"])


@bp.post("/moderation/<kind>/<int:item_id>/delete")
def delete_content(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    return _act(item, lambda: moderation.delete(current_user, item), DONE["delete"])


@bp.post("/moderation/<kind>/<int:item_id>/warn")
def warn_author(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    form = WarnForm()
    if not form.validate_on_submit():
        return _failed(item, warn_form=form)
    return _act(item, lambda: moderation.warn(current_user, item, form.message.data.strip()),
                DONE["warn"])


@bp.post("/moderation/<kind>/<int:item_id>/suspend")
def suspend_author(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    form = SuspendAuthorForm()
    if not form.validate_on_submit():
        return _failed(item, suspend_form=form)
    if item.author is None or not permissions.can_suspend_author(current_user, item.author):
        return _failed(item, "You cannot suspend this person.")
    days, reason = form.days.data, form.reason.data.strip()
    return _act(item, lambda: moderation.suspend_author(current_user, item, days, reason),
                f"{item.author.name} cannot post for {days} day{'s' if days != 1 else ''}.")


@bp.post("/moderation/post/<int:item_id>/approve")
def approve_post(item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(POST, item_id)
    return _act(item, lambda: moderation.approve(current_user, item), DONE["approve"])


@bp.route("/moderation/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
def edit_content(kind, item_id):
    permissions.require(permissions.can_moderate, current_user)
    item = get_item_or_404(kind, item_id)
    form = ModeratorEditForm(data={"body": item.obj.body, "note": item.obj.edit_note})
    if form.validate_on_submit():
        try:
            moderation.edit(current_user, item, form.body.data, form.note.data.strip())
        except moderation.ModerationError as problem:
            form.body.errors.append(str(problem))
        else:
            flash("Saved, with your edit note.", "success")
            return redirect(item.path, 303)
    return render_template("staff/moderate_edit.html", item=item, form=form), \
        422 if form.errors else 200


@bp.post("/moderation/articles/comments/<int:comment_id>/hide")
def hide_comment(comment_id):
    """Hide a comment in place on its article, with the reason its author will see."""
    comment = get_comment_or_404(comment_id)
    permissions.require(permissions.can_hide_comment, current_user, comment)
    form = HideForm()
    if not form.validate_on_submit():
        if wants_fragment():
            return comment_fragment(comment, hide_form=form), 422
        return article_page(comment.article, 422, hide_form=form)
    moderation.hide(current_user, moderation.load_item(COMMENT, comment.id),
                    form.reason.data.strip())
    return _comment_done(comment.id)


@bp.post("/moderation/articles/comments/<int:comment_id>/unhide")
def unhide_comment(comment_id):
    comment = get_comment_or_404(comment_id)
    permissions.require(permissions.can_hide_comment, current_user, comment)
    moderation.unhide(current_user, moderation.load_item(COMMENT, comment.id))
    return _comment_done(comment.id)


def _comment_done(comment_id: int):
    comment = Comment.get_by_id(comment_id)
    if wants_fragment():
        return comment_fragment(comment)
    return redirect(url_for("hub.show", slug=comment.article.slug,
                            _anchor=f"comment-{comment.id}"), 303)


def get_thread_or_404(thread_id: int) -> Thread:
    """Any thread, hidden or held, for the moderators."""
    return (Thread.select(Thread, Board).join(Board).where(Thread.id == thread_id).first()
            or abort(404))


def _back_to(thread):
    return redirect(url_for("boards.thread", thread_id=thread.id), 303)


@bp.post("/moderation/threads/<int:thread_id>/"
         "<any(pin, unpin, lock, unlock, hide, unhide):action>")
def thread_flag(thread_id, action):
    permissions.require(permissions.can_moderate, current_user)
    thread = get_thread_or_404(thread_id)
    try:
        moderation.set_thread_flag(current_user, thread, action)
    except moderation.ModerationError as problem:
        flash(str(problem), "error")
    else:
        flash(THREAD_DONE[action], "success")
    return _back_to(thread)


@bp.route("/moderation/threads/<int:thread_id>/rename", methods=["GET", "POST"])
def rename_thread(thread_id):
    permissions.require(permissions.can_moderate, current_user)
    thread = get_thread_or_404(thread_id)
    form = RenameThreadForm(data={"title": thread.title})
    if form.validate_on_submit():
        moderation.rename_thread(current_user, thread, form.title.data)
        flash("Thread renamed.", "success")
        return _back_to(thread)
    return render_template("staff/thread_rename.html", thread=thread, form=form), \
        422 if form.errors else 200


@bp.route("/moderation/threads/<int:thread_id>/move", methods=["GET", "POST"])
def move_thread(thread_id):
    permissions.require(permissions.can_moderate, current_user)
    thread = get_thread_or_404(thread_id)
    form = MoveThreadForm(data={"board": thread.board_id})
    boards = {b.id: b for b in Board.select().order_by(Board.position, Board.name)}
    form.board.choices = [SelectChoice(b.id, b.name) for b in boards.values()]
    if form.validate_on_submit():
        try:
            moderation.move_thread(current_user, thread, boards[form.board.data])
        except moderation.ModerationError as problem:
            form.board.errors.append(str(problem))
        else:
            flash(f"Thread moved to {boards[form.board.data].name}.", "success")
            return _back_to(thread)
    return render_template("staff/thread_move.html", thread=thread, form=form), \
        422 if form.errors else 200
