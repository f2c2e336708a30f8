"""The relationship between two people in a programme: what a released match (or, later, an
accepted expert introduction) creates, and what the pair's space hangs off.

A Relationship starts as a coordinator's draft (matching), becomes released when the
coordinator tells both people, and active once they start; either person may decline a
released one before `respond_by`, and it is closed when it ends. Rows are never deleted
once released: a declined or closed row is the record that this pair met in this
programme, which matching reads so it never suggests the pair again. Agreements, sessions,
goals and check-ins belong in this area as child rows keyed on the relationship.
"""
import json

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes.models import Application, Cohort, Programme
from portal.db import BaseModel, utcnow

DRAFT, RELEASED, ACTIVE, DECLINED, CLOSED = "draft", "released", "active", "declined", "closed"
STATUS_LABELS = {DRAFT: "Draft", RELEASED: "Released", ACTIVE: "Active",
                 DECLINED: "Declined", CLOSED: "Closed"}
# Relationships that hold a mentor's place and keep a mentee out of the pool.
LIVE = (DRAFT, RELEASED, ACTIVE)
# The people have been told: they hold places whatever the coordinator re-runs.
STARTED = (RELEASED, ACTIVE)


class Relationship(BaseModel):
    programme = ForeignKeyField(Programme, backref="relationships", on_delete="CASCADE")
    cohort = ForeignKeyField(Cohort, null=True, backref="relationships", on_delete="CASCADE")
    mentor = ForeignKeyField(User, backref="mentor_relationships", on_delete="CASCADE")
    mentee = ForeignKeyField(User, backref="mentee_relationships", on_delete="CASCADE")
    mentor_application = ForeignKeyField(Application, null=True, backref="mentor_relationships",
                                         on_delete="SET NULL")
    mentee_application = ForeignKeyField(Application, null=True, backref="mentee_relationships",
                                         on_delete="SET NULL")
    status = CharField(max_length=10, default=DRAFT)
    score = IntegerField(default=0)  # 0-100, from matching.score when it was made
    reasons = TextField(default="[]")  # JSON list of plain-words reasons
    locked = BooleanField(default=False)  # a draft the coordinator keeps on re-runs
    released_at = DateTimeField(null=True)
    respond_by = DateTimeField(null=True)  # either person may decline until then
    declined_by = ForeignKeyField(User, null=True, backref="declined_relationships",
                                  on_delete="SET NULL")
    decline_reason = TextField(default="")
    declined_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("cohort", "status"), False),
                   (("programme", "mentor", "mentee"), False),
                   (("mentor", "status"), False),
                   (("mentee", "status"), False))

    @property
    def reason_list(self) -> list[str]:
        return json.loads(self.reasons or "[]")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def involves(self, user) -> bool:
        return user.id in (self.mentor_id, self.mentee_id)

    def partner_of(self, user):
        return self.mentee if user.id == self.mentor_id else self.mentor

    @classmethod
    def with_people(cls):
        """Relationships with both people (`rel.mentor`, `rel.mentee`) and the programme,
        ordered by the mentor's then the mentee's name: one query."""
        mentor, mentee = User.alias("mentor_user"), User.alias("mentee_user")
        return (cls.select(cls, mentor, mentee, Programme)
                .join(mentor, on=(cls.mentor == mentor.id)).switch(cls)
                .join(mentee, on=(cls.mentee == mentee.id)).switch(cls)
                .join(Programme).switch(cls)
                .order_by(mentor.name, mentee.name, cls.id))

    @classmethod
    def for_cohort(cls, cohort, statuses=LIVE):
        """The cohort's relationships in these statuses with both people, one query."""
        return cls.with_people().where(cls.cohort == cohort, cls.status.in_(list(statuses)))

    @classmethod
    def released_to(cls, user):
        """The released matches this person has not started yet (the dashboard's cards),
        with both people and the programme: one query."""
        return cls.with_people().where((cls.mentor == user.id) | (cls.mentee == user.id),
                                       cls.status == RELEASED)


MODELS = [Relationship]
