"""Programmes, their roles and rules, cohorts, applications and "tell me when it opens".

A Programme describes a scheme once: its kind (recruits in cohorts, or always open), its
relationship (one-way or two-way), session rules, fee, and two roles (ProgrammeRole,
keyed "mentor" and "mentee" whatever the programme calls them), each with eligibility
rules and commitments as child rows. A Cohort is one round of a cohort programme: its
dates decide its phase (phases.py) and it owns three groups (everyone, mentors, mentees)
that the services keep in step with accepted applications, so any audience can target
it. An open programme owns the same three groups itself.

Sensitive rows live apart: EqualityAnswer (equality monitoring, deletable, for the
programme's coordinators only) and CoordinatorNote. Reads that lists need are
classmethods returning unexecuted selects, one query each, whatever the number of rows.
"""
import datetime as dt
import json

from peewee import (
    JOIN,
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import phases
from portal.blueprints.webinars.models import CANCELLED, WebinarBooking, WebinarSession
from portal.db import BaseModel, utcnow
from portal.groups import Group
from portal.taxonomy import Topic

COHORT, OPEN = "cohort", "open"
KINDS = {COHORT: "Recruits in cohorts", OPEN: "Always open"}
ONE_WAY, TWO_WAY = "one_way", "two_way"
RELATIONSHIPS = {ONE_WAY: "One-way: the mentor guides the mentee",
                 TWO_WAY: "Two-way: both people learn and both set goals"}
CHANNELS = {"telephone": "Telephone", "video": "Video call", "in_person": "In person"}

MENTOR, MENTEE = "mentor", "mentee"  # ProgrammeRole.key and Application.role
ROLE_KEYS = (MENTOR, MENTEE)

DRAFT, SUBMITTED, UNDER_REVIEW = "draft", "submitted", "under_review"
ACCEPTED, WAITLISTED, DECLINED, WITHDRAWN = "accepted", "waitlisted", "declined", "withdrawn"
STATUS_LABELS = {DRAFT: "Draft", SUBMITTED: "Submitted", UNDER_REVIEW: "Under review",
                 ACCEPTED: "Accepted", WAITLISTED: "Waitlisted", DECLINED: "Declined",
                 WITHDRAWN: "Withdrawn"}
# What coordinators review: everything but drafts, which are the applicant's own.
REVIEWABLE = (SUBMITTED, UNDER_REVIEW, ACCEPTED, WAITLISTED, DECLINED, WITHDRAWN)
# An application that still counts: a second one for the same place is refused.
LIVE = (DRAFT, SUBMITTED, UNDER_REVIEW, ACCEPTED, WAITLISTED)

FEE_NOT_DUE, FEE_INVOICED, FEE_PAID, FEE_REDUCED, FEE_WAIVED = (
    "not_due", "invoiced", "paid", "reduced", "waived")
FEE_LABELS = {FEE_NOT_DUE: "Not due", FEE_INVOICED: "Invoiced", FEE_PAID: "Paid",
              FEE_REDUCED: "Reduced", FEE_WAIVED: "Waived"}

PREFER_NOT_TO_SAY = "prefer_not_to_say"
ETHNICITIES = {"asian": "Asian or Asian British",
               "black": "Black, Black British, Caribbean or African",
               "mixed": "Mixed or multiple ethnic groups", "white": "White",
               "other": "Another ethnic group", PREFER_NOT_TO_SAY: "Prefer not to say"}
SEXES = {"female": "Female", "male": "Male", "other": "Another term",
         PREFER_NOT_TO_SAY: "Prefer not to say"}
DISABILITIES = {"yes": "Yes", "no": "No", PREFER_NOT_TO_SAY: "Prefer not to say"}

# CohortWebinar.purpose: what a cohort's webinar is for.
TRAINING, SUPERVISION, NETWORK = "training", "supervision", "network"
ALL_ROLES = ""  # CohortWebinar.role for a webinar meant for both roles


class Programme(BaseModel):
    name = CharField(max_length=160)
    slug = CharField(max_length=160, unique=True)
    summary = TextField(default="")
    description = TextField(default="")  # Markdown, as staff typed it
    description_html = TextField(default="")  # rendered and cleaned by portal.markup
    kind = CharField(max_length=10, default=COHORT)
    relationship = CharField(max_length=10, default=ONE_WAY)
    # Hard allowance per relationship, enforced by the mentoring area (None: no limit).
    max_sessions = IntegerField(null=True)
    max_session_minutes = IntegerField(null=True)
    allowed_channels = CharField(max_length=60, default="")  # comma-separated; "" = any
    # A target shown as progress, never enforced: "about N meetings over M months".
    target_meetings = IntegerField(null=True)
    target_months = IntegerField(null=True)
    length_min_months = IntegerField(null=True)
    length_max_months = IntegerField(null=True)
    mentor_capacity_min = IntegerField(null=True)  # mentees per mentor
    mentor_capacity_max = IntegerField(null=True)
    fee_pence = IntegerField(default=0)
    fee_wording = TextField(default="")  # for people whose organisation cannot fund it
    checkin_weeks = IntegerField(null=True)  # used by the pair's space
    # Matching: JSON {criterion: weight} over matching.DEFAULT_WEIGHTS ("" = the defaults),
    # and how many days people have to decline a released match (None = 7).
    matching_weights = TextField(default="")
    decline_days = IntegerField(null=True)
    inactivity_days = IntegerField(null=True)
    published = BooleanField(default=False, index=True)
    # An open programme has no cohorts, so it holds the groups itself.
    everyone_group = ForeignKeyField(Group, null=True, backref="everyone_programmes",
                                     on_delete="SET NULL")
    mentors_group = ForeignKeyField(Group, null=True, backref="mentor_programmes",
                                    on_delete="SET NULL")
    mentees_group = ForeignKeyField(Group, null=True, backref="mentee_programmes",
                                    on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    # Set by load_coordinator_ids(): what permissions.can_coordinate reads.
    coordinator_ids: frozenset | None = None

    @classmethod
    def published_list(cls):
        """Published programmes by name (the public list and the landing page)."""
        return cls.select().where(cls.published == True).order_by(cls.name, cls.id)  # noqa: E712

    @classmethod
    def coordinated_by(cls, user):
        """Programmes this person coordinates, by name."""
        return (cls.select().join(ProgrammeCoordinator)
                .where(ProgrammeCoordinator.user == user.id).order_by(cls.name, cls.id))

    @classmethod
    def by_slug(cls, slug: str):
        return cls.get_or_none(cls.slug == slug)

    @property
    def is_open(self) -> bool:
        return self.kind == OPEN

    @property
    def is_two_way(self) -> bool:
        return self.relationship == TWO_WAY

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.allowed_channels.split(",") if c]

    @property
    def has_allowance(self) -> bool:
        return self.max_sessions is not None or self.max_session_minutes is not None

    @property
    def fee_pounds(self) -> str:
        pounds, pence = divmod(self.fee_pence, 100)
        return f"£{pounds:,}" + (f".{pence:02d}" if pence else "")

    def load_coordinator_ids(self) -> frozenset:
        """Read the coordinators once; permissions read the attribute, never the database."""
        self.coordinator_ids = frozenset(
            row.user_id for row in ProgrammeCoordinator.select(ProgrammeCoordinator.user)
            .where(ProgrammeCoordinator.programme == self))
        return self.coordinator_ids

    def coordinators(self):
        return (User.select().join(ProgrammeCoordinator, on=(ProgrammeCoordinator.user == User.id))
                .where(ProgrammeCoordinator.programme == self).order_by(User.name, User.id))

    def role_rows(self):
        """Both roles, mentor first."""
        return (ProgrammeRole.select().where(ProgrammeRole.programme == self)
                .order_by(ProgrammeRole.position, ProgrammeRole.id))

    def role(self, key: str):
        return ProgrammeRole.get_or_none(ProgrammeRole.programme == self,
                                         ProgrammeRole.key == key)

    def cohort_list(self):
        return (Cohort.select().where(Cohort.programme == self)
                .order_by(Cohort.recruitment_opens.desc(), Cohort.id.desc()))

    def open_cohort(self, today: dt.date | None = None):
        """The cohort recruiting today, if any (a select: call .first())."""
        today = today or dt.date.today()
        return (Cohort.select().where(Cohort.programme == self,
                                      Cohort.recruitment_opens <= today,
                                      Cohort.recruitment_closes >= today)
                .order_by(Cohort.recruitment_opens, Cohort.id))


class ProgrammeCoordinator(BaseModel):
    """Staff who run a programme and see its applicants (and their equality answers)."""

    programme = ForeignKeyField(Programme, backref="coordinator_links", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="coordinated_programmes", on_delete="CASCADE")
    added_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("programme", "user"), True), (("user", "programme"), False))


