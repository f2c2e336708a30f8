"""Matching mentors and mentees: scores with reasons in plain words, hard exclusions, ranked
suggestions for one mentee, and an optimal whole-cohort assignment.

Everything but the two loaders at the bottom is pure: it takes the plain dataclasses below
and never touches Flask or the database, so it is tested on generated cohorts.

- `score(mentor, mentee, weights, two_way=False) -> (0..100, [reason, ...])`
- `exclusion(mentor, mentee, paired) -> str | None`: why the pair may never be made.
- `suggestions(mentee, mentors, weights, paired, two_way) -> [Suggestion]`, best first.
- `assign(mentors, mentees, weights, mode, locked_pairs, paired, two_way, min_places)`
  and `greedy(...)` -> `Assignment` (pairs, total score, number matched).
- `load_pool(cohort) -> Pool` and `weights_for(programme)`: the loaders.

Criteria, each with a weight staff set per programme (`Programme.matching_weights`, JSON
over DEFAULT_WEIGHTS; 0 turns a criterion off). Each criterion gives a fraction 0..1 and the
score is the weighted mean, so 100 means every weighted criterion fully met:
- themes: share of the mentee's themes the mentor also chose;
- goals: words of the mentee's learning goals found in the mentor's specialisms, bio and
  motivation (word overlap, common words aside);
- availability: words in common between the two availability answers;
- channel: the same preferred channel;
- leave: the mentor has had leave of the kind the mentee is taking (half for another kind);
- career: one-way, the mentor's band is above the mentee's; two-way, different bands;
- different_staff_group: different staff groups (reciprocal mentoring; on by default for
  two-way programmes only);
- different_organisation: different organisations.
The mentee's stated preferences: applications have no preference answer beyond the
channel, which the channel criterion reads; a preference criterion waits for that answer.

Equality answers are never read here: no loader selects them and no criterion uses them.

Hard exclusions, never broken by any function here: the same person; the same organisation
and team; one is the other's line manager (profile `manager_email`); paired before in this
programme in any status, declined included; either person not ready (accepted and
trained); and, in the assignment, more mentees than a mentor has places.
"""
import dataclasses
import functools
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from portal.blueprints.accounts.models import PAY_BANDS, User
from portal.blueprints.mentoring.models import DRAFT, STARTED, Relationship
from portal.blueprints.programmes.models import (
    CHANNELS,
    MENTEE,
    MENTOR,
    Application,
    ApplicationTopic,
    Cohort,
    Programme,
)
from portal.taxonomy import Topic

BEST_TOTAL, MOST_MATCHED = "best_total", "most_matched"
MODES = {BEST_TOTAL: "Best total score", MOST_MATCHED: "Match as many people as possible"}

DEFAULT_WEIGHTS = {"themes": 30, "goals": 20, "availability": 10, "channel": 10, "leave": 15,
                   "career": 10, "different_staff_group": 0, "different_organisation": 5}
CRITERIA = {"themes": "Shared themes", "goals": "Learning goals against the mentor's experience",
            "availability": "Availability in common", "channel": "Same preferred channel",
            "leave": "Mentor has had the same kind of leave",
            "career": "Career direction (one-way: mentor further along; two-way: different "
                      "career stages)",
            "different_staff_group": "Different staff groups",
            "different_organisation": "Different organisations"}
# Bands in career order; "Medical and dental" and "Other" have no place in it.
BAND_RANK = {band: rank for rank, band in enumerate(PAY_BANDS[:13])}
STOPWORDS = frozenset("""a about after all also and any are as at be been before being but by
can could do for from get got had has have how i if in into is it its me more my need not of
on or our over so some than that the their them then there they this to too up us was we
were what when where which who will with would you your want like learn learning better
how able""".split())


@dataclass(frozen=True)
class Person:
    """One ready participant, as matching sees them. `capacity` and `taken` are for mentors:
    places in all, and places held by relationships that stay whatever a run does
    (released and active ones; the loader never counts drafts)."""

    user_id: int
    name: str = ""
    email: str = ""
    application_id: int | None = None
    organisation: str = ""
    team: str = ""
    manager_email: str = ""
    staff_group: str = ""
    band: str = ""
    specialisms: tuple[str, ...] = ()
    experience: str = ""  # bio and motivation: what the mentor brings
    themes: frozenset[str] = frozenset()
    learning_goals: str = ""
    availability: str = ""
    channel: str = ""
    leave_type: str = ""
    had_leave: bool = False  # mentors: has had leave of `leave_type`
    ready: bool = True
    capacity: int = 1
    taken: int = 0

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    # Read once per person however many pairs are scored (cached_property writes the
    # instance's __dict__ directly, which a frozen dataclass allows).
    @functools.cached_property
    def goal_words(self) -> frozenset[str]:
        return _words(self.learning_goals)

    @functools.cached_property
    def experience_words(self) -> frozenset[str]:
        return _words(*self.specialisms, self.experience)

    @functools.cached_property
    def availability_words(self) -> frozenset[str]:
        return _words(self.availability)

    @functools.cached_property
    def keys(self) -> dict[str, str]:
        """Case- and space-insensitive forms of the fields compared for equality."""
        return {name: getattr(self, name).strip().casefold()
                for name in ("organisation", "team", "email", "manager_email", "staff_group",
                             "channel", "leave_type")}


