"""Background jobs. `huey_consumer tasks.huey` imports this package, which registers every
task module with the queue and connects each after-commit doorbell the portal announces.
The portal never imports tasks/; the task modules import the portal's models and services."""
from tasks import (  # noqa: F401  register every task
    boards,
    cleanup,
    data_exports,
    email,
    evaluation,
    experts,
    mentoring_care,
    mentoring_sessions,
    newsletter,
    programmes,
    reminders,
    retention,
    webinars,
)
from tasks.queue import flask_periodic_task, flask_task, huey, use_app

__all__ = ["flask_periodic_task", "flask_task", "huey", "use_app"]
