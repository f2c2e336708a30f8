"""The knowledge hub through the client: audiences, search, reader actions, both ways."""
import pytest

from portal import audience
from portal.audit import AuditEntry
from portal.blueprints.hub.models import Bookmark, Comment, Rating
from portal.db import db
from portal.groups import Group, GroupMembership
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def mentors_group(app):
    with app.app_context(), db.connection_context():
        return Group.create(name="Mentors")


@pytest.fixture
def hub(make_article, make_user, mentors_group, topics, app):
    """Four articles with different audiences, and people inside and outside them."""
    resilience = next(t for t in topics if t.name == "Resilience")
    articles = {
        "open": make_article(title="Bouncing back after a hard shift",
                             summary="Resilience habits for busy wards.",
                             body="## Rest\n\nSleep and *recover*.", topic_ids=[resilience.id]),
        "mentors": make_article(title="Running a supervision conversation",
                                summary="For mentors: resilience in supervision.",
                                topic_ids=[resilience.id],
                                audience_value=audience.GROUPS, group_ids=[mentors_group.id]),
        "staff": make_article(title="Matching pairs well", summary="Staff resilience guidance.",
                              audience_value=audience.STAFF, topic_ids=[resilience.id]),
        "draft": make_article(title="Unfinished resilience draft", published=False,
                              topic_ids=[resilience.id]),
    }
    mentor, member = make_user(name="Mina Mentor"), make_user(name="Omar Outsider")
    with app.app_context(), db.connection_context():
        GroupMembership.create(group=mentors_group, user=mentor.id)
    return {"articles": articles, "mentor": mentor, "member": member,
            "topic": resilience}


def titles(page, selector=".tandem-article-row h3 a, .tandem-article-row h2 a"):
    return page.texts(selector)


@pytest.mark.parametrize(("who", "expected"), [
    ("member", ["Bouncing back after a hard shift"]),
    ("mentor", ["Running a supervision conversation", "Bouncing back after a hard shift"]),
])
def test_lists_topic_pages_search_and_dashboard_follow_the_audience(client, login, hub, who,
                                                                    expected):
    login(hub[who])
    assert titles(Page(client.get("/hub/"))) == expected
    assert titles(Page(client.get(f"/hub/topics/{hub['topic'].slug}"))) == expected
    found = Page(client.get("/hub/search?q=resilience"))
    assert sorted(titles(found)) == sorted(expected)


def test_search_finds_only_what_the_person_may_see(client, login, hub):
    login(hub["member"])
    page = Page(client.get("/hub/search?q=supervision"))
    assert page.text("#result-count") == "0 results for “supervision”"
    login(hub["mentor"])
    page = Page(client.get("/hub/search?q=supervision"))
    assert titles(page) == ["Running a supervision conversation"]


@pytest.mark.parametrize("key", ["mentors", "staff", "draft"])
def test_direct_url_to_an_article_outside_the_audience_is_404(client, login, hub, key):
    login(hub["member"])
    assert client.get(f"/hub/articles/{hub['articles'][key].slug}").status_code == 404


def test_staff_can_preview_a_draft(client, login, make_user, hub):
    login(make_user(role="staff"))
    page = Page(client.get(f"/hub/articles/{hub['articles']['draft'].slug}"))
    assert page.heading() == "Unfinished resilience draft"
    assert "only staff can see it" in page.text(".nhsuk-warning-callout")


def test_search_highlights_and_filters(client, login, hub, make_article, topics):
    career = next(t for t in topics if t.name == "Career development")
    make_article(title="Shift patterns and career steps", summary="A toolkit.", kind="toolkit",
                 body="Plan your next shift in your career.", topic_ids=[career.id])
    login(hub["member"])
    page = Page(client.get("/hub/search?q=shift"))
    assert sorted(titles(page)) == ["Bouncing back after a hard shift",
                                    "Shift patterns and career steps"]
    assert page.soup.select(".tandem-snippet mark")
    by_kind = Page(client.get("/hub/search?q=shift&kind=toolkit"))
    assert titles(by_kind) == ["Shift patterns and career steps"]
    by_topic = Page(client.get("/hub/search?q=shift&topic=resilience"))
    assert titles(by_topic) == ["Bouncing back after a hard shift"]


