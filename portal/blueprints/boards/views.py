"""Boards: the list of boards, a board's threads, starting a thread and watching a board.

Every loader applies the board's audience in SQL: an invisible board, thread or post is
a 404, a visible one the person may not act on is a 403.
"""
from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal import audience, fragments, permissions, ratelimit
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import SearchForm, ThreadForm, WatchForm
from portal.blueprints.boards.models import (
    BOARD_PAGE,
    NORMAL,
    WATCH_LEVELS,
    Board,
    Notification,
    Post,
    ReadMarker,
    Thread,
)
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.kept import kept, kept_in
from portal.pagination import newest_first

bp = Blueprint("boards", __name__, url_prefix="/boards")
THREADS_PER_PAGE = 25
PINNED_SHOWN = 10
TOO_QUICK = "You are posting too quickly. Wait a minute, then try again."


@bp.before_request
@login_required
def _signed_in_only():
    """The boards are for people with an account; audiences narrow them further."""


def get_board_or_404(slug: str) -> Board:
    return Board.visible_to(current_user).where(Board.slug == slug).first() or abort(404)


def get_thread_or_404(thread_id: int) -> Thread:
    return Thread.visible_to(current_user).where(Thread.id == thread_id).first() or abort(404)


def get_post_or_404(post_id: int) -> Post:
    return Post.shown_to(current_user).where(Post.id == post_id).first() or abort(404)


def may_post(form) -> bool:
    """Suspended people cannot post: their notice becomes the form's error."""
    if permissions.can_post(current_user):
        return True
    form.body.errors.append(current_user.suspension_notice)
    return False


def posting_refused(form) -> bool:
    """Suspended people cannot post; threads and replies share one limit per person,
    counted in the shared store."""
    if not may_post(form):
        return True
    limit = ratelimit.limit("board-post")
    key = f"user:{current_user.id}"
    if limit.exceeded(key):
        form.body.errors.append(TOO_QUICK)
        return True
    limit.hit(key)
    return False


@bp.get("/")
def index():
    return render_template("boards/index.html", boards=list(Board.listed_for(current_user)),
                           unread=Notification.unread_count(current_user), form=SearchForm())


def board_page_or_404(slug: str) -> tuple[Board, str, bool]:
    """The board for its page, the person's watch level on it, and whether a thread of
    theirs waits for a moderator: one prepared query."""
    user = current_user._get_current_object()
    row = BOARD_PAGE(audience.shape(user)).first(slug=slug, user=user.id,
                                                 **audience.shape_params(user))
    if row is None:
        abort(404)
    level, held = row.pop("my_level"), row.pop("my_held_thread")
    board = Board(__no_default__=True, **row)
    board._dirty.clear()
    return board, level or NORMAL, held is not None


def unread_parts(threads: dict) -> tuple:
    """Everything a list's unread holes show for this person: the address the app is
    served under, and each listed thread with posts they have not read, as its id, title
    and how many posts are new (None when they have read none of it). `threads` maps each
    listed thread's id (as text) to its post count and title. Equal parts fill the same
    (unread_holes), so a process may keep a list filled for them."""
    listed = {int(i): row for i, row in threads.items()}
    read = ReadMarker.numbers_for(current_user._get_current_object(), list(listed))
    unread = []
    for thread_id, (count, title) in listed.items():
        last_read = read.get(thread_id, 0)
        if count > last_read:
            unread.append((thread_id, title, count - last_read if last_read else None))
    return request.script_root, tuple(unread)


def unread_holes(parts: tuple) -> dict:
    """Fill a list's unread holes from their parts (unread_parts)."""
    root, unread = parts
    store = kept_in("boards_unread_tags")
    return {"unread-row": fragments.Only({str(row[0]): " tandem-thread-row--unread"
                                          for row in unread}),
            "unread-tags": fragments.Only({str(row[0]): _unread_tags(store, root, *row)
                                           for row in unread})}


