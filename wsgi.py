"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import tasks  # noqa: F401  connects the jobs that send email once a change has committed
from portal import create_app

app = create_app()
