"""Surveys: staff build one per programme (agreement scale, single choice and free text,
each required or optional), open it, and people are asked at its moment: when they apply,
after a training session, when their relationship closes (the pair's closing questions),
and some months after. Invitations and the one reminder go through the outbox with signed
links that work signed out, once. Who may build them: the programme's coordinators and
admins."""
import datetime as dt

import pytest

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.evaluation import invitations, services_surveys
from portal.blueprints.evaluation.models import (
    BASELINE,
    CLOSING,
    FOLLOW_UP,
    OPEN,
    TRAINING,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from portal.blueprints.mentoring import services_closing
from portal.blueprints.mentoring.models import ACTIVE, CLOSED, Relationship
from portal.blueprints.programmes import services as programme_services
from portal.blueprints.programmes import services_webinars
from portal.blueprints.programmes.models import MENTOR
from portal.blueprints.webinars.models import (
    BOOKED,
    WITHDRAWN,
    WebinarBooking,
    WebinarSession,
)
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.db import db, utcnow
from portal.notifications import UserNotification
from portal.outbox import OutboxMessage
from tasks import evaluation as jobs
from tests.conftest import link_in
from tests.evaluation_factories import ADVICE, CONFIDENT, FORMAT, by_text, make_survey
from tests.mentoring_factories import make_pair, make_programme, release_pair
from tests.pages import Page
from tests.programme_factories import make_rtw, submitted

HX = {"HX-Request": "true"}


@pytest.fixture
def ctx(database):
    """Models read and written directly, between requests (each request closes the
    connection; the next query opens it again). The requests share this app context, and
    with it the signed-in person Flask-Login keeps in `g`: one person per test."""
    return database


@pytest.fixture
def coordinator(make_user):
    return make_user(role="staff", name="Cora Coordinator")


@pytest.fixture
def programme(ctx, coordinator):
    """Return to Work with a cohort in its mentoring phase: (programme, cohort)."""
    return make_programme(coordinator, "return_to_work")


@pytest.fixture
def recruiting(ctx, coordinator):
    """Return to Work with a cohort recruiting today: (programme, cohort)."""
    programme, cohort = make_rtw(coordinator)
    programme_services.add_coordinator(coordinator, programme, coordinator)
    return programme, cohort


def post(client, csrf_token, url, **data):
    return client.post(url, data={"csrf_token": csrf_token, **data})


def test_a_coordinator_builds_opens_and_closes_a_survey(client, csrf_token, login, ctx,
                                                        coordinator, programme):
    programme, cohort = programme
    login(coordinator)
    page = Page(client.get(f"/evaluation/programmes/{programme.id}"))
    assert page.heading() == "Evaluation"
    refused = post(client, csrf_token, f"/evaluation/programmes/{programme.id}/surveys/new",
                   title="", moment=FOLLOW_UP, role="", anonymity="named")
    assert refused.status_code == 422
    assert Page(refused).error_summary() == [
        "Enter the survey's title", "Enter how many months after closing the follow-up comes"]
    made = post(client, csrf_token, f"/evaluation/programmes/{programme.id}/surveys/new",
                title="How did it go?", moment=CLOSING, role="", anonymity="choose",
                intro="Five minutes, and it helps the next cohort.")
    assert made.status_code == 303
    survey = Survey.get(Survey.title == "How did it go?")
    base = f"/evaluation/surveys/{survey.id}"

    no_options = post(client, csrf_token, f"{base}/questions", text=FORMAT, kind="choice",
                      options="Only one", required="y")
    assert no_options.status_code == 422
    assert Page(no_options).field_errors() == {
        "options": "Give between 2 and 10 options, one per line"}
    assert Page(no_options).value("text") == FORMAT  # the input is kept
    for text, kind, options, required in ((ADVICE, "text", "", ""),
                                          (CONFIDENT, "likert", "", "y"),
                                          (FORMAT, "choice", "Telephone\nVideo call", "y")):
        data = {"text": text, "kind": kind, "options": options}
        if required:
            data["required"] = "y"
        assert post(client, csrf_token, f"{base}/questions", **data).status_code == 303
    ids = by_text(survey)
    assert post(client, csrf_token, f"{base}/questions/{ids[ADVICE]}/down").status_code == 303
    assert post(client, csrf_token, f"{base}/questions/{ids[ADVICE]}/down").status_code == 303
    page = Page(client.get(base))
    listed = page.texts("#question-list li strong")
    assert listed == [CONFIDENT, FORMAT, ADVICE]
    assert "Free text · Optional" in page.text("#question-list")
    assert "Single choice · Must be answered · Telephone, Video call" in page.text(
        "#question-list")

    opened = post(client, csrf_token, f"{base}/open")
    assert Page(client.get(opened.location)).flashes() == [
        "“How did it go?” is open: invitations go out at its moment."]
    assert Survey.get_by_id(survey.id).status == OPEN
    refused = post(client, csrf_token, f"{base}/questions/{ids[ADVICE]}/delete")
    assert Page(client.get(refused.location)).flashes() == [
        "The survey is open: its questions can no longer change"]
    assert len(by_text(survey)) == 3
    second = make_survey(coordinator, programme, CLOSING, title="Another", opened=False)
    clash = post(client, csrf_token, f"/evaluation/surveys/{second.id}/open")
    assert Page(client.get(clash.location)).flashes() == [
        "“How did it go?” is already open for this moment: close it first"]
    client.get(post(client, csrf_token, f"{base}/close").location)
    post(client, csrf_token, f"/evaluation/surveys/{second.id}/open")
    assert Survey.get_by_id(second.id).status == OPEN
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.object_id == survey.id,
                                                           AuditEntry.object_type == "survey")]
    assert {"survey.create", "survey.question_add", "survey.question_move", "survey.open",
            "survey.close"} <= set(actions)


