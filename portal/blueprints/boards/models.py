"""Peer network boards: boards, threads and posts, mentions, watching, read markers and
notifications (the email preferences are the notification centre's).

A board's audience decides who sees its threads and posts. Every read below takes the
person and applies that audience in SQL, so lists, thread pages, search and notifications
are filtered in the database.
"""
import datetime as dt

from peewee import (
    JOIN,
    SQL,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from portal import audience, notifications, settings
from portal.blueprints.accounts.models import User
from portal.db import BaseModel, utcnow
from portal.fragments import Audience
from portal.permissions import is_moderator
from portal.prepared import Prepared, param
from portal.viewer import group_list

# Post.status: a held post waits for a moderator's approval; a hidden one was taken down.
VISIBLE, HELD, HIDDEN = "visible", "held", "hidden"
WATCHING, NORMAL, MUTED = "watching", "normal", "muted"
WATCH_LEVELS = {
    WATCHING: ("Watching", "Tell me about every new post"),
    NORMAL: ("Normal", "Tell me only when someone mentions me"),
    MUTED: ("Muted", "Never tell me about this"),
}
MENTION, REPLY, NEW_THREAD = "mention", "reply", "thread"
# The notification centre's kind for each: mentions, and posts where the person watches.
CENTRE_KINDS = {MENTION: "board_mention", REPLY: "board_reply", NEW_THREAD: "board_reply"}
BOARD_POST = "board_post"  # the subject of a board item in the notification centre
# Notification.email: what happens to the email for a notification.
EMAIL_NONE, EMAIL_PENDING, EMAIL_SENT = "none", "pending", "sent"
EMAIL_BATCHED = "batched"  # already emailed about this thread since the person last read it
EMAIL_DIGEST, EMAIL_DIGESTED, EMAIL_SKIPPED = "digest", "digested", "skipped"


def shown_clause(user, *, held, author, hidden=None):
    """Who sees held and hidden things, for threads and posts alike: moderators see them
    all; everyone else sees nothing `hidden`, and a `held` thing only if they are its
    `author` (it waits for a moderator). `held` is a condition, `hidden` a column."""
    if is_moderator(user):
        return SQL("1 = 1")
    shown = ~held | (author == user.id)
    return shown if hidden is None else (hidden == False) & shown  # noqa: E712


class Board(BaseModel):
    name = CharField(max_length=120)
    slug = CharField(max_length=120, unique=True)
    description = TextField(default="")
    audience = audience.audience_field()
    position = IntegerField(default=0, index=True)
    thread_count = IntegerField(default=0)
    post_count = IntegerField(default=0)
    last_post_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    @classmethod
    def visible_to(cls, user):
        return cls.select().where(audience.visible_to(cls, user))

    @classmethod
    def listed_for(cls, user):
        return cls.visible_to(user).order_by(cls.position, cls.name, cls.id)

    def readers(self):
        """Everyone who can see this board (audience.readers)."""
        return User.select().where(audience.readers(Board, self))


LastPoster = User.alias("last_poster")


class Thread(BaseModel):
    board = ForeignKeyField(Board, backref="threads", on_delete="CASCADE")
    title = CharField(max_length=200)
    author = ForeignKeyField(User, backref="board_threads", null=True, on_delete="SET NULL")
    pinned = BooleanField(default=False)
    locked = BooleanField(default=False)
    hidden = BooleanField(default=False)
    held = BooleanField(default=False)  # its first post waits for a moderator
    created_at = DateTimeField(default=utcnow)
    last_post_at = DateTimeField(default=utcnow)
    last_poster = ForeignKeyField(User, backref="+", null=True, on_delete="SET NULL")
    post_count = IntegerField(default=0)  # posts ever written: the last post's number

    class Meta:
        indexes = ((("board", "pinned", "last_post_at", "id"), False),)

    @classmethod
    def visible_to(cls, user):
        """Threads on boards this person may see; hidden threads for moderators only."""
        return (cls.select(cls, Board).join(Board)
                .where(audience.visible_to(Board, user), cls.shown_condition(user)))

    @classmethod
    def shown_condition(cls, user):
        return shown_clause(user, held=cls.held, author=cls.author, hidden=cls.hidden)

    @classmethod
    def listing(cls, user, board):
        """A board's threads with their authors, last posters and this person's read
        marker, for the board page: one query, whatever the page."""
        return (cls.select(cls, User, LastPoster, ReadMarker)
                .join_from(cls, User, JOIN.LEFT_OUTER, on=(cls.author == User.id))
                .join_from(cls, LastPoster, JOIN.LEFT_OUTER, on=(cls.last_poster == LastPoster.id))
                .join_from(cls, ReadMarker, JOIN.LEFT_OUTER,
                           on=((ReadMarker.thread == cls.id) & (ReadMarker.user == user.id)))
                .where(cls.board == board.id, cls.shown_condition(user)))

    @classmethod
    def board_listing(cls, user, board, shared: bool = False):
        """A board's threads with their authors and last posters: as this person sees them,
        or with `shared` as everyone in their audience does (held threads only for
        moderators, not for their authors). Unread counts are each person's own: the board
        page fills them in."""
        if shared:
            shown = SQL("1 = 1") if is_moderator(user) else (
                (cls.held == False) & (cls.hidden == False))  # noqa: E712
        else:
            shown = cls.shown_condition(user)
        return (cls.select(cls, User, LastPoster)
                .join_from(cls, User, JOIN.LEFT_OUTER, on=(cls.author == User.id))
                .join_from(cls, LastPoster, JOIN.LEFT_OUTER, on=(cls.last_poster == LastPoster.id))
                .where(cls.board == board.id, shown))

    def last_read_number(self) -> int:
        """From `listing`: how far this person has read (0 if never opened)."""
        marker = getattr(self, "readmarker", None)
        return marker.last_read_number if marker and marker.id else 0

    @property
    def is_unread(self) -> bool:
        return self.post_count > self.last_read_number()

    @property
    def reply_count(self) -> int:
        return max(0, self.post_count - 1)


class Post(BaseModel):
    thread = ForeignKeyField(Thread, backref="posts", on_delete="CASCADE")
    number = IntegerField()  # position in the thread from 1; pages are ranges of numbers
    author = ForeignKeyField(User, backref="board_posts", null=True, on_delete="SET NULL")
    body = TextField()
    body_html = TextField()
    created_at = DateTimeField(default=utcnow)
    edited_at = DateTimeField(null=True)
    deleted = BooleanField(default=False)
    status = CharField(max_length=10, default=VISIBLE)
    hidden_reason = CharField(max_length=300, default="")
    edit_note = CharField(max_length=300, default="")  # a moderator's note on their edit

    class Meta:
        indexes = ((("thread", "number"), True), (("author", "created_at"), False))

    @classmethod
    def where_shown(cls, query, user):
        """Narrow a query joined to Thread and Board to the posts this person may see.
        Held posts are for their author and moderators; hidden ones show a placeholder."""
        return query.where(audience.visible_to(Board, user),
                           shown_clause(user, held=cls.status == HELD, author=cls.author,
                                        hidden=Thread.hidden))

    @classmethod
    def shown_to(cls, user):
        """Posts with their author, thread and board, where this person may see them."""
        return cls.where_shown(cls.select(cls, Thread, Board, User).join(Thread).join(Board)
                               .join_from(cls, User, JOIN.LEFT_OUTER, on=(cls.author == User.id)),
                               user)

    @classmethod
    def numbered(cls, user, thread_id: int, first: int, last: int) -> list["Post"]:
        """The posts numbered first..last in a thread that `user` (a person, or an audience
        from portal.fragments) may see, with their authors' names: one prepared query."""
        if is_moderator(user):
            shown = "all"
        else:
            shown = "audience" if isinstance(user, Audience) else "person"
        params = {"user": user.id} if shown == "person" else {}
        posts = []
        for row in POSTS_PAGE(shown).dicts(thread=thread_id, first=first, last=last, **params):
            name = row.pop("author_name")
            post = cls(__no_default__=True, **row)
            if post.author_id is not None:
                post.author = User(__no_default__=True, id=post.author_id, name=name)
            post._dirty.clear()
            posts.append(post)
        return posts

    @classmethod
    def page_of(cls, user, thread, first: int, last: int):
        """The posts numbered first..last in a thread, with their authors."""
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER)
                .where(cls.thread == thread.id, cls.number.between(first, last),
                       shown_clause(user, held=cls.status == HELD, author=cls.author))
                .order_by(cls.number))

    @property
    def is_hidden(self) -> bool:
        return self.status == HIDDEN

    @property
    def editable_until(self) -> dt.datetime:
        """When its author's editing window closes; the window is a site setting."""
        return self.created_at + dt.timedelta(
            minutes=settings.get("boards_edit_window_minutes"))


