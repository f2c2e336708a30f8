"""The email outbox: every message is a row with a unique key, written in the transaction
of the change that causes it. huey is only the doorbell (it delivers at most once); this
table is the record. A message is sent by whoever claims its lease, so two senders never
send one row, and a sender that dies lets the lease lapse for the periodic sweep.

Every area queues email the same way: `queue_email` inside the transaction of the change.
Once that transaction commits, `email_queued` announces the message, and the job that
sends it answers (tasks/email.py); if the transaction rolls back, nothing is announced and
nothing is left to send."""
import datetime as dt
import functools
import json

from blinker import Namespace
from flask import current_app
from peewee import SQL, CharField, DateTimeField, IntegerField, TextField

from portal.db import BaseModel, db, utcnow
from portal.mailer import MailError, MessageRefused, connection, send

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"

# Sent with a message's id once the row that holds it has committed; `batch_queued` with
# the ids of a batch, which one job sends over one connection.
email_queued = Namespace().signal("email-queued")
batch_queued = Namespace().signal("email-batch-queued")


class OutboxMessage(BaseModel):
    key = CharField(max_length=200, unique=True)
    to_addr = CharField(max_length=254)
    subject = CharField(max_length=200)
    body_text = TextField()
    status = CharField(max_length=10, default=QUEUED)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    lease_until = DateTimeField(null=True)
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)
    sent_at = DateTimeField(null=True)
    # One optional text attachment, such as a calendar file (webinar reminders).
    attachment_name = CharField(max_length=200, default="")
    attachment_type = CharField(max_length=100, default="")
    attachment_body = TextField(default="")
    # Extra headers as a JSON object, such as List-Unsubscribe on emails one can stop.
    headers = TextField(default="")

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)

    @classmethod
    def due(cls, now=None):
        """Queued rows whose time has come, and rows whose sender's lease has lapsed."""
        now = now or utcnow()
        return cls.select(cls.id).where(
            ((cls.status == QUEUED) & (cls.next_attempt_at <= now))
            | ((cls.status == SENDING) & (cls.lease_until < now)))

    @property
    def header_dict(self) -> dict[str, str]:
        return json.loads(self.headers) if self.headers else {}

    @classmethod
    def latest_to(cls, address: str):
        return (cls.select().where(cls.to_addr == address.lower())
                .order_by(cls.created_at.desc(), cls.id.desc()))


def _row(key: str, to: str, subject: str, body: str,
         attachment: tuple[str, str, str] | None, headers: dict[str, str] | None) -> dict:
    name, content_type, text = attachment or ("", "", "")
    return {"key": key, "to_addr": to.lower(), "subject": subject, "body_text": body,
            "attachment_name": name, "attachment_type": content_type, "attachment_body": text,
            "headers": json.dumps(headers, sort_keys=True) if headers else ""}


def queue_email(key: str, to: str, subject: str, body: str,
                attachment: tuple[str, str, str] | None = None,
                headers: dict[str, str] | None = None) -> None:
    """Write one message into the outbox; a second call with the same key does nothing.

    Call it inside the transaction of the change that causes the email: the message is
    announced to the sender after that transaction commits, and never if it rolls back (the
    periodic sweep is the net for an announcement lost on the way). `attachment` is an
    optional text file: (file name, content type, text); `headers` are extra headers."""
    inserted = (OutboxMessage.insert(**_row(key, to, subject, body, attachment, headers))
                .on_conflict_ignore().as_rowcount().execute())
    if inserted:
        db.after_commit(functools.partial(_announce, key))


def queue_batch(messages: list[dict]) -> int:
    """Write many messages at once, each a dict of queue_email's arguments (key, to,
    subject, body, and optionally attachment and headers); keys already queued are left
    alone. After commit the batch is announced as one, for one job to send over one
    connection. Returns how many were new."""
    if not messages:
        return 0
    rows = [_row(m["key"], m["to"], m["subject"], m["body"], m.get("attachment"),
                 m.get("headers")) for m in messages]
    inserted = OutboxMessage.insert_many(rows).on_conflict_ignore().as_rowcount().execute()
    if inserted:
        db.after_commit(functools.partial(_announce_batch, [r["key"] for r in rows]))
    return inserted


