"""Erasing an account: nothing of the person's name or email address is left in any table,
the search index or the upload folder; their posts still read, as "Former member"; their
partner is told; the audit log keeps the action."""
from pathlib import Path

import pytest
from peewee import CharField, TextField

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as boards
from portal.blueprints.boards.models import Post
from portal.blueprints.mentoring.models import Note, Relationship
from portal.db import db, is_sqlite
from portal.models import ALL_MODELS
from portal.people_data import erase
from tests.conftest import TEST_PASSWORD
from tests.pages import Page
from tests.people_data_factories import give_a_life, make_world, pair_up

NAME, EMAIL = "Nadia Nurse", "nadia.nurse@example.nhs.uk"


@pytest.fixture
def world(app, make_user, make_article):
    return make_world(app, make_user, make_article)


def rows_mentioning(text: str) -> list[str]:
    """table.column for every row of every table whose text holds `text`, any case."""
    found = []
    for model in ALL_MODELS:
        for field in model._meta.sorted_fields:
            if isinstance(field, (CharField, TextField)):
                n = model.select().where(field ** f"%{text}%").count()
                found += [f"{model._meta.table_name}.{field.column_name}"] * n
    return found


def search_index_mentions(text: str) -> int:
    if is_sqlite():
        return db.execute_sql("SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH ?",
                              (f'"{text}"',)).fetchone()[0]
    return db.execute_sql("SELECT COUNT(*) FROM search_vector "
                          "WHERE tsv @@ phraseto_tsquery('english', %s)",
                          (text,)).fetchone()[0]


def files_mentioning(folder: str, text: str) -> list[Path]:
    return [path for path in Path(folder).rglob("*") if path.is_file()
            and text.lower().encode() in path.read_bytes().lower()]


def test_after_erasure_nothing_holds_their_name_or_email_and_their_posts_still_read(
        app, client, csrf_token, login, make_user, sent_emails, world):
    nadia = make_user(name=NAME, email=EMAIL, bio="Ward sister, back from leave in May",
                      team="Ward 7", organisation="North Trust")
    omar = make_user(name="Omar Other", email="omar@example.nhs.uk", manager_email=EMAIL)
    give_a_life(app, world, nadia, "NADIA")
    rel = pair_up(app, world, mentor=omar, mentee=nadia)
    with app.app_context(), db.connection_context():
        thread = Post.get(Post.body == "NADIA opening post").thread
        boards.reply(User.get_by_id(omar.id), thread, f"Thanks @{NAME}, write to me too")
        boards.reply(User.get_by_id(nadia.id), thread, "@Omar Other glad it helped")
        assert search_index_mentions(NAME) == 1  # Omar's reply names her
    login(nadia)
    client.post("/accounts/your-data", data={"csrf_token": csrf_token})  # an archive exists
    assert any((Path(app.config["UPLOAD_DIR"]) / "exports").iterdir())
    with app.app_context(), db.connection_context():
        assert rows_mentioning(NAME) and rows_mentioning(EMAIL)

    page = Page(client.get("/accounts/delete"))
    assert "open mentoring relationships are closed" in page.text("#erase-consequences")
    wrong = client.post("/accounts/delete", data={"password": "not it", "csrf_token": csrf_token})
    assert wrong.status_code == 422
    deleted = client.post("/accounts/delete", data={"password": TEST_PASSWORD,
                                                    "csrf_token": csrf_token})
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/"
    assert "Your account has been deleted." in Page(client.get("/")).flashes()

    with app.app_context(), db.connection_context():
        for text in (NAME, EMAIL, "Ward sister", "North Trust"):
            assert rows_mentioning(text) == [], text
        assert search_index_mentions(NAME) == 0
        closed = Relationship.get_by_id(rel.id)
        assert (closed.status, closed.close_reason) == (
            "closed", "The other person's account was closed")
        assert sorted(n.body for n in Note.select()) == [
            "mentor's private thoughts", "notes from our first meeting"]
        [entry] = AuditEntry.select().where(AuditEntry.action == "user.erase")
        assert (entry.object_id, entry.before, entry.after) == (nadia.id, "{}",
                                                                '{"erased": true}')
        assert User.get_by_id(omar.id).manager_email == ""
    exports = Path(app.config["UPLOAD_DIR"]) / "exports"
    assert not any(exports.iterdir())  # her archive is gone
    assert files_mentioning(app.config["UPLOAD_DIR"], NAME) == []
    assert files_mentioning(app.config["UPLOAD_DIR"], EMAIL) == []

    [told, *_] = sent_emails("omar@example.nhs.uk")
    assert told.subject == "Your mentoring relationship has ended"
    assert "the other person has closed their" in told.body_text

    login(omar)
    posts = Page(client.get(f"/boards/threads/{thread.id}"))
    assert posts.heading() == "NADIA thread"
    authors = posts.texts(".tandem-meta strong")
    assert authors.count("Former member") == 3 and "Omar Other" in authors
    assert "Thanks @Former member , write to me too" in posts.text("main")  # in bold
    client.post("/accounts/logout", data={"csrf_token": csrf_token})
    refused = client.post("/accounts/login", data={"email": EMAIL, "password": TEST_PASSWORD,
                                                   "csrf_token": csrf_token})
    assert refused.status_code == 422


def test_an_admin_erases_an_account_after_a_confirmation_page(app, client, csrf_token, login,
                                                              make_user):
    admin = make_user(role="admin")
    person = make_user(name=NAME, email=EMAIL)
    login(admin)
    confirm = Page(client.get(f"/staff/people/{person.id}/erase"))
    assert confirm.heading() == f"Delete {NAME}'s account?"
    assert "cannot be undone" in confirm.text(".nhsuk-warning-callout")
    done = client.post(f"/staff/people/{person.id}/erase", data={"csrf_token": csrf_token})
    assert done.status_code == 303
    assert Page(client.get(done.headers["Location"])).heading() == "Former member"
    with app.app_context(), db.connection_context():
        [entry] = AuditEntry.select().where(AuditEntry.action == "user.erase")
        assert entry.actor_id == admin.id
    assert client.get(f"/staff/people/{person.id}/erase").status_code == 403  # already done


def test_the_only_admin_cannot_erase_their_own_account(app, client, csrf_token, login,
                                                       make_user):
    admin = make_user(role="admin")
    login(admin)
    refused = client.post("/accounts/delete", data={"password": TEST_PASSWORD,
                                                    "csrf_token": csrf_token})
    assert refused.status_code == 422
    assert "only administrator" in " ".join(Page(refused).error_summary())
    with app.app_context(), db.connection_context():
        assert User.get_by_id(admin.id).erased_at is None
        with pytest.raises(erase.ErasureRefused):
            erase.erase_account(User.get_by_id(admin.id), admin.id)