class Mention(BaseModel):
    post = ForeignKeyField(Post, backref="mentions", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="board_mentions", on_delete="CASCADE")

    class Meta:
        indexes = ((("post", "user"), True),)


class Watch(BaseModel):
    """A person's level for one thread or one board. No row means "normal"; a thread's
    row outranks its board's."""

    user = ForeignKeyField(User, backref="board_watches", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="watches", null=True, on_delete="CASCADE")
    board = ForeignKeyField(Board, backref="watches", null=True, on_delete="CASCADE")
    level = CharField(max_length=10, default=WATCHING)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "thread"), True), (("user", "board"), True),
                   (("thread", "level"), False), (("board", "level"), False))

    @classmethod
    def level_for(cls, user, *, thread=None, board=None) -> str:
        target = (cls.thread == thread.id) if thread is not None else (cls.board == board.id)
        return (cls.select(cls.level).where(cls.user == user.id, target).scalar()) or NORMAL


class ReadMarker(BaseModel):
    """How far a person has read a thread, as the number of the last post they saw."""

    user = ForeignKeyField(User, backref="read_markers", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="read_markers", on_delete="CASCADE")
    last_read_number = IntegerField(default=0)
    read_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "thread"), True),)

    @classmethod
    def number_for(cls, user, thread) -> int:
        return (cls.select(cls.last_read_number)
                .where(cls.user == user.id, cls.thread == thread.id).scalar()) or 0

    @classmethod
    def numbers_for(cls, user, thread_ids: list[int]) -> dict[int, int]:
        """How far this person has read each of these threads (absent: never opened)."""
        if not thread_ids:
            return {}
        query = MARKERS(len(thread_ids))
        values = {f"thread{i}": thread_id for i, thread_id in enumerate(thread_ids)}
        return dict(query.tuples(user=user.id, **values))


