"""A person never sees a post on a board whose audience excludes them: not in the list,
the thread, search, notifications, email, by direct URL or in the mention suggestions."""
import pytest

from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import Board, Mention, Notification
from portal.db import db
from portal.groups import GroupMembership
from portal.outbox import OutboxMessage
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX, link

SECRET = "Zanzibar rota swap for the mentors"


@pytest.fixture
def secret(boards, post_as, make_user):
    """A thread on the Mentor network that mentions the outsider and a staff member, and
    an open thread the outsider watches, which quotes nothing."""
    post = post_as(boards.mentor, boards.mentors, "Mentors only: rota swaps",
                   f"{SECRET}. Hello @Omar Outsider and @Sam Staff")
    return post


def urls_for(post) -> list[tuple[str, str]]:
    thread = post.thread_id
    board = "/boards/mentor-network"
    return [("GET", board), ("GET", f"{board}/new"), ("GET", f"{board}?after=x"),
            ("GET", f"{board}/people?q=Mi"), ("POST", f"{board}/new"), ("POST", f"{board}/watch"),
            ("GET", f"/boards/threads/{thread}"), ("GET", f"/boards/threads/{thread}/unread"),
            ("GET", f"/boards/threads/{thread}/reply"), ("POST", f"/boards/threads/{thread}/reply"),
            ("POST", f"/boards/threads/{thread}/watch"), ("GET", f"/boards/posts/{post.id}"),
            ("GET", f"/boards/posts/{post.id}/edit"), ("POST", f"/boards/posts/{post.id}/edit"),
            ("POST", f"/boards/posts/{post.id}/delete"), ("GET", f"/boards/posts/{post.id}/report"),
            ("POST", f"/boards/posts/{post.id}/report")]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_every_url_of_a_board_outside_the_audience_is_404(client, login, boards, secret,
                                                          csrf_token, headers):
    login(boards.outsider)
    for method, url in urls_for(secret):
        response = client.open(url, method=method, headers=headers,
                               data={"csrf_token": csrf_token, "body": "x", "title": "x",
                                     "level": "watching"})
        assert response.status_code == 404, (method, url, response.status_code)
        assert SECRET not in response.text


def test_the_lists_search_and_quotes_leave_it_out(app, client, login, boards, secret, post_as):
    open_thread = post_as(boards.staff, boards.general, "Open thread", "Zanzibar is open")
    login(boards.outsider)
    assert "Mentor network" not in Page(client.get("/boards/")).text("main")
    found = Page(client.get("/boards/search?q=zanzibar"))
    assert found.texts("#results h2 a") == ["Open thread"]
    fragment = Page(client.get("/boards/search?q=rota", headers=HX))
    assert fragment.text("#result-count") == "0 results for “rota”"
    quote = Page(client.get(f"/boards/threads/{open_thread.thread_id}/reply?quote={secret.id}"))
    assert quote.value("body") == ""
    login(boards.mentor)
    assert sorted(Page(client.get("/boards/search?q=zanzibar")).texts("#results h2 a")) == [
        "Mentors only: rota swaps", "Open thread"]


def test_mentions_notifications_and_email_reach_only_the_audience(app, client, login, boards,
                                                                  secret):
    with app.app_context(), db.connection_context():
        mentioned = {m.user_id for m in Mention.select()}
        notified = {n.user_id for n in Notification.select()}
        outbox = {m.to_addr for m in OutboxMessage.select()}
    assert mentioned == notified == {boards.staff.id}  # the outsider cannot see the board
    assert outbox == {boards.staff.email}
    login(boards.outsider)
    assert Page(client.get("/notifications/")).texts("#notification-rows li") == [
        "You have no notifications."]
    login(boards.staff)
    assert Page(client.get("/notifications/")).texts("#notification-rows a") == [
        "Mina Mentor mentioned you in “Mentors only: rota swaps”"]


def test_leaving_the_group_takes_away_the_notifications_too(app, client, login, boards,
                                                            post_as):
    post_as(boards.staff, boards.mentors, "For mentors", "Hello @Mina Mentor")
    login(boards.mentor)
    assert len(Page(client.get("/notifications/")).texts("#notification-rows a")) == 1
    with app.app_context(), db.connection_context():
        GroupMembership.delete().execute()
    assert Page(client.get("/notifications/")).texts("#notification-rows li") == [
        "You have no notifications."]
    page = Page(client.get("/boards/"))
    assert page.text("#unread-notifications") == ""


