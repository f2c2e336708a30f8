"""The staff to-do list on the staff dashboard: every kind of item waiting for a person,
each with a count and a link, for the programmes this person coordinates (another
programme's items stay off it), at the same number of queries for 10 people and for
10,000. The cohort is generated with insert_many: person i's application, match, check-in
and survey invitation follow from i, and so do the expected counts."""
import datetime as dt

import pytest
from playhouse.test_utils import count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.evaluation.models import CLOSING, SurveyInvitation
from portal.blueprints.experts.models import ActivityCheck
from portal.blueprints.hub.models import PUBLISHED, Article
from portal.blueprints.mentoring.models import ACTIVE, DRAFT, NEED_HELP, CheckIn, Relationship
from portal.blueprints.programmes.models import (
    ACCEPTED,
    DECLINED,
    MENTEE,
    SUBMITTED,
    SUPERVISION,
    UNDER_REVIEW,
    Application,
    CohortWebinar,
)
from portal.blueprints.webinars.models import WebinarSession
from portal.db import db, utcnow
from portal.reports import Report
from tests.evaluation_factories import make_survey
from tests.expert_factories import make_aces, make_expert
from tests.mentoring_factories import make_programme
from tests.pages import Page

CHUNK = 500
STATUS_BY_DIGIT = {0: SUBMITTED, 1: SUBMITTED, 2: UNDER_REVIEW, 3: ACCEPTED, 4: ACCEPTED,
                   5: ACCEPTED, 6: ACCEPTED, 7: DECLINED, 8: DECLINED, 9: DECLINED}


