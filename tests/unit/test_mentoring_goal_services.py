"""Goals at the service level, on a real database (SQLite and PostgreSQL): who sets goals
in one-way and two-way programmes, who reads which goal, signing off with what was learned,
countersigning, the workbook's rows, and the dashboard's count of goals due."""
import datetime as dt
import types

import pytest
from playhouse.test_utils import assert_query_count

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import services_goals as svc
from portal.blueprints.mentoring.models import (
    ACHIEVED,
    CLOSED,
    DROPPED,
    IN_PROGRESS,
    NOT_STARTED,
    Goal,
    Relationship,
)
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair, release_pair

NOW = dt.datetime(2027, 3, 1, 9, 30)


@pytest.fixture
def ctx(app):
    with app.app_context(), db.connection_context():
        yield


def people_of(pair, make_user):
    """The pair, their coordinator, a member outside the pair and an admin, as loaded rows."""
    return types.SimpleNamespace(
        rel=pair.rel, mentor=User.get_by_id(pair.mentor.id),
        mentee=User.get_by_id(pair.mentee.id),
        coordinator=User.get_by_id(pair.coordinator.id),
        member=User.get_by_id(make_user(name="Mo Member").id),
        admin=User.get_by_id(make_user(role="admin", name="Ada Admin").id))


@pytest.fixture
def one_way(ctx, make_user):
    return people_of(make_pair(make_user, "short_virtual"), make_user)


@pytest.fixture
def two_way(ctx, make_user):
    return people_of(make_pair(make_user, "transcultural"), make_user)


def titles(query) -> list[str]:
    return [g.title for g in query]


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(svc.GoalRefused) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# Who sets goals -----------------------------------------------------------------------------

def test_in_a_one_way_programme_only_the_mentee_sets_goals(one_way):
    w = one_way
    assert not w.rel.programme.is_two_way
    goal = svc.add_goal(w.rel, w.mentee, "  Lead a team meeting  ", "I chair one", None, True)
    assert (goal.owner_id, goal.title, goal.status, goal.shared) == (
        w.mentee.id, "Lead a team meeting", NOT_STARTED, True)
    assert refused(svc.add_goal, w.rel, w.mentor, "Teach budgets") == (
        "In this programme the mentee sets the goals")
    for outsider in (w.coordinator, w.member, w.admin):
        assert "Only the two people" in refused(svc.add_goal, w.rel, outsider, "Peek")
    assert titles(Goal.select()) == ["Lead a team meeting"]


def test_in_a_two_way_programme_both_people_set_their_own_goals(two_way):
    w = two_way
    assert w.rel.programme.is_two_way
    mine = svc.add_goal(w.rel, w.mentee, "Speak up in board meetings")
    theirs = svc.add_goal(w.rel, w.mentor, "Understand junior staff's rotas")
    assert (mine.owner_id, theirs.owner_id) == (w.mentee.id, w.mentor.id)
    assert refused(svc.add_goal, w.rel, w.mentee, "   ") == "Enter the goal"


def test_nothing_changes_once_the_relationship_has_ended(one_way):
    w = one_way
    goal = svc.add_goal(w.rel, w.mentee, "Plan my return")
    Relationship.update(status=CLOSED, closed_at=utcnow()).where(
        Relationship.id == w.rel.id).execute()
    ended = "This relationship has ended, so its goals can no longer change"
    assert refused(svc.add_goal, w.rel, w.mentee, "Another") == ended
    assert refused(svc.sign_off_goal, goal, w.mentee, "I learned to plan ahead") == ended
    assert refused(svc.edit_goal, goal, w.mentee, "New", "", None, IN_PROGRESS, True) == ended


# Editing --------------------------------------------------------------------------------------

