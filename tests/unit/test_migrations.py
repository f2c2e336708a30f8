"""Migrations build the schema the models describe, from nothing and from an older version."""
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from playhouse.schema_diff import diff_models

from portal.cli import migrate
from portal.db import db, open_database
from portal.models import ALL_MODELS
from tests.conftest import ON_POSTGRES, POSTGRES_URL


@pytest.fixture
def empty_database(tmp_path):
    """A database with no tables: a new SQLite file, or a new PostgreSQL database."""
    previous = db.obj
    if not ON_POSTGRES:
        database = open_database(f"sqlite:///{tmp_path}/migrate.db")
        db.initialize(database)
        with db.connection_context():
            yield database
        db.initialize(previous)
        return
    import psycopg2

    name = f"tandem_migrate_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_URL)
    database = open_database(urlunsplit(parts._replace(path=f"/{name}")))
    db.initialize(database)
    with db.connection_context():
        yield database
    database.close_all()  # the pool keeps its connections open after use
    db.initialize(previous)
    admin.cursor().execute(f'DROP DATABASE "{name}"')
    admin.close()


def test_migrating_an_empty_database_gives_the_current_schema(empty_database):
    applied = migrate()
    assert applied[0] == "0001_initial"
    assert not diff_models(db.obj, ALL_MODELS), str(diff_models(db.obj, ALL_MODELS))
    assert migrate() == []  # a second run has nothing to do


def test_migrating_the_previous_schema_keeps_the_data(empty_database):
    migrate("0001_initial")
    db.execute_sql("INSERT INTO \"user\" (name, email, password_hash, role, created_at, "
                   "suspension_reason, organisation, job_title, staff_group, pay_band, "
                   "region, bio, specialisms) VALUES ('Old Timer', 'old@example.org', 'x', "
                   "'admin', '2026-01-01 00:00:00', '', '', '', '', '', '', '', '')")
    assert migrate()[:4] == ["0002_groups_audit", "0003_theme_topics", "0004_hub_and_settings",
                             "0005_reports"]
    assert not diff_models(db.obj, ALL_MODELS)
    from portal.blueprints.accounts.models import User
    from portal.taxonomy import Topic

    assert User.get(User.email == "old@example.org").role == "admin"
    assert Topic.select().count() == 10


def test_db_upgrade_command(app, tmp_path):
    app.config["DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    db.initialize(open_database(app.config["DATABASE_URL"]))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert "applied: 0001_initial" in result.output
    again = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert again.output.strip() == "up to date"


def test_the_boards_migration_goes_down_and_up(empty_database):
    """0008 removes its tables and the posts' search entries, and comes back clean."""
    from playhouse.migrations import Runner

    from portal.cli import MIGRATIONS_DIR

    migrate()
    db.execute_sql("INSERT INTO search_document (kind, object_id, title, summary, body) "
                   "VALUES ('post', 1, 'A thread', '', 'A post')")
    assert Runner(db.obj, str(MIGRATIONS_DIR)).down("0008_boards") == [
        "0013_shared_fragments", "0012_pairs", "0011_matching", "0010_programmes",
        "0009_moderation", "0008_boards"]
    assert "post" not in db.get_tables() and "board" not in db.get_tables()
    assert db.execute_sql("SELECT COUNT(*) FROM search_document").fetchone()[0] == 0
    assert migrate() == ["0008_boards", "0009_moderation", "0010_programmes", "0011_matching",
                         "0012_pairs", "0013_shared_fragments"]
    assert not diff_models(db.obj, ALL_MODELS)
