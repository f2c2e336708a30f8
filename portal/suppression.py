"""Small numbers protected: which counts of people a table may show.

Any count below 5 (0 included) is shown as "fewer than 5" (primary suppression). Secondary
suppression then withholds further counts until nobody can work out a count between 1 and
4 from what is shown: not from a total minus its published parts, not from the difference
between two published figures where one group holds the other (applications and
acceptances of one group, a row total and a cell), and not from any combination of rows
and columns. A withheld count is one of 5 or more ("withheld"); readers know that, and the
check below assumes they do. Percentages go with published counts only.

A table is described by what it is made of, so one check serves every shape:
- atoms: disjoint groups of people, each with its true count;
- figures: the counts a page shows, each the sum of a set of atoms (a cell, a total);
- partitions: a figure and the figures that split it (a total and its row's cells).
The protected counts are every figure, every difference between a figure and one it
contains, and the sum of the hidden parts of a partition whose total is shown.

`protect` starts from the small counts, then repeatedly looks for a protected count of 1 to
4 that the shown figures pin down exactly, and withholds one more figure that undoes it,
until there is none. "Pinned" is decided exactly over whole numbers: a linear programme
bounds each count (scipy's HiGHS), an integral optimum is its own witness, and a fractional
one is settled by an integer programme. Withholding only ever widens what a reader can
infer, so a count once found safe stays safe while the loop goes on. It is pure: no Flask,
no database.
"""
import dataclasses
import itertools
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

THRESHOLD = 5
PUBLISHED, SMALL, WITHHELD = "published", "small", "withheld"
TEXTS = {SMALL: "fewer than 5", WITHHELD: "withheld"}
_EPSILON = 1e-6


@dataclasses.dataclass(frozen=True)
class Cell:
    """One figure as a page may show it: its count when published, else why not."""

    value: int | None
    state: str

    @property
    def published(self) -> bool:
        return self.state == PUBLISHED

    @property
    def text(self) -> str:
        return f"{self.value:,}" if self.published else TEXTS[self.state]

    def __str__(self) -> str:
        return self.text


def percentage(part: Cell, whole: Cell) -> str:
    """"40%" when both counts are shown (and the whole is not zero), else ""."""
    if not (part.published and whole.published and whole.value):
        return ""
    return f"{round(100 * part.value / whole.value)}%"


class Table:
    """Atoms (true counts of disjoint groups), figures over them, and partitions."""

    def __init__(self):
        self.atoms: list[int] = []
        self.figures: dict[Hashable, frozenset[int]] = {}
        self.partitions: list[tuple[Hashable, tuple[Hashable, ...]]] = []

    def atom(self, count: int) -> int:
        if count < 0:
            raise ValueError(f"a count cannot be negative: {count}")
        self.atoms.append(int(count))
        return len(self.atoms) - 1

    def figure(self, key: Hashable, atoms: Iterable[int]) -> Hashable:
        self.figures[key] = frozenset(atoms)
        return key

    def partition(self, parent: Hashable, children: Sequence[Hashable]) -> None:
        """`children` split `parent`: their atoms are disjoint and make up the parent's."""
        joined = [a for child in children for a in self.figures[child]]
        if len(joined) != len(set(joined)) or set(joined) != self.figures[parent]:
            raise ValueError(f"{children} do not split {parent}")
        self.partitions.append((parent, tuple(children)))

    def value(self, key: Hashable) -> int:
        return sum(self.atoms[a] for a in self.figures[key])


# Building the usual shapes ----------------------------------------------------------------

def partition_table(counts: dict[Hashable, dict[Hashable, int]], row_totals: bool = True,
                    column_totals: bool = True) -> Table:
    """Rows of counts split by the same columns (answers by option, cohort by answer).
    Figures: ("cell", row, column), ("row", row), ("column", column) and ("all",)."""
    table = Table()
    rows = list(counts)
    columns = list(dict.fromkeys(c for row in counts.values() for c in row))
    cell_atoms = {(r, c): table.atom(counts[r].get(c, 0)) for r in rows for c in columns}
    for (r, c), atom in cell_atoms.items():
        table.figure(("cell", r, c), [atom])
    if row_totals:
        for r in rows:
            table.figure(("row", r), [cell_atoms[r, c] for c in columns])
            table.partition(("row", r), [("cell", r, c) for c in columns])
    if column_totals:
        for c in columns:
            table.figure(("column", c), [cell_atoms[r, c] for r in rows])
            table.partition(("column", c), [("cell", r, c) for r in rows])
    if row_totals and column_totals:
        table.figure(("all",), cell_atoms.values())
        table.partition(("all",), [("row", r) for r in rows])
        table.partition(("all",), [("column", c) for c in columns])
    return table