class ProgrammeRole(BaseModel):
    """One side of a programme: "mentor" or "mentee" by key, named as the programme
    names it (expert, learner...)."""

    programme = ForeignKeyField(Programme, backref="roles", on_delete="CASCADE")
    key = CharField(max_length=10)
    name = CharField(max_length=60)
    description = TextField(default="")  # who it is for, in the programme's words
    training_description = TextField(default="")
    training_days = IntegerField(default=0)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("programme", "key"), True),)

    def rule_rows(self):
        return (EligibilityRule.select().where(EligibilityRule.role == self)
                .order_by(EligibilityRule.position, EligibilityRule.id))

    def commitment_rows(self):
        return (Commitment.select().where(Commitment.role == self)
                .order_by(Commitment.position, Commitment.id))


class EligibilityRule(BaseModel):
    """One rule of a role: a kind from rules.py and its parameters as JSON."""

    role = ForeignKeyField(ProgrammeRole, backref="rules", on_delete="CASCADE")
    kind = CharField(max_length=30)
    params = TextField(default="{}")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("role", "position"), False),)

    @property
    def params_dict(self) -> dict:
        return json.loads(self.params or "{}")


class Commitment(BaseModel):
    """Something an applicant must tick before submitting ("attend the training day")."""

    role = ForeignKeyField(ProgrammeRole, backref="commitments", on_delete="CASCADE")
    text = TextField()
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("role", "position"), False),)


