"""Writing to the boards. A post, its thread's and board's counters, its mentions, its
search entry, the author's watch and read marker, and the notifications it causes are
written in one transaction; the emails follow from a huey job once it has committed."""
import functools
import re

from blinker import Namespace

from portal import audience, notifications, permissions, search, settings, slugs
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import mentions
from portal.blueprints.boards.models import (
    BOARD_POST,
    CENTRE_KINDS,
    EMAIL_NONE,
    EMAIL_PENDING,
    HELD,
    MENTION,
    MUTED,
    NEW_THREAD,
    NORMAL,
    REPLY,
    VISIBLE,
    WATCHING,
    Board,
    Mention,
    Notification,
    Post,
    ReadMarker,
    Thread,
    Watch,
)
from portal.db import db, utcnow
from portal.links import path_for
from portal.notifications import DIGEST, EMAIL, OFF

SEARCH_KIND = "post"
# Sent with a post's id once the transaction that wrote its notifications has committed.
post_saved = Namespace().signal("board-post-saved")
# The boards area's own pages: a board with one of these names gets another address.
RESERVED_SLUGS = frozenset({"manage", "search", "notifications", "preferences", "threads",
                            "posts"})


class NotAllowed(Exception):
    """The thread is locked to this person."""


# Boards (staff) ---------------------------------------------------------------------------

def save_board(actor, board: Board | None, *, name: str, description: str,
               audience_value: str, group_ids: list[int], position: int) -> Board:
    creating = board is None
    with db.atomic():
        board = board or Board()
        before = {} if creating else {"name": board.name, "audience": board.audience}
        board.name, board.description = name.strip(), description.strip()
        board.audience, board.position = audience_value, position
        slugs.save_with_unique_slug(board, board.name, RESERVED_SLUGS)
        audience.set_groups(board, group_ids if audience_value == audience.GROUPS else [])
        AuditEntry.record(actor, "board.create" if creating else "board.update", board,
                          before, {"name": board.name, "audience": board.audience})
    return board


# Posting ----------------------------------------------------------------------------------

def start_thread(author, board: Board, title: str, body: str) -> Post:
    now = utcnow()
    with db.atomic():
        thread = Thread.create(board=board, title=title.strip(), author=author.id,
                               created_at=now, last_post_at=now, last_poster=author.id)
        Board.update(thread_count=Board.thread_count + 1).where(Board.id == board.id).execute()
        post = _add_post(author, thread, board, body, now, NEW_THREAD)
    notify_later(post.id)
    return post


def reply(author, thread: Thread, body: str) -> Post:
    if not permissions.can_reply_to_thread(author, thread):
        raise NotAllowed(thread.id)
    now = utcnow()
    with db.atomic():
        post = _add_post(author, thread, thread.board, body, now, REPLY)
    notify_later(post.id)
    return post


def _add_post(author, thread: Thread, board: Board, body: str, now, kind: str) -> Post:
    """The next number comes from the thread's counter, raised first: the row lock (or
    SQLite's write lock) makes concurrent replies take turns. A held reply takes its number
    but not the thread's "last post" (that would show its author to everyone); it does
    when a moderator approves it."""
    first = thread.post_count == 0
    status = HELD if must_hold(author, f"{thread.title if first else ''}\n{body}") else VISIBLE
    shows = status == VISIBLE or first  # a held first post holds its whole thread
    activity = {"last_post_at": now, "last_poster": author.id} if shows else {}
    (Thread.update(post_count=Thread.post_count + 1, **activity)
     .where(Thread.id == thread.id).execute())
    number = Thread.select(Thread.post_count).where(Thread.id == thread.id).scalar()
    thread.post_count = number
    if shows:
        thread.last_post_at = now
    (Board.update(post_count=Board.post_count + 1, **({"last_post_at": now} if shows else {}))
     .where(Board.id == board.id).execute())
    mentioned = mentions.find(body, board.readers())
    post = Post.create(thread=thread, number=number, author=author.id, body=body,
                       body_html=mentions.render(body, [p.name for p in mentioned]),
                       created_at=now, status=status)
    if status == HELD and number == 1:
        Thread.update(held=True).where(Thread.id == thread.id).execute()
    _record_mentions(post, mentioned)
    if status == VISIBLE:
        _index(post, thread)
    Watch.insert(user=author.id, thread=thread.id, level=WATCHING).on_conflict_ignore().execute()
    mark_read(author, thread, number, post_ids=[])
    _notify(post, thread, board, author, mentioned, kind)
    return post


