"""A thread: its pages of posts, the jump to the first unread post, replying (in place
with htmx, or as a plain form, quoting a post), and watching it."""
import datetime as dt
import math
import re
from types import SimpleNamespace

from flask import (
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal import audience, fragments, permissions
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import ReplyForm, WatchForm
from portal.blueprints.boards.models import (
    NORMAL,
    THREAD_PAGE,
    VISIBLE,
    Board,
    Post,
    ReadMarker,
    Thread,
)
from portal.blueprints.boards.views import (
    bp,
    get_thread_or_404,
    posting_refused,
    save_watch,
)
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.kept import kept

POSTS_PER_PAGE = 20
SHOWN_AFTER_REPLY = 50


def page_count(thread: Thread) -> int:
    return max(1, math.ceil(thread.post_count / POSTS_PER_PAGE))


def page_of(number: int) -> int:
    return max(1, (number - 1) // POSTS_PER_PAGE + 1)


def post_url(post: Post) -> str:
    return url_for("boards.thread", thread_id=post.thread_id, page=page_of(post.number),
                   _anchor=f"post-{post.id}")


def thread_page_or_404(thread_id: int) -> tuple[Thread, SimpleNamespace]:
    """The thread with its board, and the person's own state in it (how far they have
    read, their watch level, whether a post of theirs in it is held or hidden, which posts
    they have unread notifications about): one prepared query."""
    user = current_user._get_current_object()
    row = THREAD_PAGE(audience.shape(user), permissions.is_moderator(user)
                      ).first(thread=thread_id, user=user.id, **audience.shape_params(user))
    if row is None:
        abort(404)
    unread = row.pop("my_unread")
    mine = SimpleNamespace(last_read=row.pop("my_last_read") or 0,
                           level=row.pop("my_level") or NORMAL,
                           unshown=row.pop("my_unshown_post") is not None,
                           unread={int(i) for i in unread.split(",")} if unread else set())
    board = Board(__no_default__=True, id=row["board"], name=row.pop("board_name"),
                  slug=row.pop("board_slug"))
    thread = Thread(__no_default__=True, **row)
    thread.board = board
    thread._dirty.clear()
    return thread, mine


def post_facts(posts: list[Post]) -> dict:
    """What the holes of these posts need: number, author, deleted, status, and until when
    its author may edit it. Kept with a stored page, whose version a change of the editing
    window's setting raises, so filling the holes reads no setting."""
    return {str(p.id): [p.number, p.author_id, p.deleted, p.status,
                        p.editable_until.isoformat()] for p in posts}


def post_parts(facts: dict, last_read: int) -> tuple:
    """Everything this person's parts of these posts depend on: the posts new to them
    (after `last_read`, and not theirs), what they may do to each of their own, the name
    those actions read and the address the app is served under. Equal parts fill the same
    (post_holes), so a process may keep a page filled for them."""
    user = current_user._get_current_object()
    me = user.id
    new = tuple(i for i, (number, author, *_) in facts.items()
                if number > last_read and author != me)
    own = tuple((i, permissions.can_act_on_post(user, _post(i, fact)))
                for i, fact in facts.items() if fact[1] == me)
    return request.script_root, user.name, new, own


def _post(post_id: str, fact: list) -> SimpleNamespace:
    """What the permission rules read of a post, from its facts."""
    _, author, deleted, status, editable_until = fact
    return SimpleNamespace(id=int(post_id), author_id=author, deleted=deleted, status=status,
                           editable_until=dt.datetime.fromisoformat(editable_until))


def post_holes(parts: tuple) -> dict:
    """Fill posts' holes from their parts (post_parts): what is new to the person, and the
    actions on their own posts."""
    script_root, name, new, own = parts
    new_tag = kept("boards_new_tag", script_root,
                   lambda: get_template_attribute("boards/_post_own.html", "new_tag")())

    def actions(post_id: str, can: permissions.PostActions) -> str:
        # What the actions show depends only on these, so a process draws them once.
        return kept(
            "boards_own_actions", (script_root, post_id, can, name),
            lambda: fragments.with_token_hole(lambda: get_template_attribute(
                "boards/_post_own.html", "own_actions")(SimpleNamespace(id=int(post_id)),
                                                        can, name)))

    return {"post-new": fragments.Only({i: " tandem-post--new" for i in new}),
            "post-new-tag": fragments.Only({i: new_tag for i in new}),
            "post-own": fragments.Only({i: actions(i, can) for i, can in own})}


def fill_posts(html: str, posts: list[Post], last_read: int):
    return fragments.fill(html, post_holes(post_parts(post_facts(posts), last_read)))


def _thread_context(user, thread: Thread, page: int, pages: int, level: str) -> dict:
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = Post.numbered(user, thread.id, first, first + POSTS_PER_PAGE - 1)
    shown_last = max((p.number for p in posts), default=0)
    return {"thread": thread, "board": thread.board, "posts": posts, "page": page,
            "pages": pages, "form": ReplyForm(formdata=None, seen=shown_last),
            "watch_form": WatchForm(level=level),
            "meta": {"posts": post_facts(posts), "shown_last": shown_last}}


def _mark_read(thread: Thread, mine: SimpleNamespace, shown_last: int, post_ids: list[int]):
    """Move the read marker, and mark read the notifications about the posts shown, only
    when that changes something: a visit that changes nothing writes nothing."""
    if shown_last > mine.last_read:
        services.mark_read(current_user, thread, shown_last, post_ids=[])
    if mine.unread & set(post_ids):
        services.mark_notifications_read(current_user, thread, post_ids)


@bp.get("/threads/<int:thread_id>")
def thread(thread_id):
    """The page as everyone in the person's audience sees it (or, for someone with a held
    or hidden post in it, as they alone do), with what is new to them and what they may do
    to their own posts filled in."""
    thread, mine = thread_page_or_404(thread_id)
    pages = page_count(thread)
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    shown = {}

    def parts(meta: dict) -> tuple:
        shown.update(meta)
        return post_parts(meta["posts"], mine.last_read)

    response = fragments.shared_page(
        "boards/thread.html", None, name="boards.thread", areas=(fragments.BOARDS,),
        args=[fragments.request_args(), page, mine.level],
        parts=parts, holes=post_holes,
        context=lambda user: _thread_context(user, thread, page, pages, mine.level),
        person=mine.unshown and not permissions.is_moderator(current_user))
    _mark_read(thread, mine, shown["shown_last"], [int(i) for i in shown["posts"]])
    return response


@bp.get("/threads/<int:thread_id>/unread")
def first_unread(thread_id):
    thread = get_thread_or_404(thread_id)
    number = min(ReadMarker.number_for(current_user, thread) + 1, max(1, thread.post_count))
    post_id = Post.select(Post.id).where(Post.thread == thread.id, Post.number == number).scalar()
    return redirect(url_for("boards.thread", thread_id=thread.id, page=page_of(number),
                            _anchor=f"post-{post_id}" if post_id else None), 303)


def quoted(thread: Thread, post_id: str | None) -> str:
    """The Markdown quote of a post in this thread, or "" if there is none to quote."""
    if not (post_id or "").isdigit():
        return ""
    post = Post.shown_to(current_user).where(
        Post.id == int(post_id), Post.thread == thread.id, Post.deleted == False,  # noqa: E712
        Post.status == VISIBLE).first()
    if post is None:
        return ""
    name = re.sub(r"([\\`*_\[\]<>#!|~])", r"\\\1", post.author.name if post.author else
                  "A former member")
    lines = "\n".join(f"> {line}".rstrip() for line in post.body.strip().splitlines())
    return f"> **{name}** wrote:\n>\n{lines}\n\n"


@bp.route("/threads/<int:thread_id>/reply", methods=["GET", "POST"])
def reply(thread_id):
    thread = get_thread_or_404(thread_id)
    permissions.require(permissions.can_reply_to_thread, current_user, thread)
    form = ReplyForm(seen=request.args.get("seen"),
                     body=quoted(thread, request.args.get("quote")))
    if form.validate_on_submit() and not posting_refused(form):
        post = services.reply(current_user, thread, form.body.data)
        return _reply_posted(thread, post, form.seen_number)
    return render_page_or_fragment("boards/reply.html", "boards/_reply_form.html",
                                   422 if form.errors else 200, thread=thread,
                                   board=thread.board, form=form, inline=wants_fragment(),
                                   focus=bool(request.args.get("quote")))


def _reply_posted(thread: Thread, post: Post, seen: int):
    """With htmx: the new reply and whatever others posted since the page was loaded."""
    flash("Your reply has been posted.", "success")
    if not wants_fragment():
        return redirect(post_url(post), 303)
    first = max(seen + 1, post.number - SHOWN_AFTER_REPLY + 1)
    posts = list(Post.page_of(current_user, thread, first, post.number))
    services.mark_read(current_user, thread, post.number, [p.id for p in posts])
    html = render_template("boards/_reply_created.html", thread=thread, board=thread.board,
                           posts=posts, form=ReplyForm(formdata=None, seen=post.number))
    return with_flashes(fill_posts(html, posts, seen))


@bp.post("/threads/<int:thread_id>/watch")
def watch_thread(thread_id):
    thread = get_thread_or_404(thread_id)
    return save_watch("in this thread", url_for("boards.watch_thread", thread_id=thread.id),
                      url_for("boards.thread", thread_id=thread.id), thread=thread)
