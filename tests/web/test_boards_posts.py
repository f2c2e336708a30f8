"""Editing, deleting, reporting, watching, unread markers and pages of a thread."""
import datetime as dt

import pytest

from portal import search
from portal.blueprints.boards.models import Post, ReadMarker, Thread, Watch
from portal.blueprints.boards.views_threads import POSTS_PER_PAGE
from portal.db import db, utcnow
from portal.reports import Report
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX, link, posts_on, thread_rows


@pytest.fixture
def thread(boards, post_as):
    """A thread on General by the mentor, with one reply by the outsider."""
    first = post_as(boards.mentor, boards.general, "Returning after a year", "First thoughts")
    post_as(boards.outsider, thread=first.thread, body="Welcome back")
    return first


def test_edit_own_post_in_place_and_edited_is_shown(client, login, boards, thread, csrf_token):
    login(boards.mentor)
    form = Page(client.get(f"/boards/posts/{thread.id}/edit", headers=HX))
    assert not form.is_full_page and form.value(f"post-{thread.id}-body") == "First thoughts"
    saved = client.post(f"/boards/posts/{thread.id}/edit", headers=HX, data={
        f"post-{thread.id}-body": "Second thoughts", "csrf_token": csrf_token})
    page = Page(saved)
    assert page.text(".tandem-post__body") == "Second thoughts"
    assert "edited" in page.text(".tandem-meta")
    cancel = Page(client.get(f"/boards/posts/{thread.id}", headers=HX))
    assert cancel.text(".tandem-post__body") == "Second thoughts"


def test_edit_own_post_without_javascript(client, login, boards, thread, csrf_token):
    login(boards.mentor)
    page = Page(client.get(f"/boards/posts/{thread.id}/edit"))
    assert page.heading() == "Edit your post" and page.is_full_page
    saved = client.post(f"/boards/posts/{thread.id}/edit", data={
        f"post-{thread.id}-body": "Plain edit", "csrf_token": csrf_token})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"#post-{thread.id}")
    after = Page(client.get(saved.headers["Location"]))
    assert posts_on(after)[0] == "Plain edit"
    empty = client.post(f"/boards/posts/{thread.id}/edit", data={
        f"post-{thread.id}-body": "", "csrf_token": csrf_token})
    assert empty.status_code == 422
    assert Page(empty).error_summary() == ["Write your post"]


def test_the_edit_window_comes_from_the_settings(app, client, login, boards, thread,
                                                 csrf_token):
    with app.app_context(), db.connection_context():
        Post.update(created_at=utcnow() - dt.timedelta(minutes=31)).execute()
    login(boards.mentor)
    page = Page(client.get(f"/boards/threads/{thread.thread_id}"))
    assert [a.get_text(" ", strip=True) for a in page.soup.select("#posts .tandem-actions a")
            if a.get_text().startswith("Edit")] == []
    assert client.get(f"/boards/posts/{thread.id}/edit").status_code == 403
    with app.app_context(), db.connection_context():
        from portal import settings

        settings.save({"boards_edit_window_minutes": 60})
    assert client.get(f"/boards/posts/{thread.id}/edit").status_code == 200


