"""Sending newsletters: start an issue when it is due, then one job per batch of people.
Each batch's emails go through the outbox, announced as one batch and sent over one
connection (tasks/email.py). A batch that runs twice sends once (services.send_batch)."""
import datetime as dt

from huey import crontab

from portal.blueprints.newsletter import services
from portal.db import utcnow
from tasks.queue import flask_periodic_task, flask_task


@flask_task(retries=3, retry_delay=60)
def start_newsletter(issue_id: int) -> int:
    batches = services.start_sending(issue_id)
    for first, last in batches:
        send_newsletter_batch(issue_id, first, last)
    return len(batches)


@flask_task(retries=3, retry_delay=30)
def send_newsletter_batch(issue_id: int, first_id: int, last_id: int) -> int:
    return services.send_batch(issue_id, first_id, last_id)


@services.issue_scheduled.connect
def _ring(issue_id: int, send_at: dt.datetime) -> None:
    """Start at once, or at the set time; the sweep below is the net for either."""
    if send_at <= utcnow():
        start_newsletter(issue_id)
    else:
        start_newsletter.schedule((issue_id,), eta=send_at.replace(tzinfo=dt.UTC))


@flask_periodic_task(crontab(minute="*"))
def sweep_newsletters() -> int:
    """Issues whose time has come, and batches whose job was lost."""
    now = utcnow()
    due = services.due_issues(now)
    for issue_id in due:
        start_newsletter(issue_id)
    stalled = services.stalled_batches(now)
    for issue_id, first, last in stalled:
        send_newsletter_batch(issue_id, first, last)
    return len(due) + len(stalled)
