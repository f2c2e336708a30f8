"""The restore drill: seed the demo, back up, restore into a fresh database and upload
folder; every table's row count and every upload's checksum match, and the restored portal
serves /healthz and a hub article. On SQLite and on PostgreSQL."""
import json
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from portal import backup, create_app, demo
from portal.blueprints.hub.models import Article
from portal.db import db
from tests import conftest
from tests.conftest import CSRF_RAW_TOKEN, FAST_HASH, ON_POSTGRES, POSTGRES_URL
from tests.pages import Page


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database beside the test's own: a new SQLite file, or a new PostgreSQL
    database on the same server (dropped afterwards)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path}/restored/tandem.db"
        return
    name = f"tandem_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    if not db.is_closed():
        db.close()
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def sign_in(client, app, email):
    """Through the real form, with the CSRF token the form would carry."""
    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as session:
        session["csrf_token"] = CSRF_RAW_TOKEN
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(
        CSRF_RAW_TOKEN)
    response = client.post("/accounts/login", data={"email": email,
                                                    "password": demo.DEMO_PASSWORD,
                                                    "csrf_token": token})
    assert response.status_code == 303, Page(response).error_summary()


def test_restore_drill(app, tmp_path, fresh_database_url):
    with app.app_context(), db.connection_context():
        demo.seed(method=FAST_HASH, upload_dir=app.config["UPLOAD_DIR"])
        slug = Article.select(Article.slug).order_by(Article.id).first().slug
    counts = backup.table_counts(app.config["DATABASE_URL"])
    checksums = backup.upload_checksums(app.config["UPLOAD_DIR"])
    assert counts["article"] == 25 and counts["user"] >= 5 and len(checksums) == 2

    made = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"] == counts
    assert {f"uploads/{name}" for name in checksums} <= {
        str(p.relative_to(tmp_path / "backup")) for p in (tmp_path / "backup").rglob("*")}

    config = conftest.test_config(tmp_path / "restored") | {
        "DATABASE_URL": fresh_database_url, "UPLOAD_DIR": str(tmp_path / "restored-uploads")}
    restored = create_app(config)
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "every row count and checksum matches" in result.output

    assert backup.table_counts(fresh_database_url) == counts
    assert backup.upload_checksums(config["UPLOAD_DIR"]) == checksums
    client = restored.test_client()
    health = client.get("/healthz")
    assert (health.status_code, health.text) == (200, "ok")
    sign_in(client, restored, "mentor@tandem.example")
    article = client.get(f"/hub/articles/{slug}")
    assert article.status_code == 200
    with restored.app_context(), db.connection_context():
        assert Page(article).heading() == Article.get(Article.slug == slug).title

    again = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert again.exit_code != 0 and "not empty" in again.output


def test_a_damaged_backup_is_refused_before_anything_is_restored(app, tmp_path):
    with app.app_context(), db.connection_context():
        demo.seed(method=FAST_HASH, upload_dir=app.config["UPLOAD_DIR"])
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    upload = next(p for p in (tmp_path / "b" / "uploads").rglob("*") if p.is_file())
    upload.write_bytes(b"changed")
    with pytest.raises(backup.BackupError, match="checksum differs"):
        backup.verify(tmp_path / "b")
