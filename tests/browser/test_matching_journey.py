"""Matching a cohort in a real browser, with JavaScript on and off: the coordinator runs
whole-cohort matching, reads why a mentee's mentors are suggested and compares two of
them, swaps two mentees, locks a pair, re-runs (the locked pair stays) and releases; a
real SMTP server on loopback receives exactly one introduction per person. axe-core
checks every page and every in-page update."""
import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import MENTEE, MENTOR, TRAINING, CohortWebinar
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow
from tests.browser.pages import LoginPage
from tests.browser.programme_pages import MatchingPage
from tests.conftest import TEST_PASSWORD
from tests.programme_factories import make_rtw, mentee_answers, mentor_answers, submitted
from tests.tasks.conftest import SmtpServer, free_port

pytestmark = pytest.mark.browser

MENTORS = {"Mina Mentor": "Finance", "Milo Mentor": "Estates", "Mo Mentor": "Pharmacy"}
MENTEES = {"Ella Mentee": "Theatres", "Emma Mentee": "Maternity", "Eve Mentee": "Outpatients"}


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    yield server
    server.stop()


def ready_cohort(app, make_user):
    """Return to Work with a coordinator and three mentors and three mentees, accepted
    and trained (an attended booking of the cohort's training day), all through the
    services. Mentors take one mentee each."""
    coordinator = make_user(role="staff", name="Cora Coordinator",
                            email="cora@example.nhs.uk")
    people = {name: make_user(name=name, email=f"{name.split()[0].lower()}@example.nhs.uk",
                              organisation="Leeds Teaching Hospitals", team=team)
              for name, team in MENTORS.items()}
    people |= {name: make_user(name=name, email=f"{name.split()[0].lower()}@example.nhs.uk",
                               organisation="York and Scarborough", team=team)
               for name, team in MENTEES.items()}
    with app.app_context(), db.connection_context():
        actor = User.get_by_id(coordinator.id)
        programme, cohort = make_rtw(actor, mentor_capacity_min=1, mentor_capacity_max=1)
        services.add_coordinator(actor, programme, actor)
        start = utcnow() - dt.timedelta(days=3)
        session = WebinarSession.create(title="Training day", starts_at=start,
                                        ends_at=start + dt.timedelta(hours=6), capacity=60)
        CohortWebinar.create(cohort=cohort, session=session, purpose=TRAINING, role="")
        for name, user in people.items():
            role = MENTOR if name in MENTORS else MENTEE
            answers = (mentor_answers(programme, availability="Tuesday mornings")
                       if role == MENTOR else
                       mentee_answers(programme, availability="Tuesday or Friday mornings",
                                      learning_goals="planning my return and rotas"))
            apps.accept(actor, submitted(User.get_by_id(user.id), programme, cohort, role,
                                         answers))
            WebinarBooking.create(session=session, user=user.id, status="booked",
                                  attended=True)
    return coordinator, cohort, people


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_coordinator_matches_the_cohort_and_releases_it(app, new_page, axe, live_server,
                                                          make_user, smtp, javascript):
    coordinator, cohort, people = ready_cohort(app, make_user)
    page = new_page(javascript=javascript)
    LoginPage.open(page, axe).log_in(coordinator.email, TEST_PASSWORD)
    board = MatchingPage.open(page, axe, f"/programmes/review/cohorts/{cohort.id}/matching")
    assert {r["Mentee"].split(":")[0].strip() for r in board.table(
        "Mentees", exact=True)} == set(MENTEES)
    expect(board.main.locator("#draft-rows")).to_contain_text("No draft matches")

    # One explanation, before the run: why each mentor is suggested for a mentee, and
    # two of them side by side.
    suggestions = board.open_suggestions("Eve Mentee")
    rows = suggestions.suggestions()
    assert rows and all("different organisations" in r["Why"] for r in rows)
    assert all("both free" in r["Why"] and "tuesday" in r["Why"] for r in rows)
    others = ["Milo Mentor", "Mo Mentor"]
    side = suggestions.compare(*others)
    assert [h.strip() for h in side.main.get_by_role("table", name="Side by side").locator(
        "thead th").all_inner_texts()] == ["Mentor", *others]
    board = side.back_to_matching()

    # The whole cohort in one run, with the greedy pass beside it.
    board = board.run("Best total score", "Matching done: 3 draft matches.")
    drafts = board.drafts()
    assert {d["Mentee"] for d in drafts} == set(MENTEES)
    assert {d["Mentor"] for d in drafts} == set(MENTORS)
    assert all("different organisations" in d["Why"] for d in drafts)
    compared = {r["Assignment"]: r["People matched"]
                for r in board.table("Last run (best total score) beside a greedy pass")}
    assert compared == {"This run": "3", "A greedy pass": "3"}

    # Swap the mentees of two drafts.
    a, b = drafts[0], drafts[1]
    board = board.swap(f"{a['Mentor']} with {a['Mentee']}", f"{b['Mentor']} with {b['Mentee']}",
                       f"Swapped: {a['Mentor']} now mentors {b['Mentee']}, and "
                       f"{b['Mentor']} mentors {a['Mentee']}.")
    pairs = {(d["Mentor"], d["Mentee"]) for d in board.drafts()}
    assert {(a["Mentor"], b["Mentee"]), (b["Mentor"], a["Mentee"])} <= pairs

    # Lock one pair, re-run: the locked pair stays as it is.
    board = board.lock(a["Mentor"], b["Mentee"],
                       f"{a['Mentor']} and {b['Mentee']}: locked, so a re-run keeps them.")
    expect(board.draft_row(a["Mentor"], b["Mentee"])).to_contain_text("Locked")
    board = board.run("Match as many people as possible", "Matching done: 3 draft matches.")
    assert (a["Mentor"], b["Mentee"]) in {(d["Mentor"], d["Mentee"]) for d in board.drafts()}
    expect(board.draft_row(a["Mentor"], b["Mentee"])).to_contain_text("Locked")
    assert len(board.drafts()) == 3

    # Release, after the confirm step: one introduction email per person, by real SMTP.
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    smtp.start()
    board = board.release("Released 3 matches: each person has been sent an introduction "
                          "email.")
    expect(board.main.locator("#draft-rows")).to_contain_text("No draft matches")
    assert [r["Status"].split(",")[0] for r in board.table("Released matches",
                                                             exact=True)] == ["Released"] * 3
    for user in people.values():
        [message] = smtp.inbox.wait_for(user.email)
        assert b"Subject: Your Return to Work match" in message.content
    time.sleep(0.5)  # nothing more arrives
    assert {u.email: len(smtp.inbox.to(u.email)) for u in people.values()} == {
        u.email: 1 for u in people.values()}
    assert len(smtp.inbox.messages) == len(people)
