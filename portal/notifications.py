"""One notification centre for every area, and each person's choice, per kind of
notification, of how they hear about it: by email (and on the site), on the site only, or
not at all.

An area tells a person something with `notify(...)` inside the transaction of the change
that causes it; the row is the item in their centre, and its unique key makes it one item
however often the change is repeated. Emails follow the same choice through
portal.mail_preferences, the one place that decides whether an email goes.

Items about things that can be taken away from a person (a board post whose board they
have left) carry a subject; the area that owns the subject registers the rule for who may
still see it (`register_subject`), and the centre applies it in SQL, so a list or a count
never shows what the person may no longer see.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from blinker import Namespace
from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup
from peewee import SQL, CharField, DateTimeField, ForeignKeyField, IntegerField, Select, fn

from portal import audience
from portal.blueprints.accounts.models import User
from portal.db import BaseModel, utcnow
from portal.kept import kept
from portal.pagination import Page, newest_first
from portal.permissions import is_staff
from portal.prepared import Prepared

EMAIL, DIGEST, SITE, OFF = "email", "digest", "site", "off"
CHANNEL_LABELS = {EMAIL: "By email, and on the site",
                  DIGEST: "In one email a day, and on the site",
                  SITE: "On the site only", OFF: "Off"}
# How many unread items the header counts before it says "99+": a count that stops early
# costs the same however many a person has.
UNREAD_CAP = 100


@dataclass(frozen=True)
class NotificationType:
    """A kind of notification: what the preferences page calls it, and how it is sent to a
    person who has not chosen. A `locked` kind is always emailed (security and bookings:
    the person needs it whatever they chose); a `digest` kind may be gathered into one
    email a day; a `staff_only` kind is offered on the preferences page to staff only."""

    key: str
    label: str
    hint: str
    default: str = EMAIL
    locked: bool = False
    digest: bool = False
    staff_only: bool = False

    @property
    def channels(self) -> list[str]:
        return [EMAIL, *([DIGEST] if self.digest else []), SITE, OFF]


TYPES = [
    NotificationType("account_security", "Account security",
                     "Confirming your email address, resetting your password and changes "
                     "to how you sign in.", locked=True),
    NotificationType("account_notice", "Messages about your account",
                     "Your data downloads, and messages from the moderators.", locked=True),
    NotificationType("booking", "Bookings",
                     "Confirmations and changes for webinar places and mentoring sessions "
                     "you have booked.", locked=True),
    NotificationType("board_mention", "Mentions on the boards",
                     "When someone mentions you in a post.", digest=True),
    NotificationType("board_reply", "Posts you watch on the boards",
                     "New posts in the threads and boards you watch.", digest=True),
    NotificationType("webinar_offer", "Free seats on webinars",
                     "When a seat comes free on a webinar you are waiting for."),
    NotificationType("reminder", "Reminders",
                     "Before webinars and mentoring sessions you have booked."),
    NotificationType("application", "Your applications",
                     "When the status of your application to a programme changes."),
    NotificationType("match", "Your matches",
                     "Introductions to a new match, declined matches, and when mentoring "
                     "ends."),
    NotificationType("session_request", "Session requests",
                     "When your mentoring partner proposes a session, or cannot make one "
                     "you proposed."),
    NotificationType("checkin", "Check-ins",
                     "How your mentoring is going, and nudges about meeting, leave and end "
                     "dates."),
    NotificationType("survey_invitation", "Survey invitations",
                     "Invitations to tell us how a programme went for you."),
    NotificationType("invitation", "Invitations",
                     "Invitations to take part again, such as becoming a mentor after your "
                     "own mentoring."),
    # The newsletter is emailed only to people who asked for it (a dated consent, kept in
    # PreferenceChange); everyone it is sent to has it in their notification centre.
    NotificationType("newsletter", "The newsletter",
                     "News, articles, resources and webinars from the programme team.",
                     default=SITE),
    NotificationType("coordinator_alert", "Calls for help from pairs",
                     "When a pair in a programme you coordinate asks for help.",
                     staff_only=True),
    NotificationType("staff_reminder", "Review reminders",
                     "When an article you own is due for review.", staff_only=True),
]
NOTIFICATION_TYPES = {t.key: t for t in TYPES}

# Sent with (user_id, subject_type, subject_ids) when a person marks items read in the
# centre; subject_type None means all of them. Areas that keep their own read state follow.
marked_read = Namespace().signal("notifications-marked-read")


class UserNotification(BaseModel):
    """One item in a person's notification centre."""

    user = ForeignKeyField(User, backref="centre_items", on_delete="CASCADE")
    kind = CharField(max_length=40)
    text = CharField(max_length=300)
    url = CharField(max_length=500)  # a path on this site
    key = CharField(max_length=200, unique=True)
    actor = ForeignKeyField(User, backref="+", null=True, on_delete="SET NULL")
    subject_type = CharField(max_length=40, default="")
    subject_id = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "created_at", "id"), False), (("user", "read_at"), False),
                   (("subject_type", "subject_id"), False))

    @property
    def type_label(self) -> str:
        kind = NOTIFICATION_TYPES.get(self.kind)
        return kind.label if kind else ""


