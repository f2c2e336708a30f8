"""Moderating what members write: board posts and hub comments, behind one queue.

Every action runs in one transaction that also resolves the open reports on the content
and writes exactly one audit row; if anything fails, none of it is kept."""
import datetime as dt
from dataclasses import dataclass

from flask import current_app, render_template, url_for
from peewee import JOIN, fn

from portal import search
from portal.audit import AuditEntry
from portal.blueprints.accounts import services as account_services
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as board_services
from portal.blueprints.boards.models import HELD, HIDDEN, VISIBLE, Board, Post, Thread
from portal.blueprints.hub import services as hub_services
from portal.blueprints.hub.models import Article, Comment
from portal.db import db, utcnow
from portal.outbox import queue_email
from portal.reports import ACTIONED, COMMENT, DISMISSED, OPEN, POST, REPORT_REASONS, Report


class ModerationError(Exception):
    """The action does not apply to this content now (already deleted, not held...)."""


@dataclass
class Item:
    """A post or a comment, seen the same way by the queue."""

    kind: str
    id: int
    obj: object
    author: User | None
    body_html: str
    where: str  # "Thread title, in Board name" or "Comment on Article title"
    path: str  # where it is on the site
    status: str  # visible, hidden, held or deleted
    hidden_reason: str
    created_at: dt.datetime


def _post_item(post: Post) -> Item:
    status = "deleted" if post.deleted else post.status
    return Item(POST, post.id, post, post.author if post.author_id else None, post.body_html,
                f"{post.thread.title}, in {post.thread.board.name}",
                url_for("boards.show_post", post_id=post.id), status, post.hidden_reason,
                post.created_at)


def _comment_item(comment: Comment) -> Item:
    status = "deleted" if comment.deleted else HIDDEN if comment.hidden else VISIBLE
    return Item(COMMENT, comment.id, comment, comment.author, comment.body_html,
                f"Comment on “{comment.article.title}”",
                url_for("hub.show", slug=comment.article.slug, _anchor=f"comment-{comment.id}"),
                status, comment.hidden_reason, comment.created_at)


def load_items(keys: list[tuple[str, int]]) -> dict[tuple[str, int], Item]:
    """Posts and comments with their authors and context: one query per kind."""
    post_ids = [i for kind, i in keys if kind == POST]
    comment_ids = [i for kind, i in keys if kind == COMMENT]
    items = {}
    if post_ids:
        posts = (Post.select(Post, Thread, Board, User).join(Thread).join(Board)
                 .join_from(Post, User, JOIN.LEFT_OUTER, on=(Post.author == User.id))
                 .where(Post.id.in_(post_ids)))
        items.update({(POST, p.id): _post_item(p) for p in posts})
    if comment_ids:
        comments = (Comment.select(Comment, Article, User).join(Article)
                    .join_from(Comment, User, on=(Comment.author == User.id))
                    .where(Comment.id.in_(comment_ids)))
        items.update({(COMMENT, c.id): _comment_item(c) for c in comments})
    return items


def load_item(kind: str, item_id: int) -> Item | None:
    return load_items([(kind, item_id)]).get((kind, item_id))


@dataclass
class QueueEntry:
    item: Item
    count: int
    reasons: list[str]
    notes: list[str]
    first_reported: dt.datetime


