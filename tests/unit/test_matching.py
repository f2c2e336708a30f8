"""The matching engine on generated cohorts (Hypothesis): no pair breaks an exclusion or a
capacity, "best total" is the best of all assignments, "most matched" never matches fewer
people than the greedy pass; and the scores explain themselves in words. Pure: no database."""
import dataclasses
import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.blueprints.programmes.matching import (
    BEST_TOTAL,
    DEFAULT_WEIGHTS,
    MOST_MATCHED,
    Person,
    assign,
    exclusion,
    greedy,
    occupy,
    score,
    suggestions,
)

THEMES = ["Resilience", "Returning to work", "Career development", "Work-life balance"]
ORGS = ["Leeds", "York", "Hull"]
TEAMS = ["Ward 1", "Ward 2"]
BANDS = ["Band 5", "Band 6", "Band 7", "Band 8a", ""]
WORDS = ["budgets", "rotas", "coaching", "mornings", "evenings", "tuesdays", "finance"]
FAST = settings(max_examples=100, deadline=None)


@st.composite
def people(draw, role: str, count: int, first_id: int, capacity=(1, 2)):
    found = []
    for i in range(count):
        user_id = first_id + i
        found.append(Person(
            user_id=user_id, name=f"{role} {i}", email=f"p{user_id}@example.org",
            organisation=draw(st.sampled_from(ORGS)), team=draw(st.sampled_from(TEAMS)),
            manager_email=draw(st.sampled_from(["", "", "p1@example.org", "p101@example.org"])),
            band=draw(st.sampled_from(BANDS)),
            specialisms=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=2))),
            themes=frozenset(draw(st.lists(st.sampled_from(THEMES), max_size=3))),
            learning_goals=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
            availability=" ".join(draw(st.lists(st.sampled_from(WORDS[3:6]), max_size=2))),
            channel=draw(st.sampled_from(["", "video", "telephone"])),
            leave_type=draw(st.sampled_from(["", "adoption", "maternity"])),
            had_leave=draw(st.booleans()), ready=draw(st.booleans() | st.just(True)),
            capacity=draw(st.integers(*capacity))))
    return found


@st.composite
def cohorts(draw, max_mentors=8, max_mentees=10):
    mentors = draw(people("mentor", draw(st.integers(0, max_mentors)), 1))
    mentees = draw(people("mentee", draw(st.integers(0, max_mentees)), 101, capacity=(1, 1)))
    pairs = [(m.user_id, e.user_id) for m in mentors for e in mentees]
    paired = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=4))) if pairs \
        else frozenset()
    weights = draw(st.fixed_dictionaries({k: st.integers(0, 30) for k in DEFAULT_WEIGHTS}))
    return mentors, mentees, paired, weights


def check_rules(result, mentors, mentees, paired):
    by_id = {m.user_id: m for m in mentors}
    mentee_by_id = {m.user_id: m for m in mentees}
    seen, load = set(), {}
    for pair in result.pairs:
        assert pair.mentee_id not in seen, "a mentee matched twice"
        seen.add(pair.mentee_id)
        assert exclusion(by_id[pair.mentor_id], mentee_by_id[pair.mentee_id], paired) is None
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    for mentor_id, n in load.items():
        assert n <= by_id[mentor_id].places_left


@FAST
@given(cohorts(), st.sampled_from([BEST_TOTAL, MOST_MATCHED]))
def test_no_pair_breaks_an_exclusion_or_a_capacity(cohort, mode):
    mentors, mentees, paired, weights = cohort
    check_rules(assign(mentors, mentees, weights, mode, paired=paired), mentors, mentees, paired)
    check_rules(greedy(mentors, mentees, weights, paired=paired), mentors, mentees, paired)


def best_by_enumeration(mentors, mentees, weights, paired) -> tuple[int, int]:
    """(best total score, most mentees matched) over every valid assignment, by dynamic
    programming over (mentee, places left per mentor): exhaustive, and fast at 6 x 6."""
    table = [[None if exclusion(m, e, paired) else score(m, e, weights)[0] for m in mentors]
             for e in mentees]

    @functools.cache
    def best(i: int, left: tuple[int, ...]) -> tuple[int, int]:
        if i == len(mentees):
            return 0, 0
        options = [best(i + 1, left)]
        for j, value in enumerate(table[i]):
            if value is not None and left[j] > 0:
                total, count = best(i + 1, left[:j] + (left[j] - 1,) + left[j + 1:])
                options.append((total + value, count + 1))
        return max(o[0] for o in options), max(o[1] for o in options)

    return best(0, tuple(m.places_left for m in mentors))


