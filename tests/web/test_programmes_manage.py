"""Staff set a programme up through the staff pages alone: Return to Work with both roles'
rules, commitments, fee, coordinators and a cohort; bad input comes back 422 with the
rule named and the input kept; and the cohort's webinars are scheduled in one step each."""
import datetime as dt
import json

import pytest

from portal import audience
from portal.audit import AuditEntry
from portal.blueprints.programmes.models import (
    MENTEE,
    MENTOR,
    Cohort,
    CohortWebinar,
    Programme,
    ProgrammeCoordinator,
)
from portal.blueprints.webinars.models import WebinarSession
from portal.dates import add_months
from portal.db import db
from tests.pages import Page

HX = {"HX-Request": "true"}
LEAVE = ["maternity", "paternity", "adoption", "carers", "fostering"]


@pytest.fixture
def staff(client, login, make_user):
    person = make_user(role="staff", name="Sam Staff")
    login(person)
    return person


def rtw_form(csrf_token, **overrides) -> dict:
    """What a person types to set up Return to Work (checkboxes as lists)."""
    data = {
        "csrf_token": csrf_token, "name": "Return to Work",
        "summary": "Mentoring for people about to take leave, from people who have.",
        "description": "## Who it is for\n\nPeople about to take leave.", "kind": "cohort",
        "relationship": "one_way", "length_min_months": "6", "length_max_months": "12",
        "mentor_capacity_min": "2", "mentor_capacity_max": "3", "fee": "500",
        "fee_wording": "If your organisation cannot fund it, tell us: we can reduce it.",
        "mentor_name": "mentor", "mentor_training_days": "1",
        "mentor_commitments": "Attend the training day\nJoin the supervision webinars",
        "mentor_leave_experience_on": "y", "mentor_leave_experience_types": LEAVE,
        "mentor_leave_experience_within_years": "5",
        "mentee_name": "mentee", "mentee_training_days": "1",
        "mentee_commitments": "Attend the training day\nMeet your mentor for up to 12 months",
        "mentee_leave_ahead_on": "y", "mentee_leave_ahead_types": LEAVE,
        "mentee_leave_ahead_min_months_ahead": "3", "mentee_leave_ahead_max_months_ahead": "6",
        "mentee_leave_ahead_min_length_months": "3",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def cohort_form(csrf_token, **overrides) -> dict:
    today = dt.date.today()
    opens, closes = today - dt.timedelta(days=3), today + dt.timedelta(days=25)
    dates = {"recruitment_opens": opens, "recruitment_closes": closes,
             "training_starts": closes + dt.timedelta(days=7),
             "training_ends": closes + dt.timedelta(days=8),
             "mentoring_starts": closes + dt.timedelta(days=14),
             "mentoring_ends": add_months(closes, 12),
             "evaluation_starts": add_months(closes, 12),
             "evaluation_ends": add_months(closes, 13)}
    data = {"csrf_token": csrf_token, "name": "2027", "mentor_capacity": "10",
            "mentee_capacity": "20", **{k: v.isoformat() for k, v in dates.items()}}
    data.update(overrides)
    return data


def set_up_rtw(client, csrf_token) -> tuple[int, int]:
    response = client.post("/programmes/manage/new", data=rtw_form(csrf_token))
    assert response.status_code == 303, Page(response).error_summary()
    programme_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response = client.post(f"/programmes/manage/{programme_id}/cohorts/new",
                           data=cohort_form(csrf_token))
    assert response.status_code == 303, Page(response).error_summary()
    client.get(response.headers["Location"])  # shows, and so clears, the messages
    return programme_id, int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_staff_set_up_return_to_work_through_the_staff_pages_alone(
        app, client, staff, csrf_token, make_user):
    page = Page(client.get("/staff/"))
    assert page.links()["Programmes"] == "/programmes/manage"
    assert Page(client.get("/programmes/manage")).heading() == "Programmes"
    assert Page(client.get("/programmes/manage/new")).heading() == "Set up a programme"

    response = client.post("/programmes/manage/new", data=rtw_form(csrf_token))
    assert response.status_code == 303, Page(response).error_summary()
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Return to Work created. It is not published yet."]
    assert page.texts("#rules-mentee li") == [
        "About to take maternity leave, paternity leave, adoption leave, carers leave or "
        "fostering leave in the next 3 to 6 months, for at least 3 months"]
    assert page.texts("#rules-mentor li") == [
        "Took maternity leave, paternity leave, adoption leave, carers leave or fostering "
        "leave within the last 5 years"]
    assert page.texts("#commitments-mentee li") == [
        "Attend the training day", "Meet your mentor for up to 12 months"]
    assert "£500" in page.text("#details")

    with app.app_context(), db.connection_context():
        programme = Programme.get()
        assert (programme.fee_pence, programme.length_min_months, programme.published,
                programme.mentor_capacity_max) == (50_000, 6, False, 3)
        mentee = programme.role(MENTEE)
        assert [(r.kind, r.params_dict) for r in mentee.rule_rows()] == [
            ("leave_ahead", {"types": LEAVE, "min_months_ahead": 3, "max_months_ahead": 6,
                             "min_length_months": 3})]
        assert programme.role(MENTOR).rule_rows().get().params_dict["within_years"] == 5

    response = client.post(f"/programmes/manage/{programme.id}/cohorts/new",
                           data=cohort_form(csrf_token))
    assert response.status_code == 303, Page(response).error_summary()
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Cohort 2027 created, with its groups."]
    assert page.text("#phase") == "Recruiting"
    assert page.texts("#groups li") == ["Everyone: Return to Work 2027",
                                        "Mentors: Return to Work 2027: mentors",
                                        "Mentees: Return to Work 2027: mentees"]

    response = client.post(f"/programmes/manage/{programme.id}/publish",
                           data={"csrf_token": csrf_token})
    assert Page(client.get(response.headers["Location"])).flashes() == [
        "Return to Work is published."]
    coordinator = make_user(role="staff", name="Cora Coordinator", email="cora@example.org")
    response = client.post(f"/programmes/manage/{programme.id}/coordinators",
                           data={"csrf_token": csrf_token, "email": "Cora@Example.org"})
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Cora Coordinator now coordinates Return to Work."]
    assert page.text("#publication").startswith("Published")
    assert page.texts("#coordinator-list li")[0].startswith("Cora Coordinator")

    with app.app_context(), db.connection_context():
        assert Programme.get().published
        assert Cohort.get().mentee_capacity == 20
        assert ProgrammeCoordinator.get().user_id == coordinator.id
        assert {e.action for e in AuditEntry.select()} >= {
            "programme.create", "cohort.create", "programme.publish",
            "programme.coordinator_add"}


def test_bad_input_comes_back_422_with_the_rule_named_and_the_input_kept(client, staff,
                                                                         csrf_token):
    response = client.post("/programmes/manage/new", data=rtw_form(
        csrf_token, name="", fee="five hundred", mentee_leave_ahead_types=None,
        mentor_min_band_on="y", mentor_min_band_band="", length_min_months="12",
        length_max_months="6", summary="Keep what I typed"))
    assert response.status_code == 422
    page = Page(response)
    assert page.soup.title.get_text().startswith("Error:")
    errors = page.field_errors()
    assert errors["name"] == "Enter the programme's name"
    assert errors["fee"] == "Enter the fee in pounds, like 500 or 499.50"
    assert errors["mentee_leave_ahead_types"] == (
        "Mentee side, leave rule: choose at least one of the leave types")
    assert errors["length_max_months"] == (
        "The longest relationship must not be shorter than the shortest")
    assert "Mentee side, leave rule: choose at least one of the leave types" in \
        page.error_summary()
    assert page.value("summary") == "Keep what I typed"
    assert page.value("mentee_commitments") == (
        "Attend the training day\nMeet your mentor for up to 12 months")
    assert page.soup.find(id="mentee_leave_ahead_on").has_attr("checked")


def test_editing_shows_the_rules_as_saved_and_keeps_them(app, client, staff, csrf_token):
    programme_id, _ = set_up_rtw(client, csrf_token)
    page = Page(client.get(f"/programmes/manage/{programme_id}/edit"))
    assert page.soup.find(id="mentee_leave_ahead_on").has_attr("checked")
    assert not page.soup.find(id="mentee_min_band_on").has_attr("checked")
    assert page.value("mentee_leave_ahead_max_months_ahead") == "6"
    assert page.value("fee") == "500"
    response = client.post(f"/programmes/manage/{programme_id}/edit", data=rtw_form(
        csrf_token, fee="450.50", mentee_min_band_on="y", mentee_min_band_band="6"))
    assert response.status_code == 303, Page(response).error_summary()
    with app.app_context(), db.connection_context():
        programme = Programme.get_by_id(programme_id)
        assert programme.fee_pence == 45_050
        assert [r.kind for r in programme.role(MENTEE).rule_rows()] == ["min_band",
                                                                         "leave_ahead"]


def test_cohort_dates_out_of_order_are_refused_against_the_later_date(client, staff,
                                                                       csrf_token, today):
    programme_id, _ = set_up_rtw(client, csrf_token)
    response = client.post(f"/programmes/manage/{programme_id}/cohorts/new", data=cohort_form(
        csrf_token, recruitment_closes=(today - dt.timedelta(days=30)).isoformat()))
    assert response.status_code == 422
    assert Page(response).field_errors() == {
        "recruitment_closes": "Recruitment closes must not be before recruitment opens"}


def test_a_cohorts_webinars_are_made_in_one_step_each_for_its_groups(app, client, staff,
                                                                     csrf_token, today):
    _, cohort_id = set_up_rtw(client, csrf_token)
    first = (today + dt.timedelta(days=40)).isoformat()
    base = {"csrf_token": csrf_token, "title": "Supervision", "day": first,
            "start_time": "10:00", "end_time": "11:00", "capacity": "30"}
    steps = {"supervision": {"role": "mentor", "cadence_weeks": "6", "months": "12"},
             "training": {"role": "mentee", "days": "2", "title": "Mentee training"},
             "network": {"meetings": "2", "weeks_apart": "26", "title": "Network meeting"}}
    flashes = []
    for step, extra in steps.items():
        assert client.get(f"/programmes/manage/cohorts/{cohort_id}/{step}").status_code == 200
        response = client.post(f"/programmes/manage/cohorts/{cohort_id}/{step}",
                               data={**base, **extra})
        assert response.status_code == 303, Page(response).error_summary()
        flashes += Page(client.get(response.headers["Location"])).flashes()
    assert flashes == ["Supervision: 9 sessions scheduled for 2027.",
                       "Training: 2 sessions scheduled for 2027.",
                       "Network meetings: 2 sessions scheduled for 2027."]
    with app.app_context(), db.connection_context():
        cohort = Cohort.get_by_id(cohort_id)
        links = list(CohortWebinar.for_cohort(cohort))
        by_purpose = {}
        for link in links:
            by_purpose.setdefault((link.purpose, link.role), []).append(link.session)
        assert {k: len(v) for k, v in by_purpose.items()} == {
            ("supervision", MENTOR): 9, ("training", MENTEE): 2, ("network", ""): 2}
        groups = {k: {tuple(audience.group_ids(s)) for s in v} for k, v in by_purpose.items()}
        assert groups == {("supervision", MENTOR): {(cohort.mentors_group_id,)},
                          ("training", MENTEE): {(cohort.mentees_group_id,)},
                          ("network", ""): {(cohort.everyone_group_id,)}}
        assert {s.audience for s in WebinarSession.select()} == {audience.GROUPS}
        training = by_purpose[("training", MENTEE)]
        assert (training[1].starts_at - training[0].starts_at).days == 1
    page = Page(client.get(f"/programmes/manage/cohorts/{cohort_id}"))
    assert len(page.table("#cohort-webinars")) == 13


def test_a_bad_webinar_step_comes_back_422(client, staff, csrf_token):
    _, cohort_id = set_up_rtw(client, csrf_token)
    response = client.post(f"/programmes/manage/cohorts/{cohort_id}/supervision", data={
        "csrf_token": csrf_token, "title": "", "day": "", "cadence_weeks": "5"})
    assert response.status_code == 422
    errors = Page(response).field_errors()
    assert errors["title"] == "Enter a title"
    assert errors["cadence_weeks"] == "Not a valid choice."


def test_only_staff_may_add_a_coordinator(client, staff, csrf_token, make_user):
    programme_id, _ = set_up_rtw(client, csrf_token)
    make_user(name="Mo Member", email="mo@example.org")
    response = client.post(f"/programmes/manage/{programme_id}/coordinators",
                           data={"csrf_token": csrf_token, "email": "mo@example.org"})
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Mo Member is not staff: only staff can coordinate a programme"]


def test_manage_pages_are_for_staff(client, login, make_user, staff, csrf_token):
    programme_id, cohort_id = set_up_rtw(client, csrf_token)
    assert client.get("/programmes/manage/999999").status_code == 404
    assert client.get("/programmes/manage/cohorts/999999").status_code == 404
    login(make_user(name="Mo Member"))
    for url in ("/programmes/manage", f"/programmes/manage/{programme_id}",
                "/programmes/manage/999999", f"/programmes/manage/cohorts/{cohort_id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/programmes/manage/{programme_id}/publish",
                       data={"csrf_token": csrf_token}).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/programmes/manage", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/accounts/login?next=")
    response = client.get("/programmes/manage")
    assert response.status_code == 303


def test_publishing_needs_the_csrf_token(app, client, staff, csrf_token):
    programme_id, _ = set_up_rtw(client, csrf_token)
    assert client.post(f"/programmes/manage/{programme_id}/publish").status_code == 400
    with app.app_context(), db.connection_context():
        assert not Programme.get_by_id(programme_id).published
        assert json.loads(AuditEntry.select().order_by(AuditEntry.id.desc()).get().after)
