"""Moderation: the reports queue, held posts, thread actions, suspensions and their audit."""
import datetime as dt
import json

import pytest
from playhouse.test_utils import count_queries

from portal import settings
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import Notification, Post, Thread
from portal.blueprints.hub import services as hub_services
from portal.blueprints.hub.models import Comment
from portal.blueprints.staff import moderation
from portal.db import db
from portal.outbox import OutboxMessage
from portal.reports import Report, file_report
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX


@pytest.fixture
def moderator(make_user):
    return make_user(role="moderator", name="Mo Moderator")


@pytest.fixture
def reported(app, boards, post_as, make_article, make_user):
    """A reported post (two reports) and a reported comment."""
    post = post_as(boards.mentor, boards.general, "Rota swaps", "Call me on 07700 900000")
    article = make_article(title="Coping with nights")
    reporters = [make_user(), make_user()]
    with app.app_context(), db.connection_context():
        comment = hub_services.add_comment(User.get_by_id(boards.outsider.id), article,
                                           "Patient in bed 4 was rude")
        file_report(reporters[0], "post", post.id, "privacy", "Phone number")
        file_report(reporters[1], "post", post.id, "abuse", "")
        file_report(reporters[0], "comment", comment.id, "privacy", "Patient details")
    return {"post": post, "comment": comment, "article": article}


def audit_since(app):
    """A function listing the audit actions written after this call (set-up writes some)."""
    with app.app_context(), db.connection_context():
        start = AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id.desc()).scalar() or 0

    def actions():
        with app.app_context(), db.connection_context():
            return [e.action for e in AuditEntry.select().where(AuditEntry.id > start)
                    .order_by(AuditEntry.id)]

    return actions


def test_the_queue_shows_reports_in_context(client, login, moderator, reported):
    login(moderator)
    page = Page(client.get("/staff/moderation"))
    rows = page.soup.select("#report-queue > li")
    assert [r["id"] for r in rows] == [f"queue-post-{reported['post'].id}",
                                       f"queue-comment-{reported['comment'].id}"]
    first = Page(str(rows[0]))
    assert first.text("h2") == "Reported post · 2 reports"
    assert "Shares personal or patient information" in first.text(".tandem-meta")
    assert first.texts(".tandem-report-note") == ["“Phone number”"]
    assert "Call me on 07700 900000" in first.text("blockquote")
    assert "Rota swaps, in General" in first.text(".tandem-meta a")
    assert "Staff (2 open reports)" in page.nav()


def test_hide_in_place_and_the_author_sees_why(app, client, login, moderator, reported,
                                               boards, csrf_token):
    audit_actions = audit_since(app)
    login(moderator)
    post = reported["post"]
    response = client.post(f"/staff/moderation/post/{post.id}/hide",
                           data={"reason": "Personal phone numbers are not allowed",
                                 "csrf_token": csrf_token}, headers=HX)
    fragment = Page(response)
    assert response.status_code == 200 and not fragment.is_full_page
    assert fragment.flashes() == ["Hidden. The author sees the reason."]
    assert f"queue-post-{post.id}" not in client.get("/staff/moderation").text
    assert audit_actions() == ["post.hide"]
    with app.app_context(), db.connection_context():
        assert {r.status for r in Report.select().where(Report.object_type == "post")} == {
            "actioned"}

    login(boards.mentor)
    own = Page(client.get(f"/boards/threads/{post.thread_id}"))
    assert "Hidden by a moderator. Reason: Personal phone numbers are not allowed" in own.text(
        "#posts")
    login(boards.outsider)
    other = Page(client.get(f"/boards/threads/{post.thread_id}"))
    assert "07700" not in other.text("#posts")
    assert "This post was hidden by a moderator." in other.text("#posts")
    assert "Call me on" not in client.get("/boards/search?q=07700900000").text


