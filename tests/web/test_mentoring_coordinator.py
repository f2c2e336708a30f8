"""The coordinator's pair list for a cohort: who may open it (the programme's named
coordinators only: 404 for everyone else, admins included), each pair's status, dates and
sessions against the programme's rule, sorting by each column in SQL (with htmx and
without), the CSV export, never a pair's words, the link from the cohort page, and the
same number of queries at 10 and at 1,000 pairs."""
import csv
import datetime as dt
import io
import types

import pytest
from peewee import fn
from playhouse.test_utils import assert_query_count, count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import overview, status
from portal.blueprints.mentoring.models import (
    ACTIVE,
    CLOSED,
    HELD,
    PROPOSED,
    Agreement,
    CheckIn,
    Goal,
    MentoringSession,
    Note,
    Relationship,
)
from portal.db import db, utcnow
from tests.mentoring_factories import make_programme, release_pair
from tests.pages import Page

HX = {"HX-Request": "true"}
CHUNK = 500
SECRETS = ("Secret note words", "Secret summary words", "Secret goal words",
           "Secret agreement words", "Secret closing reason")


def ago(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


def day(n: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=n)


def pairs() -> list[tuple]:
    """(mentor, mentee, relationship fields, sessions held, open flags): one of each status."""
    return [
        ("Alba", "Zed", {"status": ACTIVE, "started_at": ago(60), "last_session_on": day(-3),
                         "ends_on": day(30)}, 2, 0),  # on track
        ("Bea", "Yan", {"status": ACTIVE, "started_at": ago(60), "last_session_on": day(-45),
                        "ends_on": day(20)}, 1, 0),  # inactive
        ("Cai", "Xia", {"started_at": None, "released_at": ago(5)}, 0, 0),  # too early
        ("Dee", "Wes", {"status": ACTIVE, "started_at": ago(90), "last_session_on": day(-60),
                        "leave_starts": day(-20), "leave_returns": day(200),
                        "ends_on": day(10)}, 3, 0),  # on leave
        ("Eve", "Val", {"status": ACTIVE, "started_at": ago(40), "last_session_on": day(-1),
                        "ends_on": day(40)}, 1, 1),  # needs a check-in
        ("Fay", "Uma", {"status": CLOSED, "started_at": ago(100), "closed_at": ago(2),
                        "last_session_on": day(-10), "close_reason": SECRETS[4]}, 3, 0),  # closed
    ]


@pytest.fixture
def world(app, make_user):
    """A short virtual programme (at most 3 sessions, 30 quiet days) with one pair in each
    status, every pair holding words a coordinator must never see."""
    w = types.SimpleNamespace(coordinator=make_user(role="staff", name="Cora Coordinator"))
    one_of_each = pairs()
    people = {name: make_user(name=name) for m, e, *_ in one_of_each for name in (m, e)}
    with app.app_context(), db.connection_context():
        programme, cohort = make_programme(User.get_by_id(w.coordinator.id), "short_virtual")
        w.rels = {}
        for mentor, mentee, fields, held, flags in one_of_each:
            rel = release_pair(programme, cohort, people[mentor], people[mentee])
            Relationship.update(**fields).where(Relationship.id == rel.id).execute()
            _words(rel, people[mentor], people[mentee], held, flags)
            w.rels[mentor] = rel
    w.programme, w.cohort, w.people = programme, cohort, people
    w.url = f"/mentoring/cohorts/{cohort.id}/pairs"
    return w


def _words(rel, mentor, mentee, held: int, flags: int) -> None:
    for n in range(held):
        MentoringSession.create(relationship=rel.id, starts_at=ago(10 + n), minutes=60,
                                channel="telephone", status=HELD, summary=SECRETS[1])
    MentoringSession.create(relationship=rel.id, starts_at=ago(-5), minutes=60,
                            channel="telephone", status=PROPOSED)
    Note.create(relationship=rel.id, author=mentor.id, body=SECRETS[0], shared=True)
    Goal.create(relationship=rel.id, owner=mentee.id, title=SECRETS[2])
    Agreement.create(relationship=rel.id, expectations=SECRETS[3])
    for n in range(flags):
        CheckIn.create(relationship=rel.id, person=mentee.id, period=n + 1, answer="need_help",
                       answered_at=utcnow())


def rows(client, url, headers=None) -> list[dict]:
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return Page(response).table("#pairs-table")


def test_only_the_programmes_coordinators_see_the_list(app, client, login, make_user, world):
    for outsider in (make_user(name="Member"), world.people["Alba"],
                     make_user(role="staff", name="Other staff"),
                     make_user(role="admin", name="Admin")):
        login(outsider)
        assert client.get(world.url).status_code == 404, outsider.name
        assert client.get(world.url + ".csv").status_code == 404
    assert client.get("/mentoring/cohorts/999999/pairs").status_code == 404
    login(world.coordinator)
    assert client.get(world.url).status_code == 200


def test_signed_out_visitors_are_sent_to_log_in(app, client, world):
    response = client.get(world.url)
    assert response.status_code == 303 and "/accounts/login" in response.headers["Location"]


def test_every_pair_with_status_dates_and_sessions_against_the_allowance(app, client, login,
                                                                        world):
    login(world.coordinator)
    shown = {r["Mentor"]: r for r in rows(client, world.url)}
    assert {m: r["Status"] for m, r in shown.items()} == {
        "Alba": "On track", "Bea": "Inactive", "Cai": "Too early", "Dee": "On leave",
        "Eve": "Needs a check-in", "Fay": f"Closed on {day(-2):%-d %b %Y}"}
    assert shown["Alba"] == {
        "Mentor": "Alba", "Mentee": "Zed", "Status": "On track",
        "Started": f"{ago(60):%-d %b %Y}", "Last session": f"{day(-3):%-d %b %Y}",
        "Sessions held": "2 of 3", "Ends": f"{day(30):%-d %b %Y}",
        "Actions": "End the mentoring of Alba and Zed"}
    assert shown["Cai"]["Last session"] == "–" and shown["Cai"]["Sessions held"] == "0 of 3"
    assert shown["Fay"]["Actions"] == ""  # closed: nothing to end


def test_the_page_says_what_each_status_means(app, client, login, world):
    login(world.coordinator)
    page = Page(client.get(world.url))
    meanings = page.texts("#status-meanings dt")
    assert meanings == [status.LABELS[k] for k in status.ORDER]
    assert "This programme’s inactivity period is 30 days." in page.text("main")


def test_sessions_are_counted_against_a_target_or_plainly(app, client, login, world):
    login(world.coordinator)
    with app.app_context(), db.connection_context():
        world.programme.max_sessions, world.programme.target_meetings = None, 6
        world.programme.save()
    assert rows(client, world.url + "?sort=mentor")[0]["Sessions held"] == "2 of about 6"
    with app.app_context(), db.connection_context():
        world.programme.target_meetings = None
        world.programme.save()
    assert rows(client, world.url + "?sort=mentor")[0]["Sessions held"] == "2"


def test_the_list_never_shows_the_pairs_words(app, client, login, world):
    login(world.coordinator)
    page = client.get(world.url).text
    spreadsheet = client.get(world.url + ".csv").text
    for secret in SECRETS:
        assert secret not in page and secret not in spreadsheet


@pytest.mark.parametrize(("sort", "ascending"), [
    ("mentor", ["Alba", "Bea", "Cai", "Dee", "Eve", "Fay"]),
    ("mentee", ["Fay", "Eve", "Dee", "Cai", "Bea", "Alba"]),
    ("status", ["Eve", "Bea", "Dee", "Cai", "Alba", "Fay"]),
    ("started", ["Fay", "Dee", "Alba", "Bea", "Eve", "Cai"]),
    ("last_session", ["Dee", "Bea", "Fay", "Alba", "Eve", "Cai"]),
    ("sessions", ["Cai", "Bea", "Eve", "Alba", "Dee", "Fay"]),
    ("ends", ["Dee", "Bea", "Alba", "Eve", "Cai", "Fay"]),
])
def test_the_list_sorts_by_each_column_both_ways(app, client, login, world, sort, ascending):
    login(world.coordinator)
    assert [r["Mentor"] for r in rows(client, f"{world.url}?sort={sort}")] == ascending
    descending = [r["Mentor"] for r in rows(client, f"{world.url}?sort={sort}&order=desc")]
    if sort in ("sessions", "started"):  # ties (1 and 3 held; Alba and Bea began together)
        # keep the name order in both directions
        assert sorted(descending) == sorted(ascending)
    else:
        undated = [m for m in ascending if m in {"ends": ["Cai", "Fay"],
                                                 "last_session": ["Cai"]}.get(sort, [])]
        dated = [m for m in ascending if m not in undated]
        assert descending == dated[::-1] + undated  # no date stays last


def test_a_heading_link_sorts_the_other_way_and_says_so(app, client, login, world):
    login(world.coordinator)
    page = Page(client.get(world.url + "?sort=mentor"))
    header = page.soup.select_one("#pairs-table th[aria-sort]")
    assert header.get_text(strip=True) == "Mentor" and header["aria-sort"] == "ascending"
    assert header.a["href"].endswith("sort=mentor&order=desc")
    assert "sorted by mentor" in page.text("#pairs-table caption")


def test_an_unknown_sort_falls_back_to_status(app, client, login, world):
    login(world.coordinator)
    assert [r["Mentor"] for r in rows(client, world.url + "?sort=password&order=sideways")] \
        == ["Eve", "Bea", "Dee", "Cai", "Alba", "Fay"]


def test_sorting_with_htmx_answers_the_table_alone(app, client, login, world):
    login(world.coordinator)
    response = client.get(world.url + "?sort=mentee", headers=HX)
    page = Page(response)
    assert not page.is_full_page
    assert page.soup.find(id="pairs") is not None and page.soup.find(id="flags") is None
    assert [r["Mentor"] for r in page.table("#pairs-table")][0] == "Fay"
    assert "HX-Request" in response.headers["Vary"]
    full = client.get(world.url + "?sort=mentee")
    assert Page(full).is_full_page and "HX-Request" in full.headers["Vary"]


def test_the_csv_has_the_same_rows_in_the_same_order(app, client, login, world):
    login(world.coordinator)
    response = client.get(world.url + ".csv?sort=mentor&order=desc")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="pairs-Short-virtual-mentoring-2027.csv"'
    assert response.headers["Cache-Control"] == "private, no-store"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["Mentor", "Mentee", "Status", "Started", "Last session",
                        "Sessions held", "Ends", "Closed"]
    assert [r[0] for r in table[1:]] == ["Fay", "Eve", "Dee", "Cai", "Bea", "Alba"]
    assert table[-1] == ["Alba", "Zed", "On track", ago(60).date().isoformat(),
                         day(-3).isoformat(), "2 of 3", day(30).isoformat(), ""]
    assert table[1][2] == "Closed" and table[1][7] == day(-2).isoformat()
    page = Page(client.get(world.url + "?sort=mentor&order=desc"))
    assert page.links()["Download the list as a spreadsheet (CSV)"].endswith(
        "pairs.csv?sort=mentor&order=desc")


def test_the_cohort_page_links_to_the_list_for_its_coordinators(app, client, login, make_user,
                                                                world):
    cohort_page = f"/programmes/manage/cohorts/{world.cohort.id}"
    login(world.coordinator)
    assert Page(client.get(cohort_page)).links()["Pairs"] == world.url
    login(make_user(role="admin"))
    page = client.get(cohort_page)
    assert page.status_code == 200 and "Pairs" not in Page(page).links()


@pytest.mark.parametrize("moved", [0, 25, 40, 300])
def test_sorting_by_status_in_sql_follows_the_status_rule(app, world, moved):
    """overview.status_rank is status.pair_status written as SQL: on any day, each pair's
    rank is the place of its status in status.ORDER."""
    today = day(moved)
    for days in (None, 30, 90):
        with app.app_context(), db.connection_context():
            R = Relationship
            ranks = dict(R.select(R.id, overview.status_rank(today, days).alias("rank"))
                         .where(R.cohort == world.cohort.id).tuples())
            flags = dict(CheckIn.select(CheckIn.relationship, CheckIn.id)
                         .where(CheckIn.resolved_at.is_null(), CheckIn.answer != "").tuples())
            for rel in R.select().where(R.cohort == world.cohort.id):
                expected = status.pair_status(rel, today, days, rel.id in flags)
                assert status.ORDER[ranks[rel.id]] == expected, (rel.mentor_id, days, moved)


# A thousand pairs ------------------------------------------------------------------------------

def insert_chunked(model, rows_: list[dict]) -> None:
    for start in range(0, len(rows_), CHUNK):
        model.insert_many(rows_[start:start + CHUNK]).execute()


def fill(app, world, total: int) -> None:
    """Pairs up to `total`, in every state, each with held and planned sessions and some
    with calls for help."""
    with app.app_context(), db.connection_context(), db.atomic():
        have = Relationship.select().where(Relationship.cohort == world.cohort.id).count()
        before = User.select(fn.MAX(User.id)).scalar()
        insert_chunked(User, [{"name": f"Bulk {before + n}", "password_hash": "x",
                               "email": f"bulk{before + n}@example.org"}
                              for n in range(2 * (total - have))])
        users = [u.id for u in User.select(User.id).where(User.id > before).order_by(User.id)]
        pairs = list(zip(users[::2], users[1::2], strict=True))
        insert_chunked(Relationship, [
            {"programme": world.programme.id, "cohort": world.cohort.id, "mentor": m,
             "mentee": e, "status": (ACTIVE, CLOSED, "released")[n % 3],
             "released_at": ago(n % 120), "started_at": ago(n % 100) if n % 3 == 0 else None,
             "last_session_on": day(-(n % 50)) if n % 4 else None,
             "leave_starts": day(-10) if n % 7 == 0 else None,
             "leave_returns": day(100) if n % 7 == 0 else None, "created_at": utcnow()}
            for n, (m, e) in enumerate(pairs)])
        new = [r.id for r in Relationship.select(Relationship.id).where(
            Relationship.mentor.in_([m for m, _ in pairs]))]
        insert_chunked(MentoringSession, [
            {"relationship": rid, "starts_at": ago(k), "minutes": 60, "channel": "telephone",
             "status": HELD if k else PROPOSED, "created_at": utcnow()}
            for rid in new for k in range(3)])
        insert_chunked(CheckIn, [
            {"relationship": rid, "person": m, "period": 1, "answer": "stopped",
             "answered_at": utcnow(), "sent_at": utcnow()}
            for rid, (m, _) in zip(new[::9], pairs[::9], strict=False)])


def test_the_list_and_the_csv_take_the_same_queries_at_10_and_1000_pairs(app, client, login,
                                                                        world):
    login(world.coordinator)
    urls = [world.url, world.url + "?sort=sessions&order=desc", world.url + ".csv",
            world.url + "?sort=status"]
    fill(app, world, 10)
    counts = {}
    for url in urls:
        client.get(url)  # warm the caches
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts[url] = counter.count
    fill(app, world, 1000)
    for url in urls:
        with assert_query_count(counts[url]):
            assert client.get(url).status_code == 200
    assert len(rows(client, world.url)) == 1000