@FAST
@given(cohorts(max_mentors=6, max_mentees=6))
def test_best_total_equals_the_best_of_all_assignments(cohort):
    mentors, mentees, paired, weights = cohort
    best_total, most = best_by_enumeration(mentors, mentees, weights, paired)
    assert assign(mentors, mentees, weights, BEST_TOTAL, paired=paired).total_score == best_total
    assert assign(mentors, mentees, weights, MOST_MATCHED, paired=paired).matched == most


@pytest.mark.long
@FAST
@given(cohorts())
def test_most_matched_never_matches_fewer_than_greedy(cohort):
    mentors, mentees, paired, weights = cohort
    optimal = assign(mentors, mentees, weights, MOST_MATCHED, paired=paired)
    baseline = greedy(mentors, mentees, weights, paired=paired)
    assert optimal.matched >= baseline.matched
    best = assign(mentors, mentees, weights, BEST_TOTAL, paired=paired)
    assert best.total_score >= baseline.total_score


@FAST
@given(cohorts(), st.data())
def test_locked_pairs_are_kept_and_hold_their_places(cohort, data):
    mentors, mentees, paired, weights = cohort
    allowed = [(m.user_id, e.user_id) for m in mentors for e in mentees
               if m.places_left and not exclusion(m, e, paired)]
    if not allowed:
        return
    locked = data.draw(st.sampled_from(allowed))
    result = assign(mentors, mentees, weights, MOST_MATCHED, locked_pairs=[locked],
                    paired=paired)
    assert [(p.mentor_id, p.mentee_id) for p in result.pairs if p.locked] == [locked]
    check_rules(result, mentors, mentees, paired)


# Scores and reasons in words -----------------------------------------------------------------

MENTOR = Person(user_id=1, name="Priya", email="priya@example.org", organisation="Leeds",
                team="Ward 1", band="Band 8a", specialisms=("rostering", "budgets"),
                experience="I came back from adoption leave", themes=frozenset(
                    {"Resilience", "Returning to work", "Career development"}),
                availability="Tuesday mornings", channel="video", leave_type="adoption",
                had_leave=True, capacity=2, taken=1)
MENTEE = Person(user_id=2, name="Tom", email="tom@example.org", organisation="York",
                team="Ward 1", band="Band 6", themes=frozenset({"Resilience",
                                                                "Returning to work"}),
                learning_goals="Planning budgets and rostering after leave",
                availability="mornings", channel="video", leave_type="adoption")


def test_a_score_says_why_in_plain_words():
    value, reasons = score(MENTOR, MENTEE, DEFAULT_WEIGHTS)
    assert value == 100
    assert reasons[0] == "both chose resilience and returning to work"
    assert "mentor had adoption leave" in reasons
    assert "different organisations" in reasons
    assert "mentor further along (Band 8a, mentee Band 6)" in reasons
    [suggestion] = suggestions(MENTEE, [MENTOR], DEFAULT_WEIGHTS)
    assert suggestion.reasons[-1] == "1 of 2 places left"


def test_a_weight_of_zero_turns_a_criterion_off():
    weights = {**DEFAULT_WEIGHTS, "leave": 0}
    assert "mentor had adoption leave" not in score(MENTOR, MENTEE, weights)[1]
    assert score(MENTOR, MENTEE, {"leave": 0, "themes": 0}) == (0, [])


def test_the_exclusions_in_words():
    same_team = dataclasses.replace(MENTEE, **{"organisation": "leeds "})
    assert exclusion(MENTOR, same_team) == "same organisation and team"
    managed = dataclasses.replace(MENTEE, **{"manager_email": "PRIYA@example.org"})
    assert exclusion(MENTOR, managed) == "one manages the other"
    assert exclusion(MENTOR, MENTEE, frozenset({(1, 2)})) == "paired before in this programme"
    assert exclusion(MENTOR, dataclasses.replace(MENTEE, **{"ready": False})) \
        == "not ready (accepted and trained)"
    assert exclusion(MENTOR, MENTEE) is None


def test_a_mentor_with_no_place_left_is_not_suggested():
    assert suggestions(MENTEE, occupy([MENTOR], [1]), DEFAULT_WEIGHTS) == []


def test_min_places_is_reported_not_forced():
    other = dataclasses.replace(MENTOR, **{"user_id": 3, "email": "o@example.org", "taken": 0})
    result = assign([MENTOR, other], [MENTEE], DEFAULT_WEIGHTS, min_places=1)
    assert result.matched == 1 and len(result.under_min) == 1
