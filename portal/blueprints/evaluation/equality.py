"""Equality reporting: a cohort's (or an open programme's) applicants followed through
applications, acceptances, matches and completions, broken down by each equality
monitoring answer, every count protected by portal.suppression.

The stages nest, each within the one before, so the difference between two stages of one
group is a count of people too (applied but not accepted) and is protected like the rest:
- applied: every application submitted (drafts aside), whatever became of it;
- accepted: applications accepted (and not since withdrawn or declined);
- matched: accepted, and in a relationship that was released (active or closed since);
- completed: matched, and a relationship of theirs closed at or near its planned end
  (within COMPLETION_GRACE_DAYS before it), rather than ended early.
The stage totals are shared by the three tables, so one hidden in one table is hidden in
all three. The page and its CSV file show exactly the same cells.

Reads: two queries, whatever the number of applicants.
"""
import dataclasses
import datetime as dt

from peewee import JOIN

from portal import suppression
from portal.blueprints.mentoring.models import ACTIVE, CLOSED, RELEASED, Relationship
from portal.blueprints.programmes.models import (
    ACCEPTED,
    DISABILITIES,
    DRAFT,
    ETHNICITIES,
    ROLE_KEYS,
    SEXES,
    Application,
    EqualityAnswer,
)
from portal.suppression import Cell

STAGES = ("applied", "accepted", "matched", "completed")
STAGE_LABELS = {"applied": "Applied", "accepted": "Accepted", "matched": "Matched",
                "completed": "Completed"}
NOT_ANSWERED = "not_answered"
QUESTIONS = {"ethnicity": ("Ethnicity", ETHNICITIES), "sex": ("Sex", SEXES),
             "disability": ("Disability", DISABILITIES)}
COMPLETION_GRACE_DAYS = 28


@dataclasses.dataclass
class Breakdown:
    """One monitoring question's table: a row per answer, a cell per stage."""

    key: str
    label: str
    rows: list[tuple[str, list[Cell]]]
    totals: list[Cell]


def _completed(rel: Relationship) -> bool:
    if rel.status != CLOSED or rel.closed_at is None:
        return False
    return rel.ends_on is None or rel.closed_at.date() >= rel.ends_on - dt.timedelta(
        days=COMPLETION_GRACE_DAYS)


def _progress(programme_id: int, cohort_id: int | None) -> tuple[set[int], set[int]]:
    """Ids of applications matched, and of those whose relationship completed."""
    matched, completed = set(), set()
    rels = (Relationship.select(Relationship.mentor_application,
                                Relationship.mentee_application, Relationship.status,
                                Relationship.closed_at, Relationship.ends_on)
            .where(Relationship.programme == programme_id,
                   Relationship.cohort.is_null() if cohort_id is None
                   else Relationship.cohort == cohort_id,
                   Relationship.status.in_([RELEASED, ACTIVE, CLOSED])))
    for rel in rels:
        for application_id in (rel.mentor_application_id, rel.mentee_application_id):
            if application_id is not None:
                matched.add(application_id)
                if _completed(rel):
                    completed.add(application_id)
    return matched, completed


def stage_counts(programme_id: int, cohort_id: int | None, role: str = ""
                 ) -> dict[str, dict[str, list[int]]]:
    """{question: {answer: [applied, accepted, matched, completed]}} in true numbers."""
    matched, completed = _progress(programme_id, cohort_id)
    counts = {q: {a: [0] * len(STAGES) for a in (*answers, NOT_ANSWERED)}
              for q, (_, answers) in QUESTIONS.items()}
    query = (Application.select(Application.id, Application.status, EqualityAnswer.ethnicity,
                                EqualityAnswer.sex, EqualityAnswer.disability)
             .join(EqualityAnswer, JOIN.LEFT_OUTER)
             .where(Application.programme == programme_id, Application.status != DRAFT,
                    Application.cohort.is_null() if cohort_id is None
                    else Application.cohort == cohort_id))
    if role in ROLE_KEYS:
        query = query.where(Application.role == role)
    for application_id, status, *answers in query.tuples():
        accepted = status == ACCEPTED
        is_matched = accepted and application_id in matched
        reached = [True, accepted, is_matched, is_matched and application_id in completed]
        for (question, (_, known)), answer in zip(QUESTIONS.items(), answers, strict=True):
            row = counts[question][answer if answer in known else NOT_ANSWERED]
            for i, yes in enumerate(reached):
                row[i] += yes
    return counts


def report(programme_id: int, cohort_id: int | None, role: str = "") -> list[Breakdown]:
    counts = stage_counts(programme_id, cohort_id, role)
    tables = [suppression.nested_table(rows, STAGES) for rows in counts.values()]
    links = [[(i, ("column", stage)) for i in range(len(tables))] for stage in STAGES]
    shown = suppression.protect_linked(tables, links)
    breakdowns = []
    for (question, (label, answers)), cells in zip(QUESTIONS.items(), shown, strict=True):
        names = {**answers, NOT_ANSWERED: "Not answered"}
        rows = [(names[answer], [cells["cell", answer, stage] for stage in STAGES])
                for answer in counts[question]]
        breakdowns.append(Breakdown(question, label, rows,
                                    [cells["column", stage] for stage in STAGES]))
    return breakdowns


def csv_rows(breakdowns: list[Breakdown]):
    """The same cells as the page, one line per answer, then the totals."""
    for breakdown in breakdowns:
        for name, cells in breakdown.rows:
            yield [breakdown.label, name, *(cell.text for cell in cells)]
        yield [breakdown.label, "All applicants", *(cell.text for cell in breakdown.totals)]
