"""Board notification emails and the daily digest.

A post's notifications are written in its transaction; this job emails them afterwards,
one task per notification. Each person gets at most one email per thread until they have
read it (the outbox key carries how far they had read), and at most the daily cap of
emails; the rest waits for the daily digest.
"""
import datetime as dt

from flask import render_template
from huey import crontab
from peewee import JOIN, fn

from portal import notifications, settings
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import (
    CENTRE_KINDS,
    EMAIL_BATCHED,
    EMAIL_DIGEST,
    EMAIL_DIGESTED,
    EMAIL_NONE,
    EMAIL_PENDING,
    EMAIL_SENT,
    EMAIL_SKIPPED,
    MENTION,
    NEW_THREAD,
    VISIBLE,
    Actor,
    Board,
    Notification,
    Post,
    ReadMarker,
    Thread,
)
from portal.blueprints.boards.services import post_saved
from portal.db import db, utcnow
from portal.links import absolute_url
from portal.mail_preferences import with_unsubscribe
from portal.notifications import DIGEST, EMAIL
from portal.outbox import OutboxMessage, queue_email
from tasks.queue import flask_periodic_task, flask_task

EXCERPT_CHARS = 600
DIGEST_ITEMS = 50


@flask_task(retries=3, retry_delay=60)
def email_post_notifications(post_id: int) -> int:
    """Fan out: one task per notification of this post still waiting for its email."""
    waiting = [n.id for n in Notification.select(Notification.id).where(
        Notification.post == post_id, Notification.email == EMAIL_PENDING)]
    for notification_id in waiting:
        email_notification(notification_id)
    return len(waiting)


def _load(notification_id: int) -> Notification | None:
    return (Notification.select(Notification, Post, Thread, Board, User, Actor)
            .join(Post).join(Thread).join(Board)
            .join_from(Notification, User, on=(Notification.user == User.id))
            .join_from(Notification, Actor, JOIN.LEFT_OUTER, on=(Notification.actor == Actor.id))
            .where(Notification.id == notification_id).first())


def _still_for_them(notification: Notification) -> bool:
    """The person can still see the post (audience checked in SQL) and has not read it."""
    user, post = notification.user, notification.post
    if not user.is_verified or user.is_suspended() or notification.read_at is not None:
        return False
    visible = Post.shown_to(user).where(Post.id == post.id, Post.deleted == False,  # noqa: E712
                                        Post.status == VISIBLE).exists()
    return visible and ReadMarker.number_for(user, post.thread) < post.number


def sent_today(user) -> int:
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return (Notification.select().where(Notification.user == user.id,
                                        Notification.email == EMAIL_SENT,
                                        Notification.emailed_at >= start).count())


def _decide(notification: Notification) -> str:
    user = notification.user
    if not _still_for_them(notification):
        return EMAIL_SKIPPED
    channel = notifications.channel_for(user.id, CENTRE_KINDS[notification.kind])
    if channel not in (EMAIL, DIGEST):
        return EMAIL_NONE
    if channel == DIGEST or sent_today(user) >= settings.get("boards_daily_email_cap"):
        return EMAIL_DIGEST
    if OutboxMessage.select().where(OutboxMessage.key == _thread_key(notification)).exists():
        return EMAIL_BATCHED
    return EMAIL_SENT


def _thread_key(notification: Notification) -> str:
    """The same until the person reads the thread: one email per thread per visit."""
    read = ReadMarker.number_for(notification.user, notification.post.thread)
    return f"boards:thread:{notification.user.id}:{notification.thread_id}:{read}"


SUBJECTS = {
    MENTION: "{actor} mentioned you in “{title}”",
    NEW_THREAD: "New thread on {board}: “{title}”",
}


def _subject(n: Notification) -> str:
    template = SUBJECTS.get(n.kind, "New reply in “{title}”")
    return template.format(actor=_actor_name(n), title=n.post.thread.title,
                           board=n.post.thread.board.name)[:200]


def _actor_name(n: Notification) -> str:
    actor = getattr(n, "actor", None)
    return actor.name if actor is not None and actor.id else "A former member"


def excerpt(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"


@flask_task(retries=3, retry_delay=60)
def email_notification(notification_id: int) -> str | None:
    with db.atomic():
        notification = _load(notification_id)
        if notification is None or notification.email != EMAIL_PENDING:
            return None
        state, key = _decide(notification), None
        if state == EMAIL_SENT:
            key = _thread_key(notification)
            body, headers = with_unsubscribe(
                notification.user, [CENTRE_KINDS[notification.kind]], render_template(
                    "emails/board_notification.txt", n=notification,
                    actor=_actor_name(notification), excerpt=excerpt(notification.post.body),
                    link=absolute_url("boards.show_post", post_id=notification.post.id)))
            queue_email(key, notification.user.email, _subject(notification), body,
                        headers=headers)
        (Notification.update(email=state, emailed_at=utcnow() if key else None)
         .where(Notification.id == notification_id).execute())
    return state


@post_saved.connect
def _ring(post_id: int) -> None:
    """Email a post's notifications once it has committed, not at the next sweep."""
    email_post_notifications(post_id)


@flask_periodic_task(crontab(minute="*/5"))
def sweep_board_notifications() -> int:
    """Emails whose doorbell was lost: a consumer killed mid-task, or a job that ran before
    the post's transaction committed. Whatever has waited over a minute goes again."""
    cutoff = utcnow() - dt.timedelta(minutes=1)
    due = [n.id for n in Notification.select(Notification.id).where(
        Notification.email == EMAIL_PENDING, Notification.created_at < cutoff).limit(500)]
    for notification_id in due:
        email_notification(notification_id)
    return len(due)


@flask_periodic_task(crontab(minute="15", hour="7"))
def find_board_digests() -> int:
    people = [uid for (uid,) in Notification.select(fn.DISTINCT(Notification.user))
              .where(Notification.email == EMAIL_DIGEST).tuples()]
    for user_id in people:
        send_board_digest(user_id)
    return len(people)


@flask_task(retries=3, retry_delay=60)
def send_board_digest(user_id: int) -> int:
    """One email listing what waited; run twice, it sends once."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        return 0
    with db.atomic():
        waiting = [n.id for n in Notification.select(Notification.id).where(
            Notification.user == user.id, Notification.email == EMAIL_DIGEST)]
        if not waiting:
            return 0
        items = list(Notification.for_user(user)
                     .where(Notification.id.in_(waiting), Notification.read_at.is_null(),
                            Post.status == VISIBLE)
                     .order_by(Notification.created_at, Notification.id))
        key = f"boards:digest:{user.id}:{max(waiting)}"
        if items and user.is_verified and not user.is_suspended():
            kinds = sorted({CENTRE_KINDS[n.kind] for n in items})
            body, headers = with_unsubscribe(user, kinds, render_template(
                "emails/board_digest.txt", user=user, items=items[:DIGEST_ITEMS],
                more=max(0, len(items) - DIGEST_ITEMS), link=_post_link, excerpt=excerpt))
            queue_email(key, user.email, _digest_subject(items), body, headers=headers)
        (Notification.update(email=EMAIL_DIGESTED, emailed_at=utcnow())
         .where(Notification.id.in_(waiting)).execute())
    return len(items)


def _digest_subject(items: list) -> str:
    day = utcnow().strftime("%-d %B %Y")  # the day the digest's window is counted in
    return f"Your boards digest for {day}: {len(items)} new post{'s' if len(items) != 1 else ''}"


def _post_link(post_id: int) -> str:
    return absolute_url("boards.show_post", post_id=post_id)