def test_members_never_see_the_pages_and_other_staff_are_refused(app, client, login,
                                                                 make_user, coordinator):
    with app.app_context(), db.connection_context():
        programme, cohort = make_programme(coordinator, "return_to_work")
        survey = make_survey(coordinator, programme)
    pages = [f"/evaluation/programmes/{programme.id}", f"/evaluation/surveys/{survey.id}",
             f"/evaluation/surveys/{survey.id}/results?cohort={cohort.id}",
             f"/evaluation/cohorts/{cohort.id}/summary",
             f"/evaluation/programmes/{programme.id}/equality"]
    login(make_user(role="member"))
    assert {client.get(url).status_code for url in pages} == {404}
    login(make_user(role="staff"))
    assert {client.get(url).status_code for url in pages} == {403}
    login(make_user(role="admin"))
    assert {client.get(url).status_code for url in pages} == {200}


def answer_by_link(client, path, **answers):
    """Open the emailed link, then send the form as the page gives it."""
    page = Page(client.get(path))
    token = page.soup.select_one("input[name=token]")["value"]
    csrf = page.soup.select_one("input[name=csrf_token]")["value"]
    return client.post("/evaluation/answer", data={"csrf_token": csrf, "token": token,
                                                   **answers})


def test_applicants_are_asked_for_the_baseline_and_answer_signed_out(app, client, ctx,
                                                                     make_user, coordinator,
                                                                     recruiting, sent_emails):
    programme, cohort = recruiting
    survey = make_survey(coordinator, programme, BASELINE, title="Before you start")
    applicant = make_user(name="Ann Applicant")
    submitted(applicant, programme, cohort)
    jobs.find_survey_invitations.call_local()
    jobs.find_survey_invitations.call_local()  # a second run sends nothing more
    invited = [e for e in sent_emails(applicant.email)
               if e.subject == "Return to Work: Before you start"]
    assert len(invited) == 1
    invitation_mail = invited[0]
    assert "The link works once, for 28 days, whether or not you are signed in." \
        in invitation_mail.body_text
    centre = list(UserNotification.select().where(UserNotification.user == applicant.id,
                                                  UserNotification.kind == "survey_invitation"))
    assert [n.text for n in centre] == ["Return to Work: Before you start"]
    assert centre[0].url == link_in(invitation_mail.body_text).split("localhost", 1)[-1]

    ids = by_text(survey)
    path = link_in(invitation_mail.body_text)
    missing = answer_by_link(client, path, **{f"q{ids[ADVICE]}": "Keep going"})
    assert missing.status_code == 422
    assert Page(missing).error_summary() == [f"Answer “{CONFIDENT}”", f"Answer “{FORMAT}”"]
    assert Page(missing).value(f"q{ids[ADVICE]}") == "Keep going"
    done = answer_by_link(client, path, **{f"q{ids[CONFIDENT]}": "2",
                                           f"q{ids[FORMAT]}": "Telephone"})
    assert done.status_code == 303
    assert Page(client.get(done.location)).heading() == "Thank you"
    response = SurveyResponse.get(SurveyResponse.survey == survey.id)
    assert response.respondent_id == applicant.id  # a named survey
    assert response.cohort_id == cohort.id
    assert response.answer_map == {str(ids[CONFIDENT]): "2", str(ids[FORMAT]): "Telephone"}

    used = client.get(path)
    assert used.status_code == 400
    assert Page(used).heading() == "This link has already been used."
    altered = client.get(path[:-3] + "abc")
    assert altered.status_code == 400
    assert Page(altered).heading().startswith("This link is not valid.")
    assert SurveyResponse.select().count() == 1


