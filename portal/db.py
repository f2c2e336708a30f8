"""One database proxy for the whole portal, bound from DATABASE_URL by the app factory.

Connections outlive requests. On SQLite each worker process keeps one connection, opened
at its first request (after gunicorn forks), so the pragmas are set and the schema read
once, not on every request. On PostgreSQL a pool (peewee's playhouse.pool) lends each
request a connection and takes it back at the end; the pool checks a connection is alive
before lending it. A connection that failed (the server restarted, the file went away) is
closed for good at the end of its request, so the next request opens a new one, as when
every request opened its own.
"""
import datetime as dt
import os
from urllib.parse import urlsplit

from flask import Flask, request
from peewee import (
    SQL,
    DatabaseProxy,
    InterfaceError,
    Model,
    NodeList,
    OperationalError,
    SqliteDatabase,
)
from playhouse.db_url import parse
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase

db = DatabaseProxy()

SQLITE_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000,
                  "synchronous": "normal"}
POOL_SIZE = 20  # connections a worker keeps (a sync worker uses one at a time)
POOL_STALE_SECONDS = 300


# Static files need no connection; the health check opens its own, to report a failure.
NO_DATABASE_ENDPOINTS = frozenset({"static", "assets", "home.healthz"})


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def utcnow() -> dt.datetime:
    """Naive UTC: both SQLite and PostgreSQL columns store timestamps without a zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def in_subquery(lhs, subquery):
    """`lhs IN (subquery)`, compiled once. peewee's own `.in_(subquery)` compiles the
    subquery a second time to see whether it is empty, which doubled the cost of every
    audience filter."""
    return NodeList((lhs, SQL("IN"), subquery))


class _FailureTracking:
    """Remembers that a statement failed on this thread's connection, so the request's end
    closes it for good instead of keeping it for the next request."""

    def execute_sql(self, sql, params=None):
        try:
            return super().execute_sql(sql, params)
        except (OperationalError, InterfaceError):
            self._state.failed = True
            raise


class TandemSqliteDatabase(_FailureTracking, SqliteDatabase):
    pass


class TandemPostgresqlDatabase(_FailureTracking, PooledPostgresqlDatabase):
    pass


def open_database(url: str):
    kwargs = parse(url)
    if urlsplit(url).scheme.startswith("sqlite"):
        # Writers take the lock when the transaction begins (BEGIN IMMEDIATE). A deferred
        # transaction that reads and then writes fails at once with "database is locked"
        # when another worker holds the write lock, whatever the busy timeout.
        return TandemSqliteDatabase(kwargs.pop("database"), pragmas=SQLITE_PRAGMAS,
                                    lock_type="IMMEDIATE", **kwargs)
    return TandemPostgresqlDatabase(kwargs.pop("database"), max_connections=POOL_SIZE,
                                    stale_timeout=POOL_STALE_SECONDS, **kwargs)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def release_connection() -> None:
    """The end of a request: a pooled connection goes back to the pool, SQLite's stays
    open for the next request, and one that failed is closed."""
    database = db.obj
    if database is None or database.is_closed() or database.in_transaction():
        return
    if getattr(database._state, "failed", False):
        database._state.failed = False
        if isinstance(database, PooledDatabase):
            database.manual_close()
        else:
            database.close()
    elif isinstance(database, PooledDatabase):
        database.close()


def _forget_connections_after_fork() -> None:
    """A forked child must not use, or close, its parent's connections: drop them."""
    database = db.obj
    if database is not None:
        database.dispose()


os.register_at_fork(after_in_child=_forget_connections_after_fork)


def init_app(app: Flask) -> None:
    previous = db.obj
    if isinstance(previous, PooledDatabase):
        previous.close_idle()
    db.initialize(open_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        if request.endpoint not in NO_DATABASE_ENDPOINTS:
            db.connect(reuse_if_open=True)

    @app.teardown_request
    def _release(_exc):
        release_connection()
