"""The audit log of staff and moderator actions. Every area writes to it inside the
transaction of the action it records; the staff area reads it."""
import json

from flask import has_request_context, request
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from portal.blueprints.accounts.models import User
from portal.db import BaseModel, utcnow


class AuditEntry(BaseModel):
    """One staff or moderator action. Written in the action's own transaction, never edited."""

    actor = ForeignKeyField(User, backref="audit_entries", null=True, on_delete="SET NULL")
    action = CharField(max_length=60, index=True)
    object_type = CharField(max_length=40)
    object_id = IntegerField(null=True)
    before = TextField(default="{}")
    after = TextField(default="{}")
    # Where the action came from; the retention job blanks it after the set period.
    ip_address = CharField(max_length=45, default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("object_type", "object_id"), False),)

    @classmethod
    def record(cls, actor, action: str, obj, before: dict | None = None,
               after: dict | None = None) -> "AuditEntry":
        return cls.create(actor=actor, action=action,
                          object_type=type(obj).__name__.lower(), object_id=obj.id,
                          before=json.dumps(before or {}, default=str, sort_keys=True),
                          after=json.dumps(after or {}, default=str, sort_keys=True),
                          ip_address=_client_address())


def _client_address() -> str:
    return (request.remote_addr or "")[:45] if has_request_context() else ""