def must_hold(author, text: str) -> bool:
    """Pre-moderation: a new member's first posts (a number from settings), and any post
    with a word from the settings' list, wait for a moderator. Moderators are never held."""
    if permissions.is_moderator(author):
        return False
    first_posts = settings.get("premoderate_first_posts")
    if first_posts and Post.select().where(Post.author == author.id, Post.status == VISIBLE,
                                           Post.deleted == False  # noqa: E712
                                           ).count() < first_posts:
        return True
    words = [w.strip().lower() for w in settings.get("held_words").splitlines() if w.strip()]
    lowered = text.lower()
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in words)


def release_held_post(post: Post) -> None:
    """After a moderator approves it: into search, and notify as if it were new."""
    thread, board = post.thread, post.thread.board
    now = utcnow()
    Thread.update(last_post_at=now, last_poster=post.author_id).where(
        Thread.id == thread.id).execute()
    Board.update(last_post_at=now).where(Board.id == board.id).execute()
    mentioned = list(User.select().join(Mention, on=(Mention.user == User.id))
                     .where(Mention.post == post.id))
    _index(post, thread)
    _notify(post, thread, board, post.author, mentioned,
            NEW_THREAD if post.number == 1 else REPLY)


def reindex(post: Post) -> None:
    _index(post, post.thread)


def _index(post: Post, thread: Thread) -> None:
    """Only a thread's first post carries its title, so a search for the title finds the
    thread once rather than every reply in it."""
    search.index(SEARCH_KIND, post.id, thread.title if post.number == 1 else "", "", post.body)


def _record_mentions(post: Post, mentioned: list) -> list:
    """Store who the post mentions now; return the people it did not mention before."""
    before = {row.user_id for row in Mention.select(Mention.user).where(Mention.post == post)}
    now = {person.id for person in mentioned}
    if before - now:
        Mention.delete().where(Mention.post == post, Mention.user.in_(before - now)).execute()
    new = [person for person in mentioned if person.id not in before]
    if new:
        Mention.insert_many([{"post": post.id, "user": p.id} for p in new]
                            ).on_conflict_ignore().execute()
    return new


def _levels(thread: Thread, board: Board) -> dict[int, str]:
    """Each watcher's level here: the thread's row outranks the board's."""
    levels = dict(Watch.select(Watch.user, Watch.level).where(Watch.board == board.id).tuples())
    levels.update(Watch.select(Watch.user, Watch.level).where(Watch.thread == thread.id)
                  .tuples())
    return levels


def _notify(post: Post, thread: Thread, board: Board, author, mentioned: list, kind: str,
            watchers: bool = True) -> None:
    """Notifications for the people mentioned and the watchers, among those who can see
    the board; each marked for email if their preferences ask for it."""
    if post.status != VISIBLE:
        return  # a held post notifies when a moderator approves it, a hidden one never
    levels = _levels(thread, board)
    mentioned_ids = {p.id for p in mentioned if levels.get(p.id, NORMAL) != MUTED}
    watching = {uid for uid, level in levels.items() if level == WATCHING} if watchers else set()
    targets = (mentioned_ids | watching) - {author.id}
    if not targets:
        return
    allowed = [uid for (uid,) in board.readers().select(User.id)
               .where(User.id.in_(sorted(targets))).tuples()]
    kinds = {uid: MENTION if uid in mentioned_ids else kind for uid in allowed}
    channels = notifications.channels_for(allowed, set(CENTRE_KINDS.values()))
    rows, items = [], []
    for uid, what in kinds.items():
        channel = channels[(uid, CENTRE_KINDS[what])]
        if channel == OFF:
            continue
        rows.append({"user": uid, "kind": what, "post": post.id, "thread": thread.id,
                     "actor": author.id, "created_at": post.created_at,
                     "email": EMAIL_PENDING if channel in (EMAIL, DIGEST) else EMAIL_NONE})
        items.append({"user": uid, "kind": CENTRE_KINDS[what],
                      "text": CENTRE_TEXT[what].format(actor=author.name, title=thread.title),
                      "url": path_for("boards.show_post", post_id=post.id),
                      "key": f"boards:{post.id}:{uid}", "actor": author.id,
                      "subject_type": BOARD_POST, "subject_id": post.id,
                      "created_at": post.created_at})
    if rows:
        Notification.insert_many(rows).on_conflict_ignore().execute()
        notifications.notify_many(items)


