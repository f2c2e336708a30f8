"""The notification centre: one list for every area, the count in the header, marking
items read (in place with htmx, or by a form and a redirect), and the one preferences page.
"""
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal import notifications
from portal.blueprints.notifications.forms import preferences_form
from portal.db import db
from portal.forms import EmptyForm
from portal.htmx import hx_trigger, render_page_or_fragment, wants_fragment, with_flashes
from portal.notifications import UNREAD_CAP, UserNotification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PER_PAGE = 30
# The header's count listens for this, so marking items read updates it at once.
READ_EVENT = "notifications-read"
# htmx stops polling an element whose request answers 286.
STOP_POLLING = 286


@bp.app_context_processor
def _header_count():
    """`unread_notifications()` for the header: one query, made only when a page asks."""
    return {"unread_notifications": lambda: notifications.unread_count(current_user),
            "unread_cap": UNREAD_CAP, "notification_badge": notifications.badge}


def get_item_or_404(item_id: int) -> UserNotification:
    return notifications.item_for(current_user, item_id) or abort(404)


@bp.get("/")
@login_required
def index():
    page = notifications.listing(current_user, request.args.get("after"), PER_PAGE)
    return render_page_or_fragment("notifications/index.html", "notifications/_rows.html",
                                   items=page.rows, next_cursor=page.next_cursor,
                                   form=EmptyForm())


@bp.get("/<int:item_id>")
@login_required
def show(item_id: int):
    """Following an item marks it read, then goes where it points."""
    item = get_item_or_404(item_id)
    with db.atomic():
        notifications.mark_read(current_user, [item.id])
    return redirect(item.url, 303)


@bp.post("/<int:item_id>/read")
@login_required
def read(item_id: int):
    item = get_item_or_404(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db.atomic():
        notifications.mark_read(current_user, [item.id])
    if wants_fragment():
        fresh = get_item_or_404(item.id)
        return hx_trigger(_fragment("notifications/_row.html", item=fresh), READ_EVENT)
    flash(f"Marked as read: {item.text}", "success")
    return redirect(url_for("notifications.index", after=request.args.get("after")), 303)


@bp.post("/read")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db.atomic():
        notifications.mark_all_read(current_user)
    flash("All your notifications are marked as read.", "success")
    if wants_fragment():
        page = notifications.listing(current_user, None, PER_PAGE)
        return hx_trigger(_fragment("notifications/_rows.html", items=page.rows,
                                    next_cursor=page.next_cursor, form=EmptyForm(),
                                    flashes=True), READ_EVENT)
    return redirect(url_for("notifications.index"), 303)


def _fragment(template: str, flashes: bool = False, **context):
    html = render_template(template, **context)
    return make_response(with_flashes(html) if flashes else html)


@bp.get("/count")
def count():
    """The header's count, polled by htmx. A signed-out page stops polling rather than
    being sent to the log-in page by a request the person never made."""
    if not current_user.is_authenticated:
        return "", STOP_POLLING
    response = make_response(render_template(
        "notifications/_count.html", unread=notifications.unread_count(current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    offered = notifications.offered_to(current_user)
    current = notifications.channels_for([current_user.id], [t.key for t in offered])
    form = preferences_form(offered, {t.key: current[(current_user.id, t.key)]
                                      for t in offered})
    if form.validate_on_submit():
        with db.atomic():
            notifications.set_channels(current_user.id,
                                       {t.key: form[t.key].data for t in form.kinds},
                                       "preferences")
        flash("Your notification preferences have been saved.", "success")
        return redirect(url_for("notifications.preferences"), 303)
    return render_template("notifications/preferences.html", form=form,
                           locked=[t for t in offered if t.locked]), 422 if form.errors else 200
