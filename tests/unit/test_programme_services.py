"""Programme set-up, the application life cycle with its groups, emails and history,
readiness from training attendance, and the list queries. Runs on SQLite and PostgreSQL."""
import datetime as dt
import json

import pytest
from playhouse.test_utils import assert_query_count

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import notices, phases, services
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import (
    ACCEPTED,
    DECLINED,
    DRAFT,
    MENTEE,
    MENTOR,
    OPEN,
    SUBMITTED,
    TRAINING,
    UNDER_REVIEW,
    WAITLISTED,
    WITHDRAWN,
    Application,
    ApplicationEvent,
    Cohort,
    CohortWebinar,
    EqualityAnswer,
    Programme,
)
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.dates import add_months
from portal.db import db, utcnow
from portal.groups import Group, GroupMembership
from portal.outbox import OutboxMessage
from tests.programme_factories import (
    RTW_ROLES,
    cohort_details,
    make_rtw,
    mentee_answers,
    mentor_answers,
    programme_details,
    submitted,
)


@pytest.fixture
def ctx(app):
    with app.app_context(), db.connection_context():
        yield


@pytest.fixture
def people(ctx, make_user):
    return {"staff": make_user(role="staff", name="Sam Staff"),
            "mentee": make_user(name="Tom Mentee"), "mentor": make_user(name="Priya Mentor"),
            "other": make_user(name="Olu Other")}


@pytest.fixture
def rtw(people):
    return make_rtw(people["staff"])


def group_member_ids(group_id) -> set[int]:
    return {m.user_id for m in GroupMembership.select().where(GroupMembership.group == group_id)}


def emails_to(user) -> list[OutboxMessage]:
    return list(OutboxMessage.latest_to(user.email))


# Set-up -------------------------------------------------------------------------------------

def test_a_programme_is_saved_with_roles_rules_commitments_and_an_audit_row(rtw, people):
    programme, _ = rtw
    assert programme.slug == "return-to-work"
    assert "<h2" in programme.description_html
    mentee = programme.role(MENTEE)
    assert [r.kind for r in mentee.rule_rows()] == ["leave_ahead"]
    assert [c.text for c in mentee.commitment_rows()][0] == "Attend the training day"
    assert AuditEntry.get(AuditEntry.action == "programme.create").object_id == programme.id


def test_markdown_in_the_description_is_cleaned(people):
    programme = services.save_programme(
        people["staff"], None, programme_details(
            name="Another", description="<script>alert(1)</script>[x](javascript:alert(1))"),
        RTW_ROLES)
    assert "<script" not in programme.description_html
    assert "href=\"javascript" not in programme.description_html


def test_updating_replaces_rules_and_keeps_the_slug(rtw, people):
    programme, _ = rtw
    roles = [RTW_ROLES[0], services.RoleDetails(key=MENTEE, name="mentee",
                                                rules=[("min_band", {"band": "6"})])]
    services.save_programme(people["staff"], programme,
                            programme_details(name="Return to Work mentoring"), roles)
    again = Programme.get_by_id(programme.id)
    assert again.slug == "return-to-work" and again.name == "Return to Work mentoring"
    assert [r.params_dict for r in again.role(MENTEE).rule_rows()] == [{"band": "6"}]
    assert list(again.role(MENTEE).commitment_rows()) == []


def test_a_second_programme_of_the_same_name_gets_its_own_slug(rtw, people):
    other = services.save_programme(people["staff"], None, programme_details(), RTW_ROLES)
    assert other.slug == "return-to-work-2"


@pytest.mark.parametrize(("overrides", "words"), [
    ({"name": " "}, "name"),
    ({"length_min_months": 12, "length_max_months": 6}, "relationship length"),
    ({"allowed_channels": ["carrier pigeon"]}, "Channels"),
])
def test_bad_programme_details_are_refused(people, overrides, words):
    with pytest.raises(services.SetupError, match=words):
        services.save_programme(people["staff"], None, programme_details(**overrides),
                                RTW_ROLES)


def test_a_bad_rule_is_refused_with_the_role_named(people):
    roles = [RTW_ROLES[0], services.RoleDetails(key=MENTEE, name="learner",
                                                rules=[("min_band", {"band": "99"})])]
    with pytest.raises(services.SetupError, match="learner: Pay band"):
        services.save_programme(people["staff"], None, programme_details(), roles)