def test_search_as_fragment_and_as_page(client, login, hub):
    login(hub["member"])
    fragment = client.get("/hub/search?q=bounc", headers=HX)
    assert not Page(fragment).is_full_page
    assert titles(Page(fragment)) == ["Bouncing back after a hard shift"]  # prefix match
    assert "HX-Request" in fragment.headers["Vary"]
    full = Page(client.get("/hub/search?q=bounc"))
    assert full.is_full_page and full.value("q") == "bounc"


def test_search_with_punctuation_only_or_odd_input_never_fails(client, login, hub):
    login(hub["member"])
    for query in ['"', "*", "AND OR NOT", "(", "')--", "\x00", "a" * 300, "ü:*"]:
        response = client.get("/hub/search", query_string={"q": query})
        assert response.status_code == 200, query


def test_bookmark_with_htmx_and_without(app, client, login, hub):
    login(hub["member"])
    slug = hub["articles"]["open"].slug
    token = Page(client.get(f"/hub/articles/{slug}")).soup.select_one(
        "#bookmark input[name=csrf_token]")["value"]
    fragment = client.post(f"/hub/articles/{slug}/bookmark", data={"csrf_token": token},
                           headers=HX)
    page = Page(fragment)
    assert not page.is_full_page
    assert page.soup.select_one("#bookmark button")["aria-pressed"] == "true"
    assert page.text("#bookmark .tandem-saved-tag") == "✓ Saved"
    assert page.flashes() == ["Saved for later: it is on your dashboard."]
    assert "Bouncing back" in Page(client.get("/dashboard")).text("#bookmarks")

    plain = client.post(f"/hub/articles/{slug}/bookmark", data={"csrf_token": token})
    assert plain.status_code == 303
    assert Page(client.get(f"/hub/articles/{slug}")).soup.select_one(
        "#bookmark button")["aria-pressed"] == "false"
    with app.app_context(), db.connection_context():
        assert Bookmark.select().count() == 0


def test_one_rating_per_person_with_the_average(app, client, login, hub, make_user,
                                                csrf_token):
    slug = hub["articles"]["open"].slug
    login(hub["member"])
    client.post(f"/hub/articles/{slug}/rating", data={"stars": "2", "csrf_token": csrf_token})
    response = client.post(f"/hub/articles/{slug}/rating",
                           data={"stars": "4", "csrf_token": csrf_token}, headers=HX)
    assert Page(response).text("#rating-summary") == "Rated 4.0 out of 5 by 1 person"
    login(hub["mentor"])
    plain = client.post(f"/hub/articles/{slug}/rating", data={"stars": "5",
                                                              "csrf_token": csrf_token})
    assert plain.status_code == 303
    page = Page(client.get(f"/hub/articles/{slug}"))
    assert page.text("#rating-summary") == "Rated 4.5 out of 5 by 2 people"
    assert page.soup.select_one("input[name=stars][value='5']").has_attr("checked")
    with app.app_context(), db.connection_context():
        assert Rating.select().count() == 2


def test_bad_rating_is_explained(client, login, hub, csrf_token):
    login(hub["member"])
    slug = hub["articles"]["open"].slug
    for headers in (HX, {}):
        response = client.post(f"/hub/articles/{slug}/rating",
                               data={"stars": "9", "csrf_token": csrf_token}, headers=headers)
        assert response.status_code == 422
        assert Page(response).field_errors()["stars"] == "Not a valid choice."


def test_comment_in_place_with_htmx(app, client, login, hub, csrf_token):
    login(hub["member"])
    slug = hub["articles"]["open"].slug
    response = client.post(f"/hub/articles/{slug}/comments",
                           data={"body": "Thank you, **useful**.", "csrf_token": csrf_token},
                           headers=HX)
    page = Page(response)
    assert not page.is_full_page
    assert page.soup.find(id="comment-form").find("textarea").get_text().strip() == ""
    appended = page.soup.find("ul", attrs={"hx-swap-oob": "beforeend:#comments-list"})
    assert appended.select_one(".tandem-comment__body strong").get_text() == "useful"
    assert page.text("#comment-status") == "Your comment has been posted."


