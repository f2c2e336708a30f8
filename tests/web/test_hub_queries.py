"""The hub's pages issue a fixed number of queries, with 10 articles and with 5,000."""
import datetime as dt

from playhouse.test_utils import count_queries

from portal import search
from portal.blueprints.hub.models import Article, ArticleTopic
from portal.db import db
from portal.search import SearchDocument
from tests.pages import Page

WORDS = ["handover", "resilience", "return", "rota", "mentor", "network", "career", "leave"]


def add_articles(app, author, topic, first: int, count: int) -> None:
    now = dt.datetime(2026, 1, 1)
    with app.app_context(), db.connection_context(), db.atomic():
        rows = [{"title": f"Article {n} about {WORDS[n % len(WORDS)]}", "slug": f"article-{n}",
                 "summary": f"Summary {n} on {WORDS[(n + 3) % len(WORDS)]}",
                 "body": f"Body {n}: {' '.join(WORDS)}", "body_html": f"<p>Body {n}</p>",
                 "status": "published", "owner": author.id, "published_at": now,
                 "updated_at": now + dt.timedelta(minutes=n)}
                for n in range(first, first + count)]
        for start in range(0, len(rows), 500):
            Article.insert_many(rows[start:start + 500]).execute()
        new = list(Article.select(Article.id, Article.title, Article.summary, Article.body)
                   .where(Article.slug.in_([r["slug"] for r in rows])))
        for start in range(0, len(new), 500):
            chunk = new[start:start + 500]
            ArticleTopic.insert_many([{"article": a.id, "topic": topic.id} for a in chunk]
                                     ).execute()
            SearchDocument.insert_many([{"kind": "article", "object_id": a.id,
                                         "title": a.title, "summary": a.summary,
                                         "body": a.body} for a in chunk]).execute()
        search.rebuild()


PAGES = {
    "list": "/hub/",
    "topic": "/hub/topics/{topic}",
    "search": "/hub/search?q=resilience",
    "article": "/hub/articles/article-5",
    "dashboard": "/dashboard",
}


def measure(client, topic):
    counts, rows = {}, {}
    for name, url in PAGES.items():
        with count_queries() as counter:
            response = client.get(url.format(topic=topic.slug))
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
        page = Page(response)
        rows[name] = len(page.soup.select(".tandem-article-row")) or page.heading()
    return counts, rows


def test_hub_pages_issue_the_same_queries_at_10_and_5000_articles(app, client, make_user,
                                                                  login, topics):
    author, reader = make_user(role="staff"), make_user()
    add_articles(app, author, topics[0], 0, 10)
    login(reader)
    few_counts, few_rows = measure(client, topics[0])
    add_articles(app, author, topics[0], 10, 4990)
    many_counts, many_rows = measure(client, topics[0])

    assert many_counts == few_counts
    assert few_rows["list"] == 10 and many_rows["list"] == 20  # one page of 20
    assert many_rows["topic"] == 20
    assert many_rows["search"] == 50  # the best 50 matches
    assert many_rows["article"] == "Article 5 about network"
    # The header's notification count is one; the dashboard's expert-requests card another,
    # and a dashboard rendered after a write looks for its kept copy and keeps the new one.
    assert max(many_counts.values()) <= 11
