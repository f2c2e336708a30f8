"""The directory's reads: listed experts filtered by specialism and words, one keyset page
at a time, with each expert's specialisms and activity. Three queries however many experts
there are: the page (activity from aggregate subqueries), their specialisms, and the
specialisms for the filter."""
import dataclasses
import datetime as dt

from portal.blueprints.accounts.models import User
from portal.blueprints.experts.models import (
    Expert,
    ExpertSpecialism,
    Specialism,
    SpecialismArea,
    WorkbookItem,
)

PAGE_SIZE = 20
MAX_WORDS = 6


@dataclasses.dataclass
class Results:
    experts: list
    next_cursor: str | None
    searching: bool


def _matches(word: str):
    """An expert whose name, bio, specialism, area or workbook items mention `word`."""
    in_items = (WorkbookItem.select(WorkbookItem.specialism)
                .where(WorkbookItem.text.contains(word), WorkbookItem.retired == False))  # noqa: E712
    specialisms = (ExpertSpecialism.select(ExpertSpecialism.expert)
                   .join(Specialism).join(SpecialismArea)
                   .where(Specialism.retired == False,  # noqa: E712
                          Specialism.name.contains(word) | SpecialismArea.name.contains(word)
                          | Specialism.id.in_(in_items)))
    return User.name.contains(word) | Expert.bio.contains(word) | Expert.id.in_(specialisms)


def _after(query, cursor: str | None):
    name, _, expert_id = (cursor or "").rpartition("~")
    if not expert_id.isdigit():
        return query
    return query.where((User.name > name) | ((User.name == name) & (Expert.id > int(expert_id))))


def search(q: str, specialism: str, cursor: str | None, now: dt.datetime) -> Results:
    """Listed experts by name, filtered, one page after `cursor`."""
    query = Expert.listed(now)
    if specialism:
        query = query.where(Expert.id.in_(
            ExpertSpecialism.select(ExpertSpecialism.expert).join(Specialism)
            .where(Specialism.slug == specialism)))
    for word in (q or "").split()[:MAX_WORDS]:
        query = query.where(_matches(word))
    rows = list(_after(query, cursor).order_by(User.name, Expert.id).limit(PAGE_SIZE + 1))
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = f"{rows[-1].user.name}~{rows[-1].id}"
    attach_specialisms(rows)
    return Results(rows, next_cursor, bool(q or specialism))


def attach_specialisms(experts: list) -> list:
    """`specialism_list` on each expert: one query."""
    found = ExpertSpecialism.by_expert([e.id for e in experts])
    for expert in experts:
        expert.specialism_list = found[expert.id]
    return experts


def specialism_groups() -> list[tuple[SpecialismArea, list[Specialism]]]:
    """The live specialisms by area, for filters and the profile form: one query."""
    groups: dict[int, tuple[SpecialismArea, list[Specialism]]] = {}
    for specialism in Specialism.with_areas():
        groups.setdefault(specialism.area.id, (specialism.area, []))[1].append(specialism)
    return list(groups.values())
