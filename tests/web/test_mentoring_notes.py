"""The pair's notes in the browser: private notes for their author alone, shared ones for
the pair, nobody else (the coordinator, another member, an admin) reaching any notes route;
adding, editing and deleting one's own notes with htmx and without; bodies shown as the
plain text typed; and the section's queries fixed whatever the number of notes."""
import datetime as dt
import types

import pytest
from playhouse.test_utils import assert_query_count, count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import notes
from portal.blueprints.mentoring.models import CLOSED, Note, Relationship
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def w(app, make_user):
    with app.app_context(), db.connection_context():
        pair = make_pair(make_user)
    return types.SimpleNamespace(
        app=app, rel=pair.rel, mentor=pair.mentor, mentee=pair.mentee,
        coordinator=pair.coordinator, member=make_user(name="Mo Member"),
        admin=make_user(role="admin", name="Ada Admin"), url=f"/mentoring/{pair.rel.id}")


def add(client, w, csrf_token, body, visibility="private", headers=None):
    return client.post(f"{w.url}/notes", headers=headers or {}, data={
        "csrf_token": csrf_token, "new-note-body": body, "new-note-visibility": visibility})


def note_id(w, body) -> int:
    with w.app.app_context(), db.connection_context():
        return Note.get(Note.body == body).id


def shown(page: Page) -> list[str]:
    return [p.get_text() for p in page.soup.select("#notes .tandem-note__body")]


def test_a_private_note_is_for_its_author_and_a_shared_one_for_the_pair(client, login, w,
                                                                         csrf_token):
    login(w.mentee)
    response = add(client, w, csrf_token, "Just for me")
    private = note_id(w, "Just for me")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{w.url}#note-{private}")
    add(client, w, csrf_token, "For both of us", "shared")
    shared = note_id(w, "For both of us")
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Your note has been added."] * 2
    assert shown(page) == ["For both of us", "Just for me"]
    assert page.texts("#notes .tandem-visibility") == ["Shared", "Private"]

    login(w.mentor)
    assert shown(Page(client.get(w.url))) == ["For both of us"]
    assert client.get(f"{w.url}/notes/{private}", headers=HX).status_code == 404
    assert client.get(f"{w.url}/notes/{private}/edit").status_code == 404
    assert client.get(f"{w.url}/notes/{shared}", headers=HX).status_code == 200
    # The partner reads a shared note but may not change it.
    assert client.get(f"{w.url}/notes/{shared}/edit").status_code == 403
    assert client.post(f"{w.url}/notes/{shared}/delete",
                       data={"csrf_token": csrf_token}).status_code == 403
    assert client.post(f"{w.url}/notes/{private}/delete",
                       data={"csrf_token": csrf_token}).status_code == 404

    routes = [("get", w.url), ("get", f"{w.url}/notes/{shared}"),
              ("get", f"{w.url}/notes/{shared}/edit"), ("get", f"{w.url}/notes/{private}"),
              ("post", f"{w.url}/notes"), ("post", f"{w.url}/notes/{shared}/edit"),
              ("post", f"{w.url}/notes/{shared}/delete")]
    for outsider in (w.coordinator, w.member, w.admin):
        login(outsider)
        for method, url in routes:
            for headers in ({}, HX):
                response = getattr(client, method)(
                    url, headers=headers, data={"csrf_token": csrf_token,
                                                "new-note-body": "Hello"})
                assert response.status_code == 404, (outsider.name, method, url)
    with w.app.app_context(), db.connection_context():
        assert Note.select().count() == 2


def test_reading_notes_is_scoped_to_the_pair_in_the_query(app, w):
    with app.app_context(), db.connection_context():
        Note.create(relationship=w.rel.id, author=w.mentee.id, body="Mine", shared=False)
        Note.create(relationship=w.rel.id, author=w.mentee.id, body="Ours", shared=True)
        Note.create(relationship=w.rel.id, author=w.mentor.id, body="Theirs", shared=False)
        seen = {who: sorted(n.body for n in Note.visible_to(User.get_by_id(person.id), w.rel))
                for who, person in (("mentee", w.mentee), ("mentor", w.mentor),
                                    ("coordinator", w.coordinator), ("member", w.member),
                                    ("admin", w.admin))}
    assert seen == {"mentee": ["Mine", "Ours"], "mentor": ["Ours", "Theirs"],
                    "coordinator": [], "member": [], "admin": []}


def test_a_note_is_shown_as_the_plain_text_typed_with_its_line_breaks(client, login, w,
                                                                      csrf_token):
    login(w.mentee)
    body = "**Not bold**\n<script>alert(1)</script>\nSecond line"
    add(client, w, csrf_token, body)
    response = client.get(w.url)
    page = Page(response)
    assert shown(page) == [body]
    [element] = page.soup.select("#notes .tandem-note__body")
    assert "tandem-pre-line" in element["class"]  # white-space: pre-line keeps the breaks
    assert element.find("strong") is None and element.find("script") is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_adding_a_note_with_a_mistake_keeps_the_input(client, login, w, csrf_token):
    login(w.mentee)
    response = add(client, w, csrf_token, "   ", "shared")
    assert response.status_code == 422
    page = Page(response)
    assert page.is_full_page
    assert page.heading() == "Add a note"
    assert page.error_summary() == ["Write your note"]
    assert page.field_errors() == {"new-note-body": "Write your note"}
    assert page.soup.select_one("#new-note-visibility-1")["value"] == "shared"
    assert page.soup.select_one("#new-note-visibility-1").has_attr("checked")

    response = client.post(f"{w.url}/notes", headers=HX, data={
        "csrf_token": csrf_token, "new-note-body": "Keep these words"})
    assert response.status_code == 422
    page = Page(response)
    assert not page.is_full_page
    assert page.error_summary() == ["Choose who can read your note"]
    assert page.value("new-note-body") == "Keep these words"
    assert page.soup.select_one("section#notes") is not None
    with w.app.app_context(), db.connection_context():
        assert Note.select().count() == 0


