"""Groups of people that staff manage. Audiences, cohorts and boards target groups, so every
area reads these; only the staff area edits them."""
from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, TextField, fn

from portal.blueprints.accounts.models import User
from portal.db import BaseModel, utcnow


class Group(BaseModel):
    name = CharField(max_length=120, unique=True)
    description = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    @classmethod
    def with_member_counts(cls):
        count = (GroupMembership.select(GroupMembership.group,
                                        fn.COUNT(GroupMembership.id).alias("n"))
                 .group_by(GroupMembership.group).alias("counts"))
        return (cls.select(cls, count.c.n.alias("member_count"))
                .join(count, on=(count.c.group_id == cls.id), join_type=JOIN.LEFT_OUTER)
                .order_by(cls.name).objects())

    def members(self):
        return (User.select().join(GroupMembership)
                .where(GroupMembership.group == self).order_by(User.name, User.id))


class GroupMembership(BaseModel):
    group = ForeignKeyField(Group, backref="memberships", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    added_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "user"), True), (("user", "group"), False))