def test_a_cohort_comes_with_three_groups_named_after_it(rtw):
    _, cohort = rtw
    names = {Group.get_by_id(gid).name for gid in (cohort.everyone_group_id,
                                                   cohort.mentors_group_id,
                                                   cohort.mentees_group_id)}
    assert names == {"Return to Work 2027", "Return to Work 2027: mentors",
                     "Return to Work 2027: mentees"}
    assert cohort.phase() == phases.RECRUITING


def test_a_group_name_already_taken_gets_a_number(rtw, people):
    programme, _ = rtw
    second = services.create_cohort(people["staff"], programme, cohort_details())
    assert Group.get_by_id(second.everyone_group_id).name == "Return to Work 2027 (2)"


def test_cohort_dates_out_of_order_are_refused(rtw, people, today):
    programme, _ = rtw
    details = cohort_details(training_starts=today - dt.timedelta(days=30))
    with pytest.raises(services.SetupError, match="training starts must not be before"):
        services.create_cohort(people["staff"], programme, details)


def test_an_open_programme_has_its_own_groups_and_no_cohorts(people):
    aces = services.save_programme(people["staff"], None,
                                   programme_details(name="Aces", kind=OPEN), RTW_ROLES)
    assert aces.everyone_group_id and aces.mentors_group_id and aces.mentees_group_id
    with pytest.raises(services.SetupError, match="no cohorts"):
        services.create_cohort(people["staff"], aces, cohort_details())


def test_coordinators_are_added_once_and_removed(rtw, people):
    programme, _ = rtw
    services.add_coordinator(people["staff"], programme, people["staff"])
    services.add_coordinator(people["staff"], programme, people["staff"])
    assert programme.load_coordinator_ids() == {people["staff"].id}
    assert list(Programme.coordinated_by(people["staff"])) == [programme]
    services.remove_coordinator(people["staff"], programme, people["staff"])
    assert programme.load_coordinator_ids() == frozenset()
    assert AuditEntry.select().where(AuditEntry.action.startswith("programme.coordinator")
                                     ).count() == 2


# Phases ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "phase"), [
    (dt.date(2026, 1, 31), phases.UPCOMING),
    (dt.date(2026, 2, 1), phases.RECRUITING),
    (dt.date(2026, 2, 28), phases.RECRUITING),
    (dt.date(2026, 3, 1), phases.TRAINING),
    (dt.date(2026, 4, 1), phases.MENTORING),
    (dt.date(2027, 3, 31), phases.MENTORING),
    (dt.date(2027, 4, 1), phases.EVALUATION),
    (dt.date(2027, 5, 31), phases.EVALUATION),
    (dt.date(2027, 6, 1), phases.CLOSED),
])
def test_the_phase_follows_the_dates(day, phase):
    details = services.CohortDetails(
        name="x", recruitment_opens=dt.date(2026, 2, 1), recruitment_closes=dt.date(2026, 2, 28),
        training_starts=dt.date(2026, 3, 10), training_ends=dt.date(2026, 3, 11),
        mentoring_starts=dt.date(2026, 4, 1), mentoring_ends=dt.date(2027, 3, 31),
        evaluation_starts=dt.date(2027, 4, 1), evaluation_ends=dt.date(2027, 5, 31))
    assert phases.phase_of(details, day) == phase
    assert phases.date_problems(details) == []


# Applying -------------------------------------------------------------------------------------

def test_leave_8_months_away_is_refused_with_the_rule_then_corrected(rtw, people):
    programme, cohort = rtw
    mentee = people["mentee"]
    draft = apps.save_draft(mentee, programme, MENTEE, cohort,
                            mentee_answers(programme, months_ahead=8))
    with pytest.raises(apps.NotEligible) as refused:
        apps.submit(mentee, draft)
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("Leave: your leave must start between 3 and 6")
    assert Application.get_by_id(draft.id).status == DRAFT
    apps.save_draft(mentee, programme, MENTEE, cohort, mentee_answers(programme), draft)
    sent = apps.submit(mentee, Application.get_by_id(draft.id))
    assert sent.status == SUBMITTED and sent.submitted_at is not None
    assert [e.status for e in sent.history()] == [SUBMITTED]
    assert emails_to(mentee)[0].subject == "We have your application to Return to Work"


