"""A thread: its pages of posts, the jump to the first unread post, replying (in place
with htmx, or as a plain form, quoting a post), and watching it."""
import math
import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import permissions
from portal.blueprints.boards import services
from portal.blueprints.boards.forms import ReplyForm, WatchForm
from portal.blueprints.boards.models import VISIBLE, Post, ReadMarker, Thread, Watch
from portal.blueprints.boards.views import (
    bp,
    get_thread_or_404,
    posting_refused,
    save_watch,
)
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes

POSTS_PER_PAGE = 20
SHOWN_AFTER_REPLY = 50


def page_count(thread: Thread) -> int:
    return max(1, math.ceil(thread.post_count / POSTS_PER_PAGE))


def page_of(number: int) -> int:
    return max(1, (number - 1) // POSTS_PER_PAGE + 1)


def post_url(post: Post) -> str:
    return url_for("boards.thread", thread_id=post.thread_id, page=page_of(post.number),
                   _anchor=f"post-{post.id}")


@bp.get("/threads/<int:thread_id>")
def thread(thread_id):
    thread = get_thread_or_404(thread_id)
    pages = page_count(thread)
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(Post.page_of(current_user, thread, first, first + POSTS_PER_PAGE - 1))
    last_read = ReadMarker.number_for(current_user, thread)
    shown_last = max((p.number for p in posts), default=0)
    services.mark_read(current_user, thread, shown_last, [p.id for p in posts])
    return render_template(
        "boards/thread.html", thread=thread, board=thread.board, posts=posts, page=page,
        pages=pages, last_read=last_read, form=ReplyForm(formdata=None, seen=shown_last),
        watch_form=WatchForm(level=Watch.level_for(current_user, thread=thread)))


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
    return with_flashes(render_template("boards/_reply_created.html", thread=thread,
                                        board=thread.board, posts=posts, last_read=seen,
                                        form=ReplyForm(formdata=None, seen=post.number)))


@bp.post("/threads/<int:thread_id>/watch")
def watch_thread(thread_id):
    thread = get_thread_or_404(thread_id)
    return save_watch("in this thread", url_for("boards.watch_thread", thread_id=thread.id),
                      url_for("boards.thread", thread_id=thread.id), thread=thread)
