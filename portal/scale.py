"""`flask seed-scale`: a database the size of a large organisation's, for `make bench`.

On top of the demo data: people, published hub articles (with topics, some for the Mentors
group only, all in the search index), and board threads of twenty posts on the demo boards,
plus one thread of 200 posts. Rows go in with insert_many in batches, each batch kind in one
transaction; the posts are written as plain text (no mentions), as a bulk import would.
"""
import datetime as dt
import random

from werkzeug.security import generate_password_hash

from portal import audience, search
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import Board, Post, Thread
from portal.blueprints.hub.models import PUBLISHED, Article, ArticleTopic
from portal.db import db, utcnow
from portal.groups import Group
from portal.search import SearchDocument
from portal.taxonomy import Topic

BATCH = 1000
POSTS_PER_THREAD = 20
LONG_THREAD_POSTS = 200
LONG_THREAD_TITLE = "A long thread: 200 posts about rotas"
WORDS = ("rota handover leave return resilience mentor network career confidence phased "
         "flexible supervision wellbeing team manager shift training review plan goal "
         "balance change identity support coaching listening feedback progress").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        with db.atomic():
            model.insert_many(rows[start:start + BATCH]).execute()


def add_people(count: int, rng: random.Random) -> list[int]:
    """Members who can sign in with one shared password (hashed once)."""
    first = (User.select(User.id).order_by(User.id.desc()).scalar() or 0) + 1
    password_hash = generate_password_hash("tandem-scale-2026", method="pbkdf2:sha256:1000")
    now = utcnow()
    _insert(User, [{"name": f"Scale Person {first + n}",
                    "email": f"scale{first + n}@tandem.example", "password_hash": password_hash,
                    "role": "member", "email_verified_at": now,
                    "organisation": f"Trust {rng.randrange(40)}"} for n in range(count)])
    return [u.id for u in User.select(User.id).where(User.email.startswith("scale"))]


def add_articles(count: int, rng: random.Random) -> None:
    """Published articles on one or two topics; one in ten for the Mentors group only."""
    author = User.select(User.id).where(User.role == "staff").order_by(User.id).scalar()
    topics = [t.id for t in Topic.select(Topic.id)]
    mentors = Group.select(Group.id).where(Group.name == "Mentors").scalar()
    first = (Article.select(Article.id).order_by(Article.id.desc()).scalar() or 0) + 1
    start = utcnow() - dt.timedelta(days=count // 10 + 30)
    rows = []
    for n in range(count):
        body = " ".join(_text(rng, 12) for _ in range(8))
        rows.append({"title": f"{_text(rng, 5)[:-1]} ({first + n})",
                     "slug": f"scale-{first + n}",
                     "summary": _text(rng, 15), "body": body, "body_html": f"<p>{body}</p>",
                     "kind": rng.choice(["guide", "story", "toolkit", "checklist"]),
                     "status": PUBLISHED, "owner": author, "reading_minutes": 3,
                     "audience": (audience.GROUPS if n % 10 == 0 and mentors
                                  else audience.SIGNED_IN),
                     "published_at": start, "created_at": start,
                     "updated_at": start + dt.timedelta(minutes=6 * n)})
    _insert(Article, rows)
    added = list(Article.select(Article.id, Article.title, Article.summary, Article.body,
                                Article.audience).where(Article.slug.startswith("scale-")))
    _insert(ArticleTopic, [{"article": a.id, "topic": topic} for a in added
                           for topic in rng.sample(topics, 2 if a.id % 3 == 0 else 1)])
    _insert(audience.AudienceGroup, [
        {"object_type": audience.object_type(Article), "object_id": a.id, "group": mentors}
        for a in added if a.audience == audience.GROUPS])
    _insert(SearchDocument, [{"kind": "article", "object_id": a.id, "title": a.title,
                              "summary": a.summary, "body": a.body} for a in added])
    with db.atomic():
        search.rebuild()


def add_posts(count: int, people: list[int], rng: random.Random) -> int:
    """`count` posts: one thread of 200 on the Mentor network board, the rest in threads of
    twenty spread over the demo boards (most on the Mentor network). Returns the long
    thread's id."""
    boards = [b.id for b in Board.select(Board.id).order_by(Board.position, Board.id)]
    long_posts = min(count, LONG_THREAD_POSTS)
    sizes = [long_posts] + [POSTS_PER_THREAD] * ((count - long_posts) // POSTS_PER_THREAD)
    start = utcnow() - dt.timedelta(days=len(sizes) // 20 + 1)
    threads = []
    for n, size in enumerate(sizes):
        board = boards[0] if n == 0 or n % 4 else rng.choice(boards)
        created = start + dt.timedelta(minutes=30 * n)
        threads.append({"board": board, "title": LONG_THREAD_TITLE if n == 0 else
                        f"{_text(rng, 6)[:-1]} ({n})", "author": rng.choice(people),
                        "created_at": created, "post_count": size,
                        "last_post_at": created + dt.timedelta(minutes=size),
                        "last_poster": rng.choice(people)})
    first = (Thread.select(Thread.id).order_by(Thread.id.desc()).scalar() or 0) + 1
    _insert(Thread, threads)
    ids = [t.id for t in Thread.select(Thread.id).where(Thread.id >= first).order_by(Thread.id)]
    rows = []
    for thread_id, thread in zip(ids, threads, strict=True):
        for number in range(1, thread["post_count"] + 1):
            body = _text(rng, 25)
            rows.append({"thread": thread_id, "number": number, "author": rng.choice(people),
                         "body": body, "body_html": f"<p>{body}</p>",
                         "created_at": thread["created_at"] + dt.timedelta(minutes=number)})
            if len(rows) == BATCH * 10:
                _insert(Post, rows)
                rows = []
    _insert(Post, rows)
    with db.atomic():
        for board in boards:
            board_threads = Thread.select().where(Thread.board == board)
            (Board.update(thread_count=board_threads.count(),
                          post_count=Post.select().join(Thread)
                          .where(Thread.board == board).count(),
                          last_post_at=utcnow())
             .where(Board.id == board).execute())
    return ids[0]


def seed(people: int, articles: int, posts: int, seed: int = 18) -> dict:
    rng = random.Random(seed)
    person_ids = add_people(people, rng) if people else []
    if articles:
        add_articles(articles, rng)
    authors = person_ids or [u.id for u in User.select(User.id).limit(20)]
    long_thread = add_posts(posts, authors, rng) if posts else None
    return {"people": len(person_ids), "articles": articles, "posts": posts,
            "long_thread": long_thread}
