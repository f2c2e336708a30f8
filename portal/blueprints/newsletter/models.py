"""The newsletter: issues that staff write, the blocks each issue links to, and one
delivery row per person an issue was sent to.

An issue goes to a segment (everyone, a programme's mentors, a cohort, a group). When it is
sent, every member of the segment gets a NewsletterDelivery row in one statement; the
sending jobs then work through those rows in batches, each person's copy leaving out the
blocks whose audience excludes them. The unique (issue, user) index and the outbox key make
each person's copy one email, however often a batch runs.
"""
from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from portal.blueprints.accounts.models import User
from portal.db import BaseModel, utcnow

DRAFT, SCHEDULED, SENDING, SENT = "draft", "scheduled", "sending", "sent"
STATUS_LABELS = {DRAFT: "Draft", SCHEDULED: "Scheduled", SENDING: "Sending", SENT: "Sent"}

# NewsletterDelivery.status: waiting for its batch; emailed (and on the site); on the site
# only; or left out because the person switched the newsletter off.
PENDING, EMAILED, ON_SITE, SKIPPED = "pending", "emailed", "site", "skipped"
RECEIVED = (EMAILED, ON_SITE)


class NewsletterIssue(BaseModel):
    subject = CharField(max_length=200)
    intro = TextField(default="")  # Markdown, as staff typed it
    intro_html = TextField(default="")  # rendered and cleaned by portal.markup
    segment_kind = CharField(max_length=20, default="everyone")
    segment_id = IntegerField(null=True)
    status = CharField(max_length=10, default=DRAFT, index=True)
    send_at = DateTimeField(null=True)
    started_at = DateTimeField(null=True, index=True)
    finished_at = DateTimeField(null=True)
    recipient_count = IntegerField(default=0)
    created_by = ForeignKeyField(User, backref="newsletter_issues", null=True,
                                 on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    def for_staff(cls):
        """Every issue, newest first: drafts and scheduled ones, then those sent."""
        return cls.select().order_by(cls.created_at.desc(), cls.id.desc())

    @classmethod
    def last_sent(cls):
        """The latest issue that has gone out (or is going): "new since the last issue"."""
        return (cls.select().where(cls.status.in_([SENDING, SENT]))
                .order_by(cls.started_at.desc(), cls.id.desc()).first())

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    def blocks(self):
        return (NewsletterBlock.select().where(NewsletterBlock.issue == self.id)
                .order_by(NewsletterBlock.position, NewsletterBlock.id))


class NewsletterBlock(BaseModel):
    """One link in an issue: a hub article, library resource, webinar or board thread."""

    issue = ForeignKeyField(NewsletterIssue, backref="block_rows", on_delete="CASCADE")
    kind = CharField(max_length=10)
    object_id = IntegerField()
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("issue", "kind", "object_id"), True),)


class NewsletterDelivery(BaseModel):
    issue = ForeignKeyField(NewsletterIssue, backref="deliveries", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="newsletter_deliveries", on_delete="CASCADE")
    status = CharField(max_length=10, default=PENDING)
    created_at = DateTimeField(default=utcnow)
    done_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("issue", "user"), True), (("issue", "status", "id"), False),
                   (("user", "id"), False))

    @classmethod
    def received_by(cls, user):
        """The issues this person was sent (by email or on the site), with each issue."""
        return (cls.select(cls, NewsletterIssue).join(NewsletterIssue)
                .where(cls.user == user.id, cls.status.in_(list(RECEIVED))))

    @classmethod
    def counts(cls, issue) -> dict[str, int]:
        return dict(cls.select(cls.status, fn.COUNT(cls.id)).where(cls.issue == issue.id)
                    .group_by(cls.status).tuples())


MODELS = [NewsletterIssue, NewsletterBlock, NewsletterDelivery]