class NotificationPreference(BaseModel):
    """A person's channel for one kind. No row means the kind's default."""

    user = ForeignKeyField(User, backref="notification_preferences", on_delete="CASCADE")
    kind = CharField(max_length=40)
    channel = CharField(max_length=10)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "kind"), True),)


class PreferenceChange(BaseModel):
    """Every change of a person's choice, dated, with where it was made: for the newsletter
    this is the record of each consent and each unsubscribe."""

    user = ForeignKeyField(User, backref="preference_changes", on_delete="CASCADE")
    kind = CharField(max_length=40)
    channel = CharField(max_length=10)
    previous = CharField(max_length=10)
    source = CharField(max_length=20)  # registration, preferences, unsubscribe, one-click...
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "kind", "created_at"), False),)


# Who may still see an item's subject ---------------------------------------------------

_SUBJECT_RULES: dict[str, Callable] = {}


def register_subject(subject_type: str, still_shown: Callable) -> None:
    """`still_shown(user, subject_id_column)` returns a condition true where the person may
    still see the subject with that id (correlated to the item's row)."""
    _SUBJECT_RULES[subject_type] = still_shown


def _still_shown(user):
    condition = SQL("1 = 1")
    for subject_type, still_shown in sorted(_SUBJECT_RULES.items()):
        condition &= ((UserNotification.subject_type != subject_type)
                      | still_shown(user, UserNotification.subject_id))
    return condition


# Reading the centre ----------------------------------------------------------------------

def shown_to(user):
    """This person's items that they may still see."""
    return UserNotification.select().where(UserNotification.user == user.id,
                                           _still_shown(user))


def listing(user, cursor: str | None, size: int) -> Page:
    """One page of the centre, newest first, by keyset on (created_at, id)."""
    return newest_first(shown_to(user), UserNotification.created_at, UserNotification.id,
                        cursor, size)


def _unread(user):
    return (shown_to(user).select(UserNotification.id)
            .where(UserNotification.read_at.is_null()).limit(UNREAD_CAP))


def _count_unread(shape, role):
    """The count in SQL, so one row comes back however many items there are."""
    capped = _unread(audience.StandIn(shape, role)).alias("capped")
    return Select(from_list=[capped], columns=[fn.COUNT(SQL("*"))])


# Every page shows the count, so its SQL is written once per audience shape and role.
UNREAD = Prepared(_count_unread)


def unread_count(user) -> int:
    """Unread items, counted up to UNREAD_CAP: one query that stops early."""
    if user.group_ids is None:  # not the person loaded for the request (portal.viewer)
        return _unread(user).count()
    return UNREAD(audience.shape(user), user.role).scalar(
        user=user.id, **audience.shape_params(user))


def badge() -> Markup:
    """The header's link to the centre with the person's unread count. Only the count and
    the address the app is served under change it, so each process renders
    notifications/_count.html once per pair and keeps the result: every page shows it."""
    unread = unread_count(current_user._get_current_object())
    return kept("notification_badges", (request.script_root, unread), lambda: Markup(
        render_template("notifications/_count.html", unread=unread)))


def item_for(user, item_id: int) -> UserNotification | None:
    return shown_to(user).where(UserNotification.id == item_id).first()


