"""A cohort's phase, computed from its dates: the one function every page, email and job
uses, so "recruiting" means the same thing everywhere.

    upcoming    before recruitment opens
    recruiting  from the day recruitment opens to the day it closes, both included
    training    from the day after recruitment closes (waiting for training counts)
    mentoring   from the day mentoring starts
    evaluation  from the day evaluation starts
    closed      after the day evaluation ends

Later phases win where staff let dates overlap (mentoring may start before training ends).
"""
import datetime as dt

UPCOMING, RECRUITING, TRAINING, MENTORING, EVALUATION, CLOSED = (
    "upcoming", "recruiting", "training", "mentoring", "evaluation", "closed")
PHASES = (UPCOMING, RECRUITING, TRAINING, MENTORING, EVALUATION, CLOSED)
LABELS = {UPCOMING: "Opening soon", RECRUITING: "Recruiting", TRAINING: "Training",
          MENTORING: "Mentoring", EVALUATION: "Evaluation", CLOSED: "Closed"}

# The date fields in the order they must run (each start no later than the next).
ORDER = ("recruitment_opens", "recruitment_closes", "training_starts", "mentoring_starts",
         "evaluation_starts")
SPANS = (("recruitment_opens", "recruitment_closes"), ("training_starts", "training_ends"),
         ("mentoring_starts", "mentoring_ends"), ("evaluation_starts", "evaluation_ends"))


def phase_of(cohort, today: dt.date) -> str:
    """`cohort`: anything with the eight date attributes (a Cohort, or the details staff
    entered)."""
    if today > cohort.evaluation_ends:
        return CLOSED
    if today >= cohort.evaluation_starts:
        return EVALUATION
    if today >= cohort.mentoring_starts:
        return MENTORING
    if today > cohort.recruitment_closes:
        return TRAINING
    if today >= cohort.recruitment_opens:
        return RECRUITING
    return UPCOMING


def is_recruiting(cohort, today: dt.date) -> bool:
    return phase_of(cohort, today) == RECRUITING


def date_problems(cohort) -> list[str]:
    """What is wrong with a cohort's dates, in words for staff; [] if they are in order."""
    problems = []
    for start, end in SPANS:
        if getattr(cohort, start) > getattr(cohort, end):
            problems.append(f"{_words(end)} must not be before {_words(start)}")
    for earlier, later in zip(ORDER, ORDER[1:], strict=False):
        if getattr(cohort, earlier) > getattr(cohort, later):
            problems.append(f"{_words(later)} must not be before {_words(earlier)}")
    if cohort.mentoring_ends > cohort.evaluation_ends:
        problems.append("evaluation ends must not be before mentoring ends")
    return problems


def _words(field: str) -> str:
    return field.replace("_", " ")