def insert_chunked(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def expected(people: int, survey_title: str) -> list[tuple[str, str, int]]:
    """What the list should say for people 0..people-1, worked out from the plan."""
    where = "Return to Work, cohort 2027"
    answered = sum(1 for i in range(people) if i % 10 == 0)
    return [
        ("Applications to review", "Return to Work",
         sum(1 for i in range(people) if i % 10 in (0, 1, 2))),
        ("Accepted but not matched", where, sum(1 for i in range(people) if i % 10 == 6)),
        ("Draft matches not released", where, sum(1 for i in range(people) if i % 10 == 3)),
        ("Pairs needing a check-in or inactive", where,
         sum(1 for i in range(people) if i % 20 == 4 or i % 10 == 5)),
        ("Experts who did not answer an activity check", "Aces volunteer experts", 1),
        (f"Low response to “{survey_title}” ({answered} of {people} answered)", where,
         people - answered),
        ("Reports in the moderation queue", "Boards and comments", 2),
        ("Your articles due for review", "Knowledge hub", 2),
        ("Webinars without a facilitator", where, 2),
    ]


def add_people(world, start: int, end: int) -> None:
    """People start..end-1 apply to the coordinated cohort; what becomes of each follows
    from their number (see STATUS_BY_DIGIT and the matches below)."""
    now, today = utcnow(), dt.date.today()
    long_ago = now - dt.timedelta(days=200)
    insert_chunked(User, [{"name": f"Person {i:05}", "email": f"todo{i}@example.org",
                           "password_hash": "x", "created_at": now}
                          for i in range(start, end)])
    users = {u.email: u.id for u in User.select(User.id, User.email)
             .where(User.email.startswith("todo"))}
    ids = [users[f"todo{i}@example.org"] for i in range(start, end)]
    programme, cohort = world["programme"], world["cohort"]
    insert_chunked(Application, [
        {"applicant": uid, "programme": programme.id, "cohort": cohort.id, "role": MENTEE,
         "status": STATUS_BY_DIGIT[i % 10], "submitted_at": now, "created_at": now,
         "updated_at": now} for i, uid in zip(range(start, end), ids, strict=True)])
    applications = {a.applicant_id: a.id for a in Application.select(
        Application.id, Application.applicant).where(Application.applicant.in_(ids))}
    pairs = []
    for i, uid in zip(range(start, end), ids, strict=True):
        base = {"programme": programme.id, "cohort": cohort.id, "mentor": world["mentor"].id,
                "mentee": uid, "mentee_application": applications[uid], "reasons": "[]",
                "created_at": now, "released_at": None, "started_at": None,
                "last_session_on": None}  # every row the same keys, for insert_many
        if i % 10 == 3:
            pairs.append({**base, "status": DRAFT})
        elif i % 10 in (4, 5):
            pairs.append({**base, "status": ACTIVE, "released_at": long_ago,
                          "started_at": long_ago,
                          "last_session_on": today - dt.timedelta(days=100 if i % 10 == 5
                                                                  else 1)})
    insert_chunked(Relationship, pairs)
    asking = {r.mentee_id: r.id for r in Relationship.select(
        Relationship.id, Relationship.mentee).where(Relationship.mentee.in_(
            [uid for i, uid in zip(range(start, end), ids, strict=True) if i % 20 == 4]))}
    insert_chunked(CheckIn, [{"relationship": rel, "person": uid, "period": 1,
                              "sent_at": now, "answer": NEED_HELP, "answered_at": now}
                             for uid, rel in asking.items()])
    insert_chunked(SurveyInvitation, [
        {"survey": world["survey"].id, "person": uid, "cohort": cohort.id,
         "occasion": f"test:{uid}", "sent_at": now - dt.timedelta(days=10),
         "answered": i % 10 == 0} for i, uid in zip(range(start, end), ids, strict=True)])


def add_the_rest(world, make_user) -> None:
    """The items that do not grow with the cohort, and another programme's items (which
    are not this coordinator's)."""
    now, today = utcnow(), dt.date.today()
    other_staff = make_user(role="staff", name="Other Staff")
    reporter = make_user(name="Reporter")
    for post_id, reporter_id, status in ((1, reporter.id, "open"),
                                         (1, world["mentor"].id, "open"),
                                         (2, reporter.id, "open"), (3, reporter.id, "dismissed")):
        Report.create(object_type="post", object_id=post_id, reporter=reporter_id,
                      reason="spam", status=status)
    for n, (owner, review_by) in enumerate(((world["coordinator"], today),
                                            (world["coordinator"], today - dt.timedelta(9)),
                                            (world["coordinator"], today + dt.timedelta(9)),
                                            (other_staff, today))):
        Article.create(title=f"Article {n}", slug=f"article-{n}", owner=owner,
                       status=PUBLISHED, review_by=review_by)
    programme, cohort = make_programme(other_staff, "short_virtual")
    webinars = [(world["cohort"], "", 5), (world["cohort"], "", 6),
                (world["cohort"], "Fay Facilitator", 7), (world["cohort"], "", -7),
                (cohort, "", 5)]
    for n, (on, facilitator, days) in enumerate(webinars):
        starts = now + dt.timedelta(days=days)
        session = WebinarSession.create(title=f"Supervision {n}", facilitator=facilitator,
                                        starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                                        capacity=20)
        CohortWebinar.create(cohort=on.id, session=session.id, purpose=SUPERVISION)
    elsewhere = make_user(name="Elsewhere")
    Application.create(applicant=elsewhere, programme=programme, cohort=cohort, role=MENTEE,
                       status=SUBMITTED, submitted_at=now)
    Relationship.create(programme=programme, cohort=cohort, mentor=other_staff,
                        mentee=elsewhere, status=DRAFT)
    survey = make_survey(other_staff, programme)
    SurveyInvitation.create(survey=survey.id, person=elsewhere.id, cohort=cohort.id,
                            occasion="test", sent_at=now - dt.timedelta(days=10))
    # Activity checks: one long unanswered (listed), one answered, one unanswered but still
    # within its days, and one long unanswered in a programme someone else coordinates.
    aces = make_aces(world["coordinator"])
    theirs = make_aces(other_staff, name="Other experts")
    for n, (scheme, days_ago, answered) in enumerate(
            ((aces, 30, False), (aces, 30, True), (aces, 2, False), (theirs, 30, False))):
        expert = make_expert(scheme, make_user(name=f"Expert {n}"))
        ActivityCheck.create(expert=expert, period_start=today - dt.timedelta(days=days_ago),
                             sent_at=now - dt.timedelta(days=days_ago),
                             answered_at=now if answered else None)


@pytest.fixture
def world(app, make_user):
    with app.app_context(), db.connection_context():
        coordinator = make_user(role="staff", name="Cora Coordinator")
        programme, cohort = make_programme(coordinator, "return_to_work")
        world = {"coordinator": coordinator, "programme": programme, "cohort": cohort,
                 "mentor": make_user(name="Maya Mentor"),
                 "survey": make_survey(coordinator, programme, CLOSING)}
        add_the_rest(world, make_user)
        return world


def todo_list(client) -> tuple[list[tuple[str, str, int]], dict[str, str], int]:
    with count_queries() as counter:
        response = client.get("/staff/")
    assert response.status_code == 200
    page = Page(response)
    rows, links = [], {}
    for tr in page.soup.select("#todo tbody tr"):
        link = tr.select_one("a")
        what = link.contents[0].strip()
        where, number = (td.get_text(strip=True) for td in tr.select("td")[1:])
        rows.append((what, where, int(number)))
        links[what] = link["href"]
    return rows, links, counter.count


@pytest.mark.long
def test_the_to_do_list_counts_every_kind_of_item_at_10_and_at_10000_people(app, client,
                                                                            login, world):
    with app.app_context(), db.connection_context(), db.atomic():
        add_people(world, 0, 10)
    login(world["coordinator"])
    rows, links, few = todo_list(client)
    assert rows == expected(10, "Closing survey")
    cohort, programme = world["cohort"], world["programme"]
    assert links["Applications to review"] == f"/programmes/review/{programme.id}"
    assert links["Pairs needing a check-in or inactive"] == \
        f"/mentoring/cohorts/{cohort.id}/pairs?sort=status"
    assert links["Draft matches not released"] == \
        f"/programmes/review/cohorts/{cohort.id}/matching"
    assert links["Reports in the moderation queue"] == "/staff/moderation"
    for href in links.values():
        assert client.get(href).status_code == 200, href

    with app.app_context(), db.connection_context(), db.atomic():
        add_people(world, 10, 10_000)
    rows, _, many = todo_list(client)
    assert rows == expected(10_000, "Closing survey")
    assert many == few


def test_someone_who_coordinates_nothing_sees_nothing_waiting(client, login, make_user):
    login(make_user(role="staff"))
    page = Page(client.get("/staff/"))
    assert page.text("#todo") == "Nothing is waiting for you."
