"""Thread and board pages issue a fixed number of queries, at 10 posts and at 100,000.

The data goes in in bulk: thread rows with their counters through insert_many in chunks,
then every post in one INSERT ... SELECT over a counting CTE, which spares building 100,000
model rows in Python. One long thread has 60,000 posts; 2,000 threads have 20 each. How long
the insert takes is not asserted: it depends on the machine, not on the portal.
"""
import datetime as dt

from playhouse.test_utils import count_queries

from portal.blueprints.boards.models import (
    BOARD_POST,
    Board,
    Notification,
    Post,
    ReadMarker,
    Thread,
)
from portal.db import db
from portal.notifications import UserNotification
from tests.pages import Page
from tests.web.boards_setup import *  # noqa: F403

CHUNK = 1000
START = dt.datetime(2026, 1, 1)
# The post columns this test fills from SQL; every other column gets its model default, so
# a column added later does not break the bulk insert.
POST_VALUES = {
    "thread_id": "t.id",
    "number": "n.x",
    "author_id": "CASE WHEN (n.x / 2) * 2 = n.x THEN {second} ELSE {first} END",
    "body": "'Post ' || n.x || ' about rotas'",
    "body_html": "'<p>Post ' || n.x || ' about rotas</p>'",
    "created_at": "t.created_at",
}


def posts_sql() -> tuple[str, list]:
    """INSERT ... SELECT over a counting CTE; placeholders carry the other defaults."""
    columns, values, params = [], [], []
    for field in Post._meta.sorted_fields:
        if field.primary_key:
            continue
        columns.append(field.column_name)
        if field.column_name in POST_VALUES:
            values.append(POST_VALUES[field.column_name])
        else:
            values.append(db.obj.param)
            params.append(field.db_value(field.default))
    sql = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {most}) "
           f"INSERT INTO post ({', '.join(columns)}) SELECT {', '.join(values)} "
           "FROM thread t JOIN n ON n.x <= t.post_count WHERE t.id BETWEEN {low} AND {high}")
    return sql, params


def insert_chunked(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def fill(app, boards, long_posts: int, threads: int, posts_each: int) -> tuple[int, int]:
    """Returns the long thread's id and how many posts there are now."""
    with app.app_context(), db.connection_context(), db.atomic():
        first, second = boards.staff.id, boards.outsider.id
        board = boards.general.id
        after = Thread.select(Thread.id).order_by(Thread.id.desc()).scalar() or 0
        sizes = [("The long thread", long_posts)] + [(f"Thread {n}", posts_each)
                                                     for n in range(threads)]
        insert_chunked(Thread, [
            {"board": board, "title": title, "author": first, "post_count": size,
             "created_at": START + dt.timedelta(minutes=10 * n),
             "last_post_at": START + dt.timedelta(minutes=10 * n + size),
             "last_poster": second if size % 2 == 0 else first}
            for n, (title, size) in enumerate(sizes)])
        ids = [t.id for t in Thread.select(Thread.id).where(Thread.id > after)
               .order_by(Thread.id)]
        sql, params = posts_sql()
        for most, low, high in ((long_posts, ids[0], ids[0]), (posts_each, ids[1], ids[-1])):
            db.execute_sql(sql.format(most=most, first=first, second=second, low=low,
                                      high=high), params)
        markers = [{"user": boards.mentor.id, "thread": ids[0], "last_read_number": 5}] + [
            {"user": boards.mentor.id, "thread": thread_id, "last_read_number": posts_each - n % 2}
            for n, thread_id in enumerate(ids[1:]) if n % 3 == 0]
        insert_chunked(ReadMarker, markers)
        seconds = (Post.select(Post.id, Post.thread).where(Post.number == 2, Post.thread > after)
                   .order_by(Post.id.desc()).limit(40))
        insert_chunked(Notification, [{"user": boards.mentor.id, "kind": "reply", "post": p.id,
                                       "thread": p.thread_id, "actor": first} for p in seconds])
        insert_chunked(UserNotification, [
            {"user": boards.mentor.id, "kind": "board_reply", "text": "A reply",
             "url": f"/boards/posts/{p.id}", "key": f"boards:{p.id}:{boards.mentor.id}",
             "subject_type": BOARD_POST, "subject_id": p.id} for p in seconds])
        total = Post.select().count()
        Board.update(thread_count=Thread.select().count(), post_count=total).where(
            Board.id == board).execute()
        return ids[0], total


def measure(client, long_id: int) -> tuple[dict, dict]:
    thread = f"/boards/threads/{long_id}"
    pages = {"boards": "/boards/", "board": "/boards/general", "thread": thread,
             "thread-last": f"{thread}?page=999", "thread-middle": f"{thread}?page=2",
             "notifications": "/notifications/", "unread": f"{thread}/unread"}
    counts, shown = {}, {}
    for name, url in pages.items():
        # Reads only: a visit writes when it moves the reader's marker or stores a shared
        # fragment, which follows what they have read, not how many posts there are.
        with count_queries(only_select=True) as counter:
            response = client.get(url)
        assert response.status_code in (200, 303), (name, response.status_code)
        counts[name] = counter.count
        page = Page(response)
        shown[name] = len(page.soup.select("#posts > li, #thread-rows > li.tandem-thread-row, "
                                           "#notification-rows > li.tandem-notification"))
    return counts, shown


def test_thread_and_board_pages_issue_the_same_queries_at_10_and_100000_posts(
        app, client, login, boards):
    small_long, small_total = fill(app, boards, long_posts=4, threads=3, posts_each=2)
    assert small_total == 10
    login(boards.mentor)
    few_counts, few_shown = measure(client, small_long)

    big_long, big_total = fill(app, boards, long_posts=60_000, threads=2_000, posts_each=20)
    assert big_total == 100_010
    many_counts, many_shown = measure(client, big_long)
    assert many_counts == few_counts
    assert max(many_counts.values()) <= 10
    assert few_shown["thread"] == 4 and many_shown["thread"] == 20
    assert many_shown["board"] == 25 and many_shown["notifications"] == 30
