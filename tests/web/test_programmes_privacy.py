"""Equality answers and coordinator notes appear on no page, CSV or email except the
programme's coordinator views.

The walk is generic: it takes every GET route of the `programmes` blueprint that exists at
run time (the public and applicant pages included, whoever added them), fills each URL
parameter from PARAMS, and fetches it, with and without htmx, as the applicant, another
member, staff who do not coordinate the programme, and the coordinator. A route with a
parameter it cannot fill is skipped and listed (run with -s to see what was walked).
"""
import datetime as dt

import pytest
from flask import url_for

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import RELEASED, Relationship
from portal.blueprints.programmes import services, services_alerts
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import (
    MENTEE,
    CoordinatorNote,
    EqualityAnswer,
    OpeningAlert,
)
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tests.programme_factories import make_rtw, submitted

HX = {"HX-Request": "true"}
ETHNICITY_MARKER = "MARKER-ETHNICITY"
NOTE_MARKER = "MARKER-NOTE"
EQUALITY_HEADING = "Equality monitoring"
# Where the markers may appear: the coordinator's view of an application.
COORDINATOR_VIEWS = {"programmes.review_application"}
# The application form asks the equality questions (blank: answers are never shown back),
# so its heading is no leak there; the answers themselves still are.
FORM_VIEWS = {"programmes.apply", "programmes.edit_application"}


@pytest.fixture
def world(app, make_user):
    people = {"coordinator": make_user(role="staff", name="Cora Coordinator"),
              "staff": make_user(role="staff", name="Sid Staff"),
              "applicant": make_user(name="Tom Mentee"),
              "member": make_user(name="Mo Member")}
    with app.app_context(), db.connection_context():
        coordinator = User.get_by_id(people["coordinator"].id)
        programme, cohort = make_rtw(coordinator)
        services.add_coordinator(coordinator, programme, coordinator)
        application = submitted(User.get_by_id(people["applicant"].id), programme, cohort)
        # Stored as typed, past the form's choices, so it is a unique string to look for.
        EqualityAnswer.create(application=application, ethnicity=ETHNICITY_MARKER,
                              sex="female", disability="no")
        apps.add_note(coordinator, application, f"{NOTE_MARKER}: call back on Tuesday")
        apps.start_review(coordinator, application)
        apps.accept(coordinator, application, note="See you at training")
        alert = services_alerts.sign_up("alerts@example.org", programme)
        # A released match of the applicant's, so the participant's pages are walked too.
        match = Relationship.create(
            programme=programme, cohort=cohort, mentor=people["member"].id,
            mentee=people["applicant"].id, mentee_application=application, status=RELEASED,
            reasons='["both chose resilience"]', released_at=utcnow(),
            respond_by=utcnow() + dt.timedelta(days=7))
        params = {"programme_id": programme.id, "cohort_id": cohort.id,
                  "application_id": application.id, "slug": programme.slug,
                  "role": MENTEE, "person_id": coordinator.id, "relationship_id": match.id,
                  "token": services_alerts.make_token(alert, services_alerts.CONFIRM)}
    return people, params


def routes(app, params) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, url) for every GET route of the area that PARAMS can fill, and the
    routes skipped with the parameters missing."""
    walked, skipped = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if not rule.endpoint.startswith("programmes.") or "GET" not in rule.methods:
                continue
            missing = sorted(rule.arguments - set(params))
            if missing:
                skipped.append(f"{rule.endpoint} {rule.rule} (no value for {missing})")
                continue
            walked.append((rule.endpoint, url_for(rule.endpoint,
                                                  **{a: params[a] for a in rule.arguments})))
    return walked, skipped


def leaks(text: str) -> set[str]:
    found = {m for m in (ETHNICITY_MARKER, NOTE_MARKER) if m in text}
    if EQUALITY_HEADING in text:
        found.add(EQUALITY_HEADING)
    return found


def test_equality_answers_and_notes_appear_only_on_the_coordinators_views(
        app, client, login, world, csrf_token):
    people, params = world
    walked, skipped = routes(app, params)
    print("\nWalked:", *(f"  {e} {u}" for e, u in walked), sep="\n")
    print("Skipped:", *[f"  {s}" for s in skipped or ["none"]], sep="\n")
    assert {e for e, _ in walked} >= {
        "programmes.manage", "programmes.setup", "programmes.cohort", "programmes.review",
        "programmes.review_csv", "programmes.review_application", "programmes.training",
        "programmes.cohort_matching", "programmes.confirm_release", "programmes.suggestions",
        "programmes.matching_weights", "programmes.match", "programmes.decline_match"}

    seen = {}
    for who, person in people.items():
        login(person)
        for endpoint, url in walked:
            for headers in ({}, HX):
                response = client.get(url, headers=headers)
                assert response.status_code < 500, (who, url, response.status_code)
                found = leaks(response.text)
                if endpoint in FORM_VIEWS:
                    found.discard(EQUALITY_HEADING)
                seen[(who, endpoint, bool(headers))] = found
                if found and not (who == "coordinator" and endpoint in COORDINATOR_VIEWS):
                    pytest.fail(f"{sorted(found)} shown to {who} at {url} "
                                f"{'(htmx)' if headers else ''}")
    # The walk would catch a leak: the coordinator's own view does show both.
    assert seen[("coordinator", "programmes.review_application", False)] == {
        ETHNICITY_MARKER, NOTE_MARKER, EQUALITY_HEADING}


def test_an_admin_who_does_not_coordinate_sees_the_notes_but_not_equality_answers(
        client, login, make_user, world):
    _, params = world
    login(make_user(role="admin", name="Ada Admin"))
    page = client.get(f"/programmes/review/applications/{params['application_id']}").text
    assert leaks(page) == {NOTE_MARKER}


def test_decision_fragments_the_csv_and_every_email_leave_them_out(
        app, client, login, world, csrf_token):
    people, params = world
    login(people["coordinator"])
    response = client.post(f"/programmes/review/applications/{params['application_id']}"
                           "/decline", headers=HX, data={"csrf_token": csrf_token,
                                                         "note": "Sorry"})
    assert response.status_code == 200 and not leaks(response.text)
    csv_text = client.get(f"/programmes/review/{params['programme_id']}/applications.csv").text
    assert "Tom Mentee" in csv_text and not leaks(csv_text)
    with app.app_context(), db.connection_context():
        assert CoordinatorNote.select().count() == 1
        assert OpeningAlert.select().count() == 1
        messages = list(OutboxMessage.select())
    assert len(messages) >= 4  # submitted, under review, accepted, declined, alert confirm
    for message in messages:
        assert not leaks(message.subject + message.body_text), message.subject
