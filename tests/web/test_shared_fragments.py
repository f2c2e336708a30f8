"""Pages kept in the shared fragment store (portal/fragments.py) show each write at the next
read, and nobody ever gets one rendered for an audience they are not in, nor anyone else's
own parts (what is new to them, their posts' actions, their CSRF token)."""
import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from portal import audience, fragments
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as board_services
from portal.blueprints.boards.models import Board, Post, Thread
from portal.blueprints.hub import services as hub_services
from portal.blueprints.hub.models import Article
from portal.blueprints.library import services as library_services
from portal.blueprints.library.models import LINK, Resource
from portal.blueprints.staff import moderation
from portal.blueprints.webinars import services_staff
from portal.db import db, utcnow
from portal.groups import Group, GroupMembership
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import csrf_of, posts_on, thread_rows
from tests.webinar_factories import book, make_session


def read(client, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return Page(response)


def read_twice(client, url: str) -> Page:
    """Read a page twice: the first may render and store it, the second must come from the
    store (nothing rendered, so nothing stored)."""
    read(client, url)
    with count_queries() as counter:
        second = read(client, url)
    stored = [q.msg[0] for q in counter.get_queries() if 'INTO "fragment"' in q.msg[0]]
    assert not stored, f"{url} was rendered again on the second read"
    return second


def article_titles(page: Page) -> list[str]:
    return page.texts(".tandem-article-row h3")


def edit_article(app, staff, article, **changes):
    with app.app_context(), db.connection_context():
        article = Article.get_by_id(article.id)
        values = {"title": article.title, "summary": article.summary, "body": article.body,
                  "kind": article.kind, "topic_ids": [], "audience_value": article.audience,
                  "group_ids": audience.group_ids(article), "review_by": None, **changes}
        hub_services.save_article(User.get_by_id(staff.id), article, **values)


# --- the next read shows the write -----------------------------------------------------------

def test_hub_list_and_article_show_publish_edit_hide_and_audience_change(
        app, client, login, make_user, make_article):
    staff, member = make_user(role="staff"), make_user()
    first = make_article(title="First steps", author=staff)
    login(member)
    assert article_titles(read_twice(client, "/hub/")) == ["First steps"]
    assert read_twice(client, f"/hub/articles/{first.slug}").heading() == "First steps"

    make_article(title="Second thoughts", author=staff)  # publish
    assert article_titles(read_twice(client, "/hub/")) == ["Second thoughts", "First steps"]

    edit_article(app, staff, first, title="First steps, revised")  # edit
    assert "First steps, revised" in article_titles(read_twice(client, "/hub/"))
    assert read(client, f"/hub/articles/{first.slug}").heading() == "First steps, revised"

    with app.app_context(), db.connection_context():  # hide: archived, off the lists
        hub_services.change_status(User.get_by_id(staff.id),
                                   Article.with_last_editor().where(Article.id == first.id)
                                   .get(), "archive")
    assert article_titles(read_twice(client, "/hub/")) == ["Second thoughts"]
    assert client.get(f"/hub/articles/{first.slug}").status_code == 404

    with app.app_context(), db.connection_context():  # audience change: a group only
        group = Group.create(name="Cohort 2028")
    with app.app_context(), db.connection_context():
        second = Article.get(Article.title == "Second thoughts")
    edit_article(app, staff, second, audience_value=audience.GROUPS, group_ids=[group.id])
    assert article_titles(read_twice(client, "/hub/")) == []
    with app.app_context(), db.connection_context():  # joining the group is a new audience
        GroupMembership.create(group=group, user=member.id)
    assert article_titles(read_twice(client, "/hub/")) == ["Second thoughts"]
    assert read(client, "/hub/search?q=second").texts("#results h2") == ["Second thoughts"]


def test_thread_and_board_show_a_new_post_an_edit_a_hide_and_a_delete(
        app, client, login, boards, post_as):
    started = post_as(boards.staff, boards.general, title="Rotas", body="Who does rotas?")
    thread = f"/boards/threads/{started.thread_id}"
    login(boards.mentor)
    assert posts_on(read_twice(client, thread)) == ["Who does rotas?"]
    assert thread_rows(read_twice(client, "/boards/general"))[0]["title"] == "Rotas"

    reply = post_as(boards.outsider, thread=started.thread, body="I do, on Mondays.")  # new post
    assert posts_on(read_twice(client, thread)) == ["Who does rotas?", "I do, on Mondays."]
    assert "1 reply" in read_twice(client, "/boards/general").text("li.tandem-thread-row")

    with app.app_context(), db.connection_context():  # edit
        board_services.edit_post(User.get_by_id(boards.outsider.id), Post.get_by_id(reply.id),
                                 "I do, on Tuesdays.")
    assert posts_on(read_twice(client, thread))[1] == "I do, on Tuesdays."

    with app.test_request_context(), db.connection_context():  # hide
        moderation.hide(User.get_by_id(boards.staff.id), moderation.load_items(
            [(moderation.POST, reply.id)])[(moderation.POST, reply.id)], "Off topic")
    assert posts_on(read_twice(client, thread))[1] == "This post was hidden by a moderator."

    with app.app_context(), db.connection_context():  # delete
        board_services.delete_post(Post.get_by_id(started.id))
    assert posts_on(read_twice(client, thread))[0] == "This post was deleted."


def test_a_board_that_changes_audience_leaves_its_old_audience(app, client, login, boards,
                                                                post_as):
    started = post_as(boards.staff, boards.general, title="Open to all")
    login(boards.outsider)
    assert thread_rows(read_twice(client, "/boards/general"))[0]["title"] == "Open to all"
    read_twice(client, f"/boards/threads/{started.thread_id}")
    with app.app_context(), db.connection_context():
        board_services.save_board(User.get_by_id(boards.staff.id),
                                  Board.get_by_id(boards.general.id), name="General",
                                  description="", audience_value=audience.GROUPS,
                                  group_ids=[boards.group.id], position=0)
    assert client.get("/boards/general").status_code == 404
    assert client.get(f"/boards/threads/{started.thread_id}").status_code == 404


def resource_data(title, audience_value=audience.SIGNED_IN, group_ids=()):
    return library_services.ResourceData(
        title=title, description="", kind=LINK, url="https://example.org/", topic_ids=[],
        audience_value=audience_value, group_ids=list(group_ids), cohort_id=None,
        article_ids=[])


def test_library_shows_a_new_resource_an_edit_and_an_audience_change(app, client, login,
                                                                      make_user):
    staff, member = make_user(role="staff"), make_user()
    login(member)
    assert read_twice(client, "/library/").texts(".tandem-resource-row h2") == []
    with app.app_context(), db.connection_context():
        resource = library_services.create_resource(User.get_by_id(staff.id),
                                                    resource_data("Rota template"), None,
                                                    app.config["UPLOAD_DIR"])
    assert read_twice(client, "/library/").texts(".tandem-resource-row h2") == ["Rota template"]
    with app.app_context(), db.connection_context():
        library_services.update_resource(User.get_by_id(staff.id),
                                         Resource.get_by_id(resource.id),
                                         resource_data("Rota template (2027)"))
    assert read_twice(client, "/library/").texts(".tandem-resource-row h2") == [
        "Rota template (2027)"]
    with app.app_context(), db.connection_context():
        group = Group.create(name="Mentors only")
        library_services.update_resource(User.get_by_id(staff.id),
                                         Resource.get_by_id(resource.id),
                                         resource_data("Rota template (2027)",
                                                       audience.GROUPS, [group.id]))
    assert read_twice(client, "/library/").texts(".tandem-resource-row h2") == []


def test_webinars_list_shows_a_new_session_a_booking_and_a_cancellation(app, client, login,
                                                                        make_user):
    staff, member, other = make_user(role="staff"), make_user(), make_user()
    session = make_session(app, title="Supervision", capacity=2)
    login(member)
    assert read_twice(client, "/webinars/").text(f"#seats-{session.id}") == "2 of 2 seats left"
    book(app, other, session)  # someone else's booking moves the seats left
    assert read_twice(client, "/webinars/").text(f"#seats-{session.id}") == "1 of 2 seats left"
    make_session(app, title="Network meeting", starts_in=dt.timedelta(days=8))
    assert read_twice(client, "/webinars/").texts(".tandem-session-row h2") == [
        "Supervision", "Network meeting"]
    with app.app_context(), db.connection_context():
        services_staff.cancel_session(User.get_by_id(staff.id), session.id, "Unwell")
    page = read_twice(client, "/webinars/")
    assert page.texts(".tandem-session-row h2") == ["Network meeting"]


def test_webinars_list_changes_when_booking_closes_without_any_write(app, client, login,
                                                                     make_user, monkeypatch):
    session = make_session(app, starts_in=dt.timedelta(minutes=90))  # booking closes at 60
    login(make_user())
    assert "Book a place" in read_twice(client, "/webinars/").text(f"#booking-{session.id}")
    later = utcnow() + dt.timedelta(minutes=45)
    for module in ("portal.fragments", "portal.blueprints.webinars.views",
                   "portal.blueprints.webinars.models"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    assert "Booking has closed" in read(client, "/webinars/").text(f"#booking-{session.id}")


# --- audiences and people ----------------------------------------------------------------

def test_a_fragment_made_for_a_group_is_never_shown_outside_it(app, client, login, make_user,
                                                               make_article):
    staff, insider, outsider = make_user(role="staff"), make_user(), make_user()
    with app.app_context(), db.connection_context():
        group = Group.create(name="Return to work")
        GroupMembership.create(group=group, user=insider.id)
    make_article(title="For everyone", author=staff)
    make_article(title="For the cohort", author=staff, audience_value=audience.GROUPS,
                 group_ids=[group.id])
    login(insider)  # fills the store first
    assert article_titles(read_twice(client, "/hub/")) == ["For the cohort", "For everyone"]
    login(outsider)
    assert article_titles(read_twice(client, "/hub/")) == ["For everyone"]
    assert client.get("/hub/articles/for-the-cohort").status_code == 404
    assert read(client, "/hub/search?q=cohort").texts("#results h2") == []


def test_moderators_and_members_get_their_own_board_lists(app, client, login, boards,
                                                          post_as, make_user):
    hidden = post_as(boards.staff, boards.general, title="Taken down")
    post_as(boards.staff, boards.general, title="Still up")
    with app.app_context(), db.connection_context():
        Thread.update(hidden=True).where(Thread.id == hidden.thread_id).execute()
    login(make_user(role="moderator"))
    assert [r["title"] for r in thread_rows(read_twice(client, "/boards/general"))] == [
        "Still up", "Taken down"]
    login(boards.outsider)
    assert [r["title"] for r in thread_rows(read_twice(client, "/boards/general"))] == [
        "Still up"]


def test_a_held_thread_and_a_hidden_post_show_only_to_their_author(app, client, login, boards,
                                                                   post_as):
    from portal import settings

    with app.app_context(), db.connection_context():
        settings.save({"held_words": "forbidden"})
    post_as(boards.outsider, boards.general, title="A forbidden word")  # held
    started = post_as(boards.staff, boards.general, title="Visible")
    reply = post_as(boards.outsider, thread=started.thread, body="My reply")
    with app.app_context(), db.connection_context():
        Post.update(status="hidden", hidden_reason="Rude").where(Post.id == reply.id).execute()
    thread = f"/boards/threads/{started.thread_id}"
    login(boards.outsider)  # the author reads first
    assert [r["title"] for r in thread_rows(read(client, "/boards/general"))] == [
        "Visible", "A forbidden word"]
    assert "Hidden by a moderator. Reason: Rude" in read(client, thread).text("#posts")
    login(boards.mentor)  # the same audience (a member, no groups here): not theirs
    boards_page = read_twice(client, "/boards/general")
    assert [r["title"] for r in thread_rows(boards_page)] == ["Visible"]
    page = read_twice(client, thread)
    assert posts_on(page)[1] == "This post was hidden by a moderator."
    assert "Rude" not in page.text("#posts")


def test_what_is_new_and_a_persons_own_actions_stay_theirs(app, client, login, boards,
                                                           post_as, make_user):
    started = post_as(boards.staff, boards.general, title="Rotas", body="Who does rotas?")
    mine = post_as(boards.outsider, thread=started.thread, body="I do.")
    post_as(boards.staff, thread=started.thread, body="Thank you.")
    thread = f"/boards/threads/{started.thread_id}"
    login(boards.outsider)
    outsider_page = read(client, thread)
    assert outsider_page.texts("#posts .tandem-unread") == ["New"]  # "Thank you."
    assert "Delete your post" in outsider_page.text(f"#post-{mine.id}")
    login(boards.mentor)
    page = read_twice(client, thread)
    assert page.texts("#posts .tandem-unread") == []  # read on the first visit
    assert "Delete your post" not in page.text("#posts")
    assert "Report post by Omar Outsider" in page.text(f"#post-{mine.id}")
    assert csrf_of(page).startswith("I") and "tandem:" not in str(page.soup)  # filled
    assert "Mina Mentor" in page.text("header") and "Omar Outsider" not in page.text("header")


def test_each_session_gets_its_own_token_in_the_actions_on_its_own_posts(
        app, client, login, boards, post_as):
    """A thread page with the person's own posts filled in is kept for the next request
    with the same posts, but never with one session's CSRF token in it."""
    from itsdangerous import URLSafeTimedSerializer

    from tests.conftest import CSRF_RAW_TOKEN, TEST_PASSWORD

    started = post_as(boards.outsider, boards.general, title="Rotas", body="Who does rotas?")
    thread = f"/boards/threads/{started.thread_id}"
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    delete_form = f'form[action="/boards/posts/{started.id}/delete"] input[name=csrf_token]'
    login(boards.outsider)
    first = read_twice(client, thread)
    assert signer.loads(first.soup.select_one(delete_form)["value"]) == CSRF_RAW_TOKEN

    other = app.test_client()
    with other.session_transaction() as session:
        session["csrf_token"] = "another-session"
    assert other.post("/accounts/login", data={
        "email": boards.outsider.email, "password": TEST_PASSWORD,
        "csrf_token": signer.dumps("another-session")}).status_code == 303
    token = read(other, thread).soup.select_one(delete_form)["value"]
    assert signer.loads(token) == "another-session"
    response = other.post(f"/boards/posts/{started.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert posts_on(read(client, thread)) == ["This post was deleted."]


def test_the_header_count_on_a_shared_page_is_the_readers_own(app, client, login, make_user):
    """Two people of one audience read the same stored hub list; each sees their own
    number of unread notifications, and the count moves when they read them."""
    from portal import notifications

    told, untold = make_user(email="told@example.org"), make_user(email="untold@example.org")
    with app.app_context(), db.connection_context():
        for i in range(2):
            notifications.notify(told.id, "application", f"Notice {i}", "/dashboard",
                                 f"test:{told.id}:{i}")
    login(untold)
    assert read_twice(client, "/hub/").text("#notification-count") == "Notifications"
    login(told)
    assert read_twice(client, "/hub/").text("#notification-count") == "Notifications 2 new"
    with app.app_context(), db.connection_context():
        notifications.mark_all_read(User.get_by_id(told.id))
    assert read(client, "/hub/").text("#notification-count") == "Notifications"


def test_a_shared_render_cannot_read_the_person(app):
    member = User(id=7, name="Ann", role="member")
    member.group_ids = (3,)
    stand_in = fragments.Audience(member)
    assert (stand_in.role, stand_in.group_ids) == ("member", (3,))
    for personal in ("id", "name", "email", "suspension_notice"):
        with pytest.raises(fragments.PersonalValueInSharedFragment):
            getattr(stand_in, personal)


# --- writes on a read ----------------------------------------------------------------------

def test_the_second_visit_to_a_thread_writes_nothing(app, client, login, boards, post_as):
    started = post_as(boards.staff, boards.general, title="Rotas", body="Who does rotas?")
    post_as(boards.outsider, thread=started.thread, body="@Mina Mentor what do you think?")
    thread = f"/boards/threads/{started.thread_id}"
    login(boards.mentor)
    with count_queries() as first:
        read(client, thread)
    written = [q.msg[0].split()[0] for q in first.get_queries()]
    assert "INSERT" in written and "UPDATE" in written  # the marker, the notification
    with count_queries() as second:
        read(client, thread)
    statements = [q.msg[0] for q in second.get_queries()]
    assert not [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert read(client, "/notifications/").texts("#notification-rows .tandem-unread") \
        == []


# --- the versions ----------------------------------------------------------------------------

def version(area: str):
    return (fragments.ContentVersion.select(fragments.ContentVersion.version)
            .where(fragments.ContentVersion.area == area).scalar())


def test_any_write_raises_its_areas_version_and_a_rolled_back_one_does_not(
        app, database, make_article):
    article = make_article(title="Versions")
    before = version(fragments.HUB)
    with db.atomic() as transaction:
        Article.update(title="Renamed").where(Article.id == article.id).execute()
        transaction.rollback()
    assert version(fragments.HUB) == before
    Article.update(title="Renamed").where(Article.id == article.id).execute()  # not a service
    assert version(fragments.HUB) > before
    library = version(fragments.LIBRARY)
    User.update(name="New name").where(User.id == article.owner_id).execute()
    assert version(fragments.LIBRARY) == library  # names show on the boards, not the library


def test_old_fragments_are_removed_and_rendered_again_when_read(app, client, login, make_user,
                                                                make_article):
    make_article(title="Kept")
    login(make_user())
    read_twice(client, "/hub/")
    with app.app_context(), db.connection_context():
        assert fragments.purge() == 0
        fragments.Fragment.update(written_at=utcnow() - dt.timedelta(days=3)).execute()
        assert fragments.purge() > 0
    assert article_titles(read(client, "/hub/")) == ["Kept"]


def test_a_page_another_app_server_stored_again_is_what_the_next_read_shows(
        app, client, login, make_user, make_article):
    """A process holds the pages it has read, but the store says which copy is current:
    one written since by another server (same versions, new text) is read afresh."""
    make_article(title="Read here first")
    login(make_user())
    assert article_titles(read_twice(client, "/hub/")) == ["Read here first"]
    with app.app_context(), db.connection_context():
        for row in fragments.Fragment.select():
            row.html = row.html.replace("Read here first", "Rendered on another server")
            row.written_at = utcnow()
            row.save()
    assert article_titles(read(client, "/hub/")) == ["Rendered on another server"]


def test_a_board_kept_filled_for_one_person_shows_each_person_their_own_unread_rows(
        app, client, login, boards, post_as, make_user):
    """The board's list is kept with the reader's unread rows filled in, for each set of
    unread rows: the same stored list shows another reader of the same audience, or the
    same reader once they have read a thread, their own."""
    started = post_as(boards.staff, boards.general, title="Rotas", body="Who does rotas?")
    post_as(boards.staff, boards.general, title="Leave", body="Any tips?")
    board = f"/boards/{boards.general.slug}"
    login(boards.outsider)
    both_new = [{"title": "Leave", "unread": "New"}, {"title": "Rotas", "unread": "New"}]
    assert thread_rows(read_twice(client, board)) == both_new
    read(client, f"/boards/threads/{started.thread_id}")
    assert thread_rows(read_twice(client, board)) == [
        {"title": "Leave", "unread": "New"}, {"title": "Rotas", "unread": ""}]

    login(make_user(name="Nia Newcomer"))  # the same audience: no groups
    assert thread_rows(read_twice(client, board)) == both_new