def open_queue(limit: int = 50) -> list[QueueEntry]:
    """Reported content with open reports, most reported first: three queries in all."""
    grouped = list(Report.select(Report.object_type, Report.object_id,
                                 fn.COUNT(Report.id).alias("n"),
                                 fn.MIN(Report.created_at).alias("first"))
                   .where(Report.status == OPEN)
                   .group_by(Report.object_type, Report.object_id)
                   .order_by(fn.COUNT(Report.id).desc(), fn.MIN(Report.created_at))
                   .limit(limit).dicts())
    keys = [(g["object_type"], g["object_id"]) for g in grouped]
    if not keys:
        return []
    details: dict[tuple, tuple[list, list]] = {key: ([], []) for key in keys}
    for report in (Report.select(Report.object_type, Report.object_id, Report.reason,
                                 Report.note)
                   .where(Report.status == OPEN,
                          Report.object_id.in_([k[1] for k in keys]))
                   .order_by(Report.created_at)):
        key = (report.object_type, report.object_id)
        if key in details:
            details[key][0].append(REPORT_REASONS.get(report.reason, report.reason))
            if report.note:
                details[key][1].append(report.note)
    items = load_items(keys)
    return [QueueEntry(items[key], g["n"], details[key][0], details[key][1], g["first"])
            for key, g in zip(keys, grouped, strict=True) if key in items]


def held_posts(limit: int = 50) -> list[Item]:
    posts = (Post.select(Post, Thread, Board, User).join(Thread).join(Board)
             .join_from(Post, User, JOIN.LEFT_OUTER, on=(Post.author == User.id))
             .where(Post.status == HELD, Post.deleted == False)  # noqa: E712
             .order_by(Post.created_at, Post.id).limit(limit))
    return [_post_item(p) for p in posts]


def held_count() -> int:
    return Post.select().where(Post.status == HELD, Post.deleted == False).count()  # noqa: E712


def _resolve(item: Item, actor, status: str) -> int:
    return (Report.update(status=status, resolved_by=actor.id, resolved_at=utcnow())
            .where(Report.object_type == item.kind, Report.object_id == item.id,
                   Report.status == OPEN).execute())


def _audit(actor, action: str, item: Item, before: dict, after: dict) -> None:
    AuditEntry.record(actor, action, item.obj, before, after)


def dismiss(actor, item: Item) -> None:
    with db.atomic():
        if not _resolve(item, actor, DISMISSED):
            raise ModerationError("There are no open reports on this.")
        _audit(actor, f"{item.kind}.dismiss_reports", item, {"reports": OPEN},
               {"reports": DISMISSED})


def hide(actor, item: Item, reason: str) -> None:
    if item.status not in (VISIBLE, HELD):
        raise ModerationError("Only something visible or waiting can be hidden.")
    with db.atomic():
        if item.kind == POST:
            Post.update(status=HIDDEN, hidden_reason=reason).where(Post.id == item.id).execute()
            search.unindex("post", item.id)  # nobody finds its words in search
        else:
            Comment.update(hidden=True, hidden_reason=reason).where(
                Comment.id == item.id).execute()
        _resolve(item, actor, ACTIONED)
        _audit(actor, f"{item.kind}.hide", item, {"status": item.status},
               {"status": HIDDEN, "reason": reason})


def unhide(actor, item: Item) -> None:
    if item.status != HIDDEN:
        raise ModerationError("This is not hidden.")
    with db.atomic():
        if item.kind == POST:
            Post.update(status=VISIBLE, hidden_reason="").where(Post.id == item.id).execute()
            board_services.reindex(Post.get_by_id(item.id))
        else:
            Comment.update(hidden=False, hidden_reason="").where(Comment.id == item.id).execute()
        _audit(actor, f"{item.kind}.unhide", item,
               {"status": HIDDEN, "reason": item.hidden_reason}, {"status": VISIBLE})


def delete(actor, item: Item) -> None:
    if item.status == "deleted":
        raise ModerationError("This has already been deleted.")
    with db.atomic():
        model = Post if item.kind == POST else Comment
        model.update(deleted=True).where(model.id == item.id).execute()
        if item.kind == POST:
            search.unindex("post", item.id)
        _resolve(item, actor, ACTIONED)
        _audit(actor, f"{item.kind}.delete", item, {"status": item.status},
               {"status": "deleted"})


