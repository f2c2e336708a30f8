"""Suggestions for one mentee, and the cohort's matching board, issue the same number of
queries at 10 and at 600 ready participants, with drafts and released matches among them.

People go in with insert_many (through the services it would take minutes): users,
accepted applications, and an attended booking of the cohort's one training session each,
which is what Application.ready counts.
"""
import datetime as dt

from playhouse.test_utils import count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import DRAFT, RELEASED, Relationship
from portal.blueprints.programmes import services
from portal.blueprints.programmes.models import (
    ACCEPTED,
    MENTEE,
    MENTOR,
    TRAINING,
    Application,
    CohortWebinar,
)
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow
from tests.pages import Page
from tests.programme_factories import make_rtw

CHUNK = 500


def insert_chunked(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def fill(app, programme, cohort, session, total: int) -> None:
    """Ready participants up to `total` (a third of them mentors), and a draft and a
    released match for every tenth mentee still free."""
    with app.app_context(), db.connection_context(), db.atomic():
        have = Application.select().where(Application.cohort == cohort.id).count()
        insert_chunked(User, [{"name": f"Ready {n:04}", "email": f"ready{n}@example.org",
                               "password_hash": "x", "organisation": f"Trust {n % 7}",
                               "pay_band": f"Band {5 + n % 3}"}
                              for n in range(have, total)])
        users = [u.id for u in User.select(User.id).where(User.email.startswith("ready"))
                 .order_by(User.id)][have:]
        insert_chunked(Application, [
            {"applicant": uid, "programme": programme.id, "cohort": cohort.id,
             "role": MENTOR if n % 3 == 0 else MENTEE, "status": ACCEPTED,
             "leave_type": "maternity", "learning_goals": "budgets and rotas",
             "availability": "Tuesday mornings", "submitted_at": utcnow()}
            for n, uid in enumerate(users, start=have)])
        insert_chunked(WebinarBooking, [{"session": session.id, "user": uid,
                                         "status": "booked", "attended": True}
                                        for uid in users])
        new = list(Application.select().where(Application.applicant.in_(users)))
        mentors = [a for a in new if a.role == MENTOR]
        mentees = [a for a in new if a.role == MENTEE]
        insert_chunked(Relationship, [
            {"programme": programme.id, "cohort": cohort.id, "mentor": mentor.applicant_id,
             "mentee": mentee.applicant_id, "mentor_application": mentor.id,
             "mentee_application": mentee.id, "status": DRAFT if n % 2 else RELEASED,
             "score": 50, "reasons": '["both chose resilience"]',
             "respond_by": utcnow() + dt.timedelta(days=7)}
            for n, (mentor, mentee) in enumerate(zip(mentors[::10], mentees[1::10],
                                                     strict=False))])


def measure(client, cohort, mentee_app: int, mentors: tuple[int, int]) -> tuple[dict, dict]:
    board = f"/programmes/review/cohorts/{cohort.id}/matching"
    pages = {"board": (board, {}), "board-fragment": (board, {"HX-Request": "true"}),
             "suggestions": (f"{board}/mentees/{mentee_app}", {}),
             "compare": (f"{board}/mentees/{mentee_app}?first={mentors[0]}"
                         f"&second={mentors[1]}", {}),
             "release": (f"{board}/release", {})}
    counts, shown = {}, {}
    for name, (url, headers) in pages.items():
        with count_queries() as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
        page = Page(response)
        shown[name] = (len(page.table("#drafts")), len(page.table("#suggestions")),
                       len(page.table("#comparison")))
    return counts, shown


def test_suggestions_and_the_board_issue_the_same_queries_at_10_and_600_participants(
        app, client, login, make_user):
    coordinator = make_user(role="staff", name="Cora Coordinator")
    with app.app_context(), db.connection_context():
        actor = User.get_by_id(coordinator.id)
        programme, cohort = make_rtw(actor)
        services.add_coordinator(actor, programme, actor)
        start = utcnow() - dt.timedelta(days=3)
        session = WebinarSession.create(title="Training day", starts_at=start,
                                        ends_at=start + dt.timedelta(hours=6), capacity=900)
        CohortWebinar.create(cohort=cohort, session=session, purpose=TRAINING, role="")
    fill(app, programme, cohort, session, 10)
    with app.app_context(), db.connection_context():
        ready = list(Application.ready(cohort))
        matched = {r.mentee_id for r in Relationship.select()}
        mentee = next(a for a in ready if a.role == MENTEE and a.applicant_id not in matched)
        mentors = tuple(a.applicant_id for a in ready if a.role == MENTOR)[-2:]
    login(coordinator)
    few_counts, few_shown = measure(client, cohort, mentee.id, mentors)

    fill(app, programme, cohort, session, 600)
    with app.app_context(), db.connection_context():
        assert Application.ready(cohort).count() == 600
    many_counts, many_shown = measure(client, cohort, mentee.id, mentors)
    assert many_counts == few_counts
    assert max(many_counts.values()) <= 12
    # The pages did list more at 600: drafts on the board, and (the two compared mentors
    # having places at both sizes) three rows side by side.
    assert many_shown["board"][0] > few_shown["board"][0] >= 1
    assert few_shown["compare"][2] == many_shown["compare"][2] == 4
