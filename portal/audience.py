"""Who may see a piece of content: anyone signed in, members of given groups, or staff only.

Articles, resources, webinars and boards all carry an `audience` column and, for the
"groups" audience, rows in AudienceGroup. `visible_to` turns that into one SQL condition, so
lists are filtered in the database and a page's query count does not grow with its data.
"""
from peewee import SQL, CharField, ForeignKeyField, IntegerField

from portal.blueprints.accounts.models import User
from portal.db import BaseModel, in_subquery
from portal.groups import Group, GroupMembership
from portal.permissions import STAFF_ROLES, is_staff
from portal.prepared import param

SIGNED_IN = "signed_in"
GROUPS = "groups"
STAFF = "staff"
CHOICES = [(SIGNED_IN, "Anyone signed in"), (GROUPS, "Members of chosen groups"),
           (STAFF, "Staff only")]


def audience_field(**kw) -> CharField:
    return CharField(max_length=20, default=SIGNED_IN, index=True, **kw)


class AudienceGroup(BaseModel):
    object_type = CharField(max_length=40)
    object_id = IntegerField()
    group = ForeignKeyField(Group, backref="audience_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("object_type", "object_id", "group"), True),)


def object_type(model) -> str:
    return model._meta.table_name


def visible_to(model, user):
    """A WHERE condition: rows of `model` whose audience includes `user`. A person loaded
    for a request carries their group ids (portal.viewer), so the condition names them
    rather than joining the memberships; for anyone else it reads the memberships."""
    if user is None or not user.is_authenticated:
        return SQL("1 = 0")
    if is_staff(user):
        return SQL("1 = 1")
    groups = user.group_ids
    if groups is None:
        groups = GroupMembership.select(GroupMembership.group).where(
            GroupMembership.user == user.id)
        in_groups = in_subquery(AudienceGroup.group, groups)
    else:
        in_groups = AudienceGroup.group.in_(groups)
    shown_to_groups = (AudienceGroup.select(AudienceGroup.object_id)
                       .where(AudienceGroup.object_type == object_type(model), in_groups))
    return ((model.audience == SIGNED_IN)
            | ((model.audience == GROUPS) & in_subquery(model.id, shown_to_groups)))


def shape(user) -> tuple:
    """What the audience condition's SQL looks like for this person, for prepared queries
    (portal/prepared.py): nobody, everything (staff), or a number of groups. Needs a person
    loaded by portal.viewer, who carries their group ids."""
    if user is None or not user.is_authenticated:
        return ("nobody",)
    if is_staff(user):
        return ("everything",)
    return ("groups", len(user.group_ids))


def shape_params(user) -> dict:
    """The values prepared_condition's placeholders take for this person."""
    groups = user.group_ids or () if user is not None and user.is_authenticated else ()
    return {f"group{i}": group_id for i, group_id in enumerate(groups)}


class StandIn:
    """A person with placeholders for their id (`user`) and group ids (`group0`, ...), to
    build a model's own query for a person once per shape (portal/prepared.py)."""

    def __init__(self, shape: tuple, role: str | None = None):
        self.is_authenticated = shape[0] != "nobody"
        self.role = role or ("staff" if shape[0] == "everything" else "member")
        self.id = param("user")
        self.group_ids = [param(f"group{i}") for i in range(shape[1] if len(shape) > 1 else 0)]


def prepared_condition(model, shape: tuple):
    """visible_to's condition for a shape, with placeholders group0, group1, ... for the
    group ids, so the SQL is written once per shape."""
    if shape[0] == "nobody":
        return SQL("1 = 0")
    if shape[0] == "everything":
        return SQL("1 = 1")
    shown_to_groups = (AudienceGroup.select(AudienceGroup.object_id)
                       .where(AudienceGroup.object_type == object_type(model),
                              AudienceGroup.group.in_([param(f"group{i}")
                                                       for i in range(shape[1])])))
    return ((model.audience == SIGNED_IN)
            | ((model.audience == GROUPS) & in_subquery(model.id, shown_to_groups)))


def readers(model, obj):
    """A WHERE condition on User: the people whose view of `model` includes `obj`. The rule
    of `visible_to`, turned around to list people rather than rows (boards' mention
    suggestions, a newsletter's copy per recipient)."""
    staff = User.role.in_(sorted(STAFF_ROLES))
    if obj.audience == SIGNED_IN:
        return SQL("1 = 1")
    if obj.audience == STAFF:
        return staff
    if obj.audience == GROUPS:
        members = (GroupMembership.select(GroupMembership.user)
                   .join(AudienceGroup, on=(AudienceGroup.group == GroupMembership.group))
                   .where(AudienceGroup.object_type == object_type(model),
                          AudienceGroup.object_id == obj.id))
        return staff | User.id.in_(members)
    return SQL("1 = 0")


def set_groups(obj, group_ids) -> None:
    """Replace the groups an object is shown to. Call inside the caller's transaction."""
    kind = object_type(type(obj))
    (AudienceGroup.delete()
     .where(AudienceGroup.object_type == kind, AudienceGroup.object_id == obj.id).execute())
    rows = [{"object_type": kind, "object_id": obj.id, "group": gid} for gid in set(group_ids)]
    if rows:
        AudienceGroup.insert_many(rows).execute()


def group_ids(obj) -> list[int]:
    return [row.group_id for row in AudienceGroup.select(AudienceGroup.group).where(
        AudienceGroup.object_type == object_type(type(obj)), AudienceGroup.object_id == obj.id)]