def warn(actor, item: Item, message: str) -> None:
    if item.author is None:
        raise ModerationError("The author's account no longer exists.")
    with db.atomic():
        _resolve(item, actor, ACTIONED)
        entry = AuditEntry.record(actor, "user.warn", item.author, {},
                                  {"about": f"{item.kind} {item.id}", "message": message})
        queue_email(f"warning:{entry.id}", item.author.email,
                    "A message from the moderators",
                    render_template("emails/moderation_warning.txt", person=item.author,
                                    item=item, message=message,
                                    link=current_app.config["BASE_URL"].rstrip("/") + item.path))


def suspend_author(actor, item: Item, days: int, reason: str) -> dt.datetime:
    if item.author is None:
        raise ModerationError("The author's account no longer exists.")
    until = (utcnow() + dt.timedelta(days=days)).replace(hour=0, minute=0, second=0,
                                                         microsecond=0)
    with db.atomic():
        _resolve(item, actor, ACTIONED)
        account_services.suspend(actor, item.author, until, reason)  # its one audit row
    return until


def approve(actor, item: Item) -> None:
    """A held post goes live: its thread shows, and its notifications go out."""
    if item.kind != POST or item.status != HELD:
        raise ModerationError("Only a post waiting for approval can be approved.")
    with db.atomic():
        Post.update(status=VISIBLE).where(Post.id == item.id).execute()
        Thread.update(held=False).where(Thread.id == item.obj.thread_id).execute()
        board_services.release_held_post(Post.get_by_id(item.id))
        _audit(actor, "post.approve", item, {"status": HELD}, {"status": VISIBLE})
    board_services.notify_later(item.id)


def edit(actor, item: Item, body: str, note: str) -> None:
    """A moderator's edit, with a note that readers see beside the post or comment."""
    if item.status == "deleted":
        raise ModerationError("A deleted post or comment cannot be edited.")
    with db.atomic():
        if item.kind == POST:
            board_services.edit_post(actor, item.obj, body)
            Post.update(edit_note=note).where(Post.id == item.id).execute()
        else:
            hub_services.edit_comment(item.obj, body)
            Comment.update(edit_note=note).where(Comment.id == item.id).execute()
        _audit(actor, f"{item.kind}.edit", item, {"body": item.obj.body},
               {"body": body, "note": note})


THREAD_FLAGS = {"pin": ("pinned", True), "unpin": ("pinned", False),
                "lock": ("locked", True), "unlock": ("locked", False),
                "hide": ("hidden", True), "unhide": ("hidden", False)}


def set_thread_flag(actor, thread: Thread, action: str) -> None:
    column, value = THREAD_FLAGS[action]
    if getattr(thread, column) == value:
        raise ModerationError(f"The thread is already {column if value else 'not ' + column}.")
    with db.atomic():
        Thread.update({getattr(Thread, column): value}).where(Thread.id == thread.id).execute()
        AuditEntry.record(actor, f"thread.{action}", thread, {column: not value},
                          {column: value})


def rename_thread(actor, thread: Thread, title: str) -> None:
    with db.atomic():
        Thread.update(title=title).where(Thread.id == thread.id).execute()
        first = Post.get_or_none(Post.thread == thread.id, Post.number == 1)
        if first is not None and first.status == VISIBLE and not first.deleted:
            search.index("post", first.id, title, "", first.body)
        AuditEntry.record(actor, "thread.rename", thread, {"title": thread.title},
                          {"title": title})


def move_thread(actor, thread: Thread, board: Board) -> None:
    if board.id == thread.board_id:
        raise ModerationError("The thread is already on that board.")
    with db.atomic():
        posts = Post.select().where(Post.thread == thread.id).count()
        Thread.update(board=board.id).where(Thread.id == thread.id).execute()
        Board.update(thread_count=Board.thread_count - 1, post_count=Board.post_count - posts
                     ).where(Board.id == thread.board_id).execute()
        Board.update(thread_count=Board.thread_count + 1, post_count=Board.post_count + posts
                     ).where(Board.id == board.id).execute()
        AuditEntry.record(actor, "thread.move", thread, {"board_id": thread.board_id},
                          {"board_id": board.id})