def test_unticked_commitments_and_consent_are_listed(rtw, people):
    programme, cohort = rtw
    draft = apps.save_draft(people["mentee"], programme, MENTEE, cohort, mentee_answers(
        programme, commitment_ids=[], evaluation_consent=False))
    with pytest.raises(apps.NotEligible) as refused:
        apps.submit(people["mentee"], draft)
    assert [p.split(":")[0] for p in refused.value.problems] == [
        "Commitments", "Commitments", "Evaluation"]


def test_a_second_application_for_the_same_place_is_refused(rtw, people):
    programme, cohort = rtw
    submitted(people["mentee"], programme, cohort)
    with pytest.raises(apps.ApplicationRefused, match="already applied"):
        apps.save_draft(people["mentee"], programme, MENTEE, cohort, mentee_answers(programme))


def test_no_application_outside_recruitment_or_to_an_unpublished_programme(rtw, people):
    programme, cohort = rtw
    with pytest.raises(apps.ApplicationRefused, match="not recruiting"):
        apps.save_draft(people["mentee"], programme, MENTEE, cohort, mentee_answers(programme),
                        today=cohort.recruitment_closes + dt.timedelta(days=1))
    services.set_published(people["staff"], programme, False)
    with pytest.raises(apps.ApplicationRefused, match="not taking applications"):
        apps.save_draft(people["mentee"], programme, MENTEE, cohort, mentee_answers(programme))


def test_themes_and_ticked_commitment_texts_are_kept(rtw, people, topics):
    programme, cohort = rtw
    answers = mentee_answers(programme, topic_ids=[topics[0].id, topics[2].id])
    draft = apps.save_draft(people["mentee"], programme, MENTEE, cohort, answers)
    assert [t.id for t in draft.topics()] == [topics[0].id, topics[2].id]
    assert json.loads(draft.commitments_ticked) == [
        "Attend the training day", "Meet your mentor for up to 12 months"]


def test_equality_answers_are_kept_apart_and_can_be_deleted(rtw, people):
    programme, cohort = rtw
    draft = apps.save_draft(people["mentee"], programme, MENTEE, cohort,
                            mentee_answers(programme),
                            equality=apps.Equality("prefer_not_to_say", "female", "no"))
    assert EqualityAnswer.get(EqualityAnswer.application == draft).sex == "female"
    with pytest.raises(apps.ApplicationRefused):
        apps.save_equality(draft, apps.Equality(ethnicity="martian"))
    apps.delete_equality(draft)
    assert not EqualityAnswer.select().exists()


def test_a_former_mentee_applying_as_mentor_is_linked_for_pay_it_forward(rtw, people):
    programme, cohort = rtw
    first = submitted(people["mentee"], programme, cohort)
    apps.accept(people["staff"], first)
    later = apps.save_draft(people["mentee"], programme, MENTOR, cohort,
                            mentor_answers(programme))
    assert later.was_mentee_in_id == first.id


# Decisions and groups ------------------------------------------------------------------------

def test_accept_adds_to_the_cohort_groups_and_decline_takes_them_out(rtw, people):
    programme, cohort = rtw
    mentee = people["mentee"]
    application = submitted(mentee, programme, cohort)
    apps.start_review(people["staff"], application)
    apps.accept(people["staff"], application, note="Welcome aboard")
    assert mentee.id in group_member_ids(cohort.everyone_group_id)
    assert mentee.id in group_member_ids(cohort.mentees_group_id)
    assert mentee.id not in group_member_ids(cohort.mentors_group_id)
    apps.decline(people["staff"], application)
    assert mentee.id not in group_member_ids(cohort.everyone_group_id)
    assert mentee.id not in group_member_ids(cohort.mentees_group_id)
    assert [e.status for e in Application.get_by_id(application.id).history()] == [
        SUBMITTED, UNDER_REVIEW, ACCEPTED, DECLINED]
    assert [a.action for a in AuditEntry.select().where(
        AuditEntry.object_type == "application").order_by(AuditEntry.id)] == [
        "application.under_review", "application.accepted", "application.declined"]
    subjects = [m.subject for m in emails_to(mentee)]
    assert "You have a place on Return to Work" in subjects and len(subjects) == 4
    accepted_mail = next(m for m in emails_to(mentee) if m.subject.startswith("You have"))
    assert "Welcome aboard" in accepted_mail.body_text
    assert "/programmes/applications/" in accepted_mail.body_text


