"""Board notifications in the one notification centre, the boards' old addresses, and
search, with htmx and without."""
import pytest

from portal.blueprints.boards.models import Notification
from portal.db import db
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX


def notifications(client) -> list[dict]:
    page = Page(client.get("/notifications/"))
    return [{"text": li.select_one("a").get_text(" ", strip=True),
             "new": li.select_one(".tandem-unread") is not None}
            for li in page.soup.select("#notification-rows li.tandem-notification")]


def test_replies_in_watched_threads_and_mentions_arrive_as_notifications(client, login, boards,
                                                                         post_as):
    first = post_as(boards.mentor, boards.general, "Phased returns", "How long was yours?")
    post_as(boards.outsider, thread=first.thread, body="Four weeks")
    post_as(boards.staff, boards.general, "Kit days", "Ask @Mina Mentor about these")
    login(boards.mentor)
    assert notifications(client) == [
        {"text": "Sam Staff mentioned you in “Kit days”", "new": True},
        {"text": "Omar Outsider replied in “Phased returns”", "new": True}]
    assert Page(client.get("/boards/")).text("#unread-notifications") == "2 new"
    assert Page(client.get("/boards/")).text("#notification-count") == "Notifications 2 new"
    post_page = client.get(f"/boards/posts/{first.id + 1}")
    assert post_page.status_code == 303
    client.get(post_page.headers["Location"])  # reading the post on the board marks it read
    assert [n["new"] for n in notifications(client)] == [True, False]
    assert Page(client.get("/boards/")).text("#unread-notifications") == "1 new"


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_mark_all_notifications_read(client, login, boards, post_as, csrf_token, headers):
    post_as(boards.staff, boards.general, "Kit days", "Ask @Mina Mentor about these")
    login(boards.mentor)
    response = client.post("/notifications/read", headers=headers,
                           data={"csrf_token": csrf_token})
    if headers:
        page = Page(response)
        assert not page.is_full_page
        assert page.flashes() == ["All your notifications are marked as read."]
        assert page.texts(".tandem-unread") == []
    else:
        assert response.status_code == 303
    assert notifications(client) == [{"text": "Sam Staff mentioned you in “Kit days”",
                                      "new": False}]
    assert Page(client.get("/boards/")).text("#unread-notifications") == ""  # boards follow


def test_notifications_page_by_page(app, client, login, boards, post_as):
    first = post_as(boards.mentor, boards.general, "Busy thread", "Start")
    with app.app_context(), db.connection_context():
        from portal.blueprints.accounts.models import User
        from portal.blueprints.boards import services
        from portal.blueprints.boards.models import Thread

        outsider, thread = User.get_by_id(boards.outsider.id), Thread.get_by_id(first.thread_id)
        for n in range(35):
            services.reply(outsider, thread, f"Reply {n}")
    login(boards.mentor)
    page = Page(client.get("/notifications/"))
    assert len(page.soup.select("li.tandem-notification")) == 30
    more = page.soup.select_one("#more-notifications a")
    rest = Page(client.get(more["hx-get"], headers=HX))
    assert not rest.is_full_page and len(rest.soup.select("li.tandem-notification")) == 5


def test_the_boards_old_addresses_lead_to_the_one_centre(client, login, boards):
    login(boards.mentor)
    for old, new in (("/boards/notifications", "/notifications/"),
                     ("/boards/preferences", "/notifications/preferences")):
        response = client.get(old)
        assert (response.status_code, response.headers["Location"]) == (301, new)


def test_search_as_fragment_and_as_page(client, login, boards, post_as):
    post_as(boards.staff, boards.general, "Flexible working requests",
            "Ask for a **phased** return in writing")
    login(boards.mentor)
    fragment = client.get("/boards/search?q=phase", headers=HX)
    page = Page(fragment)
    assert not page.is_full_page and "HX-Request" in fragment.headers["Vary"]
    assert page.texts("#results h2 a") == ["Flexible working requests"]
    assert page.soup.select(".tandem-snippet mark")
    full = Page(client.get("/boards/search?q=phase"))
    assert full.is_full_page and full.value("q") == "phase"
    for odd in ['"', "*", "(", "')--", "\x00", "a" * 300]:
        assert client.get("/boards/search", query_string={"q": odd}).status_code == 200


def test_a_post_mentioning_someone_twice_notifies_once(app, boards, post_as):
    post_as(boards.staff, boards.general, "Twice", "@Mina Mentor and again @Mina Mentor")
    with app.app_context(), db.connection_context():
        assert Notification.select().where(Notification.user == boards.mentor.id).count() == 1


def test_editing_in_a_mention_notifies_only_the_newly_mentioned(app, client, login, boards,
                                                                post_as, csrf_token):
    post = post_as(boards.mentor, boards.general, "Edited", "Hello @Sam Staff")
    login(boards.mentor)
    client.post(f"/boards/posts/{post.id}/edit", data={
        f"post-{post.id}-body": "Hello @Sam Staff and @Omar Outsider", "csrf_token": csrf_token})
    client.post(f"/boards/posts/{post.id}/edit", data={
        f"post-{post.id}-body": "Hello @Omar Outsider", "csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        from portal.blueprints.boards.models import Mention

        assert [(n.user_id, n.kind) for n in Notification.select().order_by(Notification.id)] \
            == [(boards.staff.id, "mention"), (boards.outsider.id, "mention")]
        assert [m.user_id for m in Mention.select()] == [boards.outsider.id]


def test_a_title_is_one_line_and_search_finds_a_thread_once(app, client, login, boards,
                                                            csrf_token, post_as):
    login(boards.mentor)
    response = client.post("/boards/general/new", data={
        "title": "Annual\r\nleave   planning", "body": "Start", "csrf_token": csrf_token})
    assert Page(client.get(response.headers["Location"])).heading() == "Annual leave planning"
    with app.app_context(), db.connection_context():
        from portal.blueprints.boards.models import Thread

        thread = Thread.get()
    for n in range(3):
        post_as(boards.outsider, thread=thread, body=f"Reply {n}")
    assert Page(client.get("/boards/search?q=planning")).texts("#results h2 a") == [
        "Annual leave planning"]