def test_others_cannot_edit_or_delete_a_post(client, login, boards, thread, csrf_token):
    login(boards.outsider)
    assert client.get(f"/boards/posts/{thread.id}/edit").status_code == 403
    assert client.post(f"/boards/posts/{thread.id}/delete",
                       data={"csrf_token": csrf_token}).status_code == 403


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_deleting_own_post_leaves_a_placeholder(app, client, login, boards, thread,
                                                csrf_token, headers):
    login(boards.mentor)
    response = client.post(f"/boards/posts/{thread.id}/delete", headers=headers,
                           data={"csrf_token": csrf_token})
    if headers:
        page = Page(response)
        assert page.text(".tandem-placeholder") == "This post was deleted."
        assert page.flashes() == ["Your post has been deleted."]
    else:
        assert response.status_code == 303
    page = Page(client.get(f"/boards/threads/{thread.thread_id}"))
    assert posts_on(page) == ["This post was deleted.", "Welcome back"]
    assert "First thoughts" not in page.text("#posts")
    with app.app_context(), db.connection_context():
        assert search.matches("post", "thoughts").count() == 0
        assert Thread.get_by_id(thread.thread_id).post_count == 2  # numbers stay


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_report_a_post_and_report_again_to_update_the_note(app, client, login, boards, thread,
                                                           csrf_token, headers):
    login(boards.outsider)
    page = Page(client.get(f"/boards/threads/{thread.thread_id}"))
    report = link(page, "Report", page.soup.find(id=f"post-{thread.id}"))
    assert report["hx-target"] == f"#report-{thread.id}"
    form = client.get(report["href"], headers=headers)
    assert Page(form).is_full_page is not bool(headers)
    prefix = f"report-{thread.id}-"
    empty = client.post(report["href"], headers=headers, data={"csrf_token": csrf_token})
    assert empty.status_code == 422
    assert list(Page(empty).field_errors()) == [prefix + "reason"]
    assert Page(empty).field_errors()[prefix + "reason"].startswith("Choose why you are reporting")
    first = client.post(report["href"], headers=headers, data={
        prefix + "reason": "wrong", prefix + "note": "Unsafe advice", "csrf_token": csrf_token})
    second = client.post(report["href"], headers=headers, data={
        prefix + "reason": "wrong", prefix + "note": "It names a patient",
        "csrf_token": csrf_token})
    if headers:
        assert Page(first).flashes() == ["Thank you. The moderators will look at this post."]
        assert Page(second).flashes() == ["Thank you. Your report has been updated."]
    else:
        assert first.status_code == second.status_code == 303
    with app.app_context(), db.connection_context():
        [row] = Report.select()
        assert (row.object_type, row.object_id, row.reporter_id, row.reason, row.note,
                row.status) == ("post", thread.id, boards.outsider.id, "wrong",
                                "It names a patient", "open")


def test_nobody_reports_their_own_post(client, login, boards, thread, csrf_token):
    login(boards.mentor)
    page = Page(client.get(f"/boards/threads/{thread.thread_id}"))
    post = page.soup.find(id=f"post-{thread.id}")
    assert "Report" not in post.get_text()
    assert client.get(f"/boards/posts/{thread.id}/report").status_code == 403


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_watch_a_thread_and_a_board(app, client, login, boards, thread, csrf_token, headers):
    login(boards.outsider)
    response = client.post(f"/boards/threads/{thread.thread_id}/watch", headers=headers,
                           data={"level": "muted", "csrf_token": csrf_token})
    board_response = client.post("/boards/general/watch", headers=headers,
                                 data={"level": "watching", "csrf_token": csrf_token})
    if headers:
        assert Page(response).flashes() == ["Saved: never tell me about this in this thread."]
        assert Page(response).soup.select_one("input[value=muted]").has_attr("checked")
        assert Page(board_response).flashes() == [
            "Saved: tell me about every new post on this board."]
    else:
        assert response.status_code == board_response.status_code == 303
        assert Page(client.get("/boards/general")).flashes() == [
            "Saved: never tell me about this in this thread.",
            "Saved: tell me about every new post on this board."]
    with app.app_context(), db.connection_context():
        rows = {(w.thread_id, w.board_id, w.level) for w in Watch.select().where(
            Watch.user == boards.outsider.id)}
    assert rows == {(thread.thread_id, None, "muted"), (None, boards.general.id, "watching")}
    bad = client.post("/boards/general/watch", headers=headers,
                      data={"level": "loud", "csrf_token": csrf_token})
    assert bad.status_code == (422 if headers else 303)