class Cohort(BaseModel):
    programme = ForeignKeyField(Programme, backref="cohorts", on_delete="CASCADE")
    name = CharField(max_length=120)
    recruitment_opens = DateField()
    recruitment_closes = DateField()
    training_starts = DateField()
    training_ends = DateField()
    mentoring_starts = DateField()
    mentoring_ends = DateField()
    evaluation_starts = DateField()
    evaluation_ends = DateField()
    mentor_capacity = IntegerField(null=True)  # places per role; None: no limit
    mentee_capacity = IntegerField(null=True)
    everyone_group = ForeignKeyField(Group, backref="everyone_cohorts", on_delete="RESTRICT")
    mentors_group = ForeignKeyField(Group, backref="mentor_cohorts", on_delete="RESTRICT")
    mentees_group = ForeignKeyField(Group, backref="mentee_cohorts", on_delete="RESTRICT")
    opening_notified_at = DateTimeField(null=True)  # "it is open" emails queued
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("programme", "recruitment_opens"), False),
                   (("recruitment_opens", "recruitment_closes"), False))

    def phase(self, today: dt.date | None = None) -> str:
        return phases.phase_of(self, today or dt.date.today())

    def is_recruiting(self, today: dt.date | None = None) -> bool:
        return phases.is_recruiting(self, today or dt.date.today())

    def capacity_for(self, role: str) -> int | None:
        return self.mentor_capacity if role == MENTOR else self.mentee_capacity

    def role_group_id(self, role: str) -> int:
        return self.mentors_group_id if role == MENTOR else self.mentees_group_id

    @classmethod
    def current_for(cls, programme_ids, today: dt.date | None = None):
        """Each programme's current cohort, in one query: the earliest cohort still
        recruiting or yet to recruit, else the latest one that has not closed. Programmes
        whose cohorts have all closed have no row. Key the result by `programme_id`."""
        today = today or dt.date.today()
        other = cls.alias("other")
        upcoming = other.recruitment_closes < today  # False (0) sorts first: still to come
        pick = (other.select(other.id)
                .where(other.programme == cls.programme, other.evaluation_ends >= today)
                .order_by(upcoming,
                          Case(None, [(other.recruitment_closes >= today,
                                       other.recruitment_opens)], None),
                          other.recruitment_opens.desc(), other.id)
                .limit(1))
        return cls.select().where(cls.programme.in_(list(programme_ids) or [0]), cls.id == pick)

    @classmethod
    def opening_due(cls, today: dt.date | None = None):
        """Cohorts recruiting today whose "it is open" emails have not been queued."""
        today = today or dt.date.today()
        return cls.select().where(cls.recruitment_opens <= today,
                                  cls.recruitment_closes >= today,
                                  cls.opening_notified_at.is_null())


class CohortWebinar(BaseModel):
    """A webinar session that belongs to a cohort: training (for one role, or both),
    supervision or a network meeting. Attendance at training marks people trained."""

    cohort = ForeignKeyField(Cohort, backref="webinar_links", on_delete="CASCADE")
    session = ForeignKeyField(WebinarSession, backref="cohort_links", on_delete="CASCADE")
    purpose = CharField(max_length=20)
    role = CharField(max_length=10, default=ALL_ROLES)

    class Meta:
        indexes = ((("cohort", "session"), True), (("cohort", "purpose", "role"), False),
                   (("session", "cohort"), False))

    @classmethod
    def for_cohort(cls, cohort):
        """The cohort's webinars with their sessions, in time order (one query)."""
        return (cls.select(cls, WebinarSession)
                .join(WebinarSession, on=(cls.session == WebinarSession.id))
                .where(cls.cohort == cohort)
                .order_by(WebinarSession.starts_at, WebinarSession.id))


