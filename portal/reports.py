"""Members flag a board post or a hub comment for the moderators. Filing a report belongs to
the area where the content is read; working the queue belongs to the staff area."""
from peewee import (
    SQL,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Select,
    TextField,
    fn,
)

from portal.blueprints.accounts.models import User
from portal.db import BaseModel, db, utcnow
from portal.prepared import Prepared

POST, COMMENT = "post", "comment"
OPEN, DISMISSED, ACTIONED = "open", "dismissed", "actioned"

REPORT_REASONS = {"abuse": "Abusive or unkind", "spam": "Spam or advertising",
                  "privacy": "Shares personal or patient information",
                  "wrong": "Wrong or harmful advice", "other": "Something else"}


class Report(BaseModel):
    """Someone flags a post or a comment for the moderators."""

    object_type = CharField(max_length=40)  # POST or COMMENT
    object_id = IntegerField()
    reporter = ForeignKeyField(User, backref="reports_made", on_delete="CASCADE")
    reason = CharField(max_length=20)
    note = TextField(default="")
    status = CharField(max_length=20, default=OPEN, index=True)  # open, dismissed, actioned
    created_at = DateTimeField(default=utcnow, index=True)
    resolved_by = ForeignKeyField(User, backref="reports_resolved", null=True,
                                  on_delete="SET NULL")
    resolved_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("object_type", "object_id", "reporter"), True),)


def file_report(user, kind: str, object_id: int, reason: str, note: str) -> bool:
    """One report per person per post or comment; reporting again updates the reason and
    note (and reopens it). Returns True for a new report."""
    with db.atomic():
        existed = Report.select().where(Report.object_type == kind,
                                        Report.object_id == object_id,
                                        Report.reporter == user.id).exists()
        (Report.insert(object_type=kind, object_id=object_id, reporter=user.id, reason=reason,
                       note=note)
         .on_conflict(conflict_target=[Report.object_type, Report.object_id, Report.reporter],
                      update={Report.reason: reason, Report.note: note, Report.status: OPEN})
         .execute())
    return not existed


def open_report_count() -> int:
    """How many posts and comments wait in the queue (not how many reports)."""
    return OPEN_ITEMS().scalar()


OPEN_ITEMS = Prepared(lambda: Select(
    from_list=[Report.select(Report.object_type, Report.object_id)
               .where(Report.status == OPEN).distinct().alias("open_items")],
    columns=[fn.COUNT(SQL("1"))]))