@dataclass(frozen=True)
class Pair:
    mentor_id: int
    mentee_id: int
    score: int
    reasons: tuple[str, ...]
    locked: bool = False


@dataclass(frozen=True)
class Suggestion:
    mentor: Person
    score: int
    reasons: tuple[str, ...]  # criteria reasons, then "1 of 2 places left"


@dataclass(frozen=True)
class Assignment:
    """A draft for the whole cohort. `under_min` lists mentors left with fewer mentees than
    the programme's minimum: the minimum is a goal shown to the coordinator, not a
    constraint (see `assign`)."""

    pairs: tuple[Pair, ...]
    mode: str
    under_min: tuple[int, ...] = ()

    @property
    def total_score(self) -> int:
        return sum(p.score for p in self.pairs)

    @property
    def matched(self) -> int:
        """Mentees matched (each mentee is in one pair at most)."""
        return len(self.pairs)


@dataclass
class Pool:
    """What `load_pool` reads for a cohort: the ready people not yet in a released or
    active relationship of the cohort, every pair ever made in the programme, and the
    cohort's drafts as (relationship id, mentor id, mentee id, locked)."""

    programme: Programme
    mentors: list[Person]
    mentees: list[Person]
    paired: frozenset[tuple[int, int]]
    drafts: list[tuple[int, int, int, bool]] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)

    @property
    def two_way(self) -> bool:
        return self.programme.is_two_way


# Scoring -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)
def _text_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z][a-z'-]+", text.lower())
                     if len(w) > 2 and w not in STOPWORDS)


def _words(*texts: str) -> frozenset[str]:
    """Meaningful words (common ones aside); each text is read once however often scored."""
    return frozenset().union(*(_text_words(t or "") for t in texts))


