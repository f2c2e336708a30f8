"""Webinar jobs: reminders 24 hours and 1 hour before, lapsing unclaimed offers, and
finishing sessions that have ended.

huey delivers at most once, so nothing here depends on one run: every minute the periodic
jobs select what is due from the database and fan out a task per item; each task re-checks
and writes its email to the outbox under a unique key in the same transaction that marks
the item done. A task lost with a killed consumer is picked up again on the next minute."""
from huey import crontab

from portal.blueprints.webinars import services, services_staff
from portal.blueprints.webinars.models import OFFERED, WebinarBooking
from portal.db import utcnow
from tasks.queue import flask_periodic_task, flask_task


@flask_periodic_task(crontab(minute="*"))
def queue_due_webinar_reminders() -> int:
    due = [row.id for row in services.due_reminders()]
    for reminder_id in due:
        send_webinar_reminder(reminder_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def send_webinar_reminder(reminder_id: int) -> bool:
    """One reminder email, once, however many times this runs."""
    key = services.send_reminder(reminder_id)
    return key is not None


@flask_periodic_task(crontab(minute="*"))
def expire_webinar_offers() -> int:
    due = [b.id for b in WebinarBooking.select(WebinarBooking.id).where(
        WebinarBooking.status == OFFERED, WebinarBooking.offer_expires_at <= utcnow())]
    for booking_id in due:
        expire_webinar_offer(booking_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def expire_webinar_offer(booking_id: int) -> bool:
    """The seat passes to the next person."""
    return services.expire_offer(booking_id)


@flask_periodic_task(crontab(minute="*/5"))
def finish_webinar_sessions() -> int:
    return services_staff.finish_past_sessions()
