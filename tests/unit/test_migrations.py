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
        "0018_dashboard_version", "0017_shared_fragments", "0016_evaluation",
        "0015_notifications", "0014_experts", "0013_people_data", "0012_pairs", "0011_matching",
        "0010_programmes", "0009_moderation", "0008_boards"]
    assert "post" not in db.get_tables() and "board" not in db.get_tables()
    assert db.execute_sql("SELECT COUNT(*) FROM search_document").fetchone()[0] == 0
    assert migrate() == ["0008_boards", "0009_moderation", "0010_programmes", "0011_matching",
                         "0012_pairs", "0013_people_data", "0014_experts",
                         "0015_notifications", "0016_evaluation", "0017_shared_fragments",
                         "0018_dashboard_version"]
    assert not diff_models(db.obj, ALL_MODELS)


def _insert_user(name: str, email: str) -> int:
    """A user row as the schema before 0015 has it."""
    p = db.obj.param
    db.execute_sql(
        "INSERT INTO \"user\" (name, email, password_hash, role, created_at, "
        "suspension_reason, organisation, team, manager_email, job_title, staff_group, "
        f"pay_band, region, bio, specialisms, totp_secret) VALUES ({p}, {p}, 'x', 'member', "
        "'2026-01-01 00:00:00', '', '', '', '', '', '', '', '', '', '', '')", (name, email))
    return db.execute_sql(f"SELECT id FROM \"user\" WHERE email = {p}", (email,)).fetchone()[0]


def test_board_email_preferences_are_the_same_after_the_notifications_migration(
        empty_database):
    """Each choice on the boards' old preferences page becomes the same choice on the one
    preferences page, and going down gives the old rows back."""
    from playhouse.migrations import Runner

    from portal import notifications
    from portal.cli import MIGRATIONS_DIR

    migrate("0014_experts")
    choices = {  # (email replies, email mentions, daily digest)
        "all@example.org": (True, True, False), "digest@example.org": (True, True, True),
        "no-replies@example.org": (False, True, False),
        "nothing@example.org": (False, False, False),
        "mentions-digest@example.org": (False, True, True)}
    p = db.obj.param
    for n, (email, chosen) in enumerate(choices.items(), start=1):
        user_id = _insert_user(f"Person {n}", email)
        db.execute_sql("INSERT INTO board_preference (user_id, email_replies, email_mentions, "
                       f"daily_digest) VALUES ({p}, {p}, {p}, {p})", (user_id, *chosen))
    _insert_user("Never chose", "default@example.org")

    assert migrate("0015_notifications") == ["0015_notifications"]
    assert "board_preference" not in db.get_tables()
    from portal.blueprints.accounts.models import User

    ids = {u.email: u.id for u in User.select()}
    channels = notifications.channels_for(ids.values(), ["board_reply", "board_mention"])
    after = {email: (channels[(ids[email], "board_reply")],
                     channels[(ids[email], "board_mention")]) for email in ids}
    assert after == {
        "all@example.org": ("email", "email"), "digest@example.org": ("digest", "digest"),
        "no-replies@example.org": ("site", "email"), "nothing@example.org": ("site", "site"),
        "mentions-digest@example.org": ("site", "digest"),
        "default@example.org": ("email", "email")}

    Runner(db.obj, str(MIGRATIONS_DIR)).down("0015_notifications")
    back = {email: (bool(r), bool(m), bool(d)) for email, r, m, d in db.execute_sql(
        "SELECT u.email, b.email_replies, b.email_mentions, b.daily_digest "
        "FROM board_preference b JOIN \"user\" u ON u.id = b.user_id").fetchall()}
    assert back == choices


def triggers() -> set[tuple[str, str]]:
    """(table, trigger definition) for every trigger in the database."""
    if ON_POSTGRES:
        rows = db.execute_sql(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal")
    else:
        rows = db.execute_sql("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    return set(rows.fetchall())


def test_the_dashboard_migration_makes_the_triggers_the_models_make(empty_database):
    """A database that had the shared-fragment triggers before the dashboard was kept gets
    the triggers that raise its version: the same as a new database's."""
    from portal.fragments import TABLE_AREAS, create_triggers, drop_triggers

    migrate("0017_shared_fragments")
    drop_triggers(db.obj)
    bookmark_areas = TABLE_AREAS.pop("bookmark")  # the triggers as 0017 first made them
    try:
        create_triggers(db.obj)
        older = triggers()
    finally:
        TABLE_AREAS["bookmark"] = bookmark_areas
    assert migrate() == ["0018_dashboard_version"]
    migrated = triggers()
    assert migrated != older
    assert any(table == "bookmark" for table, _ in migrated)
    db.execute_sql("DELETE FROM content_version")
    create_triggers(db.obj)  # what a new database gets; made again, nothing changes
    assert triggers() == migrated