def test_comment_without_javascript_redirects_to_it(app, client, login, hub, csrf_token):
    login(hub["member"])
    slug = hub["articles"]["open"].slug
    response = client.post(f"/hub/articles/{slug}/comments",
                           data={"body": "Plain form comment", "csrf_token": csrf_token})
    assert response.status_code == 303 and "#comment-" in response.headers["Location"]
    page = Page(client.get(f"/hub/articles/{slug}"))
    assert page.texts("#comments-list .tandem-comment__body") == ["Plain form comment"]


def test_empty_comment_keeps_the_form_with_a_message(client, login, hub, csrf_token):
    login(hub["member"])
    slug = hub["articles"]["open"].slug
    for headers in (HX, {}):
        response = client.post(f"/hub/articles/{slug}/comments",
                               data={"body": "", "csrf_token": csrf_token}, headers=headers)
        assert response.status_code == 422
        assert Page(response).field_errors() == {"body": "Write your comment"}


def test_commenting_is_rate_limited(client, login, hub, csrf_token):
    login(hub["member"])
    slug = hub["articles"]["open"].slug
    statuses = [client.post(f"/hub/articles/{slug}/comments",
                            data={"body": f"comment {i}", "csrf_token": csrf_token}).status_code
                for i in range(6)]
    assert statuses == [303] * 5 + [422]


def comment_by(app, hub, make_user, author_key="member", body="First thoughts"):
    with app.app_context(), db.connection_context():
        from portal.blueprints.hub import services

        return services.add_comment(hub[author_key], hub["articles"]["open"], body)


def test_edit_own_comment_in_place_and_as_a_page(app, client, login, hub, make_user,
                                                 csrf_token):
    comment = comment_by(app, hub, make_user)
    login(hub["member"])
    form = Page(client.get(f"/hub/comments/{comment.id}/edit", headers=HX))
    assert not form.is_full_page and form.value("body") == "First thoughts"
    assert Page(client.get(f"/hub/comments/{comment.id}/edit")).heading() == "Edit your comment"
    saved = client.post(f"/hub/comments/{comment.id}/edit",
                        data={"body": "Second thoughts", "csrf_token": csrf_token}, headers=HX)
    assert Page(saved).text(".tandem-comment__body") == "Second thoughts"
    assert "edited" in Page(saved).text(".tandem-meta")


def test_others_cannot_edit_or_delete_a_comment(app, client, login, hub, make_user,
                                                csrf_token):
    comment = comment_by(app, hub, make_user)
    login(hub["mentor"])
    assert client.get(f"/hub/comments/{comment.id}/edit").status_code == 403
    assert client.post(f"/hub/comments/{comment.id}/delete",
                       data={"csrf_token": csrf_token}).status_code == 403


def test_delete_own_comment(app, client, login, hub, make_user, csrf_token):
    comment = comment_by(app, hub, make_user)
    login(hub["member"])
    response = client.post(f"/hub/comments/{comment.id}/delete", data={"csrf_token": csrf_token},
                           headers=HX)
    assert response.status_code == 200
    assert Page(response).flashes() == ["Your comment has been deleted."]
    assert Page(client.get(f"/hub/articles/{hub['articles']['open'].slug}")).texts(
        "#comments-list li") == []


def test_moderator_hides_a_comment_and_the_author_sees_why(app, client, login, hub, make_user,
                                                           csrf_token):
    comment = comment_by(app, hub, make_user, body="Something unkind")
    login(make_user(role="moderator"))
    hide_url = f"/staff/moderation/articles/comments/{comment.id}/hide"
    empty = client.post(hide_url, data={"reason": "", "csrf_token": csrf_token}, headers=HX)
    assert empty.status_code == 422
    hidden = client.post(f"/staff/moderation/articles/comments/{comment.id}/hide",
                         data={"reason": "Not kind", "csrf_token": csrf_token}, headers=HX)
    assert "Reason: Not kind" in Page(hidden).text(".tandem-hidden-note")
    with app.app_context(), db.connection_context():
        assert Comment.get_by_id(comment.id).hidden
        assert [e.action for e in AuditEntry.select().where(
            AuditEntry.object_type == "comment")] == ["comment.hide"]

    login(hub["mentor"])
    other = Page(client.get(f"/hub/articles/{hub['articles']['open'].slug}"))
    assert "Something unkind" not in other.text("#comments-list")
    assert other.text("#comments-list") == "This comment was hidden by a moderator."
    login(hub["member"])
    own = Page(client.get(f"/hub/articles/{hub['articles']['open'].slug}"))
    assert "Hidden by a moderator. Reason: Not kind" in own.text("#comments-list")