def _announce(key: str) -> None:
    # Looked up after commit: a savepoint rolled back inside the transaction took the row.
    message_id = OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.key == key).scalar()
    if message_id:
        email_queued.send(message_id)


def _announce_batch(keys: list[str]) -> None:
    ids = [row.id for row in OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.key.in_(keys), OutboxMessage.status == QUEUED).order_by(OutboxMessage.id)]
    if ids:
        batch_queued.send(ids)


def _claimable(now):
    return (((OutboxMessage.status == QUEUED) & (OutboxMessage.next_attempt_at <= now))
            | ((OutboxMessage.status == SENDING) & (OutboxMessage.lease_until < now)))


def claim(message_id: int, now=None) -> OutboxMessage | None:
    """Take the lease on a message that is due; None if it is not due or someone has it."""
    now = now or utcnow()
    lease = now + dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    claimed = (OutboxMessage.update(status=SENDING, lease_until=lease,
                                    attempts=OutboxMessage.attempts + 1)
               .where(OutboxMessage.id == message_id, _claimable(now))
               .execute())
    return OutboxMessage.get_by_id(message_id) if claimed else None


def claim_batch(message_ids: list[int], now=None) -> list[OutboxMessage]:
    """Take the lease on those of the messages that are due, in one statement; the rows
    it returns are the ones this sender now holds (RETURNING: SQLite 3.35+, PostgreSQL)."""
    now = now or utcnow()
    lease = now + dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    return sorted((OutboxMessage.update(status=SENDING, lease_until=lease,
                                        attempts=OutboxMessage.attempts + 1)
                   .where(OutboxMessage.id.in_(message_ids), _claimable(now))
                   .returning(OutboxMessage).execute()), key=lambda m: m.id)


def mark_sent(message: OutboxMessage) -> None:
    (OutboxMessage.update(status=SENT, sent_at=utcnow(), lease_until=None, last_error="")
     .where(OutboxMessage.id == message.id).execute())


def mark_failed(message: OutboxMessage, error: str, now=None) -> None:
    """Back off exponentially; give up after the configured number of attempts."""
    now = now or utcnow()
    config = current_app.config
    if message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        status, retry_at = FAILED, now
    else:
        delay = config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (message.attempts - 1)
        status, retry_at = QUEUED, now + dt.timedelta(seconds=delay)
    (OutboxMessage.update(status=status, next_attempt_at=retry_at, lease_until=None,
                          last_error=error[:2000])
     .where(OutboxMessage.id == message.id).execute())


def deliver(message_id: int) -> str | None:
    """Claim, send and record one message. Returns its new status, or None if not claimed."""
    with db.atomic():
        message = claim(message_id)
    if message is None:
        return None
    try:
        send(message)
    except MailError as exc:
        mark_failed(message, str(exc))
        return OutboxMessage.get_by_id(message_id).status
    mark_sent(message)
    return SENT


def deliver_batch(message_ids: list[int]) -> dict[int, str]:
    """Claim, send over one connection, and record, the messages that are due. Each is
    marked sent as soon as the server has taken it, so a sender that dies mid-batch leaves
    only the message it was on to be sent again. A message the server refuses backs off
    alone; a lost connection backs off the rest. Returns each claimed message's status."""
    with db.atomic():
        messages = claim_batch(message_ids)
    statuses: dict[int, str] = {}
    if not messages:
        return statuses
    try:
        with connection() as mail:
            for message in messages:
                try:
                    mail.send(message)
                except MessageRefused as exc:
                    mark_failed(message, str(exc))
                    statuses[message.id] = OutboxMessage.get_by_id(message.id).status
                    continue
                mark_sent(message)
                statuses[message.id] = SENT
    except MailError as exc:
        for message in messages:
            if message.id not in statuses:
                mark_failed(message, str(exc))
                statuses[message.id] = OutboxMessage.get_by_id(message.id).status
    return statuses


def counts_by_status() -> dict[str, int]:
    rows = (OutboxMessage.select(OutboxMessage.status, SQL("count(*)"))
            .group_by(OutboxMessage.status).tuples())
    return dict(rows)
