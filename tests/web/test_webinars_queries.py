"""Webinar pages issue a fixed number of queries, with a few sessions and bookings and with
hundreds of them."""
import datetime as dt

from playhouse.test_utils import count_queries

from portal.blueprints.library.models import Resource
from portal.blueprints.webinars.models import (
    BOOKED,
    WAITLISTED,
    WebinarBooking,
    WebinarResource,
    WebinarSession,
)
from portal.db import db, utcnow
from tests.pages import Page
from tests.webinar_factories import LINK


def add_sessions(app, count: int, first: int) -> list[int]:
    start = utcnow().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    with app.app_context(), db.connection_context(), db.atomic():
        rows = [{"title": f"Session {n}", "starts_at": start + dt.timedelta(hours=n),
                 "ends_at": start + dt.timedelta(hours=n, minutes=90), "capacity": 5,
                 "joining_link": LINK, "uid": f"s{n}@test"} for n in range(first, first + count)]
        for chunk in range(0, len(rows), 200):
            WebinarSession.insert_many(rows[chunk:chunk + 200]).execute()
        return [s.id for s in WebinarSession.select(WebinarSession.id).where(
            WebinarSession.uid.in_([r["uid"] for r in rows]))]


def add_people(app, make_user, session_ids: list[int], count: int, status=BOOKED) -> None:
    people = [make_user() for _ in range(count)]
    with app.app_context(), db.connection_context(), db.atomic():
        rows = [{"session": sid, "user": p.id, "status": status, "joined_at": utcnow(),
                 "booked_at": utcnow() if status == BOOKED else None}
                for sid in session_ids for p in people]
        for chunk in range(0, len(rows), 200):
            WebinarBooking.insert_many(rows[chunk:chunk + 200]).execute()


def past(app, session_ids: list[int]) -> None:
    with app.app_context(), db.connection_context():
        earlier = utcnow() - dt.timedelta(days=3)
        (WebinarSession.update(starts_at=earlier, ends_at=earlier + dt.timedelta(hours=1))
         .where(WebinarSession.id.in_(session_ids)).execute())


def measure(client, pages: dict) -> tuple[dict, dict]:
    counts, rows = {}, {}
    for name, url in pages.items():
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
        page = Page(response)
        rows[name] = len(page.soup.select(".tandem-session-row, tbody tr"))
    return counts, rows


def test_member_pages_issue_the_same_queries_with_5_and_500_sessions(app, client, make_user,
                                                                     login):
    reader = make_user()
    first = add_sessions(app, 5, 0)
    add_people(app, make_user, first[:1], 3)
    add_people(app, make_user, first[1:2], 2, status=WAITLISTED)
    with app.app_context(), db.connection_context():
        for sid in first[:3]:
            WebinarBooking.create(session=sid, user=reader.id, status=BOOKED, booked_at=utcnow())
    past(app, first[2:3])
    login(reader)
    pages = {"list": "/webinars/", "session": f"/webinars/sessions/{first[0]}",
             "mine": "/webinars/mine"}
    few_counts, few_rows = measure(client, pages)

    more = add_sessions(app, 495, 5)
    add_people(app, make_user, [first[0]] + more[:3], 40)
    with app.app_context(), db.connection_context():
        for sid in more[:60]:
            WebinarBooking.create(session=sid, user=reader.id, status=BOOKED, booked_at=utcnow())
    past(app, more[30:60])
    with app.app_context(), db.connection_context():
        for n in range(30):
            resource = Resource.create(title=f"Slides {n}", kind="link",
                                       url=f"https://example.org/{n}")
            WebinarResource.create(session=first[0], resource=resource)
    many_counts, many_rows = measure(client, pages)

    assert many_counts == few_counts
    assert few_rows["list"] == 4 and many_rows["list"] == 20  # one page of 20
    assert many_rows["mine"] > few_rows["mine"]
    assert max(many_counts.values()) <= 8


def test_staff_pages_issue_the_same_queries_with_few_and_many_bookings(app, client, make_user,
                                                                       login):
    staff = make_user(role="staff")
    sessions = add_sessions(app, 3, 0)
    add_people(app, make_user, sessions[:1], 3)
    add_people(app, make_user, sessions[:1], 2, status=WAITLISTED)
    login(staff)
    pages = {"manage": "/webinars/manage", "session": f"/webinars/sessions/{sessions[0]}",
             "people": f"/webinars/manage/sessions/{sessions[0]}/people",
             "csv": f"/webinars/manage/sessions/{sessions[0]}/attendance.csv",
             "resources": f"/webinars/manage/sessions/{sessions[0]}/resources"}
    few_counts, few_rows = measure(client, pages)

    add_sessions(app, 300, 3)
    add_people(app, make_user, sessions[:1], 150)
    add_people(app, make_user, sessions[:1], 50, status=WAITLISTED)
    many_counts, many_rows = measure(client, pages)

    assert many_counts == few_counts
    assert few_rows["manage"] == 3 and many_rows["manage"] == 50
    assert many_rows["people"] == 153 + 52
    assert max(many_counts.values()) <= 8