def test_every_action_writes_one_audit_row_and_a_refused_one_none(app, client, login,
                                                                  moderator, reported,
                                                                  csrf_token):
    audit_actions = audit_since(app)
    login(moderator)
    post, comment = reported["post"], reported["comment"]
    steps = [
        (f"/staff/moderation/post/{post.id}/hide", {"reason": ""}, 422, None),
        (f"/staff/moderation/post/{post.id}/unhide", {}, 422, None),  # not hidden
        (f"/staff/moderation/comment/{comment.id}/dismiss", {}, 303, "comment.dismiss_reports"),
        (f"/staff/moderation/comment/{comment.id}/dismiss", {}, 422, None),  # nothing open
        (f"/staff/moderation/comment/{comment.id}/hide", {"reason": "Patient details"}, 303,
         "comment.hide"),
        (f"/staff/moderation/comment/{comment.id}/unhide", {}, 303, "comment.unhide"),
        (f"/staff/moderation/post/{post.id}/warn", {"message": ""}, 422, None),
        (f"/staff/moderation/post/{post.id}/warn", {"message": "Please remove numbers"}, 303,
         "user.warn"),
        (f"/staff/moderation/post/{post.id}/suspend", {"days": "0", "reason": "x"}, 422, None),
        (f"/staff/moderation/post/{post.id}/suspend", {"days": "7", "reason": "Repeated"},
         303, "user.suspend"),
        (f"/staff/moderation/post/{post.id}/edit", {"body": "Call me", "note": ""}, 422, None),
        (f"/staff/moderation/post/{post.id}/edit", {"body": "Message me instead",
                                                    "note": "Removed a phone number"}, 303,
         "post.edit"),
        (f"/staff/moderation/post/{post.id}/delete", {}, 303, "post.delete"),
        (f"/staff/moderation/post/{post.id}/delete", {}, 422, None),  # already deleted
        (f"/staff/moderation/threads/{post.thread_id}/pin", {}, 303, "thread.pin"),
        (f"/staff/moderation/threads/{post.thread_id}/pin", {}, 303, None),  # already pinned
        (f"/staff/moderation/threads/{post.thread_id}/lock", {}, 303, "thread.lock"),
        (f"/staff/moderation/threads/{post.thread_id}/hide", {}, 303, "thread.hide"),
        (f"/staff/moderation/threads/{post.thread_id}/rename", {"title": ""}, 422, None),
        (f"/staff/moderation/threads/{post.thread_id}/rename", {"title": "Swapping shifts"},
         303, "thread.rename"),
    ]
    expected = []
    for url, data, status, action in steps:
        response = client.post(url, data={**data, "csrf_token": csrf_token})
        assert response.status_code == status, (url, data, response.status_code)
        if action:
            expected.append(action)
        assert audit_actions() == expected, url


def test_a_failure_inside_the_action_keeps_nothing(app, client, login, moderator, reported,
                                                   csrf_token, monkeypatch):
    audit_actions = audit_since(app)
    login(moderator)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(moderation, "_resolve", broken)
    post = reported["post"]
    response = client.post(f"/staff/moderation/post/{post.id}/hide",
                           data={"reason": "x", "csrf_token": csrf_token})
    assert response.status_code == 500
    assert audit_actions() == []
    with app.app_context(), db.connection_context():
        assert Post.get_by_id(post.id).status == "visible"