CENTRE_TEXT = {MENTION: "{actor} mentioned you in “{title}”",
               NEW_THREAD: "{actor} started “{title}”",
               REPLY: "{actor} replied in “{title}”"}


def notify_later(post_id: int) -> None:
    """Announce the post's notifications once its transaction has committed (at once when
    there is none); tasks/boards.py answers by emailing them. A rolled-back post announces
    nothing, and the sweep is the net for an announcement lost on the way."""
    db.after_commit(functools.partial(post_saved.send, post_id))


def edit_post(editor, post: Post, body: str) -> Post:
    """Save new text; people newly mentioned are told, watchers are not told again."""
    thread, board = post.thread, post.thread.board
    with db.atomic():
        mentioned = mentions.find(body, board.readers())
        post.body, post.edited_at = body, utcnow()
        post.body_html = mentions.render(body, [p.name for p in mentioned])
        post.save()
        new = _record_mentions(post, mentioned)
        if post.status == VISIBLE:  # held and hidden posts stay out of search
            _index(post, thread)
        _notify(post, thread, board, editor, new, REPLY, watchers=False)
    notify_later(post.id)
    return post


def delete_post(post: Post) -> None:
    """The post becomes a placeholder in its thread; its number and replies stay."""
    with db.atomic():
        post.deleted = True
        post.save()
        search.unindex(SEARCH_KIND, post.id)


# Reading, watching, reporting -------------------------------------------------------------

def mark_read(user, thread: Thread, number: int, post_ids: list[int]) -> None:
    """Move the person's marker forward to `number` (never back), and mark read their
    notifications about the posts they have now seen."""
    now = utcnow()
    (ReadMarker.insert(user=user.id, thread=thread.id, last_read_number=number, read_at=now)
     .on_conflict(conflict_target=[ReadMarker.user, ReadMarker.thread],
                  update={ReadMarker.last_read_number: number, ReadMarker.read_at: now},
                  where=(ReadMarker.last_read_number < number))
     .execute())
    if post_ids:
        mark_notifications_read(user, thread, post_ids, now)


def mark_notifications_read(user, thread: Thread, post_ids: list[int], now=None) -> None:
    """Mark read the person's notifications about these posts."""
    (Notification.update(read_at=now or utcnow())
     .where(Notification.user == user.id, Notification.thread == thread.id,
            Notification.read_at.is_null(), Notification.post.in_(post_ids))
     .execute())
    notifications.mark_subjects_read(user.id, BOARD_POST, post_ids, now)


@notifications.marked_read.connect
def _read_in_the_centre(user_id: int, subject_type, subject_ids, now) -> None:
    """Items read in the notification centre are read here too, so their emails (and the
    daily digest) leave them out as they would after reading the thread."""
    if subject_type not in (None, BOARD_POST):
        return
    query = Notification.update(read_at=now).where(Notification.user == user_id,
                                                   Notification.read_at.is_null())
    if subject_type is not None:
        query = query.where(Notification.post.in_(subject_ids))
    query.execute()


def set_watch(user, level: str, *, thread: Thread | None = None,
              board: Board | None = None) -> None:
    target = {"thread": thread.id} if thread is not None else {"board": board.id}
    key = [Watch.user, Watch.thread] if thread is not None else [Watch.user, Watch.board]
    (Watch.insert(user=user.id, level=level, **target)
     .on_conflict(conflict_target=key, update={Watch.level: level}).execute())
