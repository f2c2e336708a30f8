"""The person's side of the boards: finding someone to mention, notifications, email
preferences and search. Each applies the boards' audiences in SQL."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import search
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import PreferencesForm, SearchForm
from portal.blueprints.boards.models import VISIBLE, BoardPreference, Notification, Post
from portal.blueprints.boards.views import bp, get_board_or_404
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.pagination import newest_first

SUGGESTIONS = 8
NOTIFICATIONS_PER_PAGE = 30
SEARCH_LIMIT = 50
_TRAILING_MENTION = re.compile(r"(?:^|[^\w@])@(\w[\w'’. -]{0,40})$")


def _mention_text() -> str:
    """What follows the "@" being typed: `q` from the page's script, or the end of the
    post's text when only htmx sent it."""
    if "q" in request.args:
        return request.args["q"].strip()[:60]
    for value in request.args.values():
        match = _TRAILING_MENTION.search(value)
        if match:
            return match.group(1).strip()[:60]
    return ""


@bp.get("/<slug>/people")
def people(slug):
    """People who can see the board, by name: the @mention suggestions, and a page to
    look someone up without JavaScript."""
    board = get_board_or_404(slug)
    text = _mention_text()
    found = []
    if text:
        found = list(board.readers().where(User.name.contains(text), User.id != current_user.id)
                     .order_by(User.name, User.id).limit(SUGGESTIONS))
    return render_page_or_fragment("boards/people.html", "boards/_people_options.html",
                                   board=board, people=found, q=text)


@bp.get("/notifications")
def notifications():
    page = newest_first(Notification.for_user(current_user), Notification.created_at,
                        Notification.id, request.args.get("after"), NOTIFICATIONS_PER_PAGE)
    return render_page_or_fragment("boards/notifications.html",
                                   "boards/_notification_rows.html",
                                   notifications=page.rows, next_cursor=page.next_cursor)


@bp.post("/notifications/read")
def read_notifications():
    services.mark_all_read(current_user)
    flash("All your notifications are marked as read.", "success")
    if wants_fragment():
        page = newest_first(Notification.for_user(current_user), Notification.created_at,
                            Notification.id, None, NOTIFICATIONS_PER_PAGE)
        return with_flashes(render_template("boards/_notification_rows.html",
                                            notifications=page.rows,
                                            next_cursor=page.next_cursor))
    return redirect(url_for("boards.notifications"), 303)


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    form = PreferencesForm(obj=BoardPreference.for_user(current_user))
    if form.validate_on_submit():
        services.save_preferences(current_user, email_replies=form.email_replies.data,
                                  email_mentions=form.email_mentions.data,
                                  daily_digest=form.daily_digest.data)
        flash("Your email preferences have been saved.", "success")
        return redirect(url_for("boards.preferences"), 303)
    return render_template("boards/preferences.html", form=form), 422 if form.errors else 200


@bp.get("/search")
def search_posts():
    form = SearchForm(request.args)
    results = []
    if form.validate() and form.q.data:
        results = _search(form.q.data)
    return render_page_or_fragment("boards/search.html", "boards/_search_results.html",
                                   form=form, results=results, q=form.q.data or "")


def _search(text: str) -> list:
    hits = search.matches(services.SEARCH_KIND, text)
    if hits is None:
        return []
    hits = hits.alias("hits")
    return list(Post.shown_to(current_user)
                .select_extend(hits.c.rank.alias("rank").bind_to(Post),
                               hits.c.snippet.alias("snippet").bind_to(Post))
                .join_from(Post, hits, on=(hits.c.object_id == Post.id))
                .where(Post.deleted == False, Post.status == VISIBLE)  # noqa: E712
                .order_by(hits.c.rank, Post.id).limit(SEARCH_LIMIT))
