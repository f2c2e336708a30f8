"""The relationship between two people in a programme: what a released match (or, later, an
accepted expert introduction) creates, and what the pair's space hangs off.

A Relationship starts as a coordinator's draft (matching), becomes released when the
coordinator tells both people, and active once they start; either person may decline a
released one before `respond_by`, and it is closed when it ends. Rows are never deleted
once released: a declined or closed row is the record that this pair met in this
programme, which matching reads so it never suggests the pair again. Agreements, sessions,
goals and check-ins belong in this area as child rows keyed on the relationship.
"""
import datetime as dt
import json

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
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
    started_at = DateTimeField(null=True)  # both confirmed the agreement: active
    ends_on = DateField(null=True)  # the cohort's mentoring end, or released + programme length
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, backref="closed_relationships",
                                on_delete="SET NULL")
    close_reason = TextField(default="")
    # Leave (programmes with leave rules): copied from the mentee's application, editable.
    leave_starts = DateField(null=True)
    leave_returns = DateField(null=True)
    keep_in_touch = BooleanField(default=False)  # the mentee wants contact during leave
    return_prompted_at = DateTimeField(null=True)  # "book a session before you return" sent
    last_session_on = DateField(null=True)  # the latest held session: kept by the services
    nudged_at = DateTimeField(null=True)  # the latest inactivity nudge
    end_offered_at = DateTimeField(null=True)  # "your end date has come: close?" sent
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

    def role_of(self, user) -> str:
        return "mentor" if user.id == self.mentor_id else "mentee"

    @property
    def is_open(self) -> bool:
        """The pair can still work in the space: released or active, not ended."""
        return self.status in STARTED

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
    def of_person(cls, user):
        """This person's relationships once released (open first, then ended), with both
        people and the programme: one query."""
        return (cls.with_people()
                .where((cls.mentor == user.id) | (cls.mentee == user.id),
                       cls.status.in_([RELEASED, ACTIVE, CLOSED]))
                .order_by(cls.status == CLOSED, cls.released_at.desc(), cls.id.desc()))

    @classmethod
    def released_to(cls, user):
        """The released matches this person has not started yet (the dashboard's cards),
        with both people and the programme: one query."""
        return cls.with_people().where((cls.mentor == user.id) | (cls.mentee == user.id),
                                       cls.status == RELEASED)



class Agreement(BaseModel):
    """What the pair agree before they start. One row per relationship; any change bumps the
    version and clears both confirmations, so each person confirms the words as they stand."""
    relationship = ForeignKeyField(Relationship, backref="agreements", unique=True,
                                   on_delete="CASCADE")
    expectations = TextField(default="")
    confidentiality = TextField(default="")
    frequency = CharField(max_length=160, default="")
    channel = CharField(max_length=20, default="")
    ending = TextField(default="")  # how either person can end it
    version = IntegerField(default=1)
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)
    mentor_confirmed_at = DateTimeField(null=True)
    mentee_confirmed_at = DateTimeField(null=True)

    @property
    def confirmed(self) -> bool:
        return self.mentor_confirmed_at is not None and self.mentee_confirmed_at is not None


PROPOSED, ACCEPTED, DECLINED_SESSION, CANCELLED, HELD = (
    "proposed", "accepted", "declined", "cancelled", "held")
SESSION_STATUS_LABELS = {PROPOSED: "Proposed", ACCEPTED: "Booked", DECLINED_SESSION: "Declined",
                         CANCELLED: "Cancelled", HELD: "Held"}
# Sessions that use up the programme's allowance: planned or held.
COUNTED = (PROPOSED, ACCEPTED, HELD)


class MentoringSession(BaseModel):
    """A session the pair plan (proposed, then accepted by the other person) and then log as
    held, or log straight away. `summary` is shared by both; coordinators never read it."""
    relationship = ForeignKeyField(Relationship, backref="sessions", on_delete="CASCADE")
    proposed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    starts_at = DateTimeField()  # UTC
    minutes = IntegerField()
    channel = CharField(max_length=20)
    status = CharField(max_length=10, default=PROPOSED)
    responded_at = DateTimeField(null=True)
    held_on = DateField(null=True)
    summary = TextField(default="")
    logged_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    logged_at = DateTimeField(null=True)
    reminded_at = DateTimeField(null=True)  # the day-before reminder went to both people
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("relationship", "status"), False),
                   (("status", "starts_at"), False))


class Note(BaseModel):
    """A note in the pair's space: shared (both people read it) or private (its author alone)."""
    relationship = ForeignKeyField(Relationship, backref="notes", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="mentoring_notes", on_delete="SET NULL")
    body = TextField()
    shared = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("relationship", "created_at"), False),)

    @classmethod
    def visible_to(cls, user, rel):
        """The notes of `rel` that `user` may read, with each author's name, newest first:
        the shared ones and their own private ones, and nothing at all to anyone outside
        the pair (coordinators and admins included). One query."""
        author = User.alias("note_author")
        return (cls.select(cls, author.id, author.name)
                .join(author, JOIN.LEFT_OUTER, on=(cls.author == author.id), attr="author")
                .where(cls.relationship == rel.id, cls.relationship.in_(_pairs_of(user)),
                       (cls.shared == True) | (cls.author == user.id))  # noqa: E712
                .order_by(cls.created_at.desc(), cls.id.desc()))


