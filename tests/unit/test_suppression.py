"""Small-number suppression on random tables: whatever the counts, nobody who reads what is
shown can work out a count between 1 and 4.

The auditor here is written apart from portal.suppression's own check: it sees only the
published table (counts, "fewer than 5", "withheld") and how the figures are made, and
asks an integer programme for the exact range of every count a reader could try for."""
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from portal import suppression
from portal.suppression import PUBLISHED, SMALL, WITHHELD

# Mostly small counts, where suppression has work to do, and some large ones.
count = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 20))


@st.composite
def partition_tables(draw):
    rows = draw(st.integers(1, 3))
    columns = draw(st.integers(1, 4))
    counts = {f"r{r}": {f"c{c}": draw(count) for c in range(columns)} for r in range(rows)}
    return suppression.partition_table(counts, row_totals=True,
                                       column_totals=draw(st.booleans()) or rows > 1)


@st.composite
def nested_tables(draw):
    stages = [f"s{s}" for s in range(draw(st.integers(2, 4)))]
    counts = {}
    for r in range(draw(st.integers(1, 4))):
        first = draw(count)
        drops = [draw(st.integers(0, 6)) for _ in stages[1:]]
        row = [first]
        for drop in drops:
            row.append(max(row[-1] - drop, 0))
        counts[f"g{r}"] = row
    return suppression.nested_table(counts, stages)


def whole_range(table, shown, atoms) -> tuple[float, float]:
    """The smallest and largest whole-number value `atoms` can sum to, for a reader who
    knows the shown counts, that "fewer than 5" is 0-4 and "withheld" is 5 or more."""
    n = len(table.atoms)
    constraints = []
    for key, figure_atoms in table.figures.items():
        row = np.zeros(n)
        row[list(figure_atoms)] = 1
        cell = shown[key]
        low, high = {PUBLISHED: (cell.value, cell.value), SMALL: (0, 4),
                     WITHHELD: (5, np.inf)}[cell.state]
        constraints.append(LinearConstraint(row, low, high))
    objective = np.zeros(n)
    objective[list(atoms)] = 1
    ends = []
    for sense in (1, -1):
        result = milp(-sense * objective, constraints=constraints,
                      integrality=np.ones(n), bounds=Bounds(0, np.inf))
        if result.status == 0:
            ends.append(objective @ result.x)
        else:
            assert "unbounded" in result.message.lower(), result.message
            ends.append(sense * np.inf)
    return ends[1], ends[0]


def counts_a_reader_could_try(table, shown):
    """Every figure; every figure minus one it contains (applications minus acceptances
    of a group, a total minus a cell); and a partition's hidden parts together."""
    figures = table.figures
    yield from figures.values()
    for big, small in itertools.permutations(figures.values(), 2):
        if small < big:
            yield big - small
    for _parent, children in table.partitions:
        hidden = [figures[c] for c in children if not shown[c].published]
        if hidden and len(hidden) < len(children):
            yield frozenset().union(*hidden)


def assert_nothing_small_can_be_worked_out(table, shown):
    for key, cell in shown.items():
        true = table.value(key)
        if true < 5:
            assert cell.state == SMALL and cell.text == "fewer than 5", (key, true)
        elif cell.published:
            assert cell.value == true
        else:
            assert cell.state == WITHHELD and cell.text == "withheld"
    for atoms in set(counts_a_reader_could_try(table, shown)):
        true = sum(table.atoms[a] for a in atoms)
        if 1 <= true <= 4:
            low, high = whole_range(table, shown, atoms)
            assert low < high, (f"a count of {true} can be worked out: atoms {sorted(atoms)} "
                                f"of {table.atoms}; shown {shown}")


AUDIT = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@AUDIT
@given(partition_tables())
def test_no_small_count_can_be_worked_out_of_a_table_with_totals(table):
    assert_nothing_small_can_be_worked_out(table, suppression.protect(table))


@pytest.mark.long
@AUDIT
@given(nested_tables())
def test_no_small_count_can_be_worked_out_of_groups_followed_through_stages(table):
    assert_nothing_small_can_be_worked_out(table, suppression.protect(table))


def test_a_total_and_its_parts_never_give_away_the_small_ones():
    table = suppression.partition_table({"answers": {"yes": 20, "no": 3, "maybe": 9}},
                                        column_totals=False)
    shown = suppression.protect(table)
    assert shown["cell", "answers", "no"].text == "fewer than 5"
    # 32 minus 20 would give 3 if "maybe" were shown: the smaller of the others is withheld
    assert shown["cell", "answers", "maybe"].text == "withheld"
    assert shown["cell", "answers", "yes"].text == "20"
    assert shown["row", "answers"].text == "32"
    assert suppression.percentage(shown["cell", "answers", "yes"], shown["row", "answers"]) \
        == "62%"
    assert suppression.percentage(shown["cell", "answers", "no"], shown["row", "answers"]) == ""


def test_two_large_figures_a_small_step_apart_are_not_both_shown():
    """Applications 12 and acceptances 9 of one group would say 3 were not accepted."""
    table = suppression.nested_table({"asian": [12, 9], "white": [30, 24]},
                                     ["applied", "accepted"])
    shown = suppression.protect(table)
    pair = (shown["cell", "asian", "applied"], shown["cell", "asian", "accepted"])
    assert not all(cell.published for cell in pair)
    assert_nothing_small_can_be_worked_out(table, shown)


def test_a_table_of_small_counts_shows_fewer_than_5_everywhere():
    table = suppression.partition_table({"this cohort": {"1": 1, "2": 0, "3": 2}},
                                        column_totals=False)
    assert {cell.text for cell in suppression.protect(table).values()} == {"fewer than 5"}


def test_a_count_hidden_in_one_table_is_hidden_in_the_tables_that_share_it():
    first = suppression.partition_table({"q1": {"a": 4, "b": 4}}, column_totals=False)
    second = suppression.partition_table({"q2": {"a": 8, "b": 0}}, column_totals=False)
    alone = suppression.protect(second)
    assert alone["row", "q2"].published
    linked = suppression.protect_linked([first, second], [[(0, ("row", "q1")),
                                                           (1, ("row", "q2"))]])
    # 8 shown with two cells of fewer than 5 would say both were 4
    assert linked[0]["row", "q1"].state == WITHHELD
    assert linked[1]["row", "q2"].state == WITHHELD


def test_rows_must_not_rise_through_the_stages():
    with pytest.raises(ValueError):
        suppression.nested_table({"a": [3, 5]}, ["applied", "accepted"])