def test_members_cannot_hide_comments(app, client, login, hub, make_user, csrf_token):
    comment = comment_by(app, hub, make_user)
    login(hub["mentor"])
    assert client.post(f"/staff/moderation/articles/comments/{comment.id}/hide",
                       data={"reason": "x", "csrf_token": csrf_token}).status_code == 403


def test_dashboard_shows_topics_bookmarks_and_recent(app, client, login, hub, csrf_token):
    from portal.blueprints.accounts.models import UserTopic

    with app.app_context(), db.connection_context():
        UserTopic.create(user=hub["member"].id, topic=hub["topic"].id)
        Bookmark.create(user=hub["member"].id, article=hub["articles"]["open"].id)
        Bookmark.create(user=hub["member"].id, article=hub["articles"]["mentors"].id)
    login(hub["member"])
    page = Page(client.get("/dashboard"))
    assert page.texts("#for-you a") == ["Bouncing back after a hard shift"]
    assert page.texts("#bookmarks a") == ["Bouncing back after a hard shift"]
    assert page.texts("#recent a") == ["Bouncing back after a hard shift"]


def test_article_page_has_anchored_headings_and_contents(client, login, make_article,
                                                         make_user):
    article = make_article(title="Long read", body="## One\n\na\n\n## Two\n\nb\n\n### Two a\n\nc")
    login(make_user())
    page = Page(client.get(f"/hub/articles/{article.slug}"))
    assert page.texts(".nhsuk-contents-list__link") == ["One", "Two", "Two a"]
    assert [h["id"] for h in page.soup.select("#article-body h2, #article-body h3")] == [
        "one", "two", "two-a"]


def test_members_cannot_manage_articles(client, login, hub, csrf_token):
    login(hub["member"])
    article = hub["articles"]["open"]
    for method, url in [("GET", "/hub/manage"), ("GET", "/hub/manage/new"),
                        ("GET", f"/hub/manage/{article.id}/edit"),
                        ("POST", f"/hub/manage/{article.id}/status"),
                        ("GET", f"/hub/manage/{article.id}/revisions"),
                        ("POST", f"/hub/manage/{article.id}/revisions/1/restore")]:
        assert client.open(url, method=method, data={"csrf_token": csrf_token,
                                                     "action": "archive"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, hub):
    response = client.get(f"/hub/articles/{hub['articles']['open'].slug}")
    assert response.status_code == 303 and "/accounts/login" in response.headers["Location"]


def test_a_suspended_member_reads_but_cannot_comment_until_the_end_date(app, client, login,
                                                                       hub, csrf_token):
    import datetime as dt

    from portal.blueprints.accounts.models import User

    member = hub["member"]
    with app.app_context(), db.connection_context():
        User.update(suspended_until=dt.datetime(2099, 5, 1), suspension_reason="Spam").where(
            User.id == member.id).execute()
    login(member)
    slug = hub["articles"]["open"].slug
    page = Page(client.get(f"/hub/articles/{slug}"))
    notice = "You cannot post or comment until 1 May 2099. Reason: Spam"
    assert page.text("#comment-form") == notice
    for headers in (HX, {}):
        refused = client.post(f"/hub/articles/{slug}/comments",
                              data={"body": "Let me in", "csrf_token": csrf_token},
                              headers=headers)
        assert refused.status_code == 422
        assert Page(refused).field_errors() == {"body": notice}
    with app.app_context(), db.connection_context():
        User.update(suspended_until=dt.datetime(2001, 1, 1)).where(
            User.id == member.id).execute()
        assert Comment.select().count() == 0
    allowed = client.post(f"/hub/articles/{slug}/comments",
                          data={"body": "Back again", "csrf_token": csrf_token})
    assert allowed.status_code == 303
