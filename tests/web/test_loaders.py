"""The one loader shape: `get_<thing>_or_404` answers 404 for what a person may not see,
then `permissions.require(rule, user, thing)` answers 403 for what they see but may not
do. The same refused action is a 404 or a 403 depending only on whether the thing is
visible, and an invisible thing is never a 403 (that would confirm it exists)."""
import pytest

from portal.blueprints.boards.models import Thread
from portal.db import db
from tests.web.boards_setup import *  # noqa: F403
from tests.web.boards_setup import HX


@pytest.fixture
def posts(boards, post_as):
    """The mentor's post on General (anyone sees it) and on the Mentor network (the
    outsider is not in its group)."""
    return {"seen": post_as(boards.mentor, boards.general, "Open", "Seen by all"),
            "unseen": post_as(boards.mentor, boards.mentors, "Closed", "Mentors only")}


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
@pytest.mark.parametrize(("method", "action"), [("GET", "edit"), ("POST", "delete")])
def test_someone_elses_post_is_403_when_seen_and_404_when_not(client, login, boards, posts,
                                                              csrf_token, headers, method,
                                                              action):
    login(boards.outsider)
    status = {key: client.open(f"/boards/posts/{post.id}/{action}", method=method,
                               headers=headers, data={"csrf_token": csrf_token}).status_code
              for key, post in posts.items()}
    assert status == {"seen": 403, "unseen": 404}
    assert client.get("/boards/posts/999999/edit").status_code == 404


def test_reporting_your_own_post_is_403_and_a_hidden_thread_is_404(app, client, login,
                                                                   boards, posts, csrf_token):
    login(boards.mentor)
    assert client.get(f"/boards/posts/{posts['seen'].id}/report").status_code == 403
    with app.app_context(), db.connection_context():
        Thread.update(hidden=True).where(Thread.id == posts["seen"].thread_id).execute()
    assert client.get(f"/boards/posts/{posts['seen'].id}/report").status_code == 404
    login(boards.staff)  # staff are moderators: hidden threads stay visible to them
    assert client.get(f"/boards/posts/{posts['seen'].id}/edit").status_code == 403


def test_a_locked_thread_refuses_replies_with_403(app, client, login, boards, posts):
    with app.app_context(), db.connection_context():
        Thread.update(locked=True).where(Thread.id == posts["seen"].thread_id).execute()
    login(boards.outsider)
    assert client.get(f"/boards/threads/{posts['seen'].thread_id}/reply").status_code == 403
    assert client.get(f"/boards/threads/{posts['unseen'].thread_id}/reply").status_code == 404


def test_manage_pages_refuse_before_they_look(client, login, boards):
    """For a page only staff may use, a member gets 403 whether or not the id exists."""
    login(boards.outsider)
    for url in (f"/boards/manage/{boards.general.id}/edit", "/boards/manage/999999/edit",
                "/hub/manage/999999/edit", "/webinars/manage/sessions/999999/edit"):
        assert client.get(url).status_code == 403, url
    login(boards.staff)
    assert client.get("/boards/manage/999999/edit").status_code == 404


def test_a_fragment_swap_brings_its_message_out_of_band_once(client, login, boards, posts,
                                                             csrf_token):
    """portal.htmx.with_flashes: the fragment, then one #flashes region swapped out of
    band with the message a full page would have shown."""
    login(boards.mentor)
    response = client.post(f"/boards/posts/{posts['seen'].id}/delete", headers=HX,
                           data={"csrf_token": csrf_token})
    assert response.text.count('id="flashes"') == 1
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert "Your post has been deleted." in response.text
