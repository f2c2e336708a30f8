"""The queue: huey, built from HUEY_URL: a SQLite file by default, Redis (`redis://`, or
`rediss://` for TLS) at scale.

Run the consumer with `huey_consumer tasks.huey -w 2 -k thread -m 1`. Tasks get an app
context: the current one if there is one (immediate mode in a request), otherwise the
consumer's own app, created once at start-up.
"""
import functools
import logging
import os

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from portal import create_app
from portal.config import REDIS_PREFIXES, ConfigurationError, load_config
from portal.db import db


def build_huey(url: str):
    """redis-py reads the TLS options of a rediss:// URL from its query string, e.g.
    `rediss://host:6380/0?ssl_ca_certs=/etc/ssl/ca.pem`. Anything other than the three
    schemes is refused: taken as a file name, it would queue jobs nobody runs."""
    if url.startswith(REDIS_PREFIXES):
        return RedisHuey("tandem", url=url)
    if url.startswith("sqlite:///"):
        # sqlite:////abs/path or sqlite:///relative/path
        return SqliteHuey("tandem", filename=url.removeprefix("sqlite:///"))
    raise ConfigurationError(f"HUEY_URL must start with sqlite:///, redis:// or rediss:// "
                             f"(it is {url!r})")


huey_logger = logging.getLogger("huey")
huey = build_huey(os.environ.get("HUEY_URL") or load_config()["HUEY_URL"])
_consumer_app = None


@huey.on_startup()
def _create_consumer_app():
    global _consumer_app
    if _consumer_app is None:
        try:
            _consumer_app = create_app()
        except ConfigurationError as problem:
            # Refuse to start, as gunicorn does (exit status 3, "failed to boot"), rather
            # than fail every task. This runs before the worker takes its first task.
            huey_logger.critical("%s", problem)
            logging.shutdown()
            os._exit(3)


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