def nested_table(counts: dict[Hashable, Sequence[int]], stages: Sequence[Hashable]) -> Table:
    """Groups followed through stages, each stage within the one before (applied, accepted,
    matched, completed). `counts[row]` gives the row's count at each stage. Figures:
    ("cell", row, stage) and ("column", stage), the stage's total over the rows."""
    table = Table()
    rows = list(counts)
    reached: dict[tuple, list[int]] = {}
    for r in rows:
        row = list(counts[r])
        if len(row) != len(stages) or any(a < b for a, b in itertools.pairwise(row)):
            raise ValueError(f"row {r!r} must give one count per stage, never rising: {row}")
        furthest = [table.atom(a - b) for a, b in itertools.pairwise(row + [0])]
        for i, stage in enumerate(stages):
            reached[r, stage] = furthest[i:]
            table.figure(("cell", r, stage), furthest[i:])
    for stage in stages:
        table.figure(("column", stage), [a for r in rows for a in reached[r, stage]])
        table.partition(("column", stage), [("cell", r, stage) for r in rows])
    return table


# The protected counts -------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Quantity:
    """A count a reader must not be able to work out when it is 1 to 4: its atoms, and the
    figures it is worked out from."""

    atoms: frozenset[int]
    figures: tuple[Hashable, ...]


def fixed_quantities(table: Table) -> list[Quantity]:
    """Every figure, and every figure minus a figure it contains."""
    found = [Quantity(atoms, (key,)) for key, atoms in table.figures.items()]
    for (outer, big), (inner, small) in itertools.permutations(table.figures.items(), 2):
        if small < big:
            found.append(Quantity(big - small, (outer, inner)))
    return found


def remainders(table: Table, states: dict[Hashable, str]) -> list[Quantity]:
    """For each partition with some parts hidden and some shown: the hidden parts together,
    which its total minus the shown parts gives."""
    found = []
    for parent, children in table.partitions:
        hidden = [c for c in children if states[c] != PUBLISHED]
        if hidden and len(hidden) < len(children):
            shown = tuple(c for c in children if states[c] == PUBLISHED)
            found.append(Quantity(frozenset().union(*(table.figures[c] for c in hidden)),
                                  (parent, *shown)))
    return found


def _count(table: Table, quantity: Quantity) -> int:
    return sum(table.atoms[a] for a in quantity.atoms)


# What a reader can infer ------------------------------------------------------------------

class Reader:
    """What someone who sees the published figures knows: each published figure's count,
    that each "fewer than 5" is 0 to 4 and each "withheld" is 5 or more, and how the
    figures are made of atoms. `extreme(q, sense)` is the largest or smallest whole number
    a count can be under that knowledge. Whole-number solutions met on the way are kept in
    `found`: each is a table the reader cannot tell from the true one."""

    def __init__(self, table: Table, shown: dict[Hashable, Cell]):
        n = len(table.atoms)
        self.n = n
        self.found: list[np.ndarray] = []
        equal_rows, equal_values, upper_rows, upper_values = [], [], [], []
        for key, atoms in table.figures.items():
            row = self.vector(atoms)
            cell = shown[key]
            if cell.state == PUBLISHED:
                equal_rows.append(row)
                equal_values.append(cell.value)
            elif cell.state == SMALL:
                upper_rows.append(row)
                upper_values.append(THRESHOLD - 1)
            else:
                upper_rows.append(-row)
                upper_values.append(-THRESHOLD)
        self.a_eq = np.array(equal_rows) if equal_rows else None
        self.b_eq = np.array(equal_values) if equal_rows else None
        self.a_ub = np.array(upper_rows) if upper_rows else None
        self.b_ub = np.array(upper_values) if upper_rows else None

    def vector(self, atoms: Iterable[int]) -> np.ndarray:
        vector = np.zeros(self.n)
        vector[list(atoms)] = 1
        return vector

    def extreme(self, atoms: frozenset[int], sense: int) -> float:
        """The largest (sense 1) or smallest (sense -1) whole-number value of the count.
        Infinity when it has no upper bound."""
        return self.optimum(sense * self.vector(atoms)) * sense

    def optimum(self, objective: np.ndarray) -> float:
        """The largest whole-number value of `objective` over the tables the reader cannot
        tell apart (infinity if unbounded)."""
        result = linprog(-objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq,
                         b_eq=self.b_eq, bounds=(0, None), method="highs")
        if result.status == 3:
            return np.inf
        if result.status != 0:
            raise ArithmeticError(f"the published figures are inconsistent: {result.message}")
        if np.all(np.abs(result.x - np.round(result.x)) < _EPSILON):
            self.found.append(np.round(result.x))
            return float(objective @ np.round(result.x))
        return self._whole_optimum(objective)

    def _whole_optimum(self, objective: np.ndarray) -> float:
        constraints = []
        if self.a_eq is not None:
            constraints.append(LinearConstraint(self.a_eq, self.b_eq, self.b_eq))
        if self.a_ub is not None:
            constraints.append(LinearConstraint(self.a_ub, -np.inf, self.b_ub))
        result = milp(-objective, constraints=constraints, integrality=np.ones(self.n),
                      bounds=Bounds(0, np.inf))
        if result.status != 0:
            raise ArithmeticError(f"no whole-number answer: {result.message}")
        self.found.append(np.round(result.x))
        return float(objective @ np.round(result.x))

    def pins(self, atoms: frozenset[int], true_count: int) -> bool:
        """Whether the count can only be `true_count` (which it is)."""
        return (self.extreme(atoms, 1) <= true_count
                and self.extreme(atoms, -1) >= true_count)


