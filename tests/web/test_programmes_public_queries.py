"""The public pages issue the same number of queries with 10 and with 10,000 applications
(and the dashboard's applications card is one query, whatever the person has)."""
from playhouse.test_utils import count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes.models import MENTEE, MENTOR, Application
from portal.db import db, utcnow
from tests.pages import Page
from tests.programme_factories import make_rtw


def add_applications(app, programme, cohort, first: int, count: int) -> None:
    """`count` applicants, each with a submitted application, inserted in bulk."""
    now = utcnow()
    with app.app_context(), db.connection_context(), db.atomic():
        people = [{"name": f"Applicant {n}", "email": f"applicant{n}@example.org",
                   "password_hash": "x", "role": "member"} for n in range(first, first + count)]
        for start in range(0, len(people), 500):
            User.insert_many(people[start:start + 500]).execute()
        ids = [u.id for u in User.select(User.id).where(
            User.email.in_([p["email"] for p in people]))]
        rows = [{"applicant": uid, "programme": programme.id, "cohort": cohort.id,
                 "role": MENTEE if i % 3 else MENTOR, "status": "submitted",
                 "motivation": "Because", "submitted_at": now}
                for i, uid in enumerate(ids)]
        for start in range(0, len(rows), 500):
            Application.insert_many(rows[start:start + 500]).execute()


def measure(client, programme):
    counts, seen = {}, {}
    for name, url in {"list": "/programmes/", "programme": f"/programmes/{programme.slug}",
                      "landing": "/"}.items():
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = counter.count
        seen[name] = Page(response).texts("#programme-cards h3") or Page(response).heading()
    return counts, seen


def test_the_public_pages_issue_the_same_queries_with_10_and_10000_applications(
        app, client, make_user):
    staff = make_user(role="staff")
    with app.app_context(), db.connection_context():
        programme, cohort = make_rtw(staff)
    add_applications(app, programme, cohort, 0, 10)
    few_counts, few_seen = measure(client, programme)
    add_applications(app, programme, cohort, 10, 9990)
    many_counts, many_seen = measure(client, programme)

    assert many_counts == few_counts
    assert many_seen == few_seen == {"list": ["Return to Work"], "landing": ["Return to Work"],
                                     "programme": "Return to Work"}
    assert max(many_counts.values()) <= 6


def test_the_dashboard_card_is_one_query_however_many_applications(app, client, make_user,
                                                                   login):
    staff, person = make_user(role="staff"), make_user(name="Busy Applicant")
    with app.app_context(), db.connection_context():
        programmes = [make_rtw(staff, name=f"Scheme {n}") for n in range(4)]
    login(person)
    with count_queries() as few:
        assert client.get("/dashboard").status_code == 200
    with app.app_context(), db.connection_context():
        Application.insert_many([{"applicant": person.id, "programme": p.id, "cohort": c.id,
                                  "role": role, "status": "submitted"}
                                 for p, c in programmes for role in (MENTOR, MENTEE)]
                                ).execute()
    with count_queries() as many:
        response = client.get("/dashboard")
    assert len(Page(response).texts("#your-applications li")) == 8
    assert many.count == few.count
