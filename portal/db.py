"""One database proxy for the whole portal, bound from DATABASE_URL by the app factory."""
import datetime as dt

from flask import Flask, request
from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000,
                  "synchronous": "normal"}


# Static files need no connection; the health check opens its own, to report a failure.
NO_DATABASE_ENDPOINTS = frozenset({"static", "assets", "home.healthz"})


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def utcnow() -> dt.datetime:
    """Naive UTC: both SQLite and PostgreSQL columns store timestamps without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def open_database(url: str):
    if url.startswith("sqlite"):
        # Writers take the lock when the transaction begins (BEGIN IMMEDIATE). A deferred
        # transaction that reads and then writes fails at once with "database is locked"
        # when another worker holds the write lock, whatever the busy timeout.
        return connect(url, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    return connect(url)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def init_app(app: Flask) -> None:
    db.initialize(open_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        if request.endpoint not in NO_DATABASE_ENDPOINTS:
            db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        if not db.is_closed():
            db.close()
