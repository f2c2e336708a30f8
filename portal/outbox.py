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

from blinker import Namespace
from flask import current_app
from peewee import SQL, CharField, DateTimeField, IntegerField, TextField

from portal.db import BaseModel, db, utcnow
from portal.mailer import MailError, send

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"

# Sent with a message's id once the row that holds it has committed.
email_queued = Namespace().signal("email-queued")



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

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)

    @classmethod
    def due(cls, now=None):
        """Queued rows whose time has come, and rows whose sender's lease has lapsed."""
        now = now or utcnow()
        return cls.select(cls.id).where(
            ((cls.status == QUEUED) & (cls.next_attempt_at <= now))
            | ((cls.status == SENDING) & (cls.lease_until < now)))

    @classmethod
    def latest_to(cls, address: str):
        return (cls.select().where(cls.to_addr == address.lower())
                .order_by(cls.created_at.desc(), cls.id.desc()))


def queue_email(key: str, to: str, subject: str, body: str,
                attachment: tuple[str, str, str] | None = None) -> None:
    """Write one message into the outbox; a second call with the same key does nothing.

    Call it inside the transaction of the change that causes the email: the message is
    announced to the sender after that transaction commits, and never if it rolls back (the
    periodic sweep is the net for an announcement lost on the way). `attachment` is an
    optional text file: (file name, content type, text)."""
    name, content_type, text = attachment or ("", "", "")
    inserted = (OutboxMessage.insert(key=key, to_addr=to.lower(), subject=subject,
                                     body_text=body, attachment_name=name,
                                     attachment_type=content_type, attachment_body=text)
                .on_conflict_ignore().as_rowcount().execute())
    if inserted:
        db.after_commit(functools.partial(_announce, key))


def _announce(key: str) -> None:
    # Looked up after commit: a savepoint rolled back inside the transaction took the row.
    message_id = OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.key == key).scalar()
    if message_id:
        email_queued.send(message_id)


def claim(message_id: int, now=None) -> OutboxMessage | None:
    """Take the lease on a message that is due; None if it is not due or someone has it."""
    now = now or utcnow()
    lease = now + dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    claimed = (OutboxMessage.update(status=SENDING, lease_until=lease,
                                    attempts=OutboxMessage.attempts + 1)
               .where(OutboxMessage.id == message_id,
                      ((OutboxMessage.status == QUEUED) & (OutboxMessage.next_attempt_at <= now))
                      | ((OutboxMessage.status == SENDING) & (OutboxMessage.lease_until < now)))
               .execute())
    return OutboxMessage.get_by_id(message_id) if claimed else None


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


def counts_by_status() -> dict[str, int]:
    rows = (OutboxMessage.select(OutboxMessage.status, SQL("count(*)"))
            .group_by(OutboxMessage.status).tuples())
    return dict(rows)
