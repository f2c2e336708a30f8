"""Matching's writes on a real cohort: runs keep locked pairs, swaps keep the exclusions,
release sends one introduction per person, a decline frees the place for good. Runs on
SQLite and PostgreSQL."""
import datetime as dt

import pytest
from playhouse.test_utils import assert_query_count

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import DECLINED, DRAFT, RELEASED, Relationship
from portal.blueprints.programmes import matching
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes import services_matching as svc
from portal.blueprints.programmes.models import MENTEE, MENTOR, TRAINING, CohortWebinar
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tests.programme_factories import make_rtw, mentee_answers, mentor_answers, submitted


@pytest.fixture
def ctx(app):
    with app.app_context(), db.connection_context():
        yield


@pytest.fixture
def staff(ctx, make_user):
    return make_user(role="staff", name="Sam Staff")


@pytest.fixture
def cohort_setup(staff):
    """Return to Work with mentors taking two mentees each and one training day for all."""
    programme, cohort = make_rtw(staff, mentor_capacity_min=1, mentor_capacity_max=2)
    start = utcnow() - dt.timedelta(days=3)
    session = WebinarSession.create(title="Training day", starts_at=start,
                                    ends_at=start + dt.timedelta(hours=6), capacity=60)
    CohortWebinar.create(cohort=cohort, session=session, purpose=TRAINING, role="")
    return programme, cohort, session


@pytest.fixture
def join(cohort_setup, make_user, staff):
    """join(role, trained=True, **profile): a person accepted (and trained) in the cohort."""
    programme, cohort, session = cohort_setup

    def add(role, trained=True, **profile):
        user = User.get_by_id(make_user(**profile).id)
        answers = (mentor_answers(programme) if role == MENTOR
                   else mentee_answers(programme, learning_goals="budgets and rotas"))
        apps.accept(staff, submitted(user, programme, cohort, role, answers))
        if trained:
            WebinarBooking.create(session=session, user=user.id, status="booked",
                                  attended=True)
        return user

    return add


def intro_emails(user) -> list[OutboxMessage]:
    return [m for m in OutboxMessage.latest_to(user.email) if "match" in m.subject]


def drafts(cohort) -> set[tuple[int, int]]:
    return {(r.mentor_id, r.mentee_id) for r in Relationship.for_cohort(cohort, (DRAFT,))}


