"""Group changes, each with its audit row in the same transaction."""
from peewee import IntegrityError

from portal import branding, settings
from portal.audit import AuditEntry
from portal.db import db
from portal.groups import Group, GroupMembership
from portal.settings import Setting


class DuplicateGroup(Exception):
    pass


def create_group(actor, name: str, description: str | None) -> Group:
    description = description or ""
    try:
        with db.atomic():
            group = Group.create(name=name.strip(), description=description.strip())
            AuditEntry.record(actor, "group.create", group, {},
                              {"name": group.name, "description": group.description})
    except IntegrityError as exc:
        raise DuplicateGroup(name) from exc
    return group


def update_group(actor, group: Group, name: str, description: str | None) -> None:
    description = description or ""
    before = {"name": group.name, "description": group.description}
    try:
        with db.atomic():
            Group.update(name=name.strip(), description=description.strip()
                         ).where(Group.id == group.id).execute()
            AuditEntry.record(actor, "group.update", group, before,
                              {"name": name.strip(), "description": description.strip()})
    except IntegrityError as exc:
        raise DuplicateGroup(name) from exc


def add_member(actor, group: Group, person) -> bool:
    """False when the person was already a member (nothing written)."""
    with db.atomic():
        added = (GroupMembership.insert(group=group, user=person)
                 .on_conflict_ignore().as_rowcount().execute())
        if added:
            AuditEntry.record(actor, "group.add_member", group, {}, {"user_id": person.id})
    return bool(added)


def remove_member(actor, group: Group, person) -> bool:
    with db.atomic():
        removed = (GroupMembership.delete()
                   .where(GroupMembership.group == group, GroupMembership.user == person)
                   .execute())
        if removed:
            AuditEntry.record(actor, "group.remove_member", group, {"user_id": person.id}, {})
    return bool(removed)


def save_settings(actor, values: dict, logo=None) -> None:
    """`logo`, a checked upload, is kept under UPLOAD_DIR first and becomes the logo
    setting's value, so its change is audited with the rest."""
    if logo is not None:
        values = {**values, "organisation_logo": branding.store_logo(logo)}
    with db.atomic():
        changed = settings.save(values)
        if changed:
            marker = Setting.get(Setting.key == next(iter(changed)))
            AuditEntry.record(actor, "settings.change", marker, changed,
                              {key: values[key] for key in changed})
    branding.forget()