class Application(BaseModel):
    applicant = ForeignKeyField(User, backref="applications", on_delete="CASCADE")
    programme = ForeignKeyField(Programme, backref="applications", on_delete="CASCADE")
    cohort = ForeignKeyField(Cohort, null=True, backref="applications", on_delete="CASCADE")
    role = CharField(max_length=10)  # MENTOR or MENTEE
    status = CharField(max_length=20, default=DRAFT)
    motivation = TextField(default="")
    learning_goals = TextField(default="")
    availability = TextField(default="")
    leave_type = CharField(max_length=30, default="")  # mentee: coming; mentor: taken
    leave_starts = DateField(null=True)
    leave_months = IntegerField(null=True)
    leave_experience_on = DateField(null=True)  # mentors: when their own leave was
    background = CharField(max_length=30, default="")  # positive-action self-declaration
    preferred_channel = CharField(max_length=20, default="")
    access_requirements = TextField(default="")
    commitments_ticked = TextField(default="[]")  # JSON: the texts agreed to, as shown
    evaluation_consent = BooleanField(default=False)
    cannot_fund = BooleanField(default=False)
    cannot_fund_reason = TextField(default="")
    fee_status = CharField(max_length=10, default=FEE_NOT_DUE)
    fee_note = TextField(default="")
    was_mentee_in = ForeignKeyField("self", null=True, backref="pay_it_forward_applications",
                                    on_delete="SET NULL")
    submitted_at = DateTimeField(null=True)
    decided_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("applicant", "cohort", "role"), True),  # NULL cohorts (open programmes) repeat
            (("cohort", "role", "status", "submitted_at"), False),
            (("programme", "status", "submitted_at"), False),
            (("applicant", "status"), False),
        )

    @property
    def commitment_texts(self) -> list[str]:
        return json.loads(self.commitments_ticked or "[]")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def rule_answers(self) -> dict:
        """The answers eligibility rules read (rules.check)."""
        return {"leave_type": self.leave_type, "leave_starts": self.leave_starts,
                "leave_months": self.leave_months,
                "leave_experience_on": self.leave_experience_on,
                "background": self.background}

    def topics(self):
        return Topic.ordered().join(ApplicationTopic).where(ApplicationTopic.application == self)

    def history(self):
        return (ApplicationEvent.select(ApplicationEvent, User)
                .join(User, JOIN.LEFT_OUTER, on=(ApplicationEvent.actor == User.id))
                .where(ApplicationEvent.application == self)
                .order_by(ApplicationEvent.at, ApplicationEvent.id))

    @classmethod
    def for_review(cls, programme, cohort=None, role: str | None = None,
                   status: str | None = None):
        """Submitted applications (never drafts) with their applicant, oldest first; for one
        cohort, or for an open programme's applications (cohort None)."""
        query = (cls.select(cls, User).join(User, on=(cls.applicant == User.id))
                 .where(cls.programme == programme,
                        cls.cohort.is_null() if cohort is None else cls.cohort == cohort,
                        cls.status.in_(REVIEWABLE)))
        if role:
            query = query.where(cls.role == role)
        if status:
            query = query.where(cls.status == status)
        return query.order_by(cls.submitted_at, cls.id)

    @classmethod
    def counts_by_status(cls, programme, cohort=None) -> dict[tuple[str, str], int]:
        """{(role, status): n} for the review page's counts, in one aggregate query."""
        rows = (cls.select(cls.role, cls.status, fn.COUNT(cls.id))
                .where(cls.programme == programme,
                       cls.cohort.is_null() if cohort is None else cls.cohort == cohort,
                       cls.status.in_(REVIEWABLE))
                .group_by(cls.role, cls.status).tuples())
        return {(role, status): n for role, status, n in rows}

    @classmethod
    def of_applicant(cls, user):
        """A person's applications with programme and cohort, newest first (dashboard)."""
        return (cls.select(cls, Programme, Cohort).join(Programme)
                .switch(cls).join(Cohort, JOIN.LEFT_OUTER)
                .where(cls.applicant == user.id)
                .order_by(cls.created_at.desc(), cls.id.desc()))

    @classmethod
    def _training_counts(cls):
        """Correlated subqueries over the cohort's training sessions for the row's role
        (cancelled ones aside): how many there are, and how many the applicant attended."""
        def count(attended: bool):
            query = (CohortWebinar.select(fn.COUNT(CohortWebinar.id))
                     .join(WebinarSession, on=(CohortWebinar.session == WebinarSession.id)))
            if attended:
                query = query.join(WebinarBooking, on=(
                    (WebinarBooking.session == WebinarSession.id)
                    & (WebinarBooking.user == cls.applicant)
                    & (WebinarBooking.attended == True)))  # noqa: E712
            return query.where(CohortWebinar.cohort == cls.cohort,
                               CohortWebinar.purpose == TRAINING,
                               CohortWebinar.role.in_([ALL_ROLES, cls.role]),
                               WebinarSession.status != CANCELLED)

        return count(False), count(True)

    @classmethod
    def with_training(cls, cohort):
        """The cohort's applications and applicants with `training_required` and
        `training_attended` on each row (see `is_trained`): one query for any number."""
        required, attended = cls._training_counts()
        return (cls.select(cls, User, required.alias("training_required"),
                           attended.alias("training_attended"))
                .join(User, on=(cls.applicant == User.id))
                .where(cls.cohort == cohort).order_by(User.name, cls.id))

    @classmethod
    def ready(cls, cohort):
        """Accepted and trained: the people matching may pair."""
        required, attended = cls._training_counts()
        return cls.with_training(cohort).where(cls.status == ACCEPTED, required > 0,
                                               attended >= required)

    @classmethod
    def not_yet_trained(cls, cohort):
        """Accepted, but not at every training session of their role (or none is set)."""
        required, attended = cls._training_counts()
        return cls.with_training(cohort).where(cls.status == ACCEPTED,
                                               (required == 0) | (attended < required))

    @property
    def is_trained(self) -> bool:
        """Read from a row of with_training()."""
        required = getattr(self, "training_required", 0) or 0
        return required > 0 and (getattr(self, "training_attended", 0) or 0) >= required