def test_warning_emails_the_author(app, client, login, moderator, reported, boards,
                                   csrf_token):
    login(moderator)
    client.post(f"/staff/moderation/post/{reported['post'].id}/warn",
                data={"message": "Please keep numbers off the boards.",
                      "csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        [email] = OutboxMessage.select().where(OutboxMessage.to_addr == boards.mentor.email)
    assert email.subject == "A message from the moderators"
    assert "Please keep numbers off the boards." in email.body_text


def test_suspension_from_the_queue_stops_posting_until_the_end_date(app, client, login,
                                                                    moderator, reported,
                                                                    boards, csrf_token):
    login(moderator)
    client.post(f"/staff/moderation/post/{reported['post'].id}/suspend",
                data={"days": "3", "reason": "Sharing phone numbers",
                      "csrf_token": csrf_token})
    login(boards.mentor)
    response = client.post(f"/boards/threads/{reported['post'].thread_id}/reply",
                           data={"body": "Sorry", "csrf_token": csrf_token})
    page = Page(response)
    until = (dt.date.today() + dt.timedelta(days=3)).strftime("%-d %B %Y")
    assert response.status_code in (403, 422)
    assert f"until {until}" in page.text("main") and "Sharing phone numbers" in page.text("main")
    with app.app_context(), db.connection_context():
        User.update(suspended_until=dt.datetime(2001, 1, 1)).where(
            User.id == boards.mentor.id).execute()
    allowed = client.post(f"/boards/threads/{reported['post'].thread_id}/reply",
                          data={"body": "Sorry, removed it", "csrf_token": csrf_token})
    assert allowed.status_code == 303


def test_moderators_cannot_suspend_staff(app, client, login, moderator, boards, post_as,
                                         csrf_token):
    audit_actions = audit_since(app)
    post = post_as(boards.staff, boards.general, "Staff note", "From the team")
    login(moderator)
    response = client.post(f"/staff/moderation/post/{post.id}/suspend",
                           data={"days": "3", "reason": "x", "csrf_token": csrf_token})
    assert response.status_code == 422
    assert audit_actions() == []


def test_a_new_members_first_post_waits_for_approval(app, client, login, moderator, boards,
                                                     post_as, make_user, csrf_token):
    audit_actions = audit_since(app)
    with app.test_request_context(), db.connection_context():
        settings.save({"premoderate_first_posts": 1})
    newcomer = make_user(name="Nina Newcomer")
    post = post_as(newcomer, boards.general, "Hello all", "First time here @Mina Mentor")
    login(boards.outsider)
    assert "Hello all" not in client.get(f"/boards/{boards.general.slug}").text
    assert client.get(f"/boards/threads/{post.thread_id}").status_code == 404
    login(newcomer)
    own = Page(client.get(f"/boards/threads/{post.thread_id}"))
    assert "Waiting for a moderator" in own.text("#posts")
    with app.app_context(), db.connection_context():
        assert Notification.select().count() == 0

    login(moderator)
    queue = Page(client.get("/staff/moderation"))
    assert queue.texts("#held-queue blockquote") == ["First time here @Mina Mentor"]
    response = client.post(f"/staff/moderation/post/{post.id}/approve",
                           data={"csrf_token": csrf_token}, headers=HX)
    assert Page(response).flashes() == ["Approved: everyone can see it now."]
    assert audit_actions() == ["post.approve"]
    login(boards.outsider)
    assert "First time here" in client.get(f"/boards/threads/{post.thread_id}").text
    with app.app_context(), db.connection_context():
        assert [n.user_id for n in Notification.select()] == [boards.mentor.id]
        assert not Thread.get_by_id(post.thread_id).held
    second = post_as(newcomer, boards.general, "Again", "Now I am trusted")
    with app.app_context(), db.connection_context():
        assert Post.get_by_id(second.id).status == "visible"


def test_a_listed_word_holds_a_post(app, boards, post_as):
    with app.test_request_context(), db.connection_context():
        settings.save({"held_words": "NHS number\nbed"})
    held = post_as(boards.mentor, boards.general, "Question", "Her NHS number is on the form")
    fine = post_as(boards.mentor, boards.general, "Other", "Embedded word: bedside is fine")
    with app.app_context(), db.connection_context():
        assert Post.get_by_id(held.id).status == "held"
        assert Post.get_by_id(fine.id).status == "visible"


def test_thread_actions_from_the_thread_page(app, client, login, moderator, boards, post_as,
                                             csrf_token):
    post = post_as(boards.mentor, boards.general, "Wrong place", "Body")
    login(moderator)
    page = Page(client.get(f"/boards/threads/{post.thread_id}"))
    assert page.soup.find(id="thread-moderation")
    moved = client.post(f"/staff/moderation/threads/{post.thread_id}/move",
                        data={"board": str(boards.mentors.id), "csrf_token": csrf_token})
    assert moved.status_code == 303
    login(boards.outsider)
    assert client.get(f"/boards/threads/{post.thread_id}").status_code == 404
    with app.app_context(), db.connection_context():
        moved_entry = AuditEntry.get(AuditEntry.action == "thread.move")
        assert json.loads(moved_entry.after) == {"board_id": boards.mentors.id}


def test_members_never_see_moderation_controls(client, login, boards, post_as):
    post = post_as(boards.mentor, boards.general, "Plain", "Body")
    login(boards.outsider)
    page = Page(client.get(f"/boards/threads/{post.thread_id}"))
    assert page.soup.find(id="thread-moderation") is None
    assert not page.soup.select(".tandem-moderate")
    assert client.get("/staff/moderation").status_code == 403


def test_report_a_comment(app, client, login, make_article, make_user, csrf_token):
    article = make_article(title="Night shifts")
    author, reader = make_user(name="Ann Author"), make_user()
    with app.app_context(), db.connection_context():
        comment = hub_services.add_comment(User.get_by_id(author.id), article, "Unkind words")
    login(reader)
    form = Page(client.get(f"/hub/comments/{comment.id}/report", headers=HX))
    prefix = f"report-{comment.id}"
    assert not form.is_full_page and form.soup.find("input", attrs={"name": f"{prefix}-reason"})
    response = client.post(f"/hub/comments/{comment.id}/report", headers=HX, data={
        f"{prefix}-reason": "abuse", f"{prefix}-note": "Rude", "csrf_token": csrf_token})
    assert Page(response).flashes() == ["Thank you. The moderators will look at this comment."]
    with app.app_context(), db.connection_context():
        assert [(r.object_type, r.reason) for r in Report.select()] == [("comment", "abuse")]
    login(author)
    assert client.get(f"/hub/comments/{comment.id}/report").status_code == 403


def test_the_queue_has_a_fixed_number_of_queries(app, client, login, moderator, boards,
                                                 post_as, make_user):
    reporter = make_user()

    def report_posts(count):
        for n in range(count):
            post = post_as(boards.mentor, boards.general, f"T{n}", f"Body {n}")
            with app.app_context(), db.connection_context():
                file_report(reporter, "post", post.id, "spam", "")

    login(moderator)
    report_posts(2)
    with count_queries() as few:
        first = Page(client.get("/staff/moderation"))
    report_posts(25)
    with count_queries() as many:
        second = Page(client.get("/staff/moderation"))
    assert few.count == many.count
    assert len(first.soup.select("#report-queue > li")) == 2
    assert len(second.soup.select("#report-queue > li")) == 27


def test_staff_home_counts(app, client, login, moderator, reported):
    login(moderator)
    page = Page(client.get("/staff/"))
    assert page.text("#moderation-counts") == "2 open reports, 0 posts waiting for approval"


def test_moderator_edit_shows_the_note(app, client, login, moderator, reported, make_user,
                                       csrf_token):
    comment = reported["comment"]
    login(moderator)
    client.post(f"/staff/moderation/comment/{comment.id}/edit",
                data={"body": "A patient was rude", "note": "Removed a bed number",
                      "csrf_token": csrf_token})
    login(make_user())
    page = Page(client.get(f"/hub/articles/{reported['article'].slug}"))
    assert page.text(".tandem-comment__body") == "A patient was rude"
    assert page.text(".tandem-edit-note") == "Edited by a moderator: Removed a bed number"
    with app.app_context(), db.connection_context():
        assert Comment.get_by_id(comment.id).edit_note == "Removed a bed number"


def test_a_held_reply_does_not_show_its_author_as_the_last_poster(app, client, login,
                                                                  moderator, boards, post_as,
                                                                  make_user, csrf_token):
    thread_post = post_as(boards.mentor, boards.general, "Open thread", "Visible start")
    with app.test_request_context(), db.connection_context():
        settings.save({"held_words": "secret"})
    held = post_as(make_user(name="Hidden Harry"), thread=thread_post.thread,
                   body="a secret reply")
    login(boards.outsider)
    board_page = client.get(f"/boards/{boards.general.slug}").text
    assert "Hidden Harry" not in board_page
    login(moderator)
    client.post(f"/staff/moderation/post/{held.id}/approve", data={"csrf_token": csrf_token})
    login(boards.outsider)
    assert "Hidden Harry" in client.get(f"/boards/{boards.general.slug}").text
