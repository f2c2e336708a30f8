"""Applying as a member: the rules refuse with the rule named and the answers kept, drafts
save and resume, submitting, the application page, withdrawing with and without htmx,
who may see what (404 and 403), and odd input."""
import datetime as dt

import pytest

from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import (
    MENTEE,
    Application,
    ApplicationEvent,
    EqualityAnswer,
    ProgrammeCoordinator,
)
from portal.dates import add_months
from portal.db import db
from tests.pages import Page
from tests.programme_factories import make_rtw, submitted

HX = {"HX-Request": "true"}


@pytest.fixture
def staff(make_user):
    return make_user(role="staff", name="Sam Staff")


@pytest.fixture
def rtw(app, staff):
    with app.app_context(), db.connection_context():
        programme, cohort = make_rtw(staff)
        ProgrammeCoordinator.create(programme=programme, user=staff.id)
        commitments = [c.id for c in programme.role(MENTEE).commitment_rows()]
    return programme, cohort, commitments


@pytest.fixture
def member(make_user, login):
    person = make_user(name="Tom Mentee")
    login(person)
    return person


def form_data(csrf_token, commitments, months_ahead=4, **overrides):
    data = {"csrf_token": csrf_token, "motivation": "I want to plan my return.",
            "learning_goals": "How to stay in touch", "availability": "Tuesday lunchtimes",
            "leave_type": "maternity",
            "leave_starts": add_months(dt.date.today(), months_ahead).isoformat(),
            "leave_months": "9", "preferred_channel": "video",
            "access_requirements": "Step-free access", "commitments": commitments,
            "evaluation_consent": "y", "send": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def only_application(app):
    with app.app_context(), db.connection_context():
        return Application.get()


def test_leave_eight_months_away_is_refused_naming_the_rule_then_corrected_and_sent(
        app, client, csrf_token, rtw, member, sent_emails, today):
    programme, cohort, commitments = rtw
    url = f"/programmes/{programme.slug}/apply/mentee"
    assert Page(client.get(url)).heading() == "Apply as a mentee"

    response = client.post(url, data=form_data(csrf_token, commitments, months_ahead=8))
    assert response.status_code == 422
    page = Page(response)
    [problem] = page.error_summary()
    assert problem.startswith("Leave: your leave must start between 3 and 6 months from now")
    assert page.field_errors()["leave_starts"] == problem
    assert page.value("motivation") == "I want to plan my return."
    assert page.value("leave_starts") == add_months(today, 8).isoformat()
    assert page.value("leave_type") == "maternity"
    assert page.value("availability") == "Tuesday lunchtimes"
    assert [i["value"] for i in page.soup.select("input[name=commitments][checked]")] == [
        str(c) for c in commitments]
    draft = only_application(app)
    assert draft.status == "draft"  # the answers are kept as a draft too
    action = page.soup.select_one("#application-form")["action"]
    assert action == f"/programmes/applications/{draft.id}/edit"

    response = client.post(action, data=form_data(csrf_token, commitments, months_ahead=4))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/programmes/applications/{draft.id}"
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes()[0].startswith("Your application is sent")
    assert page.text("#application-state") == "Submitted"
    assert len(page.texts("#application-history li")) == 1
    assert "Step-free access" in page.text("#application-answers")
    assert sent_emails(member.email)[0].subject == "We have your application to Return to Work"


def test_missing_commitments_and_consent_are_shown_next_to_their_questions(
        client, csrf_token, rtw, member):
    programme, _, commitments = rtw
    response = client.post(f"/programmes/{programme.slug}/apply/mentee", data=form_data(
        csrf_token, commitments[:1], evaluation_consent=None, motivation=""))
    assert response.status_code == 422
    page = Page(response)
    errors = page.field_errors()
    assert errors["commitments"] == "Commitments: tick “Meet your mentor for up to 12 months”"
    assert errors["evaluation_consent"].startswith("Evaluation:")
    assert errors["motivation"] == "Tell us why you want to take part"
    assert len(page.error_summary()) == 3


def test_a_draft_saves_and_resumes_without_its_equality_answers(
        app, client, csrf_token, rtw, member, today):
    programme, _, commitments = rtw
    url = f"/programmes/{programme.slug}/apply/mentee"
    response = client.post(url, data=form_data(csrf_token, commitments, months_ahead=8,
                                               send=None, save="1", ethnicity="asian"))
    assert response.status_code == 303
    draft = only_application(app)
    edit = f"/programmes/applications/{draft.id}/edit"
    assert response.headers["Location"] == edit
    assert client.get(url).headers["Location"] == edit  # applying again resumes the draft

    page = Page(client.get(edit))
    assert page.flashes() == ["Your draft is saved. You can come back to it from your "
                              "dashboard."]
    assert page.value("leave_starts") == add_months(today, 8).isoformat()
    assert page.value("motivation") == "I want to plan my return."
    assert page.soup.select("input[name=ethnicity][checked]") == []
    assert page.soup.select_one("#remove_equality") is not None
    with app.app_context(), db.connection_context():
        assert EqualityAnswer.get().ethnicity == "asian"

    dashboard = Page(client.get("/dashboard"))
    assert dashboard.texts("#your-applications li") == [
        "Return to Work: 2027, as mentee Draft"]


def test_withdraw_without_javascript_asks_then_withdraws(app, client, csrf_token, rtw,
                                                         member):
    programme, cohort, _ = rtw
    with app.app_context(), db.connection_context():
        application = submitted(member, programme, cohort)
    url = f"/programmes/applications/{application.id}/withdraw"
    page = Page(client.get(url))
    assert page.heading() == "Withdraw your application to Return to Work?"
    response = client.post(url, data={"csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.text("#application-state") == "Withdrawn"
    assert page.flashes() == ["Your application is withdrawn."]
    assert page.soup.select_one("#application-status form") is None


def test_withdraw_with_htmx_swaps_the_status_panel(app, client, csrf_token, rtw, member):
    programme, cohort, _ = rtw
    with app.app_context(), db.connection_context():
        application = submitted(member, programme, cohort)
    show = Page(client.get(f"/programmes/applications/{application.id}"))
    control = show.soup.select_one("#application-status form")
    assert control["method"] == "get" and control["hx-post"].endswith("/withdraw")
    assert control["hx-confirm"].startswith("Withdraw your application")

    # As htmx sends it: the token in the header that <body hx-headers> sets, no form body.
    response = client.post(f"/programmes/applications/{application.id}/withdraw",
                           headers={**HX, "X-CSRFToken": csrf_token})
    assert response.status_code == 200
    page = Page(response)
    assert not page.is_full_page
    assert page.text("#application-state") == "Withdrawn"
    assert page.flashes() == ["Your application is withdrawn."]
    assert "HX-Request" in response.headers["Vary"]

    again = client.post(f"/programmes/applications/{application.id}/withdraw",
                        headers=HX, data={"csrf_token": csrf_token})
    assert again.status_code == 422
    assert Page(again).flashes() == ["An application that is withdrawn cannot be withdrawn"]


def test_signed_out_visitors_are_sent_to_log_in(client, csrf_token, rtw, app, make_user):
    programme, cohort, _ = rtw
    with app.app_context(), db.connection_context():
        application = submitted(make_user(), programme, cohort)
    response = client.get(f"/programmes/{programme.slug}/apply/mentee")
    assert response.status_code == 303 and "/accounts/login" in response.headers["Location"]
    fragment = client.post(f"/programmes/applications/{application.id}/withdraw",
                           headers=HX, data={"csrf_token": csrf_token})
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"].startswith("/accounts/login")


def test_who_sees_an_application_404_and_403(app, client, csrf_token, rtw, make_user,
                                             login, staff):
    programme, cohort, _ = rtw
    applicant = make_user(name="Amy Applicant")
    with app.app_context(), db.connection_context():
        application = submitted(applicant, programme, cohort)
        apps.add_note(staff, application, "Coordinator-only: strong candidate")
        ApplicationEvent.update(note="").execute()
    page_url = f"/programmes/applications/{application.id}"

    login(make_user(name="Nosy Member"))
    for url in (page_url, page_url + "/edit", page_url + "/withdraw",
                "/programmes/applications/99999"):
        assert client.get(url).status_code == 404, url
    login(make_user(role="staff", name="Other Staff"))
    assert client.get(page_url).status_code == 404

    login(staff)  # the coordinator sees it, but cannot act for the applicant
    assert client.get(page_url).status_code == 200
    assert client.get(page_url + "/withdraw").status_code == 403
    assert client.post(page_url + "/withdraw", data={"csrf_token": csrf_token}
                       ).status_code == 403
    assert client.get(page_url + "/edit").status_code == 403

    login(applicant)
    response = client.get(page_url)
    assert response.status_code == 200
    assert "strong candidate" not in response.text
    edit = client.get(page_url + "/edit")  # sent: no more editing
    assert edit.status_code == 303 and edit.headers["Location"] == page_url


def test_a_cohort_not_recruiting_sends_applicants_back_to_the_programme(
        app, client, rtw, member, today):
    programme, cohort, _ = rtw
    with app.app_context(), db.connection_context():
        type(cohort).update(recruitment_closes=today - dt.timedelta(days=1),
                            recruitment_opens=today - dt.timedelta(days=9)).execute()
    response = client.get(f"/programmes/{programme.slug}/apply/mentor")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/programmes/{programme.slug}"


NASTY = ["\x00", "a\x00b", "x" * 20000, "<script>alert(1)</script>", "2027-13-45", "-1",
         "😀" * 50]


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_odd_input_never_answers_500(app, client, csrf_token, rtw, member, value):
    programme, _, commitments = rtw
    fields = ["motivation", "learning_goals", "availability", "leave_type", "leave_starts",
              "leave_months", "preferred_channel", "access_requirements", "commitments",
              "topics", "ethnicity", "sex", "disability", "cannot_fund_reason"]
    data = {name: value for name in fields}
    data.update({"csrf_token": csrf_token, "save": "1"})
    response = client.post(f"/programmes/{programme.slug}/apply/mentee", data=data)
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 422:
        assert Page(response).error_summary()
    if "<script>" in value:
        assert "<script>alert" not in response.text