def disclosed(true_count: int) -> bool:
    return 1 <= true_count < THRESHOLD


# Choosing what to show -------------------------------------------------------------------

def _cells(table: Table, states: dict[Hashable, str]) -> dict[Hashable, Cell]:
    return {key: Cell(table.value(key) if state == PUBLISHED else None, state)
            for key, state in states.items()}


def _pinned(table: Table, states: dict[Hashable, str], quantity: Quantity,
            witnesses: list[np.ndarray] | None = None) -> bool:
    """Whether the shown figures pin the count down. `witnesses`: whole-number tables
    consistent with what is shown (found before; withholding more keeps them consistent),
    grown with those found here. One that gives the count another value settles it."""
    if all(states[f] == PUBLISHED for f in quantity.figures) and len(quantity.figures) > 1:
        return True  # worked out from shown figures alone (a difference, a remainder)
    true_count = _count(table, quantity)
    atoms = list(quantity.atoms)
    if witnesses and any(w[atoms].sum() != true_count for w in witnesses):
        return False
    reader = Reader(table, _cells(table, states))
    try:
        return reader.pins(quantity.atoms, true_count)
    finally:
        if witnesses is not None:
            witnesses.extend(reader.found)


def _first_witnesses(table: Table, states: dict[Hashable, str]) -> list[np.ndarray]:
    """A few tables a reader cannot tell from the true one, far from it in different
    directions (a fixed seed, so the same figures always give the same page)."""
    reader = Reader(table, _cells(table, states))
    directions = -np.random.default_rng(5).uniform(0, 1, size=(4, len(table.atoms)))
    for direction in directions:
        reader.optimum(direction)
    return reader.found


def _candidates(table: Table, states: dict[Hashable, str], quantity: Quantity) -> list:
    """Published figures that could be holding the count in place, most likely first:
    the figures it is worked out from, then figures sharing its atoms and their partners
    in a partition; smaller figures (cells before totals) and smaller counts first."""
    near = set(quantity.figures)
    touching = {k for k, atoms in table.figures.items() if atoms & quantity.atoms}
    for parent, children in table.partitions:
        if parent in touching or touching.intersection(children):
            near.update(children)
            near.add(parent)
    near |= touching
    order = {key: i for i, key in enumerate(table.figures)}
    return sorted((k for k in near if states[k] == PUBLISHED),
                  key=lambda k: (k not in quantity.figures, len(table.figures[k]),
                                 table.value(k), order[k]))


def _undo(table: Table, states: dict[Hashable, str], quantity: Quantity) -> Hashable:
    """Withhold one figure so the count is no longer pinned, if one alone will do; else
    the likeliest one, and the loop goes round again."""
    candidates = _candidates(table, states, quantity)
    if not candidates:
        raise ArithmeticError(f"nothing left to withhold for {quantity}")
    for key in candidates[:6]:
        trial = {**states, key: WITHHELD}
        if not _pinned(table, trial, quantity):
            return key
    return candidates[0]


def protect(table: Table, force: Iterable[Hashable] = ()) -> dict[Hashable, Cell]:
    """What to show of each figure. `force`: figures to hide whatever their count (to keep
    a figure hidden everywhere a page shows it, see `protect_linked`)."""
    states = {key: SMALL if table.value(key) < THRESHOLD else PUBLISHED
              for key in table.figures}
    for key in force:
        if states[key] == PUBLISHED:
            states[key] = WITHHELD
    queue = [q for q in fixed_quantities(table) if disclosed(_count(table, q))]
    witnesses = _first_witnesses(table, states) if queue else []
    seen_remainders: set[Quantity] = set()
    while True:
        for q in remainders(table, states):
            if q not in seen_remainders and disclosed(_count(table, q)):
                seen_remainders.add(q)
                queue.append(q)
        if not queue:
            break
        quantity = queue.pop(0)
        if _pinned(table, states, quantity, witnesses):
            states[_undo(table, states, quantity)] = WITHHELD
            queue.insert(0, quantity)  # check it again: it may be held by another route
    return _cells(table, states)


def protect_linked(tables: Sequence[Table], links: Sequence[Sequence[tuple[int, Hashable]]]
                   ) -> list[dict[Hashable, Cell]]:
    """Tables on one page that show the same count (every question's total, the stage
    totals of each equality table): `links` lists each such count as (table index, key)
    pairs. A count hidden in one table is hidden in all, or a reader would take it from
    another and undo that table's protection."""
    forced: list[set] = [set() for _ in tables]
    done: dict[tuple[int, frozenset], dict] = {}
    while True:
        results = []
        for i, table in enumerate(tables):
            key = (i, frozenset(forced[i]))
            if key not in done:
                done[key] = protect(table, forced[i])
            results.append(done[key])
        changed = False
        for link in links:
            if any(not results[i][key].published for i, key in link):
                for i, key in link:
                    if key not in forced[i]:
                        forced[i].add(key)
                        changed = True
        if not changed:
            return results
