"""Groups of people that staff manage, and the audit log of staff actions."""
import json

from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

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


class AuditEntry(BaseModel):
    """One staff or moderator action. Written in the action's own transaction, never edited."""

    actor = ForeignKeyField(User, backref="audit_entries", null=True, on_delete="SET NULL")
    action = CharField(max_length=60, index=True)
    object_type = CharField(max_length=40)
    object_id = IntegerField(null=True)
    before = TextField(default="{}")
    after = TextField(default="{}")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("object_type", "object_id"), False),)

    @classmethod
    def record(cls, actor, action: str, obj, before: dict | None = None,
               after: dict | None = None) -> "AuditEntry":
        return cls.create(actor=actor, action=action,
                          object_type=type(obj).__name__.lower(), object_id=obj.id,
                          before=json.dumps(before or {}, default=str, sort_keys=True),
                          after=json.dumps(after or {}, default=str, sort_keys=True))


REPORT_REASONS = {"abuse": "Abusive or unkind", "spam": "Spam or advertising",
                  "privacy": "Shares personal or patient information",
                  "wrong": "Wrong or harmful advice", "other": "Something else"}


class Report(BaseModel):
    """Someone flags a post or a comment for the moderators."""

    object_type = CharField(max_length=40)  # "post" or "comment"
    object_id = IntegerField()
    reporter = ForeignKeyField(User, backref="reports_made", on_delete="CASCADE")
    reason = CharField(max_length=20)
    note = TextField(default="")
    status = CharField(max_length=20, default="open", index=True)  # open, dismissed, actioned
    created_at = DateTimeField(default=utcnow, index=True)
    resolved_by = ForeignKeyField(User, backref="reports_resolved", null=True,
                                  on_delete="SET NULL")
    resolved_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("object_type", "object_id", "reporter"), True),)