NOT_STARTED, IN_PROGRESS, ACHIEVED, DROPPED = "not_started", "in_progress", "achieved", "dropped"
GOAL_STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress",
                      ACHIEVED: "Achieved", DROPPED: "Dropped"}


class Goal(BaseModel):
    """A learner's goal. The learner (`owner`) signs it off as achieved with what they learned;
    the other person may countersign a shared goal. Signed-off goals make the workbook. An
    expert introduction's workbook items are goals too (`item_key` names the item)."""
    relationship = ForeignKeyField(Relationship, backref="goals", on_delete="CASCADE")
    owner = ForeignKeyField(User, null=True, backref="mentoring_goals", on_delete="SET NULL")
    title = CharField(max_length=200)
    success_criteria = TextField(default="")
    target_date = DateField(null=True)
    status = CharField(max_length=12, default=NOT_STARTED)
    shared = BooleanField(default=True)
    item_key = CharField(max_length=60, default="")
    signed_off_at = DateTimeField(null=True)
    learned = TextField(default="")  # the learner's sentence at sign-off
    countersigned_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    countersigned_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("relationship", "owner"), False),)

    @property
    def status_label(self) -> str:
        return GOAL_STATUS_LABELS[self.status]

    @classmethod
    def visible_to(cls, user, rel):
        """The goals of `rel` that `user` may read, with the owner's and countersigner's
        names: the shared ones and their own private ones, and nothing to anyone outside
        the pair. Open goals first, soonest target first. One query."""
        owner, signer = User.alias("goal_owner"), User.alias("goal_countersigner")
        return (cls.select(cls, owner.id, owner.name, signer.id, signer.name)
                .join(owner, JOIN.LEFT_OUTER, on=(cls.owner == owner.id), attr="owner")
                .switch(cls)
                .join(signer, JOIN.LEFT_OUTER, on=(cls.countersigned_by == signer.id),
                      attr="countersigned_by")
                .where(cls.relationship == rel.id, cls.relationship.in_(_pairs_of(user)),
                       (cls.shared == True) | (cls.owner == user.id))  # noqa: E712
                .order_by(cls.status.in_([ACHIEVED, DROPPED]), cls.target_date.is_null(),
                          cls.target_date, cls.id))

    @classmethod
    def workbook_for(cls, user, rel):
        """The signed-off goals of `rel` that `user` may read, oldest sign-off first: the
        workbook. One query."""
        return (cls.visible_to(user, rel).where(cls.signed_off_at.is_null(False))
                .order_by(cls.signed_off_at, cls.id))

    @classmethod
    def due_for(cls, user, today: dt.date, days: int = 14):
        """`user`'s own open goals (not signed off, achieved or dropped) with a target date
        at most `days` days ahead, overdue ones included, counted per open relationship:
        unexecuted (relationship id, count) rows, one query."""
        return (cls.select(cls.relationship, fn.COUNT(cls.id)).join(Relationship)
                .where(cls.owner == user.id, cls.status.in_([NOT_STARTED, IN_PROGRESS]),
                       cls.signed_off_at.is_null(),
                       cls.target_date <= today + dt.timedelta(days=days),
                       Relationship.status.in_(list(STARTED)),
                       (Relationship.mentor == user.id) | (Relationship.mentee == user.id))
                .group_by(cls.relationship).tuples())


def _pairs_of(user):
    """The ids of the relationships `user` is one of the two people in (a subquery)."""
    return Relationship.select(Relationship.id).where(
        (Relationship.mentor == user.id) | (Relationship.mentee == user.id))


ON_TRACK, NEED_HELP, STOPPED = "on_track", "need_help", "stopped"
CHECKIN_ANSWERS = {ON_TRACK: "We are on track", NEED_HELP: "We need help",
                   STOPPED: "We have stopped"}


class CheckIn(BaseModel):
    """One "How is it going?" email to one person for one period. The unique index makes the
    job safe to run twice; `answered_at` makes the answer link single-use."""
    relationship = ForeignKeyField(Relationship, backref="checkins", on_delete="CASCADE")
    person = ForeignKeyField(User, backref="mentoring_checkins", on_delete="CASCADE")
    period = IntegerField()  # weeks since the start divided by the programme's checkin_weeks
    sent_at = DateTimeField(default=utcnow)
    answer = CharField(max_length=10, default="")
    answered_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)  # the coordinator has dealt with a call for help

    class Meta:
        indexes = ((("relationship", "person", "period"), True),
                   (("answer", "resolved_at"), False))


class ClosingAnswer(BaseModel):
    """Each person's answers to the closing questions, kept for evaluation."""
    relationship = ForeignKeyField(Relationship, backref="closing_answers", on_delete="CASCADE")
    person = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    answers = TextField(default="{}")  # JSON: question key -> answer
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("relationship", "person"), True),)


MODELS = [Relationship, Agreement, MentoringSession, Note, Goal, CheckIn, ClosingAnswer]