def _unread_tags(store: dict, root: str, thread_id: int, title: str, new_posts: int | None):
    """A row's tags depend only on these values, so a process draws each combination once."""
    return kept("boards_unread_tags", (root, thread_id, title, new_posts),
                lambda: get_template_attribute("boards/_unread.html", "tags")(
                    thread_id, title, new_posts), store=store)


def listed(threads: list[Thread]) -> dict:
    return {str(t.id): [t.post_count, t.title] for t in threads}


def _board_context(user, board: Board, level: str) -> dict:
    shared = isinstance(user, fragments.Audience)
    after = request.args.get("after")
    page = newest_first(Thread.board_listing(user, board, shared)
                        .where(Thread.pinned == False),  # noqa: E712
                        Thread.last_post_at, Thread.id, after, THREADS_PER_PAGE)
    pinned = [] if after else list(Thread.board_listing(user, board, shared).where(
        Thread.pinned == True).order_by(Thread.last_post_at.desc()).limit(PINNED_SHOWN))  # noqa: E712
    return {"board": board, "threads": page.rows, "pinned": pinned,
            "next_cursor": page.next_cursor, "form": ThreadForm(formdata=None),
            "watch_form": WatchForm(level=level), "meta": listed(page.rows + pinned)}


@bp.get("/<slug>")
def show(slug):
    """The board's threads as everyone in the person's audience sees them (or, while a
    thread of theirs waits for a moderator, as they alone do), with what is new to them
    filled in."""
    board, level, has_held = board_page_or_404(slug)
    return fragments.shared_page(
        "boards/board.html", "boards/_thread_rows.html", name="boards.show",
        areas=(fragments.BOARDS,), args=[fragments.request_args(), level],
        context=lambda user: _board_context(user, board, level),
        parts=unread_parts, holes=unread_holes,
        person=has_held and not permissions.is_moderator(current_user))


@bp.route("/<slug>/new", methods=["GET", "POST"])
def new_thread(slug):
    board = get_board_or_404(slug)
    permissions.require(permissions.can_start_thread, current_user, board)
    form = ThreadForm()
    if form.validate_on_submit() and not posting_refused(form):
        post = services.start_thread(current_user, board, form.title.data, form.body.data)
        return _thread_started(board, post)
    return render_page_or_fragment("boards/thread_new.html", "boards/_thread_form.html",
                                   422 if form.errors else 200, board=board, form=form,
                                   inline=wants_fragment())


def _thread_started(board: Board, post: Post):
    flash("Your thread has been started.", "success")
    if wants_fragment():
        thread = (Thread.board_listing(current_user, board)
                  .where(Thread.id == post.thread_id).get())
        html = render_template("boards/_thread_created.html", board=board, thread=thread,
                               form=ThreadForm(formdata=None))
        return with_flashes(fragments.fill(html, unread_holes(unread_parts(listed([thread])))))
    return redirect(url_for("boards.thread", thread_id=post.thread_id), 303)


def save_watch(where: str, action: str, back: str, **target):
    """Set a watch level on a board or a thread (`target`), answering in place or with a
    redirect to `back`. `where` finishes the message: "on this board", "in this thread"."""
    form = WatchForm()
    saved = form.validate_on_submit()
    if saved:
        services.set_watch(current_user, form.level.data, **target)
        flash(f"Saved: {WATCH_LEVELS[form.level.data][1].lower()} {where}.", "success")
    if wants_fragment():
        fragment = render_template("boards/_watch.html", watch_form=form, action=action)
        return (with_flashes(fragment), 200) if saved else (fragment, 422)
    if not saved:
        flash(f"Choose how you want to hear about this {where.split()[-1]}.", "error")
    return redirect(back, 303)


@bp.post("/<slug>/watch")
def watch_board(slug):
    board = get_board_or_404(slug)
    return save_watch("on this board", url_for("boards.watch_board", slug=slug),
                      url_for("boards.show", slug=slug), board=board)
