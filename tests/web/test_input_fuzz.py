"""Odd input never causes a 500: NUL bytes (PostgreSQL refuses them), control characters,
very long values, and unexpected fields, on every form a member or staff member can reach."""
import pytest

from tests.pages import Page

NASTY = ["\x00", "a\x00b", "\u202e\u200b", "'; DROP TABLE \"user\"; --", "x" * 20000,
         "%00", "<script>alert(1)</script>", "\ud7ff\ue000", "😀" * 50]


def forms_for(article, group):
    return [
        ("/accounts/register", ["name", "email", "password", "confirm"]),
        ("/accounts/login", ["email", "password"]),
        ("/accounts/password/forgot", ["email"]),
        ("/accounts/profile/edit", ["name", "organisation", "job_title", "bio", "specialisms",
                                    "staff_group", "topics"]),
        ("/accounts/password/change", ["current_password", "password", "confirm"]),
        ("/staff/groups/new", ["name", "description"]),
        (f"/staff/groups/{group}/members", ["email"]),
        ("/hub/manage/new", ["title", "summary", "body", "kind", "audience", "review_by"]),
        (f"/hub/articles/{article}/comments", ["body"]),
        (f"/hub/articles/{article}/rating", ["stars"]),
        ("/library/new", ["title", "description", "kind", "url", "audience"]),
    ]


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_no_form_answers_500(app, client, make_user, login, csrf_token, make_article, value):
    from portal.db import db
    from portal.groups import Group

    article = make_article(title="Fuzz target")
    with app.app_context(), db.connection_context():
        group = Group.create(name="Fuzz group")
    login(make_user(role="admin"))
    for url, fields in forms_for(article.slug, group.id):
        data = {field: value for field in fields}
        data["csrf_token"] = csrf_token
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, Page(response).heading())
        if url == "/accounts/password/change":  # a changed password ends nothing here
            login(make_user(role="admin"))
    for url in ["/hub/search", "/library/", "/staff/people", "/staff/audit"]:
        response = client.get(url, query_string={"q": value, "action": value, "sort": value})
        assert response.status_code == 200, url


def test_nul_characters_are_dropped_before_anything_is_stored(app, client, csrf_token):
    from portal.blueprints.accounts.models import User
    from portal.db import db

    client.post("/accounts/register", data={
        "name": "Na\x00dia", "email": "nadia@example.org", "password": "correct horse battery",
        "confirm": "correct horse battery", "csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        assert User.get(User.email == "nadia@example.org").name == "Nadia"