def mark_read(user, item_ids: list[int], now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    items = list(UserNotification.select(UserNotification.subject_type,
                                         UserNotification.subject_id)
                 .where(UserNotification.user == user.id, UserNotification.id.in_(item_ids),
                        UserNotification.read_at.is_null()))
    done = (UserNotification.update(read_at=now)
            .where(UserNotification.user == user.id, UserNotification.id.in_(item_ids),
                   UserNotification.read_at.is_null()).execute())
    by_type: dict[str, list[int]] = {}
    for item in items:
        if item.subject_type:
            by_type.setdefault(item.subject_type, []).append(item.subject_id)
    for subject_type, ids in by_type.items():
        marked_read.send(user.id, subject_type=subject_type, subject_ids=ids, now=now)
    return done


def mark_all_read(user, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    done = (UserNotification.update(read_at=now)
            .where(UserNotification.user == user.id, UserNotification.read_at.is_null())
            .execute())
    marked_read.send(user.id, subject_type=None, subject_ids=None, now=now)
    return done


def mark_subjects_read(user_id: int, subject_type: str, subject_ids: list[int],
                       now: dt.datetime | None = None) -> int:
    """An area's own page showed these subjects to the person: their items are read."""
    if not subject_ids:
        return 0
    return (UserNotification.update(read_at=now or utcnow())
            .where(UserNotification.user == user_id, UserNotification.read_at.is_null(),
                   UserNotification.subject_type == subject_type,
                   UserNotification.subject_id.in_(subject_ids)).execute())


# Preferences -----------------------------------------------------------------------------

def _kind(kind: str) -> NotificationType:
    try:
        return NOTIFICATION_TYPES[kind]
    except KeyError:
        raise ValueError(f"not a notification type: {kind!r}") from None


def channel_expression(kind: str, user_column=None):
    """The person's channel for `kind` as SQL, for queries over many people: their choice,
    or the kind's default. Locked kinds are always emailed."""
    kind_type = _kind(kind)
    if kind_type.locked:
        return SQL("'email'")
    chosen = (NotificationPreference.select(NotificationPreference.channel)
              .where(NotificationPreference.user == (user_column or User.id),
                     NotificationPreference.kind == kind))
    return fn.COALESCE(chosen, kind_type.default)


def channels_for(user_ids, kinds) -> dict[tuple[int, str], str]:
    """Each person's channel for each kind: one query."""
    user_ids, kinds = list(user_ids), list(kinds)
    chosen = {(row.user_id, row.kind): row.channel for row in NotificationPreference.select(
        NotificationPreference.user, NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user.in_(user_ids or [0]),
               NotificationPreference.kind.in_(kinds or [""]))}
    result = {}
    for kind in kinds:
        kind_type = _kind(kind)
        for uid in user_ids:
            result[(uid, kind)] = (EMAIL if kind_type.locked
                                   else chosen.get((uid, kind), kind_type.default))
    return result


def channel_for(user_id: int, kind: str) -> str:
    return channels_for([user_id], [kind])[(user_id, kind)]


def set_channels(user_id: int, choices: dict[str, str], source: str,
                 now: dt.datetime | None = None) -> list[str]:
    """Save a person's choices and record each change with its date and source. Returns
    the kinds that changed. Call inside the caller's transaction."""
    now = now or utcnow()
    current = channels_for([user_id], choices)
    changed = []
    for kind, channel in choices.items():
        kind_type = _kind(kind)
        if kind_type.locked or channel not in kind_type.channels:
            raise ValueError(f"{kind} cannot be set to {channel!r}")
        previous = current[(user_id, kind)]
        if channel == previous:
            continue
        (NotificationPreference.insert(user=user_id, kind=kind, channel=channel, updated_at=now)
         .on_conflict(conflict_target=[NotificationPreference.user, NotificationPreference.kind],
                      update={NotificationPreference.channel: channel,
                              NotificationPreference.updated_at: now})
         .execute())
        PreferenceChange.create(user=user_id, kind=kind, channel=channel, previous=previous,
                                source=source, created_at=now)
        changed.append(kind)
    return changed


def last_change(user_id: int, kind: str) -> PreferenceChange | None:
    return (PreferenceChange.select()
            .where(PreferenceChange.user == user_id, PreferenceChange.kind == kind)
            .order_by(PreferenceChange.created_at.desc(), PreferenceChange.id.desc()).first())


def offered_to(user) -> list[NotificationType]:
    """The kinds the preferences page shows this person."""
    return [t for t in TYPES if not t.staff_only or is_staff(user)]


# Telling people --------------------------------------------------------------------------

def _local_path(url: str) -> str:
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        raise ValueError(f"a notification links to a page of this site, not {url!r}")
    return url


def notify(user_id: int, kind: str, text: str, url: str, key: str, *,
           actor_id: int | None = None, subject: tuple[str, int] = ("", 0),
           now: dt.datetime | None = None, channel: str | None = None) -> bool:
    """Put an item in a person's centre, unless they switched this kind off. `url` is a
    path on this site; `key` makes it one item however often it is called. Pass `channel`
    when it is already known. Call inside the transaction of the change that causes it."""
    channel = channel or channel_for(user_id, kind)
    if channel == OFF:
        return False
    return bool(UserNotification.insert(
        user=user_id, kind=_kind(kind).key, text=text[:300], url=_local_path(url),
        key=key, actor=actor_id, subject_type=subject[0], subject_id=subject[1],
        created_at=now or utcnow()).on_conflict_ignore().as_rowcount().execute())


def notify_many(rows: list[dict]) -> int:
    """Items for many people at once, each a dict of `notify`'s fields (user, kind, text,
    url, key, and optionally actor, subject_type, subject_id, created_at); the caller has
    already left out the people who switched the kind off."""
    if not rows:
        return 0
    now = utcnow()
    clean = [{"user": r["user"], "kind": _kind(r["kind"]).key, "text": r["text"][:300],
              "url": _local_path(r["url"]), "key": r["key"], "actor": r.get("actor"),
              "subject_type": r.get("subject_type", ""), "subject_id": r.get("subject_id", 0),
              "created_at": r.get("created_at") or now} for r in rows]
    return UserNotification.insert_many(clean).on_conflict_ignore().as_rowcount().execute()
