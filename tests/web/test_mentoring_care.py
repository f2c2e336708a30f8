"""The pair page's care section and its pages: the mentee's leave phase and details, the
prompt to book a session before the return, closing (by either person or a coordinator)
with the closing questions and the pay-it-forward invitation, the end-date offer, and the
dashboard's "Your mentoring" card. CSRF stays on."""
import datetime as dt
import json

import pytest
from playhouse.test_utils import assert_query_count, count_queries

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import phases, services_closing, services_leave
from portal.blueprints.mentoring.models import (
    ACCEPTED,
    ACTIVE,
    CLOSED,
    HELD,
    PROPOSED,
    Agreement,
    CheckIn,
    ClosingAnswer,
    Goal,
    MentoringSession,
    Relationship,
)
from portal.blueprints.programmes import services
from portal.blueprints.programmes.models import EligibilityRule, ProgrammeRole
from portal.blueprints.webinars import times
from portal.db import db, utcnow
from tests.conftest import link_in
from tests.mentoring_factories import make_pair, make_programme, release_pair
from tests.pages import Page
from tests.programme_factories import cohort_details

HX = {"HX-Request": "true"}


def days(n: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=n)


@pytest.fixture
def pair(app, make_user):
    """A released pair in a programme of `scheme`, with `fields` set on the relationship
    as the agreement and sessions would leave them."""
    def make(scheme="short_virtual", **fields):
        with app.app_context(), db.connection_context():
            made = make_pair(make_user, scheme)
            if fields:
                set_fields(app, made.rel, **fields)
            return made
    return make


def set_fields(app, rel, **fields):
    with app.app_context(), db.connection_context():
        Relationship.update(**fields).where(Relationship.id == rel.id).execute()


def reload(app, rel) -> Relationship:
    with app.app_context(), db.connection_context():
        return Relationship.get_by_id(rel.id)


def care(client, rel) -> Page:
    response = client.get(f"/mentoring/{rel.id}")
    assert response.status_code == 200
    return Page(response)


# Leave ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("starts_in", "returns_in", "label"), [
    (20, 300, "Preparing for leave"),
    (-20, 300, "On leave"),
    (-200, 10, "Returning to work"),
    (-400, -100, "Back at work"),
])
def test_the_pair_page_shows_the_leave_phase_with_its_dates(app, client, login, pair,
                                                             starts_in, returns_in, label):
    starts, returns = days(starts_in), days(returns_in)
    p = pair("return_to_work", leave_starts=starts, leave_returns=returns)
    for person in (p.mentee, p.mentor):
        login(person)
        page = care(client, p.rel)
        assert page.text("#leave-phase .nhsuk-tag") == label
        dates = page.text("#leave-phase dl")
        assert f"Leave starts {starts:%-d %B %Y}" in dates
        assert f"Expected return {returns:%-d %B %Y}" in dates


def test_a_pair_without_leave_dates_or_leave_rules_shows_no_leave_phase(app, client, login,
                                                                         pair):
    p = pair("short_virtual")
    with app.app_context(), db.connection_context():
        roles = ProgrammeRole.select(ProgrammeRole.id).where(
            ProgrammeRole.programme == p.rel.programme_id)
        EligibilityRule.delete().where(EligibilityRule.role.in_(roles)).execute()
    login(p.mentee)
    assert care(client, p.rel).soup.find(id="leave-phase") is None


def test_reminders_pause_during_leave_unless_the_mentee_keeps_in_touch(app, client, login,
                                                                        pair):
    p = pair("return_to_work", leave_starts=days(-20), leave_returns=days(300))
    login(p.mentor)
    assert "paused while Ned Mentee is on leave" in care(client, p.rel).text("#leave-phase")
    set_fields(app, p.rel, keep_in_touch=True)
    page = care(client, p.rel)
    assert "paused" not in page.text("#leave-phase").replace("reminders pause", "")
    assert "Contact during leave Keep in touch" in page.text("#leave-phase dl")


