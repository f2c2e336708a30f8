"""Sending the outbox. The task is a doorbell; the outbox row is the record."""
import datetime as dt

from huey import crontab

from portal.outbox import (
    QUEUED,
    OutboxMessage,
    batch_queued,
    deliver,
    deliver_batch,
    email_queued,
)
from tasks.queue import flask_periodic_task, flask_task


@flask_task()
def send_outbox_message(message_id: int) -> str | None:
    status = deliver(message_id)
    if status == QUEUED:
        _retry_later(message_id)
    return status


def _retry_later(message_id: int) -> None:
    retry_at = OutboxMessage.get_by_id(message_id).next_attempt_at
    send_outbox_message.schedule((message_id,), eta=retry_at.replace(tzinfo=dt.UTC))


@flask_task()
def send_outbox_batch(message_ids: list[int]) -> int:
    """A batch over one connection; a message that failed is retried on its own."""
    statuses = deliver_batch(message_ids)
    for message_id, status in statuses.items():
        if status == QUEUED:
            _retry_later(message_id)
    return sum(1 for status in statuses.values() if status != QUEUED)


@email_queued.connect
def _ring(message_id: int) -> None:
    """Send a message as soon as its transaction has committed, not at the next sweep."""
    send_outbox_message(message_id)


@batch_queued.connect
def _ring_batch(message_ids: list[int]) -> None:
    send_outbox_batch(message_ids)


@flask_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Send whatever is due: rows whose doorbell was lost with a killed consumer, retries,
    and rows whose sender died holding the lease."""
    due = [row.id for row in OutboxMessage.due()]
    for message_id in due:
        send_outbox_message(message_id)
    return len(due)