Actor = User.alias("actor")


class Notification(BaseModel):
    user = ForeignKeyField(User, backref="board_notifications", on_delete="CASCADE")
    kind = CharField(max_length=10)  # mention, reply, thread
    post = ForeignKeyField(Post, backref="notifications", on_delete="CASCADE")
    thread = ForeignKeyField(Thread, backref="notifications", on_delete="CASCADE")
    actor = ForeignKeyField(User, backref="+", null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)
    email = CharField(max_length=10, default=EMAIL_NONE)
    emailed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("post", "user"), True), (("user", "created_at", "id"), False),
                   (("user", "thread", "read_at"), False), (("user", "email", "emailed_at"), False),
                   (("email", "created_at"), False))

    @classmethod
    def for_user(cls, user):
        """This person's notifications about posts they may still see, newest first."""
        query = (cls.select(cls, Post, Thread, Board, Actor)
                 .join(Post).join(Thread).join(Board)
                 .join_from(cls, Actor, JOIN.LEFT_OUTER, on=(cls.actor == Actor.id))
                 .where(cls.user == user.id, Post.deleted == False))  # noqa: E712
        return Post.where_shown(query, user)

    @classmethod
    def unread_count(cls, user) -> int:
        return cls.for_user(user).where(cls.read_at.is_null()).count()


