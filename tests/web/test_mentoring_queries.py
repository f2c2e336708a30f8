"""The pair page costs the same number of queries whether the programme has 10 pairs or
1,000, and however much each of them has written."""
import datetime as dt

from playhouse.test_utils import count_queries

from portal.blueprints.mentoring.models import (
    ACTIVE,
    HELD,
    Goal,
    MentoringSession,
    Note,
    Relationship,
)
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair


def add_pairs(app, pair, count: int) -> None:
    """`count` more active pairs in the pair's programme, each with a session, a note and a
    goal, written in bulk."""
    from portal.blueprints.accounts.models import User

    with app.app_context(), db.connection_context(), db.atomic():
        start = User.select().count()
        User.insert_many([{"name": f"Person {start + n}", "email": f"bulk{start + n}@example.org",
                           "password_hash": "x", "role": "member", "created_at": utcnow()}
                          for n in range(2 * count)]).execute()
        ids = [u.id for u in User.select(User.id).order_by(User.id.desc()).limit(2 * count)]
        now = utcnow()
        Relationship.insert_many([
            {"programme": pair.rel.programme_id, "cohort": pair.rel.cohort_id,
             "mentor": ids[2 * n], "mentee": ids[2 * n + 1], "status": ACTIVE,
             "released_at": now, "started_at": now, "created_at": now, "reasons": "[]"}
            for n in range(count)]).execute()
        rels = [r.id for r in Relationship.select(Relationship.id)
                .order_by(Relationship.id.desc()).limit(count)]
        MentoringSession.insert_many([
            {"relationship": r, "starts_at": now, "minutes": 60, "channel": "telephone",
             "status": HELD, "held_on": dt.date.today(), "summary": "Bulk", "created_at": now}
            for r in rels]).execute()
        Note.insert_many([{"relationship": r, "body": "Bulk", "shared": True,
                           "created_at": now, "updated_at": now} for r in rels]).execute()
        Goal.insert_many([{"relationship": r, "title": "Bulk", "created_at": now}
                          for r in rels]).execute()


def queries_for(client, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_the_pair_page_and_workbook_issue_the_same_queries_at_10_and_1000_pairs(
        app, client, login, make_user):
    with app.app_context(), db.connection_context():
        pair = make_pair(make_user)
    add_pairs(app, pair, 9)
    login(pair.mentee)
    pages = [f"/mentoring/{pair.rel.id}", f"/mentoring/{pair.rel.id}/workbook", "/mentoring/"]
    few = [queries_for(client, url) for url in pages]
    add_pairs(app, pair, 990)
    assert [queries_for(client, url) for url in pages] == few
