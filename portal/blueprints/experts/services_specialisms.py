"""Staff keep the specialism taxonomy: areas, their specialisms, and for each specialism
the workbook items an expert passes on. Each change is one transaction with its audit row.

Items and specialisms are retired rather than deleted: requests already sent name them,
and a learner's workbook keeps its own copy of an item's words (the goal's title), so a
retired item leaves both as they were and is only kept out of new choices.
"""
from portal import slugs
from portal.audit import AuditEntry
from portal.blueprints.experts.models import Specialism, SpecialismArea, WorkbookItem
from portal.db import db

MAX_AREA = 80
MAX_SPECIALISM = 120
MAX_ITEM = 160
MAX_DESCRIPTION = 2000


class SpecialismRefused(ValueError):
    """A taxonomy change that cannot be made; the message says why, in words."""


def _words(text: str, most: int, what: str, missing: str = "") -> str:
    text = " ".join((text or "").split())
    if not text:
        raise SpecialismRefused(missing or f"Enter the {what}")
    if len(text) > most:
        raise SpecialismRefused(f"Keep the {what} to {most} characters")
    return text


def _next_position(query) -> int:
    return (query.scalar() or 0) + 1


def save_area(actor, area: SpecialismArea | None, name: str) -> SpecialismArea:
    """Add an area (area None) or rename one."""
    name = _words(name, MAX_AREA, "area's name")
    creating = area is None
    with db.atomic():
        clash = SpecialismArea.select().where(SpecialismArea.name == name,
                                              SpecialismArea.id != (area.id if area else 0))
        if clash.exists():
            raise SpecialismRefused(f"There is already an area called {name}")
        before = {} if creating else {"name": area.name}
        area = area or SpecialismArea(position=_next_position(
            SpecialismArea.select(SpecialismArea.position).order_by(
                SpecialismArea.position.desc()).limit(1)))
        area.name = name
        slugs.save_with_unique_slug(area, name)
        AuditEntry.record(actor, "specialism_area.create" if creating
                          else "specialism_area.update", area, before, {"name": name})
    return area


def save_specialism(actor, specialism: Specialism | None, area_id: int, name: str,
                    description: str = "") -> Specialism:
    """Add a specialism to an area (specialism None), or change its name, area or words."""
    name = _words(name, MAX_SPECIALISM, "specialism's name")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise SpecialismRefused(f"Keep the description to {MAX_DESCRIPTION:,} characters")
    creating = specialism is None
    with db.atomic():
        area = SpecialismArea.get_or_none(SpecialismArea.id == area_id)
        if area is None:
            raise SpecialismRefused("Choose an area")
        clash = Specialism.select().where(Specialism.area == area.id, Specialism.name == name,
                                          Specialism.id != (specialism.id if specialism else 0))
        if clash.exists():
            raise SpecialismRefused(f"{area.name} already has a specialism called {name}")
        before = {} if creating else {"name": specialism.name, "area": specialism.area_id}
        specialism = specialism or Specialism(position=_next_position(
            Specialism.select(Specialism.position).where(Specialism.area == area.id)
            .order_by(Specialism.position.desc()).limit(1)))
        specialism.area, specialism.name, specialism.description = area.id, name, description
        slugs.save_with_unique_slug(specialism, f"{area.name} {name}")
        AuditEntry.record(actor, "specialism.create" if creating else "specialism.update",
                          specialism, before, {"name": name, "area": area.id})
    return specialism


def set_specialism_retired(actor, specialism: Specialism, retired: bool) -> Specialism:
    with db.atomic():
        Specialism.update(retired=retired).where(Specialism.id == specialism.id).execute()
        AuditEntry.record(actor, "specialism.retire" if retired else "specialism.restore",
                          specialism, {"retired": specialism.retired}, {"retired": retired})
    specialism.retired = retired
    return specialism


def add_item(actor, specialism: Specialism, text: str) -> WorkbookItem:
    """A new workbook item at the end of the specialism's list."""
    text = _words(text, MAX_ITEM, "item", "Enter what an expert passes on")
    with db.atomic():
        if WorkbookItem.select().where(WorkbookItem.specialism == specialism.id,
                                       WorkbookItem.text == text).exists():
            raise SpecialismRefused(f"{specialism.name} already has that item")
        item = WorkbookItem.create(specialism=specialism.id, text=text, position=_next_position(
            WorkbookItem.select(WorkbookItem.position)
            .where(WorkbookItem.specialism == specialism.id)
            .order_by(WorkbookItem.position.desc()).limit(1)))
        AuditEntry.record(actor, "workbook_item.create", item, {},
                          {"specialism": specialism.id, "text": text})
    return item


def edit_item(actor, item: WorkbookItem, text: str) -> WorkbookItem:
    """New words for an item; workbooks already started keep the words they began with."""
    text = _words(text, MAX_ITEM, "item", "Enter what an expert passes on")
    with db.atomic():
        before = {"text": item.text}
        WorkbookItem.update(text=text).where(WorkbookItem.id == item.id).execute()
        AuditEntry.record(actor, "workbook_item.update", item, before, {"text": text})
    item.text = text
    return item


def set_item_retired(actor, item: WorkbookItem, retired: bool) -> WorkbookItem:
    with db.atomic():
        WorkbookItem.update(retired=retired).where(WorkbookItem.id == item.id).execute()
        AuditEntry.record(actor, "workbook_item.retire" if retired else "workbook_item.restore",
                          item, {"retired": item.retired}, {"retired": retired})
    item.retired = retired
    return item


def ensure_taxonomy(taxonomy: dict[str, dict[str, list[str]]]) -> int:
    """Demo and first-run data: {area: {specialism: [items]}}, adding only what is missing.
    Returns how many items were added. Written without an actor (no audit rows), as the
    migrations write the theme topics."""
    added = 0
    with db.atomic():
        for a_pos, (area_name, specialisms) in enumerate(taxonomy.items(), start=1):
            area = SpecialismArea.get_or_none(SpecialismArea.name == area_name)
            if area is None:
                area = SpecialismArea(name=area_name, position=a_pos)
                slugs.save_with_unique_slug(area, area_name)
            for s_pos, (name, items) in enumerate(specialisms.items(), start=1):
                specialism = Specialism.get_or_none(Specialism.area == area.id,
                                                    Specialism.name == name)
                if specialism is None:
                    specialism = Specialism(area=area.id, name=name, position=s_pos)
                    slugs.save_with_unique_slug(specialism, f"{area_name} {name}")
                have = {text for (text,) in WorkbookItem.select(WorkbookItem.text)
                        .where(WorkbookItem.specialism == specialism.id).tuples()}
                for i_pos, text in enumerate(items, start=1):
                    if text not in have:
                        WorkbookItem.create(specialism=specialism.id, text=text, position=i_pos)
                        added += 1
    return added
