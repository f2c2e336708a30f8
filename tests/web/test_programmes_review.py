"""Coordinators review applications: counts and filters, decisions in place with htmx and
without JavaScript keeping the cohort's groups in step (on SQLite and PostgreSQL), notes,
fees, the CSV, who is not yet trained, and who may open the review pages at all."""
import csv
import io
import types

import pytest

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import (
    ACCEPTED,
    MENTEE,
    MENTOR,
    TRAINING,
    Application,
    Cohort,
    CohortWebinar,
    CoordinatorNote,
)
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow
from portal.groups import GroupMembership
from tests.pages import Page
from tests.programme_factories import make_rtw, submitted

HX = {"HX-Request": "true"}


@pytest.fixture
def rtw(app, make_user):
    """Return to Work with a coordinator, another staff member, an admin, and three
    submitted applications (two mentees, one mentor)."""
    people = types.SimpleNamespace(
        coordinator=make_user(role="staff", name="Cora Coordinator"),
        staff=make_user(role="staff", name="Sid Staff"),
        admin=make_user(role="admin", name="Ada Admin"),
        tom=make_user(name="Tom Mentee", organisation="=cmd|' /C calc'!A0"),
        una=make_user(name="Una Mentee"), priya=make_user(name="Priya Mentor"),
        member=make_user(name="Mo Member"))
    with app.app_context(), db.connection_context():
        coordinator = User.get_by_id(people.coordinator.id)
        programme, cohort = make_rtw(coordinator)
        services.add_coordinator(coordinator, programme, coordinator)
        people.programme, people.cohort = programme, cohort
        people.tom_app = submitted(User.get_by_id(people.tom.id), programme, cohort)
        people.una_app = submitted(User.get_by_id(people.una.id), programme, cohort)
        people.priya_app = submitted(User.get_by_id(people.priya.id), programme, cohort,
                                     role=MENTOR)
    return people


def groups_of(app, user, cohort) -> set[str]:
    with app.app_context(), db.connection_context():
        cohort = Cohort.get_by_id(cohort.id)
        names = {cohort.everyone_group_id: "everyone", cohort.mentors_group_id: "mentors",
                 cohort.mentees_group_id: "mentees"}
        return {names[m.group_id] for m in GroupMembership.select().where(
            GroupMembership.user == user.id, GroupMembership.group.in_(list(names)))}


def status_of(app, application) -> str:
    with app.app_context(), db.connection_context():
        return Application.get_by_id(application.id).status


def test_the_review_list_shows_counts_and_filters_without_javascript(client, login, rtw):
    login(rtw.coordinator)
    page = Page(client.get(f"/programmes/review/{rtw.programme.id}"))
    assert page.heading() == "Applications"
    counts = {row["Role"]: row["Submitted"] for row in page.table("#counts")}
    assert counts == {"Mentor": "1", "Mentee": "2"}
    rows = page.table("#applications")
    assert [r["Applicant"] for r in rows] == ["Tom Mentee", "Una Mentee", "Priya Mentor"]
    assert {r["Eligibility"] for r in rows} == {"Meets the rules"}

    page = Page(client.get(f"/programmes/review/{rtw.programme.id}?role=mentor"))
    assert [r["Applicant"] for r in page.table("#applications")] == ["Priya Mentor"]
    page = Page(client.get(f"/programmes/review/{rtw.programme.id}?status=accepted"))
    assert page.table("#applications") == [{"Applicant": "No applications match."}]
    # Nonsense in the query string means "all", never an error.
    response = client.get(f"/programmes/review/{rtw.programme.id}?cohort=x&role=z&after=q")
    assert response.status_code == 200 and len(Page(response).table("#applications")) == 3


def test_the_review_list_filters_with_htmx_as_a_fragment(client, login, rtw):
    login(rtw.coordinator)
    response = client.get(f"/programmes/review/{rtw.programme.id}?role=mentee", headers=HX)
    page = Page(response)
    assert not page.is_full_page
    assert "HX-Request" in response.headers["Vary"]
    assert [r["Applicant"] for r in page.table("#applications")] == ["Tom Mentee",
                                                                      "Una Mentee"]
    full = Page(client.get(f"/programmes/review/{rtw.programme.id}?role=mentee"))
    assert full.is_full_page and full.soup.find(id="review-results") is not None


def test_the_review_list_pages_by_keyset(app, client, login, rtw, monkeypatch):
    from portal.blueprints.programmes import views_review

    monkeypatch.setattr(views_review, "PAGE_SIZE", 2)
    login(rtw.coordinator)
    page = Page(client.get(f"/programmes/review/{rtw.programme.id}"))
    assert len(page.table("#applications")) == 2
    more = page.soup.find(id="more-applications")["href"]
    page = Page(client.get(more))
    assert [r["Applicant"] for r in page.table("#applications")] == ["Priya Mentor"]
    assert page.soup.find(id="more-applications") is None


