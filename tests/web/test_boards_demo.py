"""The demo boards: three audiences, realistic threads, and a second seed adds nothing."""
from peewee import fn

from portal.blueprints.boards.models import Board, Mention, Post, Thread
from portal.db import db
from portal.demo import DEMO_PASSWORD, seed
from tests.conftest import FAST_HASH
from tests.pages import Page


def test_demo_boards_are_seeded_once_with_counters_that_add_up(app, client, csrf_token):
    with app.app_context(), db.connection_context():
        seed(FAST_HASH)
        seed(FAST_HASH)
        boards = {b.name: b for b in Board.select().order_by(Board.id)}
        assert list(boards) == ["Mentor network", "Return to work cohort 2027", "General"]
        assert Thread.select().count() == 6
        for board in boards.values():
            posts = (Post.select(fn.COUNT(Post.id)).join(Thread)
                     .where(Thread.board == board).scalar())
            assert (board.thread_count, board.post_count) == (2, posts)
        assert Mention.select().count() == 1  # Priya mentions Tom on the cohort board
        assert Thread.get(Thread.title == "Welcome: introduce yourself").pinned

    client.post("/accounts/login", data={"email": "mentee@tandem.example",
                                         "password": DEMO_PASSWORD, "csrf_token": csrf_token})
    page = Page(client.get("/boards/"))
    assert page.texts("#boards h2 a") == ["Return to work cohort 2027", "General"]
    assert page.text("#unread-notifications") == "1 new"
    general = Page(client.get("/boards/general"))
    assert general.texts("#pinned-threads h3 a") == ["Welcome: introduce yourself"]
