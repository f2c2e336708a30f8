"""Mentoring care jobs: check-ins every few weeks, nudges for quiet pairs, the prompt to
book a session before a return from leave, and the offer to close at the end date.

huey delivers at most once, so each periodic job selects what is due from the database
(one query) and fans out one task per pair; each task re-checks and writes its emails to the
outbox under unique keys in the transaction that marks the pair done. A task lost with a
killed consumer is picked up again on the next run, and a repeated one sends nothing twice.
The check-in and nudge finders run every minute: each is one query over open pairs, and a
consumer that restarts then catches up at once."""
import datetime as dt

from huey import crontab

from portal.blueprints.mentoring import services_checkins, services_closing, services_leave
from tasks.queue import flask_periodic_task, flask_task


def _today() -> dt.date:
    return dt.date.today()


@flask_periodic_task(crontab(minute="*"))
def find_due_checkins() -> int:
    due = services_checkins.checkins_due(_today())
    for relationship_id in due:
        send_mentoring_checkins(relationship_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def send_mentoring_checkins(relationship_id: int) -> int:
    return len(services_checkins.send_checkins(relationship_id, _today()))


@flask_periodic_task(crontab(minute="*"))
def find_inactive_pairs() -> int:
    due = services_checkins.nudges_due(_today())
    for relationship_id in due:
        nudge_inactive_pair(relationship_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def nudge_inactive_pair(relationship_id: int) -> int:
    return len(services_checkins.nudge(relationship_id, _today()))


@flask_periodic_task(crontab(minute="7", hour="*"))
def find_returns_from_leave() -> int:
    due = services_leave.return_prompts_due(_today())
    for relationship_id in due:
        prompt_return_from_leave(relationship_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def prompt_return_from_leave(relationship_id: int) -> int:
    return len(services_leave.prompt_return(relationship_id, _today()))


@flask_periodic_task(crontab(minute="17", hour="*"))
def find_ended_pairs() -> int:
    due = services_closing.end_offers_due(_today())
    for relationship_id in due:
        offer_to_close(relationship_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def offer_to_close(relationship_id: int) -> int:
    return len(services_closing.offer_end(relationship_id, _today()))
