"""Mentoring session jobs: the day-before reminder to both people.

huey delivers at most once, so nothing here depends on one run: every minute the periodic
job selects the booked sessions starting within a day whose pair have not been reminded,
and fans out a task per session; each task re-checks and writes both emails to the outbox
under unique keys in the same transaction that marks the session reminded. A task lost
with a killed consumer is picked up again on the next minute."""
from huey import crontab

from portal.blueprints.mentoring import services_sessions
from portal.db import utcnow
from tasks.queue import flask_periodic_task, flask_task


@flask_periodic_task(crontab(minute="*"))
def queue_due_mentoring_session_reminders() -> int:
    due = services_sessions.due_reminders(utcnow())
    for session_id in due:
        send_mentoring_session_reminder(session_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def send_mentoring_session_reminder(session_id: int) -> bool:
    """Both reminder emails, once, however many times this runs."""
    return services_sessions.send_reminder(session_id, utcnow()) is not None
