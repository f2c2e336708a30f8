"""A survey's results for one cohort: how the answers fall for each question, the change
since the baseline for people who answered both, the free-text answers, and the same
figures for the programme's previous cohort beside them.

Every count goes through portal.suppression. The tables of one cohort are protected
together: each question's table shows the number of answers, and a number hidden in one is
hidden in all. Free-text answers are shown only when the number of people who wrote one can
be shown (5 or more), so a handful of answers cannot be told apart by their words.

Before/after change: a later survey (training, closing or follow-up) that is not
anonymous is compared with the programme's latest baseline survey, question by question,
where both ask an agreement-scale question in the same words, for the people who answered
both in this cohort. The number of those people is protected against the number who
answered the later survey, so neither gives away how many did not answer both.

Reads: a fixed number of queries (questions, answers, the baseline's questions and answers,
and the previous cohort's answers), whatever the number of answers.
"""
import dataclasses
import statistics

from portal import suppression
from portal.blueprints.evaluation.models import (
    ANONYMOUS,
    BASELINE,
    DRAFT,
    LATER_MOMENTS,
    LIKERT,
    NO_ANSWER,
    TEXT,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from portal.blueprints.programmes.models import Cohort
from portal.suppression import Cell, percentage

NO_ANSWER_LABEL = "No answer"
THIS, PREVIOUS = "This cohort", "Previous cohort"
TOTAL = ("row", "n")  # each question table's total: the number of answers
BAR_SCALE = 2.0  # chart units per percentage point: a full bar is 200 of the 440 wide


@dataclasses.dataclass
class Row:
    label: str
    cell: Cell
    percent: str
    previous: Cell | None = None
    previous_percent: str = ""


@dataclasses.dataclass
class Bar:
    series: str
    label: str  # the option
    percent: int | None
    text: str
    y: float = 0
    width: float = 0


@dataclasses.dataclass
class Distribution:
    question: SurveyQuestion
    rows: list[Row]
    total: Cell
    previous_total: Cell | None
    bars: list[Bar]
    height: int


@dataclasses.dataclass
class TextItem:
    response_id: int
    text: str
    hidden: bool
    quoted: bool


@dataclasses.dataclass
class Texts:
    question: SurveyQuestion
    written: Cell
    items: list[TextItem]  # empty unless `written` is published


@dataclasses.dataclass
class Change:
    question: SurveyQuestion
    both: Cell
    improved: Cell
    same: Cell
    worse: Cell
    before: str = ""  # average answers, shown only when `both` is
    after: str = ""
    change: str = ""


@dataclasses.dataclass
class Results:
    survey: Survey
    cohort: Cohort | None
    previous_cohort: Cohort | None
    answers: Cell
    previous_answers: Cell | None
    distributions: list[Distribution]
    texts: list[Texts]
    changes: list[Change]
    baseline: Survey | None


def previous_cohort(cohort: Cohort | None) -> Cohort | None:
    """The programme's cohort that recruited before this one."""
    if cohort is None:
        return None
    return (Cohort.select().where(Cohort.programme == cohort.programme_id,
                                  Cohort.recruitment_opens < cohort.recruitment_opens)
            .order_by(Cohort.recruitment_opens.desc(), Cohort.id.desc()).first())


def _counts(question: SurveyQuestion, responses: list[SurveyResponse]) -> dict[str, int]:
    if question.kind == TEXT:
        counts = {"written": 0, NO_ANSWER: 0}
    else:
        counts = dict.fromkeys(question.choices, 0)
        if not question.required:
            counts[NO_ANSWER] = 0
    key = str(question.id)
    for response in responses:
        value = response.answer_map.get(key, NO_ANSWER)
        value = "written" if question.kind == TEXT and value != NO_ANSWER else value
        if value in counts:
            counts[value] += 1
        elif NO_ANSWER in counts:
            counts[NO_ANSWER] += 1
    return counts


def _question_tables(questions, responses) -> list[suppression.Table]:
    return [suppression.partition_table({"n": _counts(q, responses)}, column_totals=False)
            for q in questions]


def _protect(tables: list[suppression.Table], extra_links=()) -> list[dict]:
    shared = [(i, TOTAL) for i in range(len(tables))] + list(extra_links)
    return suppression.protect_linked(tables, [shared] if tables else [])


def _bars(rows: list[Row], question: SurveyQuestion, with_previous: bool) -> tuple[list, int]:
    """Geometry of the chart: one bar per option (and cohort), widths as percentages of
    the bar area, none where the count is not shown."""
    bars, y = [], 8.0
    for row in rows:
        series = [(THIS, row.cell, row.percent)]
        if with_previous:
            series.append((PREVIOUS, row.previous, row.previous_percent))
        for name, cell, percent in series:
            value = int(percent.rstrip("%")) if percent else None
            text = f"{percent} ({cell.text})" if percent else cell.text
            bars.append(Bar(name, row.label, value, text, y, BAR_SCALE * (value or 0)))
            y += 22
        y += 10
    return bars, int(y)


def _label(question: SurveyQuestion, key: str) -> str:
    return NO_ANSWER_LABEL if key == NO_ANSWER else question.choices.get(key, key)


def _distribution(question, shown, previous_shown) -> Distribution:
    rows = []
    for (_, _, key), cell in ((k, c) for k, c in shown.items() if k[0] == "cell"):
        previous = previous_shown[("cell", "n", key)] if previous_shown else None
        rows.append(Row(_label(question, key), cell, percentage(cell, shown[TOTAL]), previous,
                        percentage(previous, previous_shown[TOTAL]) if previous_shown else ""))
    bars, height = _bars(rows, question, previous_shown is not None)
    return Distribution(question, rows, shown[TOTAL],
                        previous_shown[TOTAL] if previous_shown else None, bars, height)


def _texts(question, shown, responses) -> Texts:
    written = shown[("cell", "n", "written")]
    items = []
    if written.published:
        key = str(question.id)
        items = [TextItem(r.id, r.answer_map[key], question.id in r.hidden_ids,
                          question.id in r.quoted_ids)
                 for r in responses if r.answer_map.get(key)]
    return Texts(question, written, items)


def latest_baseline(survey: Survey) -> Survey | None:
    """The baseline a later, named survey is compared with: the programme's latest
    baseline survey that has been opened."""
    if survey.moment not in LATER_MOMENTS or survey.anonymity == ANONYMOUS:
        return None
    return (Survey.select().where(Survey.programme == survey.programme_id,
                                  Survey.moment == BASELINE, Survey.status != DRAFT)
            .order_by(Survey.opened_at.desc(), Survey.id.desc()).first())


def _change_tables(questions, responses, baseline, cohort_id):
    """For each agreement-scale question asked in the same words at the baseline: the
    pairs of answers (before, after) of the people who answered both, and its table."""
    if baseline is None:
        return []
    before_questions = {q.comparable_text: q for q in baseline.question_rows()
                        if q.kind == LIKERT}
    matched = [(q, before_questions[q.comparable_text]) for q in questions
               if q.kind == LIKERT and q.comparable_text in before_questions]
    if not matched:
        return []
    before_by_person = {r.respondent_id: r.answer_map
                        for r in SurveyResponse.of(baseline.id, cohort_id)
                        if r.respondent_id is not None}
    found = []
    for after_q, before_q in matched:
        pairs = []
        for response in responses:
            before = before_by_person.get(response.respondent_id, {}).get(str(before_q.id))
            after = response.answer_map.get(str(after_q.id))
            if response.respondent_id is not None and before and after:
                pairs.append((int(before), int(after)))
        table = suppression.Table()
        improved = table.atom(sum(1 for b, a in pairs if a > b))
        same = table.atom(sum(1 for b, a in pairs if a == b))
        worse = table.atom(sum(1 for b, a in pairs if a < b))
        rest = table.atom(len(responses) - len(pairs))
        for key, atoms in (("improved", [improved]), ("same", [same]), ("worse", [worse]),
                           ("both", [improved, same, worse]),
                           (TOTAL, [improved, same, worse, rest])):
            table.figure(key, atoms)
        table.partition("both", ["improved", "same", "worse"])
        found.append((after_q, pairs, table))
    return found


def _change(question, pairs, shown) -> Change:
    change = Change(question, shown["both"], shown["improved"], shown["same"],
                    shown["worse"])
    if shown["both"].published:
        before = statistics.fmean(b for b, _ in pairs)
        after = statistics.fmean(a for _, a in pairs)
        change.before, change.after = f"{before:.1f}", f"{after:.1f}"
        change.change = f"{after - before:+.1f}"
    return change


def survey_results(survey: Survey, cohort: Cohort | None) -> Results:
    questions = list(survey.question_rows())
    cohort_id = cohort.id if cohort else None
    responses = list(SurveyResponse.of(survey.id, cohort_id))
    baseline = latest_baseline(survey)
    changes = _change_tables(questions, responses, baseline, cohort_id)
    tables = _question_tables(questions, responses) + [t for _, _, t in changes]
    shown = _protect(tables)
    before_cohort = previous_cohort(cohort)
    previous_shown = None
    if before_cohort is not None:
        previous_shown = _protect(_question_tables(
            questions, list(SurveyResponse.of(survey.id, before_cohort.id))))
    distributions, texts = [], []
    for i, question in enumerate(questions):
        if question.kind == TEXT:
            texts.append(_texts(question, shown[i], responses))
        else:
            distributions.append(_distribution(
                question, shown[i], previous_shown[i] if previous_shown else None))
    n = len(questions)
    return Results(
        survey=survey, cohort=cohort, previous_cohort=before_cohort,
        answers=shown[0][TOTAL] if questions else suppression.protect(
            suppression.partition_table({"n": {"all": len(responses)}},
                                        column_totals=False))[TOTAL],
        previous_answers=previous_shown[0][TOTAL] if previous_shown and questions else None,
        distributions=distributions, texts=texts, baseline=baseline,
        changes=[_change(q, pairs, shown[n + j]) for j, (q, pairs, _) in enumerate(changes)])