def test_an_answer_cannot_be_sent_twice_from_two_open_pages(client, ctx, make_user,
                                                            coordinator, programme):
    programme, cohort = programme
    survey = make_survey(coordinator, programme)
    person = make_user()
    invitation = invitations.invite(survey.id, person.id, cohort.id, "test:1")
    assert invitation
    row = SurveyInvitation.get(SurveyInvitation.person == person.id)
    path = f"/evaluation/s/{invitations.make_token(row.id)}"
    ids = by_text(survey)
    pages = [Page(client.get(path)) for _ in range(2)]
    answers = {f"q{ids[CONFIDENT]}": "4", f"q{ids[FORMAT]}": "Video call"}
    statuses = []
    for page in pages:
        statuses.append(client.post("/evaluation/answer", data={
            "csrf_token": page.soup.select_one("input[name=csrf_token]")["value"],
            "token": page.soup.select_one("input[name=token]")["value"], **answers})
            .status_code)
    assert statuses == [303, 400]
    assert SurveyResponse.select().count() == 1


def test_a_closed_survey_takes_no_more_answers(client, ctx, make_user, coordinator, programme):
    programme, cohort = programme
    survey = make_survey(coordinator, programme)
    person = make_user()
    invitations.invite(survey.id, person.id, cohort.id, "test:1")
    path = f"/evaluation/s/{invitations.make_token(SurveyInvitation.get().id)}"
    services_surveys.close_survey(coordinator, survey.id)
    closed = client.get(path)
    assert closed.status_code == 400
    assert Page(closed).heading() == "This link has expired."


def test_people_who_held_a_seat_at_a_training_session_are_asked_after_it(ctx, make_user,
                                                                         coordinator,
                                                                         programme,
                                                                         sent_emails):
    programme, cohort = programme
    make_survey(coordinator, programme, TRAINING, title="The training day")
    starts = dt.datetime.combine(dt.date.today() + dt.timedelta(days=2), dt.time(9))
    sessions = services_webinars.create_training(
        coordinator, cohort, SessionDetails(
            title="Training day", description="", facilitator="Fay", starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), capacity=20, joining_link="",
            audience_value="", group_ids=[]), role="", days=1)
    session = sessions[0]
    came, left, absent = (make_user(name=n) for n in ("Came", "Cancelled", "Absent"))
    for person, status, attended in ((came, BOOKED, None), (left, WITHDRAWN, None),
                                     (absent, BOOKED, False)):
        WebinarBooking.create(session=session.id, user=person.id, status=status,
                              attended=attended)
    assert invitations.invitations_due() == []  # not before it ends
    ended = utcnow() - dt.timedelta(hours=1)
    WebinarSession.update(starts_at=ended - dt.timedelta(hours=2), ends_at=ended).where(
        WebinarSession.id == session.id).execute()
    jobs.find_survey_invitations.call_local()
    assert [e.subject for e in sent_emails(came.email)] == ["Return to Work: The training day"]
    assert sent_emails(left.email) == [] and sent_emails(absent.email) == []
    assert SurveyInvitation.get().occasion == f"session:{session.id}"


def test_closing_asks_both_people_and_the_pair_page_leads_to_the_survey(client, csrf_token,
                                                                        login, ctx, make_user,
                                                                        sent_emails):
    pair = make_pair(make_user, "return_to_work")
    survey = make_survey(pair.coordinator, pair.rel.programme, CLOSING, anonymity="choose",
                         title="Closing questions")
    Relationship.update(status=ACTIVE).where(Relationship.id == pair.rel.id).execute()
    login(pair.mentee)
    closed = post(client, csrf_token, f"/mentoring/{pair.rel.id}/close",
                  reason="We met our goals.")
    assert closed.status_code == 303
    assert Relationship.get_by_id(pair.rel.id).status == CLOSED
    for person in (pair.mentor, pair.mentee):
        assert "Return to Work: Closing questions" in [
            e.subject for e in sent_emails(person.email)]
    to_closing = client.get(closed.location)
    assert to_closing.status_code == 303
    assert to_closing.location.startswith("/evaluation/s/")
    ids = by_text(survey)
    page = Page(client.get(to_closing.location))
    assert page.heading() == "Closing questions"
    assert page.soup.select_one("#anonymous") is not None  # each person chooses
    done = answer_by_link(client, to_closing.location, **{
        f"q{ids[CONFIDENT]}": "5", f"q{ids[FORMAT]}": "In person"})
    assert done.status_code == 303
    assert Page(client.get(f"/mentoring/{pair.rel.id}")).text("#closing-state") == \
        "Thank you: you have answered the closing questions."
    assert "mentoring-card" not in client.get("/dashboard").text