def test_accept_in_place_with_htmx_adds_the_person_to_the_cohorts_groups(app, client, login,
                                                                         rtw, csrf_token):
    login(rtw.coordinator)
    url = f"/programmes/review/applications/{rtw.tom_app.id}"
    page = Page(client.get(url))
    buttons = [b.get_text(strip=True) for b in page.soup.select("#status-panel button")]
    assert buttons == ["Start review", "Accept", "Waitlist", "Decline"]
    response = client.post(f"{url}/accept", headers=HX,
                           data={"csrf_token": csrf_token, "note": "Welcome aboard"})
    assert response.status_code == 200
    page = Page(response)
    assert not page.is_full_page
    assert page.text("#status") == "Accepted"
    assert page.soup.find(id="flashes")["hx-swap-oob"] == "innerHTML"
    assert page.flashes() == ["Tom Mentee is accepted and added to the cohort's groups."]
    assert status_of(app, rtw.tom_app) == ACCEPTED
    assert groups_of(app, rtw.tom, rtw.cohort) == {"everyone", "mentees"}
    history = Page(client.get(url)).texts("#history li")
    assert history[-1].endswith("Accepted by Cora Coordinator, “Welcome aboard”")


def test_decisions_work_without_javascript_and_keep_the_groups_in_step(app, client, login,
                                                                       rtw, csrf_token):
    login(rtw.coordinator)
    url = f"/programmes/review/applications/{rtw.una_app.id}"
    response = client.post(f"{url}/start-review", data={"csrf_token": csrf_token})
    assert response.status_code == 303 and response.headers["Location"] == url
    assert Page(client.get(url)).text("#status") == "Under review"
    response = client.post(f"{url}/accept", data={"csrf_token": csrf_token})
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Una Mentee is accepted and added to the cohort's groups."]
    assert groups_of(app, rtw.una, rtw.cohort) == {"everyone", "mentees"}

    client.post(f"{url}/decline", data={"csrf_token": csrf_token, "note": "Sorry"})
    assert Page(client.get(url)).text("#status") == "Declined"
    assert groups_of(app, rtw.una, rtw.cohort) == set()

    # The applicant withdraws after being accepted: out of the groups again.
    mentor_url = f"/programmes/review/applications/{rtw.priya_app.id}"
    client.post(f"{mentor_url}/accept", data={"csrf_token": csrf_token})
    assert groups_of(app, rtw.priya, rtw.cohort) == {"everyone", "mentors"}
    with app.app_context(), db.connection_context():
        apps.withdraw(User.get_by_id(rtw.priya.id), Application.get_by_id(rtw.priya_app.id))
    assert Page(client.get(mentor_url)).text("#status") == "Withdrawn"
    assert groups_of(app, rtw.priya, rtw.cohort) == set()


def test_a_refused_decision_comes_back_422_with_the_reason(app, client, login, rtw,
                                                           csrf_token):
    with app.app_context(), db.connection_context():
        Cohort.update(mentee_capacity=1).where(Cohort.id == rtw.cohort.id).execute()
    login(rtw.coordinator)
    response = client.post(f"/programmes/review/applications/{rtw.tom_app.id}/accept",
                           data={"csrf_token": csrf_token})
    client.get(response.headers["Location"])
    response = client.post(f"/programmes/review/applications/{rtw.una_app.id}/accept",
                           headers=HX, data={"csrf_token": csrf_token})
    assert response.status_code == 422
    page = Page(response)
    assert page.text("#status") == "Submitted"
    assert page.flashes() == ["All 1 mentee places in 2027 are taken"]
    assert groups_of(app, rtw.una, rtw.cohort) == set()
    response = client.post(f"/programmes/review/applications/{rtw.una_app.id}/accept",
                           data={"csrf_token": csrf_token})
    assert response.status_code == 303
    assert Page(client.get(response.headers["Location"])).flashes() == [
        "All 1 mentee places in 2027 are taken"]


def test_decisions_need_the_csrf_token(app, client, login, rtw):
    login(rtw.coordinator)
    response = client.post(f"/programmes/review/applications/{rtw.tom_app.id}/accept",
                           headers=HX)
    assert response.status_code == 400
    assert status_of(app, rtw.tom_app) == "submitted"