def test_withdrawing_an_accepted_place_takes_the_person_out(rtw, people):
    programme, cohort = rtw
    application = submitted(people["mentee"], programme, cohort)
    apps.accept(people["staff"], application)
    apps.withdraw(people["mentee"], application)
    assert people["mentee"].id not in group_member_ids(cohort.everyone_group_id)
    assert Application.get_by_id(application.id).status == WITHDRAWN
    with pytest.raises(apps.ApplicationRefused, match="not your application"):
        apps.withdraw(people["other"], application)


def test_leaving_one_role_keeps_the_everyone_group_while_holding_the_other(rtw, people):
    programme, cohort = rtw
    person = people["mentor"]
    as_mentee = submitted(person, programme, cohort)
    as_mentor = submitted(person, programme, cohort, role=MENTOR)
    apps.accept(people["staff"], as_mentee)
    apps.accept(people["staff"], as_mentor)
    apps.waitlist(people["staff"], as_mentee)
    assert person.id in group_member_ids(cohort.everyone_group_id)
    assert person.id in group_member_ids(cohort.mentors_group_id)
    assert person.id not in group_member_ids(cohort.mentees_group_id)


def test_an_accept_that_fails_midway_changes_nothing(rtw, people, monkeypatch):
    programme, cohort = rtw
    application = submitted(people["mentee"], programme, cohort)
    emails_before = OutboxMessage.select().count()

    def broken(*args, **kwargs):
        raise RuntimeError("mail template missing")

    monkeypatch.setattr(notices, "status_changed", broken)
    with pytest.raises(RuntimeError):
        apps.accept(people["staff"], application)
    assert Application.get_by_id(application.id).status == SUBMITTED
    assert group_member_ids(cohort.everyone_group_id) == set()
    assert group_member_ids(cohort.mentees_group_id) == set()
    assert ApplicationEvent.select().where(ApplicationEvent.status == ACCEPTED).count() == 0
    assert not AuditEntry.select().where(AuditEntry.action == "application.accepted").exists()
    assert OutboxMessage.select().count() == emails_before


def test_a_full_cohort_refuses_another_accept(people):
    programme, cohort = make_rtw(people["staff"])
    services.update_cohort(people["staff"], cohort, cohort_details(mentee_capacity=1))
    first = submitted(people["mentee"], programme, cohort)
    second = submitted(people["other"], programme, cohort)
    apps.accept(people["staff"], first)
    with pytest.raises(apps.ApplicationRefused, match="All 1 mentee places"):
        apps.accept(people["staff"], second)
    apps.waitlist(people["staff"], second)
    assert Application.get_by_id(second.id).status == WAITLISTED


def test_moves_out_of_order_are_refused(rtw, people):
    programme, cohort = rtw
    draft = apps.save_draft(people["mentee"], programme, MENTEE, cohort,
                            mentee_answers(programme))
    with pytest.raises(apps.ApplicationRefused, match="draft cannot be accepted"):
        apps.accept(people["staff"], draft)
    sent = apps.submit(people["mentee"], draft)
    apps.decline(people["staff"], sent)
    with pytest.raises(apps.ApplicationRefused):
        apps.withdraw(people["mentee"], sent)


def test_open_programme_applications_use_the_programme_groups(people):
    aces = services.save_programme(
        people["staff"], None, programme_details(name="Aces", kind=OPEN),
        [services.RoleDetails(key=MENTOR, name="expert"),
         services.RoleDetails(key=MENTEE, name="learner")])
    draft = apps.save_draft(people["mentor"], aces, MENTOR, None,
                            apps.Answers(evaluation_consent=True))
    apps.accept(people["staff"], apps.submit(people["mentor"], draft))
    assert people["mentor"].id in group_member_ids(aces.mentors_group_id)
    assert list(Application.for_review(aces, None))[0].applicant.name == "Priya Mentor"


def test_fee_status_and_notes(rtw, people):
    programme, cohort = rtw
    application = submitted(people["mentee"], programme, cohort)
    apps.set_fee_status(people["staff"], application, "reduced", "Trust pays half")
    assert Application.get_by_id(application.id).fee_status == "reduced"
    with pytest.raises(apps.ApplicationRefused):
        apps.set_fee_status(people["staff"], application, "bartered")
    note = apps.add_note(people["staff"], application, "Strong application")
    assert note.author_id == people["staff"].id


# Readiness -----------------------------------------------------------------------------------

