"""Retention clean-up: expired sign-in sessions, old rate-limit counters, and shared
fragments nobody has needed for days (a search nobody repeats)."""
from huey import crontab

from portal import fragments
from portal.blueprints.accounts.models import UserSession
from portal.db import utcnow
from portal.ratelimit import DatabaseStore
from tasks.queue import flask_periodic_task


@flask_periodic_task(crontab(minute="17", hour="3"))
def remove_expired_records() -> dict:
    sessions = UserSession.delete().where(UserSession.expires_at < utcnow()).execute()
    counters = DatabaseStore.purge_older_than(24 * 3600)
    return {"sessions": sessions, "rate_limit_events": counters,
            "fragments": fragments.purge()}
