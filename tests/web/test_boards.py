"""Boards through the client: starting threads and replying, with htmx and without."""
import datetime as dt

import pytest

from portal.blueprints.boards.models import Post, Thread
from portal.db import db
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX, link, posts_on, thread_rows


def test_the_boards_list_shows_what_the_person_may_see(client, login, boards):
    login(boards.mentor)
    page = Page(client.get("/boards/"))
    assert page.texts("#boards h2 a") == ["General", "Mentor network"]
    assert "Boards" in page.nav()
    login(boards.outsider)
    assert Page(client.get("/boards/")).texts("#boards h2 a") == ["General"]
    login(boards.staff)
    assert Page(client.get("/boards/")).texts("#boards h2 a") == [
        "General", "Mentor network", "Staff room"]


def test_start_a_thread_in_place_with_htmx(app, client, login, boards, csrf_token):
    login(boards.mentor)
    response = client.post("/boards/general/new", headers=HX, data={
        "title": "Rotas after maternity leave", "body": "How did you **ask**?",
        "csrf_token": csrf_token})
    page = Page(response)
    assert response.status_code == 200 and not page.is_full_page
    assert "HX-Request" in response.headers["Vary"]
    assert page.value("title") == "" and page.value("body") == ""  # a fresh form
    added = page.soup.find("ul", attrs={"hx-swap-oob": "afterbegin:#thread-rows"})
    assert added.select_one("h3 a").get_text() == "Rotas after maternity leave"
    assert page.soup.find(id="no-threads")["hx-swap-oob"] == "delete"
    assert page.flashes() == ["Your thread has been started."]
    board = Page(client.get("/boards/general"))
    assert thread_rows(board) == [{"title": "Rotas after maternity leave", "unread": ""}]