def _and_list(items: Iterable[str]) -> str:
    items = sorted(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _same(a: str, b: str) -> bool:
    return bool(a) and a == b


def _same_key(x: "Person", y: "Person", name: str, other: str | None = None) -> bool:
    return _same(x.keys[name], y.keys[other or name])


# Each criterion: (mentor, mentee, two_way, explain) -> (fraction 0..1, reason or None). The
# reason is written only when `explain` is true: the solver scores every pair, and only the
# chosen pairs need their words.

def _themes(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    shared = mentor.themes & mentee.themes
    if not shared:
        return 0.0, None
    return (len(shared) / len(mentee.themes),
            explain and f"both chose {_and_list(t.lower() for t in shared)}" or None)


def _goals(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    wanted = mentee.goal_words
    covered = wanted & mentor.experience_words
    if not covered:
        return 0.0, None
    return (min(1.0, len(covered) / min(len(wanted), 3)),
            explain and f"mentor's experience covers {_and_list(sorted(covered)[:4])}" or None)


def _availability(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    common = mentor.availability_words & mentee.availability_words
    if not common:
        return 0.0, None
    return 1.0, explain and f"both free {_and_list(sorted(common)[:3])}" or None


def _channel(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    if not _same_key(mentor, mentee, "channel"):
        return 0.0, None
    return 1.0, explain and f"both prefer {CHANNELS.get(mentee.channel, mentee.channel).lower()}" \
        or None


def _leave(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    if not mentor.had_leave or not mentor.leave_type:
        return 0.0, None
    if _same_key(mentor, mentee, "leave_type"):
        return 1.0, explain and f"mentor had {mentor.leave_type} leave" or None
    return 0.5, explain and (f"mentor had {mentor.leave_type} leave "
                             f"(mentee: {mentee.leave_type or 'other'})") or None


def _career(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    a, b = BAND_RANK.get(mentor.band), BAND_RANK.get(mentee.band)
    if a is None or b is None:
        return 0.0, None
    if two_way:
        return (1.0, "different career stages") if a != b else (0.0, None)
    if a <= b:
        return 0.0, None
    return 1.0, explain and f"mentor further along ({mentor.band}, mentee {mentee.band})" \
        or None


def _different_staff_group(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    if not mentor.keys["staff_group"] or not mentee.keys["staff_group"] \
            or _same_key(mentor, mentee, "staff_group"):
        return 0.0, None
    return 1.0, "different staff groups"


def _different_organisation(mentor: Person, mentee: Person, two_way: bool, explain: bool):
    if not mentor.keys["organisation"] or not mentee.keys["organisation"] \
            or _same_key(mentor, mentee, "organisation"):
        return 0.0, None
    return 1.0, "different organisations"


SCORERS = {"themes": _themes, "goals": _goals, "availability": _availability,
           "channel": _channel, "leave": _leave, "career": _career,
           "different_staff_group": _different_staff_group,
           "different_organisation": _different_organisation}


@functools.lru_cache(maxsize=64)
def _plan(weights: tuple[tuple[str, int], ...]):
    """The criteria that count, heaviest first, and the sum of their weights."""
    used = sorted(((n, w) for n, w in weights if w > 0 and n in SCORERS),
                  key=lambda nw: (-nw[1], nw[0]))
    return tuple((w, SCORERS[n]) for n, w in used), sum(w for _, w in used)


def score(mentor: Person, mentee: Person, weights: dict[str, int],
          two_way: bool = False, explain: bool = True) -> tuple[int, list[str]]:
    """(0..100, reasons): the weighted mean of the criteria, and in words each criterion
    that counted, heaviest first. Criteria weighted 0 are neither scored nor explained.
    `explain=False` skips the words (the solver's inner loop)."""
    criteria, total = _plan(tuple(sorted(weights.items())))
    if not total:
        return 0, []
    points, reasons = 0.0, []
    for weight, scorer in criteria:
        fraction, reason = scorer(mentor, mentee, two_way, explain)
        points += weight * fraction
        if reason:
            reasons.append(reason)
    return round(100 * points / total), reasons


def places_reason(mentor: Person) -> str:
    return f"{mentor.places_left} of {mentor.capacity} place{'s' * (mentor.capacity != 1)} left"


# Exclusions ----------------------------------------------------------------------------------

def exclusion(mentor: Person, mentee: Person,
              paired: frozenset[tuple[int, int]] | set = frozenset()) -> str | None:
    """Why these two may never be paired, in words, or None. Capacity is not checked here
    (it depends on the other pairs): see `suggestions` and `assign`."""
    if mentor.user_id == mentee.user_id:
        return "the same person"
    if not mentor.ready or not mentee.ready:
        return "not ready (accepted and trained)"
    if _same_key(mentor, mentee, "organisation") and _same_key(mentor, mentee, "team"):
        return "same organisation and team"
    if _same_key(mentor, mentee, "manager_email", "email") \
            or _same_key(mentee, mentor, "manager_email", "email"):
        return "one manages the other"
    if (mentor.user_id, mentee.user_id) in paired or (mentee.user_id, mentor.user_id) in paired:
        return "paired before in this programme"
    return None


# Suggestions for one mentee ------------------------------------------------------------------

def suggestions(mentee: Person, mentors: Sequence[Person], weights: dict[str, int],
                paired: frozenset[tuple[int, int]] = frozenset(), two_way: bool = False,
                limit: int | None = None) -> list[Suggestion]:
    """Mentors this mentee may be paired with now, best score first (then name): every
    excluded pair and every mentor with no place left is left out. Pass mentors whose
    `taken` includes the cohort's drafts (`occupy`), so a place held by a draft is not
    offered twice."""
    found = []
    for mentor in mentors:
        if mentor.places_left <= 0 or exclusion(mentor, mentee, paired):
            continue
        value, reasons = score(mentor, mentee, weights, two_way)
        found.append(Suggestion(mentor, value, (*reasons, places_reason(mentor))))
    found.sort(key=lambda s: (-s.score, s.mentor.name, s.mentor.user_id))
    return found[:limit] if limit else found


def occupy(mentors: Sequence[Person], mentor_ids: Iterable[int]) -> list[Person]:
    """The mentors with one more place taken for each time their id appears."""
    counts: dict[int, int] = {}
    for mentor_id in mentor_ids:
        counts[mentor_id] = counts.get(mentor_id, 0) + 1
    return [dataclasses.replace(m, taken=m.taken + counts.get(m.user_id, 0)) for m in mentors]


# The whole cohort ----------------------------------------------------------------------------

EXCLUDED_COST = 1e12  # never chosen: staying unmatched costs 0


def _pair(mentor: Person, mentee: Person, weights, two_way, locked=False) -> Pair:
    value, reasons = score(mentor, mentee, weights, two_way)
    return Pair(mentor.user_id, mentee.user_id, value, tuple(reasons), locked)


def _locked(mentors, mentees, locked_pairs, weights, two_way):
    """Pairs kept as they are, and the mentors and mentees left for the run."""
    by_id = {m.user_id: m for m in mentors}
    mentee_by_id = {m.user_id: m for m in mentees}
    kept = []
    for mentor_id, mentee_id in locked_pairs:
        if mentor_id in by_id and mentee_id in mentee_by_id:
            kept.append(_pair(by_id[mentor_id], mentee_by_id[mentee_id], weights, two_way, True))
    mentors = occupy(mentors, (p.mentor_id for p in kept))
    taken = {p.mentee_id for p in kept}
    return kept, mentors, [m for m in mentees if m.user_id not in taken]


def assign(mentors: Sequence[Person], mentees: Sequence[Person], weights: dict[str, int],
           mode: str = BEST_TOTAL, locked_pairs: Iterable[tuple[int, int]] = (),
           paired: frozenset[tuple[int, int]] = frozenset(), two_way: bool = False,
           min_places: int = 0) -> Assignment:
    """The optimal draft assignment of the whole cohort.

    `locked_pairs` (mentor id, mentee id) are kept as they are and take a place each; the
    other mentees are assigned by SciPy's `linear_sum_assignment` (exact, not greedy) on a
    cost matrix with one row per mentee and one column per free mentor place, plus one
    "stays unmatched" column per mentee at cost 0. An excluded pair costs EXCLUDED_COST,
    so the solver always prefers leaving the mentee unmatched, and any such pair is dropped
    all the same. A mentor never gets more mentees than `places_left` (capacity minus
    released and active relationships minus locked pairs).

    - "best_total" (cost -score): the greatest total score over all valid assignments.
    - "most_matched" (cost -(BIG + score), BIG above any possible total): as many mentees
      matched as the exclusions and places allow, and among those the greatest total.

    `min_places` ("at least N mentees per mentor") is a soft goal: forcing it could leave
    mentees unmatched or push the score down, so it is not a constraint; mentors below it
    are listed in `Assignment.under_min` for the coordinator to see and fix by hand.
    """
    if mode not in MODES:
        raise ValueError(f"unknown matching mode {mode!r}")
    kept, mentors, mentees = _locked(mentors, mentees, locked_pairs, weights, two_way)
    places = [m for m in mentors for _ in range(m.places_left)]
    pairs = list(kept)
    if places and mentees:
        pairs += _solve(places, mentees, weights, mode, paired, two_way)
    return _assignment(pairs, mode, mentors, min_places)


def _solve(places, mentees, weights, mode, paired, two_way) -> list[Pair]:
    by_mentor: dict[int, tuple[Person, int]] = {}
    column_of = []
    for column, mentor in enumerate(places):
        by_mentor.setdefault(mentor.user_id, (mentor, column))
        column_of.append(by_mentor[mentor.user_id][1])
    big = 100 * min(len(places), len(mentees)) + 1 if mode == MOST_MATCHED else 0
    allowed: set[tuple[int, int]] = set()
    cost = np.zeros((len(mentees), len(places) + len(mentees)))
    for row, mentee in enumerate(mentees):
        for mentor, first_column in by_mentor.values():
            if exclusion(mentor, mentee, paired):
                value = EXCLUDED_COST
            else:
                allowed.add((row, first_column))
                value = -(big + score(mentor, mentee, weights, two_way, explain=False)[0])
            cost[row, first_column:first_column + mentor.places_left] = value
    rows, columns = linear_sum_assignment(cost)
    return [_pair(places[column], mentees[row], weights, two_way)
            for row, column in zip(rows, columns, strict=True)
            if column < len(places) and (row, column_of[column]) in allowed]


def _assignment(pairs, mode, mentors, min_places) -> Assignment:
    counts = {m.user_id: m.taken for m in mentors}
    for pair in pairs:
        if not pair.locked:  # locked pairs are already in `taken`
            counts[pair.mentor_id] = counts.get(pair.mentor_id, 0) + 1
    under = tuple(sorted(i for i, n in counts.items() if min_places and n < min_places))
    pairs = sorted(pairs, key=lambda p: (p.mentor_id, p.mentee_id))
    return Assignment(tuple(pairs), mode, under)


def greedy(mentors: Sequence[Person], mentees: Sequence[Person], weights: dict[str, int],
           locked_pairs: Iterable[tuple[int, int]] = (),
           paired: frozenset[tuple[int, int]] = frozenset(), two_way: bool = False,
           min_places: int = 0) -> Assignment:
    """The baseline the page compares with: take the best-scoring allowed pair left, again
    and again, while the mentor has a place and the mentee is free. Same rules as
    `assign`; not optimal."""
    kept, mentors, mentees = _locked(mentors, mentees, locked_pairs, weights, two_way)
    left = {m.user_id: m.places_left for m in mentors}
    allowed = [(score(mentor, mentee, weights, two_way, explain=False)[0], mentor, mentee)
               for mentor, mentee in itertools.product(mentors, mentees)
               if left[mentor.user_id] > 0 and not exclusion(mentor, mentee, paired)]
    allowed.sort(key=lambda a: (-a[0], a[1].user_id, a[2].user_id))
    chosen, matched = list(kept), set()
    for _, mentor, mentee in allowed:
        if left[mentor.user_id] > 0 and mentee.user_id not in matched:
            chosen.append(_pair(mentor, mentee, weights, two_way))
            left[mentor.user_id] -= 1
            matched.add(mentee.user_id)
    return _assignment(chosen, "greedy", mentors, min_places)


# Loading -------------------------------------------------------------------------------------

def weights_for(programme: Programme) -> dict[str, int]:
    """The programme's weights over the defaults; different staff groups counts by default
    in two-way programmes (reciprocal mentoring)."""
    weights = dict(DEFAULT_WEIGHTS)
    if programme.is_two_way:
        weights["different_staff_group"] = 10
    try:
        saved = json.loads(programme.matching_weights or "{}")
    except ValueError:
        saved = {}
    weights.update({k: max(0, int(v)) for k, v in saved.items() if k in DEFAULT_WEIGHTS})
    return weights


def _person(application: Application, themes: dict[int, frozenset[str]], capacity: int,
            taken: int) -> Person:
    user: User = application.applicant
    return Person(
        user_id=user.id, name=user.name, email=user.email, application_id=application.id,
        organisation=user.organisation, team=user.team, manager_email=user.manager_email,
        staff_group=user.staff_group, band=user.pay_band,
        specialisms=tuple(user.specialism_list),
        experience=f"{user.bio} {application.motivation}",
        themes=themes.get(application.id, frozenset()),
        learning_goals=application.learning_goals, availability=application.availability,
        channel=application.preferred_channel, leave_type=application.leave_type,
        had_leave=application.leave_experience_on is not None, ready=True,
        capacity=capacity, taken=taken)


def load_pool(cohort: Cohort) -> Pool:
    """The cohort's matching pool in four queries, whatever its size: the programme, the
    ready applications with their people, their themes, and the programme's relationships.
    Mentees already in a released or active relationship of the cohort are left out;
    mentors' `taken` counts those relationships (drafts are in `Pool.drafts`). A mentor's
    capacity is the programme's maximum, or 1 when none is set."""
    programme = Programme.get_by_id(cohort.programme_id)
    ready = list(Application.ready(cohort))
    themes: dict[int, set[str]] = {}
    if ready:
        rows = (ApplicationTopic.select(ApplicationTopic.application, Topic.name)
                .join(Topic).where(ApplicationTopic.application.in_([a.id for a in ready]))
                .tuples())
        for application_id, name in rows:
            themes.setdefault(application_id, set()).add(name)
    frozen = {k: frozenset(v) for k, v in themes.items()}
    rows = (Relationship.select(Relationship.id, Relationship.mentor, Relationship.mentee,
                                Relationship.cohort, Relationship.status, Relationship.locked)
            .where(Relationship.programme == programme.id).tuples())
    paired, drafts, taken, matched = set(), [], {}, set()
    for rel_id, mentor_id, mentee_id, cohort_id, status, locked in rows:
        paired.add((mentor_id, mentee_id))
        if cohort_id != cohort.id:
            continue
        if status == DRAFT:
            drafts.append((rel_id, mentor_id, mentee_id, bool(locked)))
        elif status in STARTED:
            taken[mentor_id] = taken.get(mentor_id, 0) + 1
            matched.add(mentee_id)
    capacity = programme.mentor_capacity_max or 1
    mentors = [_person(a, frozen, capacity, taken.get(a.applicant_id, 0))
               for a in ready if a.role == MENTOR]
    mentees = [_person(a, frozen, 1, 0) for a in ready
               if a.role == MENTEE and a.applicant_id not in matched]
    return Pool(programme, mentors, mentees, frozenset(paired), drafts, weights_for(programme))