def test_adding_a_note_with_htmx_answers_the_section(client, login, w, csrf_token):
    login(w.mentee)
    response = add(client, w, csrf_token, "Booked the room", "shared", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = Page(response)
    assert not page.is_full_page
    assert shown(page) == ["Booked the room"]
    assert page.value("new-note-body") == ""  # a fresh form for the next note
    assert page.text("#flashes") == "Information: Your note has been added."


def test_the_author_edits_their_note_with_htmx_and_without(client, login, w, csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "First thoughts")
    nid = note_id(w, "First thoughts")
    edit = f"{w.url}/notes/{nid}/edit"
    page = Page(client.get(edit))
    assert page.is_full_page and page.heading() == "Edit your note"
    assert page.value(f"note-{nid}-body") == "First thoughts"

    fields = {"csrf_token": csrf_token, f"note-{nid}-body": "Second thoughts",
              f"note-{nid}-visibility": "shared"}
    response = client.post(edit, data=fields)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#note-{nid}")

    fragment = Page(client.get(edit, headers=HX))
    assert not fragment.is_full_page
    assert fragment.soup.select_one(f"li#note-{nid} form") is not None
    response = client.post(edit, headers=HX, data={**fields,
                                                   f"note-{nid}-body": "Third\nthoughts"})
    assert response.status_code == 200
    page = Page(response)
    assert not page.is_full_page
    assert [p.get_text() for p in page.soup.select(f"li#note-{nid} .tandem-note__body")] == [
        "Third\nthoughts"]
    assert "edited" in page.text(f"li#note-{nid} .tandem-meta")
    assert page.text(f"li#note-{nid} .tandem-visibility") == "Shared"

    response = client.post(edit, data={**fields, f"note-{nid}-body": ""})
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Write your note"]
    # "Cancel" in place puts the note back.
    back = Page(client.get(f"{w.url}/notes/{nid}", headers=HX))
    assert back.soup.select_one(f"li#note-{nid} .tandem-note__body").get_text() == (
        "Third\nthoughts")


def test_the_author_deletes_their_note_with_htmx_and_without(client, login, w, csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "Delete me softly")
    add(client, w, csrf_token, "Delete me loudly")
    client.get(w.url)  # read the flashes of the two notes added
    soft, loud = note_id(w, "Delete me softly"), note_id(w, "Delete me loudly")
    response = client.post(f"{w.url}/notes/{soft}/delete", headers=HX,
                           data={"csrf_token": csrf_token})
    assert response.status_code == 200
    page = Page(response)
    assert page.soup.select("li") == []
    assert page.text("#flashes") == "Information: Your note has been deleted."
    response = client.post(f"{w.url}/notes/{loud}/delete", data={"csrf_token": csrf_token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{w.url}#notes")
    assert shown(Page(client.get(w.url))) == []
    assert client.post(f"{w.url}/notes/{loud}/delete", data={}).status_code == 400  # no CSRF


def test_once_the_relationship_has_ended_notes_are_read_only(client, login, w, csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "Our last meeting", "shared")
    nid = note_id(w, "Our last meeting")
    with w.app.app_context(), db.connection_context():
        Relationship.update(status=CLOSED, closed_at=utcnow()).where(
            Relationship.id == w.rel.id).execute()
    page = Page(client.get(w.url))
    assert shown(page) == ["Our last meeting"]
    assert page.soup.select_one("#note-form") is None
    assert page.links().get("Edit your note of") is None
    assert add(client, w, csrf_token, "Too late").status_code == 409
    assert client.get(f"{w.url}/notes/{nid}/edit").status_code == 409


def test_an_anonymous_fragment_request_is_sent_to_log_in(client, w):
    response = client.get(f"{w.url}/notes/1", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/accounts/login")


# Queries --------------------------------------------------------------------------------------

def fill(w, total: int) -> None:
    """Notes up to `total`: a third of them private to the mentee, a third shared, a third
    private to the mentor (which the mentee never sees)."""
    with w.app.app_context(), db.connection_context(), db.atomic():
        have = Note.select().count()
        now = utcnow()
        rows = [{"relationship": w.rel.id, "author": (w.mentor, w.mentee)[n % 2].id,
                 "body": f"Note {n}", "shared": n % 3 == 0,
                 "created_at": now - dt.timedelta(minutes=n),
                 "updated_at": now - dt.timedelta(minutes=n)} for n in range(have, total)]
        for start in range(0, len(rows), 500):
            Note.insert_many(rows[start:start + 500]).execute()


def measure(client, w) -> tuple[int, int]:
    """The pair page's queries and the notes it shows; the section itself runs one query."""
    with w.app.test_request_context(), db.connection_context():
        rel = Relationship.with_people().where(Relationship.id == w.rel.id).get()
        mentee = User.get_by_id(w.mentee.id)
        with assert_query_count(1):
            context = notes.section_context(rel, mentee, dt.date.today())
            assert context["notes"][-1].author.name in ("Maya Mentor", "Ned Mentee")
    with count_queries() as counter:
        response = client.get(w.url)
    assert response.status_code == 200
    return counter.count, len(shown(Page(response)))


def test_the_notes_section_runs_the_same_queries_at_10_and_1000_notes(client, login, w):
    login(w.mentee)
    fill(w, 10)
    few = measure(client, w)
    fill(w, 1000)
    many = measure(client, w)
    assert many[0] == few[0]
    assert many[1] > few[1] > 0
