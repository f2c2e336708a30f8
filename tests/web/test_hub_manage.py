"""Staff writing the hub: draft, publish, edit, revisions, restore, approval by a second person."""
import pytest

from portal.audit import AuditEntry
from portal.blueprints.hub.models import Article, ArticleRevision
from portal.db import db
from tests.pages import Page


def article_form(csrf_token, **overrides):
    data = {"title": "Keeping in touch days", "summary": "How KIT days work.",
            "body": "## What they are\n\nUp to ten paid days.", "kind": "guide",
            "audience": "signed_in", "note": "", "csrf_token": csrf_token}
    data.update(overrides)
    return data


@pytest.fixture
def staff(make_user, login):
    user = make_user(role="staff", name="Sam Staff")
    login(user)
    return user


def post_settings(client, csrf_token, **changes):
    """Send the settings form as a browser would: every field as shown, with changes."""
    form = Page(client.get("/staff/settings")).soup.select_one("main form")
    data = {field["name"]: field.get("value", "") for field in form.select("input")
            if field.get("type") != "checkbox" or field.has_attr("checked")}
    data.update(changes, csrf_token=csrf_token)
    return client.post("/staff/settings", data=data)


def status_action(client, article_id, action, csrf_token):
    return client.post(f"/hub/manage/{article_id}/status",
                       data={"action": action, "csrf_token": csrf_token})


def test_draft_publish_edit_and_restore(app, client, staff, csrf_token, topics, make_user,
                                        login):
    topic_id = str(topics[1].id)
    created = client.post("/hub/manage/new", data=article_form(csrf_token, topics=[topic_id]))
    assert created.status_code == 303
    article_id = int(created.headers["Location"].split("/")[-2])
    edit_page = Page(client.get(created.headers["Location"]))
    assert edit_page.text("#article-status") == "Draft"
    assert edit_page.value("title") == "Keeping in touch days"

    reader = make_user()
    login(reader)
    assert client.get("/hub/articles/keeping-in-touch-days").status_code == 404
    login(staff)
    assert status_action(client, article_id, "publish", csrf_token).status_code == 303
    login(reader)
    page = Page(client.get("/hub/articles/keeping-in-touch-days"))
    assert page.heading() == "Keeping in touch days"
    assert page.text("#article-body h2") == "What they are"

    login(staff)
    client.post(f"/hub/manage/{article_id}/edit", data=article_form(
        csrf_token, body="## What they are\n\nWrong number of days.", note="Typo",
        topics=[topic_id]))
    revisions = Page(client.get(f"/hub/manage/{article_id}/revisions")).table("#revisions")
    assert [(r["Revision"], r["Note"]) for r in revisions] == [("2 (current)", "Typo"),
                                                               ("1", "Created")]
    diff = Page(client.get(f"/hub/manage/{article_id}/revisions/2"))
    assert diff.texts("#diff ins") == ["Added: Wrong number of days."]
    assert diff.texts("#diff del") == ["Removed: Up to ten paid days."]

    restored = client.post(f"/hub/manage/{article_id}/revisions/1/restore",
                           data={"csrf_token": csrf_token})
    assert restored.status_code == 303
    login(reader)
    assert Page(client.get("/hub/articles/keeping-in-touch-days")).text("#article-body p") == \
        "Up to ten paid days."
    with app.app_context(), db.connection_context():
        assert [r.note for r in ArticleRevision.select().order_by(ArticleRevision.number)] == [
            "Created", "Typo", "Restored revision 1"]
        assert [e.action for e in AuditEntry.select().order_by(AuditEntry.id)] == [
            "article.create", "article.publish", "article.update", "article.update"]
    found = Page(client.get("/hub/search?q=ten+paid+days"))
    assert found.texts("#results h2 a") == ["Keeping in touch days"]


def test_unpublished_articles_leave_search(client, staff, csrf_token, make_article, make_user,
                                          login):
    article = make_article(title="Phased return plans", summary="Build hours up slowly.")
    status_action(client, article.id, "archive", csrf_token)
    login(make_user())
    assert Page(client.get("/hub/search?q=phased")).text("#result-count") == \
        "0 results for “phased”"


def test_bad_article_input_is_kept_and_explained(client, staff, csrf_token):
    response = client.post("/hub/manage/new", data=article_form(
        csrf_token, title="", audience="groups", body="kept body"))
    page = Page(response)
    assert response.status_code == 422
    assert page.field_errors() == {"title": "Enter a title",
                                   "groups": "Choose at least one group, or another audience"}
    assert page.value("body") == "kept body"


def test_titles_get_unique_slugs(app, client, staff, csrf_token):
    for _ in range(2):
        client.post("/hub/manage/new", data=article_form(csrf_token))
    with app.app_context(), db.connection_context():
        assert [a.slug for a in Article.select().order_by(Article.id)] == [
            "keeping-in-touch-days", "keeping-in-touch-days-2"]


def test_with_approval_on_a_second_staff_member_must_approve(app, client, staff, csrf_token,
                                                             make_user, login):
    admin = make_user(role="admin")
    login(admin)
    saved = post_settings(client, csrf_token, hub_requires_approval="y", hub_review_months="6")
    assert saved.status_code == 303
    login(staff)
    created = client.post("/hub/manage/new", data=article_form(csrf_token))
    article_id = int(created.headers["Location"].split("/")[-2])
    actions = Page(client.get(created.headers["Location"])).texts("aside button")
    assert actions == ["Send for review", "Archive"]
    assert status_action(client, article_id, "publish", csrf_token).status_code == 303
    status_action(client, article_id, "submit", csrf_token)
    own = Page(client.get(f"/hub/manage/{article_id}/edit"))
    assert "Approve and publish" not in own.texts("aside button")
    refused = status_action(client, article_id, "approve", csrf_token)
    assert "another staff member must approve" in " ".join(
        Page(client.get(refused.headers["Location"])).flashes()).lower()

    login(admin)
    status_action(client, article_id, "approve", csrf_token)
    with app.app_context(), db.connection_context():
        article = Article.get_by_id(article_id)
        assert article.status == "published" and article.reviewer_id == admin.id
        assert (article.review_by - article.published_at.date()).days == 180
        assert AuditEntry.get(AuditEntry.action == "settings.change").after == \
            '{"hub_requires_approval": true, "hub_review_months": 6}'


def test_only_admins_change_settings(client, staff, csrf_token):
    assert client.get("/staff/settings").status_code == 403


def test_bad_settings_are_explained(client, make_user, login, csrf_token):
    login(make_user(role="admin"))
    response = post_settings(client, csrf_token, hub_review_months="0")
    assert response.status_code == 422
    assert Page(response).field_errors() == {
        "hub_review_months": "Enter a number of months from 1 to 60"}