def training_session(cohort, role, title="Training day", past_days=3):
    start = utcnow() - dt.timedelta(days=past_days)
    session = WebinarSession.create(title=title, starts_at=start,
                                    ends_at=start + dt.timedelta(hours=6), capacity=30)
    CohortWebinar.create(cohort=cohort, session=session, purpose=TRAINING, role=role)
    return session


def attended(user, session, yes=True):
    WebinarBooking.create(session=session, user=user.id, status="booked", attended=yes)


def test_trained_means_every_training_session_of_the_role_attended(rtw, people):
    programme, cohort = rtw
    application = submitted(people["mentee"], programme, cohort)
    apps.accept(people["staff"], application)
    assert not apps.is_trained(application)  # no training set up yet
    day_one = training_session(cohort, MENTEE)
    day_two = training_session(cohort, "", title="Everyone's day")
    training_session(cohort, MENTOR, title="Mentors only")
    attended(people["mentee"], day_one)
    assert not apps.is_trained(application) and not apps.is_ready(application)
    attended(people["mentee"], day_two)
    assert apps.is_trained(application) and apps.is_ready(application)
    WebinarSession.update(status="cancelled").where(WebinarSession.id == day_two.id).execute()
    assert apps.is_trained(application)


def test_not_yet_trained_is_one_query_however_many_people(rtw, people, make_user):
    programme, cohort = rtw
    session = training_session(cohort, "")

    def add(n):
        for i in range(n):
            user = make_user()
            application = submitted(User.get_by_id(user.id), programme, cohort)
            apps.accept(people["staff"], application)
            if i % 2:
                attended(user, session)

    add(2)
    with assert_query_count(1):
        assert len(list(Application.not_yet_trained(cohort))) == 1
    add(8)
    with assert_query_count(1):
        waiting = list(Application.not_yet_trained(cohort))
        assert len(waiting) == 5 and all(a.applicant.name for a in waiting)
    assert len(list(Application.ready(cohort))) == 5


# Lists ----------------------------------------------------------------------------------------

def test_review_list_and_counts_in_one_query_each(rtw, people, make_user):
    programme, cohort = rtw
    for _ in range(3):
        submitted(User.get_by_id(make_user().id), programme, cohort)
    accepted_one = submitted(people["mentee"], programme, cohort)
    apps.accept(people["staff"], accepted_one)
    apps.save_draft(people["mentor"], programme, MENTOR, cohort, mentor_answers(programme))
    with assert_query_count(1):
        rows = list(Application.for_review(programme, cohort, role=MENTEE))
        assert [r.applicant.name for r in rows][-1] == "Tom Mentee"
    assert len(rows) == 4  # the draft is the applicant's alone
    with assert_query_count(1):
        counts = Application.counts_by_status(programme, cohort)
    assert counts == {(MENTEE, SUBMITTED): 3, (MENTEE, ACCEPTED): 1}
    assert [a.id for a in Application.for_review(programme, cohort, status=ACCEPTED)] == [
        accepted_one.id]


def test_current_cohort_per_programme_in_one_query(rtw, people, today):
    programme, recruiting = rtw
    staff = people["staff"]
    services.create_cohort(staff, programme, cohort_details(
        name="Later", recruitment_opens=today + dt.timedelta(days=20),
        recruitment_closes=today + dt.timedelta(days=25),
        training_starts=today + dt.timedelta(days=30),
        training_ends=today + dt.timedelta(days=30),
        mentoring_starts=today + dt.timedelta(days=40), mentoring_ends=add_months(today, 12),
        evaluation_starts=add_months(today, 12), evaluation_ends=add_months(today, 13)))
    other = services.save_programme(staff, None, programme_details(name="Reciprocal"),
                                    RTW_ROLES)
    mentoring = services.create_cohort(staff, other, cohort_details(
        recruitment_opens=today - dt.timedelta(days=90),
        recruitment_closes=today - dt.timedelta(days=60),
        training_starts=today - dt.timedelta(days=50),
        training_ends=today - dt.timedelta(days=50),
        mentoring_starts=today - dt.timedelta(days=40)))
    with assert_query_count(1):
        current = {c.programme_id: c.id for c in Cohort.current_for([programme.id, other.id])}
    assert current == {programme.id: recruiting.id, other.id: mentoring.id}
    assert programme.open_cohort().first().id == recruiting.id
    assert other.open_cohort().first() is None
    assert list(Programme.published_list()) == [other, programme]
