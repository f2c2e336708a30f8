"""Building a person's data export in the background, and the sweep that rebuilds any
request whose job was lost."""
import datetime as dt

from huey import crontab

from portal.db import utcnow
from portal.people_data import export
from tasks.queue import flask_periodic_task, flask_task


@flask_task(retries=2, retry_delay=60)
def build_data_export(export_id: int) -> str | None:
    built = export.build(export_id)
    return built.status if built is not None else None


@export.export_requested.connect
def _ring(export_id: int) -> None:
    """Build as soon as the request has committed, not at the next sweep."""
    build_data_export(export_id)


@flask_periodic_task(crontab(minute="*/5"))
def sweep_data_exports() -> int:
    """Requests still waiting after five minutes: their doorbell was lost."""
    due = export.pending_ids(utcnow() - dt.timedelta(minutes=5))
    for export_id in due:
        build_data_export(export_id)
    return len(due)