def _post_still_shown(user, post_id):
    """A board item stays in the centre while its post is there for the person to see:
    not deleted, on a board they may still see (the rule of `Notification.for_user`)."""
    shown = Post.where_shown(Post.select(Post.id).join(Thread).join(Board), user)
    return fn.EXISTS(shown.where(Post.id == post_id, Post.deleted == False))  # noqa: E712


notifications.register_subject(BOARD_POST, _post_still_shown)

MODELS = [Board, Thread, Post, Mention, Watch, ReadMarker, Notification]


def _board_page_lookup(shape):
    """A board this person may see, with their watch level on it and whether they have a
    thread waiting for a moderator (on any board: looked up by author, a board can hold
    thousands of threads)."""
    level = Watch.select(Watch.level).where(Watch.user == param("user"), Watch.board == Board.id)
    held = (Thread.select(Thread.id)
            .where(Thread.author == param("user"), Thread.held == True,  # noqa: E712
                   Thread.hidden == False).limit(1))  # noqa: E712
    return (Board.select(*Board._meta.sorted_fields, level.alias("my_level"),
                         held.alias("my_held_thread"))
            .where(audience.prepared_condition(Board, shape), Board.slug == param("slug")))


BOARD_PAGE = Prepared(_board_page_lookup)


def _thread_page_lookup(shape, moderator: bool):
    """A thread this person may see, with its board, and in the same row the person's own
    state in it: how far they have read, their watch level, whether a post of theirs in it
    is held or hidden (others see it differently), and the posts in it they have unread
    notifications about."""
    me = param("user")
    shown = SQL("1 = 1") if moderator else (
        (Thread.hidden == False) & ((Thread.held == False) | (Thread.author == me)))  # noqa: E712
    read = (ReadMarker.select(ReadMarker.last_read_number)
            .where(ReadMarker.user == me, ReadMarker.thread == Thread.id))
    level = Watch.select(Watch.level).where(Watch.user == me, Watch.thread == Thread.id)
    unshown = (Post.select(Post.id).where(Post.thread == Thread.id, Post.author == me,
                                          Post.status != VISIBLE).limit(1))
    unread = (Notification.select(group_list(Notification.post))
              .where(Notification.user == me, Notification.thread == Thread.id,
                     Notification.read_at.is_null()))
    return (Thread.select(*Thread._meta.sorted_fields, Board.name.alias("board_name"),
                          Board.slug.alias("board_slug"), read.alias("my_last_read"),
                          level.alias("my_level"), unshown.alias("my_unshown_post"),
                          unread.alias("my_unread"))
            .join(Board)
            .where(Thread.id == param("thread"), audience.prepared_condition(Board, shape),
                   shown))


def _posts_page(shown: str):
    """Posts numbered first..last with their authors' names: all of them (moderators),
    those an audience sees (none held), or those a person sees (their own held ones too)."""
    condition = {"all": SQL("1 = 1"), "audience": Post.status != HELD,
                 "person": (Post.status != HELD) | (Post.author == param("user"))}[shown]
    return (Post.select(*Post._meta.sorted_fields, User.name.alias("author_name"))
            .join(User, JOIN.LEFT_OUTER)
            .where(Post.thread == param("thread"),
                   Post.number.between(param("first"), param("last")), condition)
            .order_by(Post.number))


THREAD_PAGE = Prepared(_thread_page_lookup)
POSTS_PAGE = Prepared(_posts_page)
MARKERS = Prepared(lambda count: ReadMarker.select(ReadMarker.thread, ReadMarker.last_read_number)
                   .where(ReadMarker.user == param("user"),
                          ReadMarker.thread.in_([param(f"thread{i}") for i in range(count)])))
