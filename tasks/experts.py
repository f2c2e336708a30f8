"""Expert directory jobs: introduction requests that lapse, and the activity checks.

huey delivers at most once, so each periodic job selects what is due from the database
(one query) and fans out one task per row; each task re-checks and writes its email to the
outbox under a unique key in the transaction that marks the row done. A task lost with a
killed consumer is picked up again on the next run, and a repeated one sends nothing twice.
Both finders run every minute: each is one indexed query, and a restarted consumer then
catches up at once.
"""
import datetime as dt

from huey import crontab

from portal.blueprints.experts import services_checks, services_introductions
from portal.db import utcnow
from tasks.queue import flask_periodic_task, flask_task


@flask_periodic_task(crontab(minute="*"))
def find_lapsed_introductions() -> int:
    due = services_introductions.expiring(utcnow())
    for request_id in due:
        lapse_introduction(request_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def lapse_introduction(request_id: int) -> bool:
    return services_introductions.expire(request_id)


@flask_periodic_task(crontab(minute="*"))
def find_due_activity_checks() -> int:
    due = services_checks.checks_due(dt.date.today())
    for expert_id in due:
        send_activity_check(expert_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def send_activity_check(expert_id: int) -> int:
    return len(services_checks.send_check(expert_id, dt.date.today()))