def test_without_a_closing_survey_the_built_in_questions_stay(client, login, ctx, make_user):
    pair = make_pair(make_user, "return_to_work")
    services_closing.close(pair.mentor, pair.rel.id, "Done")
    login(pair.mentee)
    page = client.get(f"/mentoring/{pair.rel.id}/closing")
    assert page.status_code == 200
    assert Page(page).heading() == "Closing questions"
    assert SurveyInvitation.select().count() == 0


def test_a_survey_for_mentors_asks_only_mentors(ctx, make_user, sent_emails):
    pair = make_pair(make_user, "return_to_work")
    make_survey(pair.coordinator, pair.rel.programme, CLOSING, role=MENTOR)
    services_closing.close(pair.coordinator, pair.rel.id, "The year is over")
    assert [i.person_id for i in SurveyInvitation.select()] == [pair.mentor.id]


def test_the_follow_up_comes_its_months_after_closing(ctx, make_user, sent_emails):
    pair = make_pair(make_user, "return_to_work")
    programme, cohort = pair.rel.programme, pair.rel.cohort
    make_survey(pair.coordinator, programme, FOLLOW_UP, follow_up_months=3,
                title="Three months on", opened_at=utcnow() - dt.timedelta(days=200))
    other = release_pair(programme, cohort, make_user(), make_user())
    Relationship.update(status=CLOSED, closed_at=utcnow() - dt.timedelta(days=100)).where(
        Relationship.id == pair.rel.id).execute()
    Relationship.update(status=CLOSED, closed_at=utcnow() - dt.timedelta(days=30)).where(
        Relationship.id == other.id).execute()
    due = invitations.invitations_due()
    assert sorted(person for _, person, _, _ in due) == sorted([pair.mentor.id,
                                                                pair.mentee.id])
    assert {occasion for *_, occasion in due} == {f"relationship:{pair.rel.id}"}
    jobs.find_survey_invitations.call_local()
    assert [e.subject for e in sent_emails(pair.mentee.email)] == [
        "Return to Work: Three months on"]


def test_one_reminder_a_week_later_to_those_who_have_not_answered(ctx, make_user, coordinator,
                                                                  programme, sent_emails):
    programme, cohort = programme
    survey = make_survey(coordinator, programme)
    quiet, keen = make_user(name="Quiet"), make_user(name="Keen")
    for person in (quiet, keen):
        invitations.invite(survey.id, person.id, cohort.id, f"test:{person.id}",
                           now=utcnow() - dt.timedelta(days=8))
    SurveyInvitation.update(answered=True).where(SurveyInvitation.person == keen.id).execute()
    assert invitations.reminders_due() == [SurveyInvitation.get(
        SurveyInvitation.person == quiet.id).id]
    jobs.find_survey_reminders.call_local()
    jobs.find_survey_reminders.call_local()
    assert [e.subject for e in sent_emails(quiet.email)] == [
        "Reminder: Closing survey", "Return to Work: Closing survey"]
    assert len(sent_emails(keen.email)) == 1
    reminder = sent_emails(quiet.email)[0]
    assert link_in(reminder.body_text).startswith("/evaluation/s/")
    assert OutboxMessage.select().where(OutboxMessage.key.startswith("survey-reminder:")
                                        ).count() == 1


def test_nobody_is_asked_by_a_draft_or_about_what_came_before_opening(ctx, make_user,
                                                                      coordinator, recruiting):
    programme, cohort = recruiting
    draft = make_survey(coordinator, programme, BASELINE, opened=False)
    submitted(make_user(), programme, cohort)
    assert invitations.invitations_due() == []
    services_surveys.open_survey(coordinator, draft.id)
    assert invitations.invitations_due() == []  # applied before it opened
    assert User.select().count() >= 2