def test_notes_and_fees(app, client, login, rtw, csrf_token):
    login(rtw.coordinator)
    url = f"/programmes/review/applications/{rtw.tom_app.id}"
    response = client.post(f"{url}/notes", data={"csrf_token": csrf_token, "body": "  "})
    assert response.status_code == 422
    assert Page(response).field_errors() == {"body": "Write the note first"}
    response = client.post(f"{url}/notes", data={"csrf_token": csrf_token,
                                                  "body": "Spoke on the phone."})
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Note added."]
    assert page.texts("#note-list .tandem-note p")[0] == "Spoke on the phone."

    response = client.post(f"{url}/fee", data={"csrf_token": csrf_token,
                                                "fee_status": "reduced",
                                                "fee_note": "Half, agreed by the lead"})
    page = Page(client.get(response.headers["Location"]))
    assert page.text("#fee-status") == "Reduced"
    assert page.text("#fee-note") == "Half, agreed by the lead"
    response = client.post(f"{url}/fee", data={"csrf_token": csrf_token, "fee_status": "x"})
    assert response.status_code == 422


def test_the_csv_has_the_cohorts_applications_safely_and_no_notes(app, client, login, rtw,
                                                                  csrf_token):
    with app.app_context(), db.connection_context():
        CoordinatorNote.create(application=rtw.tom_app.id, body="PRIVATE NOTE")
    login(rtw.coordinator)
    response = client.get(f"/programmes/review/{rtw.programme.id}/applications.csv"
                          f"?cohort={rtw.cohort.id}")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["Name"] for r in rows] == ["Tom Mentee", "Una Mentee", "Priya Mentor"]
    assert rows[0]["Organisation"] == "'=cmd|' /C calc'!A0"
    assert "PRIVATE NOTE" not in response.text
    assert not any("thnic" in h for h in rows[0])


def test_who_is_not_yet_trained(app, client, login, rtw, csrf_token):
    login(rtw.coordinator)
    for application in (rtw.tom_app, rtw.priya_app):
        client.post(f"/programmes/review/applications/{application.id}/accept",
                    data={"csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        now = utcnow()
        session = WebinarSession.create(title="Mentee training", starts_at=now, ends_at=now,
                                        capacity=10)
        CohortWebinar.create(cohort=rtw.cohort.id, session=session, purpose=TRAINING,
                             role=MENTEE)
    page = Page(client.get(f"/programmes/review/cohorts/{rtw.cohort.id}/training"))
    assert [(r["Name"], r["Training attended"]) for r in page.table("#not-trained")] == [
        ("Priya Mentor", "0 of 0"), ("Tom Mentee", "0 of 1")]
    with app.app_context(), db.connection_context():
        WebinarBooking.create(session=session, user=rtw.tom.id, status="booked", attended=True)
    page = Page(client.get(f"/programmes/review/cohorts/{rtw.cohort.id}/training"))
    assert [r["Name"] for r in page.table("#not-trained")] == ["Priya Mentor"]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_who_may_open_the_review_pages(client, login, rtw, csrf_token, headers):
    """Members: 404 (they may not know). Staff who do not coordinate, and the applicant
    on their own application: 403. Coordinators and admins: 200."""
    urls = [f"/programmes/review/{rtw.programme.id}",
            f"/programmes/review/{rtw.programme.id}/applications.csv",
            f"/programmes/review/applications/{rtw.tom_app.id}",
            f"/programmes/review/cohorts/{rtw.cohort.id}/training"]
    expected = {"member": 404, "tom": None, "staff": 403, "coordinator": 200, "admin": 200}
    for who, status in expected.items():
        login(getattr(rtw, who))
        got = [client.get(url, headers=headers).status_code for url in urls]
        if who == "tom":  # the applicant knows their own application exists
            assert got == [404, 404, 403, 404], who
        else:
            assert got == [status] * len(urls), who
        decision = client.post(f"/programmes/review/applications/{rtw.tom_app.id}/decline",
                               headers=headers, data={"csrf_token": csrf_token})
        if who in ("member",):
            assert decision.status_code == 404
        elif who in ("tom", "staff"):
            assert decision.status_code == 403
    login(rtw.coordinator)
    assert client.get("/programmes/review/999999").status_code == 404
    assert client.get("/programmes/review/applications/999999").status_code == 404


def test_anonymous_fragment_requests_get_401_and_a_redirect(client, rtw, csrf_token):
    response = client.post(f"/programmes/review/applications/{rtw.tom_app.id}/accept",
                           headers=HX, data={"csrf_token": csrf_token})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/accounts/login")
    response = client.get(f"/programmes/review/{rtw.programme.id}", headers=HX)
    assert response.status_code == 401 and "HX-Redirect" in response.headers
