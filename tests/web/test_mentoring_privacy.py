"""Who sees what in the pair's space, walked over every route of the mentoring area.

A pair has words in every place they can write (agreement, session summary, private and
shared notes, private and shared goals, what was learned). Five people visit every page:
the mentor (author of one private note), the mentee (author of the other), the programme's
coordinator, a mentor of another pair in the same programme, and an admin. Private words
reach their author alone, shared words the pair alone, the coordinator sees counts and
dates but no words, and everyone else gets 404 from every page and every action. New routes
are walked automatically; one with a parameter this test cannot fill fails it."""
import datetime as dt
import types

import pytest

from portal.blueprints.mentoring.models import (
    ACTIVE,
    HELD,
    Agreement,
    CheckIn,
    Goal,
    MentoringSession,
    Note,
    Relationship,
)
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair, release_pair

MENTOR_PRIVATE = "Mentor-private-words"
MENTEE_PRIVATE = "Mentee-private-words"
MENTEE_PRIVATE_GOAL = "Mentee-private-goal"
SHARED = ["Shared-note-words", "Session-summary-words", "Shared-goal-words",
          "Learned-sentence-words", "Agreement-expectation-words"]
EVERY_WORD = [MENTOR_PRIVATE, MENTEE_PRIVATE, MENTEE_PRIVATE_GOAL, *SHARED]
# Routes reached through a signed link in an email, not by a signed-in person: their own
# tests cover them (a token that is not signed is refused before anything is read).
SIGNED_LINK_PARAMS = {"token"}


@pytest.fixture
def world(app, make_user):
    with app.app_context(), db.connection_context():
        pair = make_pair(make_user)
        rel = pair.rel
        Relationship.update(status=ACTIVE, started_at=utcnow() - dt.timedelta(days=20)).where(
            Relationship.id == rel.id).execute()
        other_mentor, other_mentee = make_user(name="Olu Other"), make_user(name="Oona Other")
        release_pair(rel.programme, rel.cohort, other_mentor, other_mentee)
        now = utcnow()
        Agreement.create(relationship=rel, expectations=SHARED[4], confidentiality="Kept",
                         frequency="Monthly", channel="telephone", ending="Say so",
                         mentor_confirmed_at=now, mentee_confirmed_at=now)
        session = MentoringSession.create(
            relationship=rel, proposed_by=pair.mentor, starts_at=now - dt.timedelta(days=3),
            minutes=60, channel="telephone", status=HELD, held_on=dt.date.today(),
            summary=SHARED[1], logged_by=pair.mentee, logged_at=now)
        notes = [Note.create(relationship=rel, author=pair.mentor, body=MENTOR_PRIVATE),
                 Note.create(relationship=rel, author=pair.mentee, body=MENTEE_PRIVATE),
                 Note.create(relationship=rel, author=pair.mentee, body=SHARED[0],
                             shared=True)]
        goals = [Goal.create(relationship=rel, owner=pair.mentee, title=MENTEE_PRIVATE_GOAL,
                             shared=False),
                 Goal.create(relationship=rel, owner=pair.mentee, title=SHARED[2],
                             status="achieved", signed_off_at=now, learned=SHARED[3])]
        checkin = CheckIn.create(relationship=rel, person=pair.mentee, period=1,
                                 answer="need_help", answered_at=now)
    return types.SimpleNamespace(
        rel=rel, session=session, notes=notes, goals=goals, checkin=checkin,
        people={"mentor": pair.mentor, "mentee": pair.mentee, "coordinator": pair.coordinator,
                "other mentor": other_mentor,
                "admin": make_user(role="admin", name="Ada Admin")})


def urls(app, world, methods):
    """Every mentoring URL answering one of `methods`, with each parameter filled in every
    way that matters (each note, each goal)."""
    values = {"relationship_id": [world.rel.id], "cohort_id": [world.rel.cohort_id],
              "session_id": [world.session.id], "note_id": [n.id for n in world.notes],
              "goal_id": [g.id for g in world.goals], "checkin_id": [world.checkin.id]}
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("mentoring.") or not (rule.methods & methods):
            continue
        if rule.arguments & SIGNED_LINK_PARAMS:
            continue
        unknown = rule.arguments - values.keys()
        assert not unknown, f"{rule.rule}: teach this test to fill {sorted(unknown)}"
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**c, name: v} for c in combos for v in values[name]]
        with app.test_request_context():
            from flask import url_for

            found += [(rule.endpoint, url_for(rule.endpoint, **c)) for c in combos]
    return found


def visit(client, login, person, targets):
    client.post("/accounts/logout")
    login(person)
    return {url: client.get(url) for _, url in targets}


def test_every_page_shows_each_person_only_what_they_may_read(app, client, login, world):
    pages = urls(app, world, {"GET"})
    assert len(pages) >= 8
    seen = {}
    for who, person in world.people.items():
        answers = visit(client, login, person, pages)
        assert all(r.status_code != 500 for r in answers.values())
        seen[who] = {url: (r.status_code, r.get_data(as_text=True)) for url, r in answers.items()}

    def words(who):
        return {w for _, text in seen[who].values() for w in EVERY_WORD if w in text}

    assert words("mentor") == {MENTOR_PRIVATE, *SHARED}
    assert words("mentee") == {MENTEE_PRIVATE, MENTEE_PRIVATE_GOAL, *SHARED}
    for who in ("coordinator", "other mentor", "admin"):
        assert words(who) == set(), who
    # Pages about a pair or cohort (a number in the address), not the person's own list.
    pair_pages = [url for endpoint, url in pages if any(c.isdigit() for c in url)]
    for who in ("other mentor", "admin"):
        assert {url: seen[who][url][0] for url in pair_pages} == {
            url: 404 for url in pair_pages}, who
    cohort_pages = [url for endpoint, url in pages if "/cohorts/" in url]
    assert cohort_pages
    for who in ("other mentor", "admin", "mentor", "mentee"):
        assert {seen[who][url][0] for url in cohort_pages} <= {404}, who
    assert {seen["coordinator"][url][0] for url in cohort_pages} <= {200}


def test_every_action_is_404_to_people_outside_the_pair(app, client, login, world,
                                                        csrf_token):
    actions = [url for endpoint, url in urls(app, world, {"POST"})]
    assert len(actions) >= 10
    for who in ("other mentor", "admin"):
        client.post("/accounts/logout")
        login(world.people[who])
        statuses = {url: client.post(url, data={"csrf_token": csrf_token}).status_code
                    for url in actions}
        assert statuses == {url: 404 for url in actions}, who
    with app.app_context(), db.connection_context():
        assert Note.select().count() == 3 and Goal.select().count() == 2
        assert Relationship.get_by_id(world.rel.id).status == ACTIVE