def test_mention_suggestions_only_offer_people_who_can_see_the_board(client, login, boards,
                                                                     make_user):
    make_user(name="Omar Other")
    login(boards.mentor)
    on_mentors = Page(client.get("/boards/mentor-network/people?q=s", headers=HX))
    assert on_mentors.texts("[data-mention-name]") == ["@Sam Staff"]  # not Omar, not me
    on_general = Page(client.get("/boards/general/people?q=om", headers=HX))
    assert on_general.texts("[data-mention-name]") == ["@Omar Other", "@Omar Outsider"]
    page = Page(client.get("/boards/general/people?q=Omar"))  # without JavaScript
    assert page.is_full_page and page.texts("#people li") == ["@Omar Other", "@Omar Outsider"]
    typed = Page(client.get("/boards/general/people", headers=HX,
                            query_string={"body": "Thanks to @Omar Ou"}))
    assert typed.texts("[data-mention-name]") == ["@Omar Outsider"]


def test_typing_a_name_mentions_the_longest_matching_reader(app, client, login, boards,
                                                            post_as, make_user):
    make_user(name="Mina")
    post = post_as(boards.staff, boards.mentors, "Names",
                   "@Mina Mentor, and @mina too. Not user@Mina Mentor or `@Mina Mentor`.")
    with app.app_context(), db.connection_context():
        names = sorted(User.get_by_id(m.user_id).name for m in Mention.select().where(
            Mention.post == post.id))
    assert names == ["Mina Mentor"]  # "Mina" alone cannot see the Mentor network
    login(boards.mentor)
    page = Page(client.get(f"/boards/threads/{post.thread_id}"))
    body = page.soup.select_one(".tandem-post__body")
    assert [s.get_text() for s in body.select("strong")] == ["@Mina Mentor"]
    assert body.select_one("code").get_text() == "@Mina Mentor"


def test_staff_manage_boards_and_audiences(app, client, login, boards, csrf_token):
    login(boards.mentor)
    assert client.get("/boards/manage").status_code == 403
    assert client.post("/boards/manage/new", data={"csrf_token": csrf_token}).status_code == 403
    login(boards.staff)
    page = Page(client.get("/boards/manage"))
    assert [row["Board"] for row in page.table()] == ["General", "Mentor network", "Staff room"]
    refused = client.post("/boards/manage/new", data={
        "name": "Cohort 2027", "audience": "groups", "position": "3", "csrf_token": csrf_token})
    assert Page(refused).error_summary() == ["Choose at least one group, or another audience"]
    created = client.post("/boards/manage/new", data={
        "name": "Search", "audience": "groups", "groups": str(boards.group.id), "position": "3",
        "description": "Reserved word as a name", "csrf_token": csrf_token})
    assert created.status_code == 303
    with app.app_context(), db.connection_context():
        board = Board.get(Board.name == "Search")
    assert board.slug == "search-board"
    edit = Page(client.get(f"/boards/manage/{board.id}/edit"))
    assert edit.soup.select_one(f"input[name=groups][value='{boards.group.id}']").has_attr(
        "checked")
    client.post(f"/boards/manage/{board.id}/edit", data={
        "name": "Search tips", "audience": "staff", "position": "4", "csrf_token": csrf_token})
    login(boards.mentor)
    assert client.get("/boards/search-board").status_code == 404
    assert link(Page(client.get("/boards/")), "General")["href"] == "/boards/general"


def test_who_can_be_notified_is_exactly_who_can_see_the_board(app, boards, make_user):
    """Board.readers() (people, for mentions and notifications) and Board.visible_to()
    (boards, for pages) are the same rule turned around."""
    people = [boards.staff, boards.mentor, boards.outsider, make_user(role="moderator"),
              make_user(role="admin")]
    with app.app_context(), db.connection_context():
        everyone = [User.get_by_id(p.id) for p in people]
        for board in Board.select():
            readers = {u.id for u in board.readers()}
            seeing = {u.id for u in everyone
                      if Board.visible_to(u).where(Board.id == board.id).exists()}
            assert readers == seeing, board.name