def test_the_owner_edits_their_goal_until_it_is_signed_off(two_way):
    w = two_way
    goal = svc.add_goal(w.rel, w.mentee, "Speak up", target_date=dt.date(2027, 6, 1))
    edited = svc.edit_goal(goal, w.mentee, "Speak up twice", "Two meetings",
                           dt.date(2027, 7, 1), IN_PROGRESS, False)
    stored = Goal.get_by_id(goal.id)
    assert (stored.title, stored.success_criteria, stored.target_date, stored.status,
            stored.shared) == ("Speak up twice", "Two meetings", dt.date(2027, 7, 1),
                               IN_PROGRESS, False)
    assert edited.title == "Speak up twice"
    assert "Only the person whose goal" in refused(
        svc.edit_goal, goal, w.mentor, "Mine now", "", None, IN_PROGRESS, True)
    assert "sign it off" in refused(
        svc.edit_goal, goal, w.mentee, "Done", "", None, ACHIEVED, True)
    svc.edit_goal(goal, w.mentee, "Speak up twice", "", None, DROPPED, True)
    assert Goal.get_by_id(goal.id).status == DROPPED
    svc.sign_off_goal(goal, w.mentee, "I learned that I can speak up")
    assert "part of the workbook" in refused(
        svc.edit_goal, goal, w.mentee, "Rewrite history", "", None, IN_PROGRESS, True)


# Sign-off and countersign -------------------------------------------------------------------

def test_signing_off_needs_a_sentence_on_what_was_learned(one_way):
    w = one_way
    goal = svc.add_goal(w.rel, w.mentee, "Delegate rotas")
    for learned in ("", "   ", "Delegation", "Delegation works"):
        assert refused(svc.sign_off_goal, goal, w.mentee, learned).startswith(
            "Say in a sentence what you learned")
    assert Goal.get_by_id(goal.id).signed_off_at is None
    assert "Only the learner" in refused(svc.sign_off_goal, goal, w.mentor,
                                         "They learned to delegate")
    svc.sign_off_goal(goal, w.mentee, "  I learned to hand rotas to my deputy. ", now=NOW)
    stored = Goal.get_by_id(goal.id)
    assert (stored.status, stored.signed_off_at, stored.learned) == (
        ACHIEVED, NOW, "I learned to hand rotas to my deputy.")
    assert refused(svc.sign_off_goal, goal, w.mentee, "I learned it twice over") == (
        "This goal is signed off already")


def test_the_other_person_countersigns_a_shared_signed_off_goal_once(one_way):
    w = one_way
    goal = svc.add_goal(w.rel, w.mentee, "Chair a meeting")
    assert refused(svc.countersign_goal, goal, w.mentor) == "The goal has not been signed off yet"
    svc.sign_off_goal(goal, w.mentee, "I chaired the ward meeting calmly", now=NOW)
    assert refused(svc.countersign_goal, goal, w.mentee) == "You cannot countersign your own goal"
    for outsider in (w.coordinator, w.member, w.admin):
        assert "Only the two people" in refused(svc.countersign_goal, goal, outsider)
    later = NOW + dt.timedelta(days=2)
    svc.countersign_goal(goal, w.mentor, now=later)
    stored = Goal.get_by_id(goal.id)
    assert (stored.countersigned_by_id, stored.countersigned_at) == (w.mentor.id, later)
    assert refused(svc.countersign_goal, goal, w.mentor) == "This goal is countersigned already"


def test_a_private_goal_is_never_countersigned(two_way):
    w = two_way
    goal = svc.add_goal(w.rel, w.mentor, "Learn the rota system", shared=False)
    svc.sign_off_goal(goal, w.mentor, "I can read a rota now", now=NOW)
    assert refused(svc.countersign_goal, goal, w.mentee) == (
        "A private goal cannot be countersigned")
    assert Goal.get_by_id(goal.id).countersigned_at is None


def test_sign_off_and_countersign_are_generic_for_workbook_items(one_way):
    """The expert directory's workbook items are goals with an item key: the learner signs
    "I have adequate knowledge of ..." off, the other person (the expert) countersigns."""
    w = one_way
    item = Goal.create(relationship=w.rel.id, owner=w.mentee.id, item_key="finance.budgets",
                       title="I have adequate knowledge of budget setting", shared=True)
    svc.sign_off_goal(item, w.mentee, "I set my ward's budget with the finance team",
                      now=NOW)
    svc.countersign_goal(item, w.mentor, now=NOW)
    [row] = Goal.workbook_for(w.mentee, w.rel)
    assert (row.item_key, row.owner.name, row.countersigned_by.name) == (
        "finance.budgets", "Ned Mentee", "Maya Mentor")


