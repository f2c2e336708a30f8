"""The daily retention job: the periods admins set in the site settings, applied."""
from huey import crontab

from portal.people_data import retention
from tasks.queue import flask_periodic_task


@flask_periodic_task(crontab(minute="40", hour="3"))
def apply_retention() -> dict:
    """Idempotent: a second run the same day finds nothing more to remove."""
    return retention.apply()
