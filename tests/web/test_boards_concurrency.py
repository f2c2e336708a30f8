"""Replies written at the same moment get distinct, gapless numbers, and the thread's and
board's counters match the posts, on SQLite (write lock taken up front) and PostgreSQL
(the counter's row lock)."""
import threading

from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services
from portal.blueprints.boards.models import Board, Post, Thread
from portal.db import db
from tests.web.boards_setup import *  # noqa: F403

WRITERS, EACH = 6, 5


def test_concurrent_replies_number_and_count_correctly(app, boards, post_as):
    first = post_as(boards.staff, boards.general, "Busy", "Go")
    errors = []

    def write(n: int) -> None:
        try:
            with app.app_context(), db.connection_context():
                author = User.get_by_id([boards.mentor.id, boards.outsider.id][n % 2])
                for i in range(EACH):
                    services.reply(author, Thread.get_by_id(first.thread_id), f"{n}.{i}")
        except Exception as exc:  # reported below, from the main thread
            errors.append(repr(exc))

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    with app.app_context(), db.connection_context():
        numbers = sorted(p.number for p in Post.select(Post.number))
        thread, board = Thread.get_by_id(first.thread_id), Board.get_by_id(boards.general.id)
    assert numbers == list(range(1, WRITERS * EACH + 2))
    assert thread.post_count == board.post_count == WRITERS * EACH + 1