def test_unread_markers_and_the_jump_to_the_first_unread_post(app, client, login, boards,
                                                              thread, post_as):
    login(boards.staff)
    assert thread_rows(Page(client.get("/boards/general"))) == [
        {"title": "Returning after a year", "unread": "New"}]
    client.get(f"/boards/threads/{thread.thread_id}")
    assert thread_rows(Page(client.get("/boards/general"))) == [
        {"title": "Returning after a year", "unread": ""}]
    third = post_as(boards.mentor, thread=thread.thread, body="Third")
    post_as(boards.outsider, thread=thread.thread, body="Fourth")
    board = Page(client.get("/boards/general"))
    assert thread_rows(board) == [{"title": "Returning after a year", "unread": "2 new"}]
    jump = client.get(link(board, "First unread post")["href"])
    assert jump.headers["Location"].endswith(
        f"/boards/threads/{thread.thread_id}?page=1#post-{third.id}")
    page = Page(client.get(jump.headers["Location"]))
    assert [li.select_one(".tandem-unread") is not None
            for li in page.soup.select("#posts > li")] == [False, False, True, True]
    assert thread_rows(Page(client.get("/boards/general"))) == [
        {"title": "Returning after a year", "unread": ""}]


def test_long_threads_have_pages_and_the_marker_follows_what_was_shown(app, client, login,
                                                                       boards, thread, post_as):
    for n in range(POSTS_PER_PAGE * 2):
        post_as(boards.outsider if n % 2 else boards.staff, thread=thread.thread, body=f"#{n}")
    login(boards.mentor)
    with app.app_context(), db.connection_context():
        ReadMarker.delete().execute()
    first = Page(client.get(f"/boards/threads/{thread.thread_id}"))
    assert len(first.soup.select("#posts > li")) == POSTS_PER_PAGE
    assert first.soup.find(id="reply-form") is None
    assert "Go to the last page to reply" in first.text("main")
    assert first.texts(".nhsuk-pagination__page") == ["Page 2 of 3", "Page 2 of 3"]
    with app.app_context(), db.connection_context():
        assert ReadMarker.get().last_read_number == POSTS_PER_PAGE
    jump = client.get(f"/boards/threads/{thread.thread_id}/unread")
    assert "?page=2#post-" in jump.headers["Location"]
    last = Page(client.get(f"/boards/threads/{thread.thread_id}?page=99"))
    assert len(last.soup.select("#posts > li")) == 2
    assert last.soup.find(id="reply-form") is not None
    assert Page(client.get(f"/boards/threads/{thread.thread_id}?page=x")).heading() == \
        "Returning after a year"


def test_a_board_pages_its_threads_with_pinned_first_and_hidden_for_moderators(
        app, client, login, boards, post_as, make_user):
    for n in range(30):
        post_as(boards.staff, boards.general, f"Thread {n:02}", "text")
    with app.app_context(), db.connection_context():
        Thread.update(pinned=True).where(Thread.title == "Thread 03").execute()
        Thread.update(hidden=True).where(Thread.title == "Thread 29").execute()
    login(boards.mentor)
    page = Page(client.get("/boards/general"))
    assert page.texts("#pinned-threads h3 a") == ["Thread 03"]
    titles = page.texts("#thread-rows h3 a")
    assert titles[:2] == ["Thread 28", "Thread 27"] and len(titles) == 25
    more = page.soup.select_one("#more-threads a")
    fragment = Page(client.get(more["hx-get"], headers=HX))
    assert not fragment.is_full_page
    assert fragment.texts("h3 a") == ["Thread 02", "Thread 01", "Thread 00"]
    plain = Page(client.get(more["href"]))
    assert plain.is_full_page and plain.texts("#thread-rows h3 a") == fragment.texts("h3 a")
    assert plain.soup.find(id="pinned-threads") is None
    login(make_user(role="moderator"))
    assert Page(client.get("/boards/general")).texts("#thread-rows h3 a")[0] == "Thread 29"
    hidden = Thread.select().where(Thread.title == "Thread 29")
    with app.app_context(), db.connection_context():
        hidden_id = hidden.get().id
    login(boards.mentor)
    assert client.get(f"/boards/threads/{hidden_id}").status_code == 404