def test_a_run_matches_everyone_it_can_and_reports_greedy_beside_it(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    mentors = [join(MENTOR, organisation="Leeds") for _ in range(2)]
    mentees = [join(MENTEE, organisation="York") for _ in range(3)]
    join(MENTEE, trained=False)  # accepted, not trained: never matched
    result = svc.run_matching(staff, cohort, matching.MOST_MATCHED)
    assert result.assignment.matched == 3 and result.greedy.matched == 3
    assert {r.mentee_id for r in result.drafts} == {m.id for m in mentees}
    assert {r.mentor_id for r in result.drafts} <= {m.id for m in mentors}
    assert all(r.reason_list and r.status == DRAFT for r in result.drafts)
    assert AuditEntry.get(AuditEntry.action == "matching.run").object_id == cohort.id


def test_locked_pairs_survive_a_rerun(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    mentor = join(MENTOR)
    mentees = [join(MENTEE) for _ in range(2)]
    first = svc.run_matching(staff, cohort).drafts
    kept = next(r for r in first if r.mentee_id == mentees[0].id)
    svc.set_locked(staff, kept, True)
    join(MENTOR)
    again = svc.run_matching(staff, cohort)
    assert (mentor.id, mentees[0].id) in drafts(cohort)
    assert Relationship.get_by_id(kept.id).locked
    assert len(again.drafts) == 2


def test_swap_keeps_the_exclusions(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    boss = join(MENTOR, organisation="Leeds", team="Finance")
    other = join(MENTOR, organisation="Leeds", team="Estates")
    managed = join(MENTEE, organisation="Hull", manager_email=boss.email)
    free = join(MENTEE, organisation="Hull")
    a = svc.pick(staff, cohort, other, managed)
    b = svc.pick(staff, cohort, boss, free)
    with pytest.raises(svc.MatchingRefused, match="one manages the other"):
        svc.swap_mentees(staff, a, b)
    assert drafts(cohort) == {(other.id, managed.id), (boss.id, free.id)}
    svc.remove_draft(staff, a)
    with pytest.raises(svc.MatchingRefused, match="one manages the other"):
        svc.pick(staff, cohort, boss, managed)


def test_a_swap_that_keeps_the_rules_is_made(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    m1, m2, e1, e2 = join(MENTOR), join(MENTOR), join(MENTEE), join(MENTEE)
    a, b = svc.pick(staff, cohort, m1, e1), svc.pick(staff, cohort, m2, e2)
    svc.swap_mentees(staff, a, b)
    assert drafts(cohort) == {(m1.id, e2.id), (m2.id, e1.id)}


def test_release_sends_one_introduction_per_person(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    mentor = join(MENTOR)
    mentees = [join(MENTEE), join(MENTEE)]
    svc.run_matching(staff, cohort)
    released = svc.release(staff, cohort)
    assert {r.status for r in released} == {RELEASED}
    assert all(r.respond_by - r.released_at == dt.timedelta(days=7) for r in released)
    [to_mentor] = intro_emails(mentor)
    assert all(m.name in to_mentor.body_text for m in mentees)
    assert "Arrange your first session" in to_mentor.body_text
    for mentee in mentees:
        [email] = intro_emails(mentee)
        assert mentor.name in email.body_text and "Why we matched you" in email.body_text
    with pytest.raises(svc.MatchingRefused, match="no draft"):
        svc.release(staff, cohort)
    assert OutboxMessage.select().where(OutboxMessage.key.startswith("match-introduction")
                                        ).count() == 3


def test_a_decline_frees_the_place_for_good_and_both_are_told(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    mentor, mentee = join(MENTOR), join(MENTEE)
    svc.run_matching(staff, cohort)
    [rel] = svc.release(staff, cohort)
    with pytest.raises(svc.MatchingRefused, match="why"):
        svc.decline(mentee, rel, "  ")
    svc.decline(mentee, rel, "We already work together")
    row = Relationship.get_by_id(rel.id)
    assert row.status == DECLINED and row.declined_by_id == mentee.id
    told = {m.to_addr: m.body_text for m in OutboxMessage.select()
            .where(OutboxMessage.key.startswith("match-declined"))}
    assert set(told) == {mentor.email, mentee.email}
    assert "We already work together" not in told[mentor.email]  # the reason stays with staff
    pool = matching.load_pool(cohort)
    assert [p.user_id for p in pool.mentees] == [mentee.id]  # back in the pool
    assert pool.mentors[0].places_left == 2  # the place is free again
    assert svc.suggestions_for(cohort, mentee) == []  # never suggested again
    with pytest.raises(svc.MatchingRefused, match="paired before"):
        svc.pick(staff, cohort, mentor, mentee)
    assert svc.run_matching(staff, cohort).assignment.matched == 0


def test_decline_only_by_the_pair_and_in_time(cohort_setup, join, staff, make_user):
    _, cohort, _ = cohort_setup
    join(MENTOR)
    mentee = join(MENTEE)
    svc.run_matching(staff, cohort)
    [rel] = svc.release(staff, cohort)
    with pytest.raises(svc.MatchingRefused, match="not yours"):
        svc.decline(User.get_by_id(make_user().id), rel, "No")
    late = rel.respond_by + dt.timedelta(minutes=1)
    with pytest.raises(svc.MatchingRefused, match="passed"):
        svc.decline(mentee, rel, "Too late", now=late)


def test_pick_refuses_a_full_mentor_and_not_ready_people(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup
    mentor = join(MENTOR)
    for _ in range(2):
        svc.pick(staff, cohort, mentor, join(MENTEE))
    with pytest.raises(svc.MatchingRefused, match="no place left"):
        svc.pick(staff, cohort, mentor, join(MENTEE))
    with pytest.raises(svc.MatchingRefused, match="not ready"):
        svc.pick(staff, cohort, join(MENTOR), join(MENTEE, trained=False))


def test_the_pool_loads_in_a_fixed_number_of_queries(cohort_setup, join, staff):
    _, cohort, _ = cohort_setup

    def add(n):
        for _ in range(n):
            join(MENTOR)
            join(MENTEE)

    add(2)
    with assert_query_count(4):
        small = matching.load_pool(cohort)
    add(8)
    svc.run_matching(staff, cohort)
    with assert_query_count(4):
        large = matching.load_pool(cohort)
    assert len(small.mentees) == 2 and len(large.mentees) == 10 and len(large.drafts) == 10
