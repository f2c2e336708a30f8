"""A person's copy of their data: asked for, built by the background job, emailed, and
downloadable by them alone for seven days."""
import datetime as dt
import io
import json
import zipfile

import pytest

from portal.blueprints.accounts.models import DataExport, User
from portal.db import db, utcnow
from portal.people_data import export, retention
from tests.conftest import link_in
from tests.pages import Page
from tests.people_data_factories import give_a_life, make_world, pair_up


@pytest.fixture
def world(app, make_user, make_article):
    return make_world(app, make_user, make_article)


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    response.close()
    return zipfile.ZipFile(io.BytesIO(data))


def ask_for_export(client, csrf_token, sent_emails, email) -> str:
    response = client.post("/accounts/your-data", data={"csrf_token": csrf_token})
    assert response.status_code == 303
    [ready, *_] = sent_emails(email)
    assert ready.subject == "Your data is ready to download"
    return link_in(ready.body_text)


def test_a_member_downloads_everything_of_theirs_and_nothing_of_anyone_else(
        app, client, csrf_token, login, make_user, sent_emails, world):
    nadia = make_user(name="Nadia Nurse", email="nadia@example.nhs.uk")
    omar = make_user(name="Omar Other", email="omar@example.nhs.uk")
    give_a_life(app, world, nadia, "NADIA")
    give_a_life(app, world, omar, "OMAR")
    pair_up(app, world, mentor=omar, mentee=nadia)

    login(nadia)
    link = ask_for_export(client, csrf_token, sent_emails, "nadia@example.nhs.uk")
    archive = open_zip(client.get(link))
    names = set(archive.namelist())
    assert {"README.txt", "profile.json", "posts.json", "hub.json", "bookings.json",
            "applications.json", "mentoring.json", "uploads.json",
            "activity.json"} <= names
    everything = "\n".join(archive.read(n).decode() for n in names)
    assert "OMAR" not in everything and "omar@example.nhs.uk" not in everything

    profile = json.loads(archive.read("profile.json"))
    assert profile["account"]["email"] == "nadia@example.nhs.uk"
    posts = json.loads(archive.read("posts.json"))
    assert [p["body"] for p in posts["posts"]] == ["NADIA opening post", "NADIA reply"]
    assert json.loads(archive.read("bookings.json"))["webinar_bookings"][0]["session"] == \
        "Group supervision"
    [application] = json.loads(archive.read("applications.json"))["applications"]
    assert application["motivation"] == "NADIA motivation"
    assert application["equality_answers"]["ethnicity"] == "mixed"
    [upload] = json.loads(archive.read("uploads.json"))["files"]
    assert archive.read(upload["path_in_archive"]) == b"NADIA reflective log\n"
    mentoring = json.loads(archive.read("mentoring.json"))
    assert [n["body"] for n in mentoring["notes"]] == ["mentee's private thoughts"]
    assert "mentor's private thoughts" not in everything
    assert "notes from our first meeting" not in everything  # the mentor's shared note
    assert mentoring["relationships"][0]["partner"] == "Omar Other"
    readme = archive.read("README.txt").decode()
    assert "applications.json" in readme and "Nadia Nurse" in readme


def test_the_link_is_for_its_owner_alone(app, client, csrf_token, login, make_user,
                                         sent_emails):
    nadia = make_user(email="nadia@example.nhs.uk")
    login(nadia)
    link = ask_for_export(client, csrf_token, sent_emails, "nadia@example.nhs.uk")
    login(make_user())
    assert client.get(link).status_code == 404
    client.post("/accounts/logout", data={"csrf_token": csrf_token})
    assert client.get(link).status_code == 303  # to the log-in page


def test_the_link_works_for_seven_days_then_the_archive_goes(app, client, csrf_token, login,
                                                            make_user, sent_emails):
    nadia = make_user(email="nadia@example.nhs.uk")
    login(nadia)
    link = ask_for_export(client, csrf_token, sent_emails, "nadia@example.nhs.uk")
    with app.app_context(), db.connection_context():
        item = DataExport.get()
        path = export.export_path(app.config["UPLOAD_DIR"], item)
        assert item.expires_at - item.ready_at == dt.timedelta(days=7)
        DataExport.update(expires_at=utcnow() - dt.timedelta(seconds=1)).execute()
    expired = client.get(link)
    assert expired.status_code == 410
    assert Page(expired).heading() == "This download has expired"
    with app.app_context(), db.connection_context():
        assert path.exists()
        retention.apply()
        assert not path.exists() and DataExport.select().count() == 0


def test_the_page_shows_the_status_and_polls_only_while_pending(app, client, csrf_token,
                                                                 login, make_user):
    nadia = make_user()
    login(nadia)
    first = Page(client.get("/accounts/your-data"))
    assert first.soup.select_one("#export-status[hx-get]") is None
    with app.app_context(), db.connection_context():
        waiting = DataExport.create(user=nadia.id)  # as if the job had not run yet
    fragment = client.get("/accounts/your-data", headers={"HX-Request": "true"})
    page = Page(fragment)
    assert not page.is_full_page
    assert page.soup.select_one("#export-status")["hx-trigger"] == "every 3s"
    assert "We are preparing your data" in page.text("#export-status")
    with app.app_context(), db.connection_context():
        export.build(waiting.id)
    ready = Page(client.get("/accounts/your-data", headers={"HX-Request": "true"}))
    assert ready.soup.select_one("#export-status[hx-get]") is None
    [(text, href)] = [(t, h) for t, h in ready.links().items() if t.startswith("Download")]
    assert text.startswith("Download your data (ZIP,")
    assert href == f"/accounts/your-data/{waiting.id}/download"


def test_a_second_request_while_one_is_pending_makes_no_second_archive(app, make_user):
    nadia = make_user()
    with app.app_context(), db.connection_context():
        person = User.get_by_id(nadia.id)
        waiting = DataExport.create(user=person.id)  # its job has not run yet
        assert export.request_export(person).id == waiting.id
        built = export.build(waiting.id)
        assert built.status == "ready"
        assert export.build(waiting.id).stored_name == built.stored_name  # built once
        assert DataExport.select().count() == 1


def test_the_sweep_builds_a_request_whose_job_was_lost(app, make_user, sent_emails):
    from tasks.data_exports import sweep_data_exports

    nadia = make_user(email="nadia@example.nhs.uk")
    with app.app_context(), db.connection_context():
        lost = DataExport.create(user=nadia.id, requested_at=utcnow() - dt.timedelta(minutes=6))
        recent = DataExport.create(user=make_user().id)  # its job may still be on its way
        assert sweep_data_exports.call_local() == 1
        assert DataExport.get_by_id(lost.id).status == "ready"
        assert DataExport.get_by_id(recent.id).status == "pending"
    assert sent_emails("nadia@example.nhs.uk")[0].subject == "Your data is ready to download"
