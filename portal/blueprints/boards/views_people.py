"""The person's side of the boards: finding someone to mention, and search. Each applies
the boards' audiences in SQL. Notifications and email preferences live in the one
notification centre; the boards' old addresses lead there."""
import re

from flask import redirect, request, url_for
from flask_login import current_user

from portal import search
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import SearchForm
from portal.blueprints.boards.models import VISIBLE, Post
from portal.blueprints.boards.views import bp, get_board_or_404
from portal.htmx import render_page_or_fragment

SUGGESTIONS = 8
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
    return redirect(url_for("notifications.index"), 301)


@bp.get("/preferences")
def preferences():
    return redirect(url_for("notifications.preferences"), 301)


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