def test_the_mentee_edits_the_leave_dates_and_chooses_keep_in_touch(app, client, login,
                                                                     csrf_token, pair):
    p = pair("return_to_work", leave_starts=days(20), leave_returns=days(300))
    login(p.mentee)
    page = care(client, p.rel)
    assert page.links()["Change your leave dates or contact during leave"] == \
        f"/mentoring/{p.rel.id}/leave"
    form = Page(client.get(f"/mentoring/{p.rel.id}/leave"))
    assert form.value("leave_starts") == days(20).isoformat()
    response = client.post(f"/mentoring/{p.rel.id}/leave", data={
        "leave_starts": days(-3).isoformat(), "leave_returns": days(250).isoformat(),
        "keep_in_touch": "y", "csrf_token": csrf_token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/mentoring/{p.rel.id}#leave-phase")
    page = care(client, p.rel)
    assert page.flashes() == ["Your leave details are saved."]
    assert page.text("#leave-phase .nhsuk-tag") == "On leave"
    assert f"Expected return {days(250):%-d %B %Y}" in page.text("#leave-phase dl")
    rel = reload(app, p.rel)
    assert (rel.leave_starts, rel.leave_returns, rel.keep_in_touch) == (days(-3), days(250), True)


def test_a_return_before_the_start_is_refused_with_the_input_kept(app, client, login,
                                                                  csrf_token, pair):
    p = pair("return_to_work", leave_starts=days(20), leave_returns=days(300))
    login(p.mentee)
    response = client.post(f"/mentoring/{p.rel.id}/leave", data={
        "leave_starts": days(40).isoformat(), "leave_returns": days(30).isoformat(),
        "csrf_token": csrf_token})
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == ["The expected return must be after the start of the leave"]
    assert page.value("leave_starts") == days(40).isoformat()
    assert reload(app, p.rel).leave_starts == days(20)


def test_only_the_mentee_edits_leave_and_strangers_learn_nothing(app, client, login, make_user,
                                                                  csrf_token, pair):
    p = pair("return_to_work", leave_starts=days(20), leave_returns=days(300))
    login(p.mentor)
    assert "Change your leave dates" not in care(client, p.rel).text("#leave-phase")
    assert client.get(f"/mentoring/{p.rel.id}/leave").status_code == 403
    login(make_user(name="Stranger"))
    assert client.get(f"/mentoring/{p.rel.id}/leave").status_code == 404
    login(p.coordinator)
    assert client.get(f"/mentoring/{p.rel.id}/leave").status_code == 404


def test_a_mentee_in_a_programme_with_leave_rules_may_add_missing_dates(app, client, login,
                                                                         pair):
    p = pair("return_to_work")
    login(p.mentee)
    assert care(client, p.rel).links()["Add your leave dates"] == f"/mentoring/{p.rel.id}/leave"
    login(p.mentor)
    assert care(client, p.rel).soup.find(id="leave-phase") is None


def test_near_the_return_both_are_asked_once_to_book_a_session(app, pair, sent_emails):
    p = pair("return_to_work", leave_starts=days(-200), leave_returns=days(40))
    with app.app_context(), db.connection_context():
        assert services_leave.return_prompts_due(dt.date.today()) == []  # still on leave
        soon = days(40 - phases.RETURNING_WEEKS * 7)
        assert services_leave.return_prompts_due(soon) == [p.rel.id]
        assert len(services_leave.prompt_return(p.rel.id, soon)) == 2
        assert services_leave.prompt_return(p.rel.id, soon + dt.timedelta(days=1)) == []
        assert services_leave.return_prompts_due(soon + dt.timedelta(days=1)) == []
    [to_mentee] = sent_emails(p.mentee.email)
    assert to_mentee.subject == "Book a session before the return to work"
    assert f"Your return to work is coming up on {days(40).day}" in to_mentee.body_text
    assert link_in(to_mentee.body_text) == f"/mentoring/{p.rel.id}"
    [to_mentor] = sent_emails(p.mentor.email)
    assert "Ned Mentee expects to return to work" in to_mentor.body_text


def test_a_new_return_date_gets_its_own_prompt(app, client, login, csrf_token, pair,
                                               sent_emails):
    p = pair("return_to_work", leave_starts=days(-200), leave_returns=days(10))
    with app.app_context(), db.connection_context():
        services_leave.prompt_return(p.rel.id, dt.date.today())
    login(p.mentee)
    client.post(f"/mentoring/{p.rel.id}/leave", data={
        "leave_starts": days(-200).isoformat(), "leave_returns": days(20).isoformat(),
        "csrf_token": csrf_token})
    assert reload(app, p.rel).return_prompted_at is None
    with app.app_context(), db.connection_context():
        services_leave.prompt_return(p.rel.id, dt.date.today())
    assert len(sent_emails(p.mentee.email)) == 2


# Closing ----------------------------------------------------------------------------------------

def test_either_person_closes_with_a_reason_and_the_other_is_told(app, client, login,
                                                                  csrf_token, pair, sent_emails):
    p = pair("short_virtual", status=ACTIVE, started_at=utcnow() - dt.timedelta(days=40))
    login(p.mentee)
    assert care(client, p.rel).links()["End the mentoring"] == f"/mentoring/{p.rel.id}/close"
    page = Page(client.get(f"/mentoring/{p.rel.id}/close"))
    assert page.heading() == "End your mentoring with Maya Mentor"
    response = client.post(f"/mentoring/{p.rel.id}/close", data={
        "reason": "  We covered what I needed.  ", "csrf_token": csrf_token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/mentoring/{p.rel.id}/closing")
    rel = reload(app, p.rel)
    assert (rel.status, rel.closed_by_id, rel.close_reason) == (
        CLOSED, p.mentee.id, "We covered what I needed.")
    assert rel.closed_at is not None
    [told] = sent_emails(p.mentor.email)
    assert told.subject == "Your mentoring on Short virtual mentoring has been closed"
    assert "Ned Mentee has ended your mentoring together" in told.body_text
    assert "Reason: We covered what I needed." in told.body_text
    assert link_in(told.body_text) == f"/mentoring/{p.rel.id}/closing"
    assert sent_emails(p.mentee.email) == []
    login(p.mentor)
    page = care(client, p.rel)
    assert "Closed on" in page.text("#close") and "by Ned Mentee" in page.text("#close")
    assert page.links()["Answer the closing questions"] == f"/mentoring/{p.rel.id}/closing"
    assert "End the mentoring" not in page.links()


def test_closing_needs_a_reason_and_happens_once(app, client, login, csrf_token, pair):
    p = pair()
    login(p.mentor)
    response = client.post(f"/mentoring/{p.rel.id}/close", data={"reason": " ",
                                                                  "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Tell us briefly why the mentoring is ending"]
    assert reload(app, p.rel).status != CLOSED
    assert client.post(f"/mentoring/{p.rel.id}/close", data={
        "reason": "Done", "csrf_token": csrf_token}).status_code == 303
    assert client.post(f"/mentoring/{p.rel.id}/close", data={
        "reason": "Again", "csrf_token": csrf_token}).status_code == 403
    with app.app_context(), db.connection_context(), pytest.raises(
            services_closing.ClosingRefused, match="already ended"):
        services_closing.close(User.get_by_id(p.mentee.id), p.rel.id, "Me too")


def test_closing_without_the_csrf_token_is_refused(app, client, login, pair):
    p = pair()
    login(p.mentor)
    assert client.post(f"/mentoring/{p.rel.id}/close", data={"reason": "x"}).status_code == 400
    assert reload(app, p.rel).status != CLOSED


def test_a_coordinator_closes_a_pair_from_the_list_and_both_are_told(app, client, login,
                                                                    csrf_token, pair,
                                                                    sent_emails):
    p = pair()
    login(p.coordinator)
    pairs_page = Page(client.get(f"/mentoring/cohorts/{p.rel.cohort_id}/pairs"))
    end_link = pairs_page.links()["End the mentoring of Maya Mentor and Ned Mentee"]
    assert end_link == f"/mentoring/{p.rel.id}/close"
    page = Page(client.get(end_link))
    assert page.heading() == "End the mentoring of Maya Mentor and Ned Mentee"
    response = client.post(end_link, data={"reason": "Mentor has left the trust",
                                           "csrf_token": csrf_token})
    assert response.headers["Location"].endswith(f"/mentoring/cohorts/{p.rel.cohort_id}/pairs")
    for person in (p.mentor, p.mentee):
        [told] = sent_emails(person.email)
        assert "The programme team has ended your mentoring" in told.body_text
    with app.app_context(), db.connection_context():
        [entry] = AuditEntry.select().where(AuditEntry.action == "mentoring.closed")
        assert (entry.actor_id, entry.object_id) == (p.coordinator.id, p.rel.id)
    assert reload(app, p.rel).closed_by_id == p.coordinator.id


def test_only_the_pair_and_its_coordinators_may_close_it(app, client, login, make_user, pair):
    p = pair()
    for outsider in (make_user(name="Member"), make_user(role="staff", name="Other staff"),
                     make_user(role="admin", name="Admin")):
        login(outsider)
        assert client.get(f"/mentoring/{p.rel.id}/close").status_code == 404


def test_each_person_answers_the_closing_questions_once(app, client, login, csrf_token, pair):
    p = pair()
    login(p.mentee)
    client.post(f"/mentoring/{p.rel.id}/close", data={"reason": "Done", "csrf_token": csrf_token})
    page = Page(client.get(f"/mentoring/{p.rel.id}/closing"))
    assert page.heading() == "Closing questions"
    response = client.post(f"/mentoring/{p.rel.id}/closing", data={"csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Choose how useful the mentoring was",
                                              "Choose whether you met your goals"]
    response = client.post(f"/mentoring/{p.rel.id}/closing", data={
        "usefulness": "4", "goals_met": "partly", "advice": "Go for it.",
        "csrf_token": csrf_token})
    assert response.status_code == 303
    page = care(client, p.rel)
    assert page.text("#closing-state") == "Thank you: you have answered the closing questions."
    again = client.post(f"/mentoring/{p.rel.id}/closing", data={
        "usefulness": "1", "goals_met": "no", "csrf_token": csrf_token})
    assert again.status_code == 303
    # the other person answers after the mentee closed it
    login(p.mentor)
    client.post(f"/mentoring/{p.rel.id}/closing", data={
        "usefulness": "5", "goals_met": "yes", "csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        answers = {a.person_id: json.loads(a.answers) for a in ClosingAnswer.select()}
        with pytest.raises(services_closing.ClosingRefused, match="already answered"):
            services_closing.answer_closing(p.mentor.id, p.rel.id, "2", "no", "")
    assert answers == {
        p.mentee.id: {"usefulness": 4, "goals_met": "partly", "advice": "Go for it."},
        p.mentor.id: {"usefulness": 5, "goals_met": "yes", "advice": ""}}


def test_the_closing_questions_wait_until_the_mentoring_has_ended(app, client, login, pair):
    p = pair()
    login(p.mentee)
    response = client.get(f"/mentoring/{p.rel.id}/closing")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/mentoring/{p.rel.id}#close")


def test_a_closed_mentees_page_offers_pay_it_forward_and_the_mentors_does_not(
        app, client, login, csrf_token, make_user):
    with app.app_context(), db.connection_context():
        p = make_pair(make_user, "return_to_work")
        coordinator = User.get_by_id(p.coordinator.id)
        services.create_cohort(coordinator, p.rel.programme, cohort_details(name="2028"))
    login(p.mentor)
    client.post(f"/mentoring/{p.rel.id}/close", data={"reason": "Done", "csrf_token": csrf_token})
    assert care(client, p.rel).soup.find(id="pay-it-forward") is None
    login(p.mentee)
    page = care(client, p.rel)
    assert page.text("#pay-it-forward h3") == "Pay it forward"
    slug = p.rel.programme.slug
    assert page.links()["Apply as a mentor for 2028"] == f"/programmes/{slug}/apply/mentor"


def test_at_the_end_date_both_are_offered_to_close_once(app, pair, sent_emails):
    p = pair(ends_on=days(3))
    with app.app_context(), db.connection_context():
        assert services_closing.end_offers_due(dt.date.today()) == []
        assert services_closing.end_offers_due(days(3)) == [p.rel.id]
        assert len(services_closing.offer_end(p.rel.id, days(3))) == 2
        assert services_closing.offer_end(p.rel.id, days(4)) == []
        assert services_closing.end_offers_due(days(4)) == []
    [offer] = sent_emails(p.mentee.email)
    assert offer.subject == "Your mentoring with Maya Mentor has reached its end date"
    assert link_in(offer.body_text) == f"/mentoring/{p.rel.id}#close"
    assert len(sent_emails(p.mentor.email)) == 1


def test_the_care_section_is_a_fixed_number_of_queries(app, client, login, pair):
    p = pair("return_to_work", leave_starts=days(-20), leave_returns=days(300))
    login(p.mentee)
    url = f"/mentoring/{p.rel.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    with app.app_context(), db.connection_context():
        CheckIn.insert_many([{"relationship": p.rel.id, "person": p.mentee.id, "period": n,
                              "sent_at": utcnow() - dt.timedelta(days=3)}
                             for n in range(1, 40)]).execute()
    with assert_query_count(few.count):
        page = Page(client.get(url))
    assert page.soup.find(id="checkin") is not None


# The dashboard card -----------------------------------------------------------------------------

def test_the_card_shows_each_open_pair_with_what_is_waiting(app, client, login, make_user):
    now = utcnow()
    with app.app_context(), db.connection_context():
        p = make_pair(make_user, "short_virtual")
        mentee = p.mentee
        Agreement.create(relationship=p.rel.id, mentor_confirmed_at=now)
        for status, when, by in ((HELD, -10, p.mentor), (ACCEPTED, 5, p.mentor),
                                 (ACCEPTED, 9, p.mentor), (PROPOSED, 12, p.mentor)):
            MentoringSession.create(relationship=p.rel.id, proposed_by=by.id, minutes=60,
                                    channel="telephone", status=status,
                                    starts_at=now + dt.timedelta(days=when))
        Goal.create(relationship=p.rel.id, owner=mentee.id, title="Secret goal words",
                    target_date=days(7), status="in_progress")
        Goal.create(relationship=p.rel.id, owner=mentee.id, title="Later", target_date=days(60))
        CheckIn.create(relationship=p.rel.id, person=mentee.id, period=1, sent_at=now)
    login(mentee)
    page = Page(client.get("/dashboard"))
    card = page.soup.find(id="mentoring-card")
    assert card is not None
    item = page.text(f"#mentoring-{p.rel.id}")
    assert "Maya Mentor" in item and "Your mentor in Short virtual mentoring" in item
    assert "Sessions left 0 of 3" in item  # one held, two booked, one proposed
    assert "Goals due 1 overdue or due in the next 2 weeks" in item
    with app.app_context(), db.connection_context():
        first_booked = times.fmt_when(now + dt.timedelta(days=5))
    assert f"Next session {first_booked}" in item
    assert page.texts(f"#mentoring-{p.rel.id} .tandem-waiting li") == [
        "Confirm your agreement (Maya Mentor)", "Answer a session proposal (Maya Mentor)",
        "Tell us how it is going (Maya Mentor)"]
    assert "Secret goal words" not in page.text("main")
    login(p.mentor)
    item = Page(client.get("/dashboard")).text(f"#mentoring-{p.rel.id}")
    assert "Ned Mentee" in item and "Waiting for you" not in item  # his own proposal


def test_the_card_asks_for_closing_answers_after_the_end(app, client, login, csrf_token, pair):
    p = pair()
    login(p.mentor)
    client.post(f"/mentoring/{p.rel.id}/close", data={"reason": "Done", "csrf_token": csrf_token})
    login(p.mentee)
    page = Page(client.get("/dashboard"))
    assert page.links()["Answer the closing questions (Maya Mentor)"] == \
        f"/mentoring/{p.rel.id}/closing"
    client.post(f"/mentoring/{p.rel.id}/closing", data={
        "usefulness": "5", "goals_met": "yes", "csrf_token": csrf_token})
    assert Page(client.get("/dashboard")).soup.find(id="mentoring-card") is None


def _more_pairs(app, mentee, count: int):
    """`count` more open pairs of the same mentee, each with sessions, goals, an agreement
    and a check-in, in new programmes."""
    now = utcnow()
    with app.app_context(), db.connection_context():
        coordinator = User.get(User.role == "staff")
        for n in range(User.select().count(), User.select().count() + count):
            programme, cohort = make_programme(coordinator, "transcultural",
                                               name=f"Programme {n} {mentee.id}")
            mentor = User.create(name=f"Mentor {n}", email=f"m{n}-{mentee.id}@example.org",
                                 password_hash="x")
            rel = release_pair(programme, cohort, mentor, mentee)
            Agreement.create(relationship=rel.id)
            MentoringSession.insert_many([
                {"relationship": rel.id, "proposed_by": mentor.id, "minutes": 60,
                 "channel": "video", "status": s, "starts_at": now + dt.timedelta(days=d)}
                for s, d in ((HELD, -3), (ACCEPTED, 4), (PROPOSED, 8))]).execute()
            Goal.create(relationship=rel.id, owner=mentee.id, title="g", target_date=days(2))
            CheckIn.create(relationship=rel.id, person=mentee.id, period=1, sent_at=now)


def test_the_card_takes_the_same_queries_for_two_and_twelve_pairs(app, client, login,
                                                                  make_user):
    with app.app_context(), db.connection_context():
        p = make_pair(make_user, "short_virtual")
    _more_pairs(app, p.mentee, 1)
    login(p.mentee)
    client.get("/dashboard")
    with count_queries() as two:
        page = Page(client.get("/dashboard"))
    assert len(page.soup.select("#mentoring-card > div > ul > li")) == 2
    _more_pairs(app, p.mentee, 10)
    with assert_query_count(two.count):
        page = Page(client.get("/dashboard"))
    assert len(page.soup.select("#mentoring-card > div > ul > li")) == 12


@pytest.mark.parametrize("value", ["\x00", "x" * 20000, "<script>alert(1)</script>",
                                   "2027-02-30", "\u202e\u200b"])
def test_odd_input_on_the_care_forms_never_answers_500(app, client, login, csrf_token, pair,
                                                       value):
    p = pair("return_to_work", leave_starts=days(20), leave_returns=days(300))
    login(p.mentee)
    forms = [(f"/mentoring/{p.rel.id}/leave", ["leave_starts", "leave_returns",
                                                 "keep_in_touch"]),
             (f"/mentoring/{p.rel.id}/close", ["reason"])]
    for url, fields in forms:
        response = client.post(url, data={"csrf_token": csrf_token,
                                          **dict.fromkeys(fields, value)})
        assert response.status_code in (303, 422), (url, response.status_code)
    if reload(app, p.rel).status != CLOSED:
        client.post(f"/mentoring/{p.rel.id}/close", data={"reason": "Done",
                                                           "csrf_token": csrf_token})
    response = client.post(f"/mentoring/{p.rel.id}/closing", data={
        "usefulness": value, "goals_met": value, "advice": value, "csrf_token": csrf_token})
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