# Who reads which goal -----------------------------------------------------------------------

def test_each_person_reads_the_shared_goals_and_their_own_private_ones(two_way):
    w = two_way
    svc.add_goal(w.rel, w.mentee, "Mentee shared", shared=True)
    svc.add_goal(w.rel, w.mentee, "Mentee private", shared=False)
    svc.add_goal(w.rel, w.mentor, "Mentor shared", shared=True)
    svc.add_goal(w.rel, w.mentor, "Mentor private", shared=False)
    seen = {name: sorted(titles(Goal.visible_to(getattr(w, name), w.rel)))
            for name in ("mentee", "mentor", "coordinator", "member", "admin")}
    assert seen == {"mentee": ["Mentee private", "Mentee shared", "Mentor shared"],
                    "mentor": ["Mentee shared", "Mentor private", "Mentor shared"],
                    "coordinator": [], "member": [], "admin": []}


def test_goals_list_open_ones_first_by_target_date_in_one_query(two_way):
    w = two_way
    today = dt.date.today()
    svc.add_goal(w.rel, w.mentee, "No date")
    svc.add_goal(w.rel, w.mentee, "Later", target_date=today + dt.timedelta(days=30))
    soon = svc.add_goal(w.rel, w.mentee, "Soon", target_date=today + dt.timedelta(days=3))
    done = svc.add_goal(w.rel, w.mentee, "Done", target_date=today + dt.timedelta(days=1))
    svc.sign_off_goal(done, w.mentee, "I did it and learned a lot")
    svc.sign_off_goal(soon, w.mentee, "This one too, and quickly")
    svc.countersign_goal(soon, w.mentor)
    with assert_query_count(1):
        goals = list(Goal.visible_to(w.mentor, w.rel))
        assert [g.title for g in goals] == ["Later", "No date", "Done", "Soon"]
        assert [g.owner.name for g in goals] == ["Ned Mentee"] * 4
        assert [g.countersigned_by.name if g.countersigned_by else None
                for g in goals] == [None, None, None, "Maya Mentor"]
    with assert_query_count(1):
        assert [g.title for g in Goal.workbook_for(w.mentee, w.rel)] == ["Done", "Soon"]


# Goals due (the dashboard's card) -----------------------------------------------------------

def test_goals_due_counts_a_persons_open_goals_due_within_two_weeks_or_overdue(ctx,
                                                                               make_user):
    today = dt.date(2027, 3, 1)
    first = make_pair(make_user, "transcultural")
    mentee = User.get_by_id(first.mentee.id)
    second = release_pair(first.rel.programme, first.rel.cohort,
                          User.get_by_id(make_user(name="Other Mentor").id), mentee)
    ended = release_pair(first.rel.programme, first.rel.cohort,
                         User.get_by_id(make_user(name="Past Mentor").id), mentee)
    Relationship.update(status=CLOSED).where(Relationship.id == ended.id).execute()

    def goal(rel, owner, days, **fields):
        Goal.create(relationship=rel.id, owner=owner, title=f"In {days} days",
                    target_date=today + dt.timedelta(days=days) if days is not None else None,
                    **fields)

    goal(first.rel, mentee.id, 0)
    goal(first.rel, mentee.id, 14, status=IN_PROGRESS)
    goal(second, mentee.id, 7, shared=False)
    goal(first.rel, mentee.id, 15)  # too far ahead
    goal(first.rel, mentee.id, -1)  # overdue: still due
    goal(first.rel, mentee.id, None)  # no date
    goal(first.rel, mentee.id, 3, status=DROPPED)
    goal(first.rel, mentee.id, 3, status=ACHIEVED, signed_off_at=NOW, learned="a b c")
    goal(ended, mentee.id, 3)  # the relationship has ended
    goal(first.rel, first.mentor.id, 3)  # the other person's goal
    with assert_query_count(1):
        assert dict(Goal.due_for(mentee, today)) == {first.rel.id: 3, second.id: 1}
    assert dict(Goal.due_for(User.get_by_id(first.mentor.id), today)) == {first.rel.id: 1}
    assert dict(Goal.due_for(User.get_by_id(make_user().id), today)) == {}