def test_start_a_thread_without_javascript(app, client, login, boards, csrf_token):
    login(boards.mentor)
    response = client.post("/boards/general/new", data={
        "title": "Plain form thread", "body": "No *JavaScript* here", "csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.heading() == "Plain form thread"
    assert posts_on(page) == ["No JavaScript here"]
    assert page.flashes() == ["Your thread has been started."]
    assert page.soup.select_one("#posts .tandem-post__body em").get_text() == "JavaScript"


def test_the_new_thread_page_works_without_javascript(client, login, boards):
    login(boards.mentor)
    page = Page(client.get("/boards/general/new"))
    assert page.heading() == "Start a new thread" and page.is_full_page
    form = page.soup.find(id="thread-form")
    assert form["action"] == "/boards/general/new" and not form.has_attr("hx-post")


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_a_thread_needs_a_title_and_a_post(client, login, boards, csrf_token, headers):
    login(boards.mentor)
    response = client.post("/boards/general/new", headers=headers,
                           data={"title": "  ", "body": "", "csrf_token": csrf_token})
    assert response.status_code == 422
    page = Page(response)
    assert page.field_errors() == {"title": "Enter a title for your thread",
                                   "body": "Write your post"}
    assert page.is_full_page is not bool(headers)
    if not headers:
        assert page.error_summary() == ["Enter a title for your thread", "Write your post"]


def test_reply_in_place_shows_the_reply_and_what_others_posted_meanwhile(
        app, client, login, boards, csrf_token, post_as):
    first = post_as(boards.staff, boards.general, "Handover notes", "Share yours here")
    login(boards.mentor)
    before = Page(client.get(f"/boards/threads/{first.thread_id}"))
    seen = before.value("seen")
    assert seen == "1"
    post_as(boards.outsider, thread=first.thread, body="Mine is a checklist")
    response = client.post(f"/boards/threads/{first.thread_id}/reply", headers=HX,
                           data={"body": "Thanks, *useful*", "seen": seen,
                                 "csrf_token": csrf_token})
    page = Page(response)
    assert response.status_code == 200 and not page.is_full_page
    appended = page.soup.find("ol", attrs={"hx-swap-oob": "beforeend:#posts"})
    assert [li.select_one(".tandem-post__body").get_text(" ", strip=True)
            for li in appended.select("li.tandem-post")] == ["Mine is a checklist",
                                                             "Thanks, useful"]
    assert [bool(li.select_one(".tandem-unread")) for li in appended.select("li")] == [
        True, False]  # the other person's post is new to me; mine is not
    assert page.value("body") == "" and page.value("seen") == "3"
    assert page.flashes() == ["Your reply has been posted."]


def test_reply_without_javascript_goes_to_the_reply(app, client, login, boards, csrf_token,
                                                   post_as):
    first = post_as(boards.staff, boards.general, "Handover notes", "Share yours here")
    login(boards.mentor)
    response = client.post(f"/boards/threads/{first.thread_id}/reply",
                           data={"body": "A plain reply", "csrf_token": csrf_token})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        reply = Post.get(Post.number == 2)
    assert response.headers["Location"].endswith(
        f"/boards/threads/{first.thread_id}?page=1#post-{reply.id}")
    page = Page(client.get(response.headers["Location"]))
    assert posts_on(page) == ["Share yours here", "A plain reply"]
    assert page.flashes() == ["Your reply has been posted."]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_an_empty_reply_is_explained(client, login, boards, csrf_token, post_as, headers):
    first = post_as(boards.staff, boards.general)
    login(boards.mentor)
    response = client.post(f"/boards/threads/{first.thread_id}/reply", headers=headers,
                           data={"body": "", "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).field_errors() == {"body": "Write your post"}
    assert Page(response).is_full_page is not bool(headers)


def test_quote_a_post_in_place_and_as_a_page(client, login, boards, post_as):
    first = post_as(boards.staff, boards.general, "Quotes", "Line one\n\nLine *two*")
    login(boards.mentor)
    thread = Page(client.get(f"/boards/threads/{first.thread_id}"))
    quote = link(thread, "Quote")
    assert quote["hx-target"] == "#reply-form"
    expected = "> **Sam Staff** wrote:\n>\n> Line one\n>\n> Line *two*\n\n"
    fragment = client.get(f"/boards/threads/{first.thread_id}/reply?quote={first.id}&seen=1",
                          headers=HX)
    assert not Page(fragment).is_full_page
    assert Page(fragment).value("body") == expected
    assert Page(fragment).value("seen") == "1"
    page = Page(client.get(quote["href"]))
    assert page.heading() == "Reply to “Quotes”" and page.value("body") == expected


def test_quoting_a_post_from_another_thread_or_board_gives_an_empty_form(client, login, boards,
                                                                         post_as):
    secret = post_as(boards.staff, boards.staff_room, "Staff only", "Confidential")
    open_thread = post_as(boards.staff, boards.general, "Open", "Hello")
    login(boards.mentor)
    page = Page(client.get(f"/boards/threads/{open_thread.thread_id}/reply?quote={secret.id}"))
    assert page.value("body") == ""


def test_posting_is_rate_limited_for_threads_and_replies_together(client, login, boards,
                                                                  csrf_token, post_as):
    first = post_as(boards.staff, boards.general)
    login(boards.mentor)
    statuses = [client.post("/boards/general/new", data={
        "title": f"Thread {n}", "body": "text", "csrf_token": csrf_token}).status_code
        for n in range(3)]
    statuses += [client.post(f"/boards/threads/{first.thread_id}/reply", data={
        "body": f"reply {n}", "csrf_token": csrf_token}).status_code for n in range(2)]
    assert statuses == [303] * 5
    for headers in (HX, {}):
        refused = client.post(f"/boards/threads/{first.thread_id}/reply", headers=headers,
                              data={"body": "one too many", "csrf_token": csrf_token})
        assert refused.status_code == 422
        assert Page(refused).field_errors()["body"] == ("You are posting too quickly. "
                                                        "Wait a minute, then try again.")


def test_a_locked_thread_takes_no_replies(app, client, login, boards, csrf_token, post_as):
    first = post_as(boards.staff, boards.general, "Closed topic")
    with app.app_context(), db.connection_context():
        Thread.update(locked=True).execute()
    login(boards.mentor)
    page = Page(client.get(f"/boards/threads/{first.thread_id}"))
    assert "This thread is locked" in page.text(".nhsuk-inset-text")
    assert page.soup.find(id="reply-form") is None
    assert client.post(f"/boards/threads/{first.thread_id}/reply", data={
        "body": "sneaky", "csrf_token": csrf_token}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, boards, post_as):
    first = post_as(boards.staff, boards.general)
    page = client.get(f"/boards/threads/{first.thread_id}")
    assert page.status_code == 303 and "/accounts/login" in page.headers["Location"]
    fragment = client.get("/boards/general/people?q=Sam", headers=HX)
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"].startswith("/accounts/login")


def test_posting_needs_the_csrf_token(client, login, boards):
    login(boards.mentor)
    response = client.post("/boards/general/new", data={"title": "x", "body": "y"})
    assert response.status_code == 400


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_a_suspended_member_reads_but_cannot_post(app, client, login, boards, csrf_token,
                                                  post_as, headers):
    first = post_as(boards.staff, boards.general, "Open question")
    own = post_as(boards.mentor, thread=first.thread, body="My earlier reply")
    with app.app_context(), db.connection_context():
        from portal.blueprints.accounts.models import User
        from portal.db import utcnow

        User.update(suspended_until=utcnow() + dt.timedelta(days=3),
                    suspension_reason="Repeated unkind posts").where(
            User.id == boards.mentor.id).execute()
    login(boards.mentor)
    page = Page(client.get(f"/boards/threads/{first.thread_id}"))
    assert posts_on(page) == ["Has anyone tried this?", "My earlier reply"]
    assert page.soup.find("form", id="reply-form") is None
    assert "Repeated unkind posts" in page.text("#reply-form")
    for url, data in [(f"/boards/threads/{first.thread_id}/reply", {"body": "x"}),
                      ("/boards/general/new", {"title": "x", "body": "y"}),
                      (f"/boards/posts/{own.id}/edit", {f"post-{own.id}-body": "z"})]:
        refused = client.post(url, headers=headers, data={**data, "csrf_token": csrf_token})
        assert refused.status_code == 422, url
        assert "Repeated unkind posts" in next(iter(Page(refused).field_errors().values()))
    with app.app_context(), db.connection_context():
        assert Post.select().count() == 2 and Thread.select().count() == 1
