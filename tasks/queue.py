"""The queue: huey, built from HUEY_URL: a SQLite file by default, Redis (`redis://`) at scale.

Run the consumer with `huey_consumer tasks.huey -w 2 -k thread -m 1`. Tasks get an app
context: the current one if there is one (immediate mode in a request), otherwise the
consumer's own app, created once at start-up.
"""
import functools
import os

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from portal import create_app
from portal.config import load_config
from portal.db import db


def _build_huey():
    url = os.environ.get("HUEY_URL") or load_config()["HUEY_URL"]
    if url.startswith("redis://"):
        return RedisHuey("tandem", url=url)
    path = url.removeprefix("sqlite:///")  # sqlite:////abs/path or sqlite:///relative/path
    return SqliteHuey("tandem", filename=path)


huey = _build_huey()
_consumer_app = None


@huey.on_startup()
def _create_consumer_app():
    global _consumer_app
    if _consumer_app is None:
        _consumer_app = create_app()


def use_app(app) -> None:
    """Run tasks that start outside any app context in this app (tests, embedding)."""
    global _consumer_app
    _consumer_app = app


def _app():
    if has_app_context():
        return current_app._get_current_object()
    _create_consumer_app()
    return _consumer_app


def _in_app_context(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with _app().app_context():
            opened = db.is_closed()  # close only a connection this task opened
            if opened:
                db.connect()
            try:
                return fn(*args, **kwargs)
            finally:
                if opened and not db.is_closed():
                    db.close()

    return run


def flask_task(**options):
    def decorate(fn):
        return huey.task(**options)(_in_app_context(fn))

    return decorate


def flask_periodic_task(schedule, **options):
    def decorate(fn):
        return huey.periodic_task(schedule, **options)(_in_app_context(fn))

    return decorate

