"""Library list and search pages issue a fixed number of queries at 10 and 5,000 resources."""
import datetime as dt

from playhouse.test_utils import count_queries

from portal import search
from portal.blueprints.library.models import Resource, ResourceFile, ResourceTopic
from portal.db import db
from portal.search import SearchDocument
from tests.pages import Page

WORDS = ["workbook", "slides", "recording", "template", "agreement", "checklist"]


def add_resources(app, author, topic, first: int, count: int) -> None:
    start = dt.datetime(2026, 1, 1)
    with app.app_context(), db.connection_context(), db.atomic():
        rows = [{"title": f"Resource {n} {WORDS[n % len(WORDS)]}",
                 "description": f"About {WORDS[(n + 1) % len(WORDS)]}", "kind": "file",
                 "uploaded_by": author.id, "created_at": start + dt.timedelta(minutes=n),
                 "updated_at": start, "download_count": n % 17}
                for n in range(first, first + count)]
        for i in range(0, len(rows), 500):
            Resource.insert_many(rows[i:i + 500]).execute()
        new = list(Resource.select().where(Resource.title.in_([r["title"] for r in rows])))
        for i in range(0, len(new), 500):
            chunk = new[i:i + 500]
            ResourceFile.insert_many([{
                "resource": r.id, "version": 1, "stored_name": f"{r.id:040x}",
                "original_name": f"r{r.id}.pdf", "content_type": "application/pdf",
                "type_label": "PDF", "size": 1000, "sha256": f"{r.id:064x}",
                "uploaded_at": start} for r in chunk]).execute()
            ResourceTopic.insert_many([{"resource": r.id, "topic": topic.id}
                                       for r in chunk]).execute()
            SearchDocument.insert_many([{"kind": "resource", "object_id": r.id,
                                         "title": r.title, "summary": r.description,
                                         "body": ""} for r in chunk]).execute()
        search.rebuild()


PAGES = ["/library/", "/library/?sort=downloads", "/library/?sort=title",
         "/library/?topic={topic}", "/library/?q=workbook", "/library/?q=workbook&kind=file"]


def measure(client, topic):
    counts, rows = [], []
    for url in PAGES:
        with count_queries() as counter:
            response = client.get(url.format(topic=topic.slug))
        assert response.status_code == 200
        counts.append(counter.count)
        rows.append(len(Page(response).soup.select(".tandem-resource-row")))
    return counts, rows


def test_list_and_search_queries_do_not_grow(app, client, make_user, login, topics):
    author = make_user(role="staff")
    add_resources(app, author, topics[0], 0, 10)
    login(make_user())
    few, few_rows = measure(client, topics[0])
    add_resources(app, author, topics[0], 10, 4990)
    many, many_rows = measure(client, topics[0])
    assert few == many
    assert few_rows == [10, 10, 10, 10, 3, 3]  # "workbook": titles 0 and 6, description 5
    assert many_rows == [20, 20, 20, 20, 50, 50]
    assert max(many) <= 9  # a page rendered afresh and stored for its audience
