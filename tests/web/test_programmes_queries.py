"""The review pages issue the same number of queries with 10 applications and with 10,000.

Applicants and applications go in with insert_many in chunks (building them through the
services would take minutes); every other column keeps its model default.
"""
import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import services
from portal.blueprints.programmes.models import (
    ACCEPTED,
    MENTEE,
    MENTOR,
    REVIEWABLE,
    Application,
)
from portal.db import db
from tests.pages import Page
from tests.programme_factories import make_rtw

CHUNK = 1000
START = dt.datetime(2026, 1, 1)


def insert_chunked(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def fill(app, programme, cohort, total: int) -> None:
    """Applicants and their applications, up to `total`, in every reviewable status."""
    with app.app_context(), db.connection_context(), db.atomic():
        have = Application.select().where(Application.cohort == cohort.id).count()
        first = User.select().count()
        users = [{"name": f"Applicant {n}", "email": f"applicant{n}@example.org",
                  "password_hash": "x", "pay_band": "Band 6"}
                 for n in range(first, first + total - have)]
        insert_chunked(User, users)
        ids = [u.id for u in User.select(User.id).where(User.email.startswith("applicant"))
               .order_by(User.id)][have:]
        insert_chunked(Application, [
            {"applicant": uid, "programme": programme.id, "cohort": cohort.id,
             "role": MENTEE if n % 3 else MENTOR, "status": REVIEWABLE[n % len(REVIEWABLE)],
             "leave_type": "maternity", "submitted_at": START + dt.timedelta(minutes=n)}
            for n, uid in enumerate(ids, start=have)])


def measure(client, programme, cohort, application_id: int) -> tuple[dict, dict]:
    base = f"/programmes/review/{programme.id}"
    pages = {"review": base, "mentees": f"{base}?role=mentee",
             "accepted": f"{base}?status=accepted&cohort={cohort.id}",
             "second-page": f"{base}?after=t{(START + dt.timedelta(minutes=5)).isoformat()}~6",
             "fragment": f"{base}?role=mentor", "application": f"/programmes/review/"
             f"applications/{application_id}",
             "training": f"/programmes/review/cohorts/{cohort.id}/training",
             "cohort": f"/programmes/manage/cohorts/{cohort.id}",
             "manage": "/programmes/manage"}
    counts, shown = {}, {}
    for name, url in pages.items():
        headers = {"HX-Request": "true"} if name == "fragment" else {}
        with count_queries() as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
        shown[name] = len(Page(response).table("#applications"))
    return counts, shown


@pytest.mark.long
def test_the_review_pages_issue_the_same_queries_at_10_and_10000_applications(
        app, client, login, make_user):
    coordinator = make_user(role="staff", name="Cora Coordinator")
    with app.app_context(), db.connection_context():
        actor = User.get_by_id(coordinator.id)
        programme, cohort = make_rtw(actor)
        services.add_coordinator(actor, programme, actor)
    fill(app, programme, cohort, 10)
    with app.app_context(), db.connection_context():
        first = Application.select().where(Application.status == ACCEPTED).get().id
    login(coordinator)
    few_counts, few_shown = measure(client, programme, cohort, first)

    fill(app, programme, cohort, 10_000)
    with app.app_context(), db.connection_context():
        assert Application.select().count() == 10_000
    many_counts, many_shown = measure(client, programme, cohort, first)
    assert many_counts == few_counts
    assert max(many_counts.values()) <= 15
    assert few_shown["review"] == 10 and many_shown["review"] == 50