class ApplicationTopic(BaseModel):
    application = ForeignKeyField(Application, backref="topic_links", on_delete="CASCADE")
    topic = ForeignKeyField(Topic, backref="application_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("application", "topic"), True), (("topic", "application"), False))


class EqualityAnswer(BaseModel):
    """Optional equality monitoring, one row per application, apart from the application
    so it can be deleted on its own. Only the programme's coordinator views read it
    (permissions.can_see_equality); it is never a rule or a matching criterion."""

    application = ForeignKeyField(Application, backref="equality_answers", unique=True,
                                  on_delete="CASCADE")
    ethnicity = CharField(max_length=30, default="")
    sex = CharField(max_length=30, default="")
    disability = CharField(max_length=30, default="")
    created_at = DateTimeField(default=utcnow)


class CoordinatorNote(BaseModel):
    """A note on an application, seen by the programme's coordinators alone."""

    application = ForeignKeyField(Application, backref="notes", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, backref="coordinator_notes", on_delete="SET NULL")
    body = TextField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("application", "created_at"), False),)


class ApplicationEvent(BaseModel):
    """One status change of an application: its history, and the key of its email."""

    application = ForeignKeyField(Application, backref="events", on_delete="CASCADE")
    status = CharField(max_length=20)
    actor = ForeignKeyField(User, null=True, backref="application_events", on_delete="SET NULL")
    note = TextField(default="")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("application", "at"), False),)


class OpeningAlert(BaseModel):
    """"Tell me when the next cohort opens": an address, confirmed by a signed link.
    `nonce` is in every link; a new sign-up after unsubscribing gets a new one, so old
    links stop working."""

    email = CharField(max_length=254)
    programme = ForeignKeyField(Programme, backref="opening_alerts", on_delete="CASCADE")
    nonce = CharField(max_length=32)
    created_at = DateTimeField(default=utcnow)
    confirmed_at = DateTimeField(null=True)
    unsubscribed_at = DateTimeField(null=True)
    notified_cohort = ForeignKeyField(Cohort, null=True, backref="opening_alerts",
                                      on_delete="SET NULL")

    class Meta:
        indexes = ((("email", "programme"), True),
                   (("programme", "confirmed_at", "unsubscribed_at"), False))

    @classmethod
    def subscribed(cls, programme):
        return (cls.select().where(cls.programme == programme, cls.confirmed_at.is_null(False),
                                   cls.unsubscribed_at.is_null())
                .order_by(cls.id))


MODELS = [Programme, ProgrammeCoordinator, ProgrammeRole, EligibilityRule, Commitment, Cohort,
          CohortWebinar, Application, ApplicationTopic, EqualityAnswer, CoordinatorNote,
          ApplicationEvent, OpeningAlert]
