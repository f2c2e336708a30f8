"""The volunteer expert directory on an always-open programme.

- Specialisms are a taxonomy staff keep: areas (Finance), their specialisms (building a
  budget) and, for each specialism, the workbook items an expert passes on.
- An Expert is a person accepted into an open programme's expert ("mentor") role, with a
  bio, a number of learners they can take, their specialisms, and their availability
  (paused until a date, or off the list).
- A learner asks one or more experts at once: one Introduction (what they want to learn,
  and for what) and one IntroductionRequest per expert, each with the ticked items that
  expert passes on (RequestItem). An accepted request opens a Relationship in the pair's
  space (mentoring), whose goals start as those items.
- An ActivityCheck is one "Still available?" email to one expert for one period; the
  unique index makes the job safe to run twice, `answered_at` makes its links single-use.
- ExpertWebinar ties a webinar to the programme's expert group (the induction, the
  informal expert meetings); ExpertBoard is the experts' board.

Whether an expert is listed is decided in SQL (Expert.on_the_list, Expert.listed), so the
directory is a fixed number of queries however many experts there are.
"""
import datetime as dt

from peewee import (
    JOIN,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from portal import settings
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import Board
from portal.blueprints.experts.taxonomy import (
    Specialism,
    SpecialismArea,
    WorkbookItem,
)
from portal.blueprints.mentoring.models import STARTED, Relationship
from portal.blueprints.programmes.models import ACCEPTED, MENTOR, OPEN, Application, Programme
from portal.blueprints.webinars.models import CANCELLED, WebinarBooking, WebinarSession
from portal.db import BaseModel, utcnow

# ExpertWebinar.purpose
INDUCTION, MEETING = "induction", "meeting"

# IntroductionRequest.status
PENDING, ACCEPTED_REQUEST, DECLINED, EXPIRED, WITHDRAWN = (
    "pending", "accepted", "declined", "expired", "withdrawn")
REQUEST_STATUS_LABELS = {PENDING: "Waiting for an answer", ACCEPTED_REQUEST: "Accepted",
                         DECLINED: "Declined", EXPIRED: "Not answered in time",
                         WITHDRAWN: "Withdrawn"}
# Requests whose expert has not answered and did not run out of time: no new one to them.
ANSWERED = (ACCEPTED_REQUEST, DECLINED)

# ActivityCheck.answer
STILL_AVAILABLE, PAUSE, OFF_THE_LIST = "yes", "pause", "off"
CHECK_ANSWERS = {STILL_AVAILABLE: "Yes, I am still available",
                 PAUSE: "Pause me until a date", OFF_THE_LIST: "Take me off the list"}

# Experts -----------------------------------------------------------------------------------

class Expert(BaseModel):
    programme = ForeignKeyField(Programme, backref="experts", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="expert_profiles", on_delete="CASCADE")
    bio = TextField(default="")
    capacity = IntegerField(default=1)  # learners at once
    paused_until = DateField(null=True)  # not listed before this day
    withdrawn_at = DateTimeField(null=True)  # off the list, by themselves or the organiser
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("programme", "user"), True), (("user", "programme"), False))

    # Conditions, as SQL over the row: each a correlated subquery or a column test.

    @classmethod
    def accepted(cls):
        """Still holds an accepted place in the programme's expert role."""
        return fn.EXISTS(Application.select(Application.id).where(
            Application.applicant == cls.user, Application.programme == cls.programme,
            Application.role == MENTOR, Application.status == ACCEPTED))

    @classmethod
    def inducted(cls):
        """Attended one of the programme's induction sessions (not a cancelled one)."""
        return fn.EXISTS(
            WebinarBooking.select(WebinarBooking.id)
            .join(WebinarSession, on=(WebinarBooking.session == WebinarSession.id))
            .join(ExpertWebinar, on=(ExpertWebinar.session == WebinarSession.id))
            .where(WebinarBooking.user == cls.user, WebinarBooking.attended == True,  # noqa: E712
                   ExpertWebinar.programme == cls.programme,
                   ExpertWebinar.purpose == INDUCTION, WebinarSession.status != CANCELLED))

    @classmethod
    def has_specialism(cls):
        return fn.EXISTS(
            ExpertSpecialism.select(ExpertSpecialism.id)
            .join(Specialism, on=(ExpertSpecialism.specialism == Specialism.id))
            .where(ExpertSpecialism.expert == cls.id, Specialism.retired == False))  # noqa: E712

    @classmethod
    def silent(cls, now: dt.datetime, days: int | None = None):
        """Has an activity check unanswered for `days` (the setting) that nobody has dealt
        with: hidden, and on the organiser's list."""
        days = settings.get("expert_check_answer_days") if days is None else days
        return fn.EXISTS(ActivityCheck.select(ActivityCheck.id).where(
            ActivityCheck.expert == cls.id, ActivityCheck.answered_at.is_null(),
            ActivityCheck.resolved_at.is_null(),
            ActivityCheck.sent_at <= now - dt.timedelta(days=days)))

    @classmethod
    def not_paused(cls, today: dt.date):
        return cls.paused_until.is_null() | (cls.paused_until <= today)

    @classmethod
    def on_the_list(cls, now: dt.datetime | None = None):
        """Experts the organiser counts as on the list (and checks from time to time):
        accepted, inducted, with a bio and a specialism, not paused, not off the list, and
        not silent after an activity check. Full or not. One query with Programme and
        User; unexecuted."""
        now = now or utcnow()
        return (cls.select(cls, User, Programme)
                .join(User, on=(cls.user == User.id)).switch(cls)
                .join(Programme, on=(cls.programme == Programme.id)).switch(cls)
                .where(Programme.kind == OPEN, cls.withdrawn_at.is_null(), cls.bio != "",
                       cls.capacity > 0, cls.not_paused(now.date()), cls.accepted(),
                       cls.inducted(), cls.has_specialism(), ~cls.silent(now)))

    @classmethod
    def learner_counts(cls):
        """(mentor_id, programme_id, n): each person's open relationships per programme,
        as a subquery to join."""
        return (Relationship.select(Relationship.mentor, Relationship.programme,
                                    fn.COUNT(Relationship.id).alias("n"))
                .where(Relationship.status.in_(list(STARTED)))
                .group_by(Relationship.mentor, Relationship.programme).alias("learners"))

    @classmethod
    def with_activity(cls, query, with_a_free_place: bool = False):
        """`query` (over Expert) with `learners` (open relationships), `response_seconds`
        (the average time to answer a request), `last_answered_at` and `last_checked_at`
        (their latest answer to a request and to an activity check) on each row: three
        aggregate subqueries joined once, whatever the number of experts."""
        learners = cls.learner_counts()
        if with_a_free_place:
            query = query.where(fn.COALESCE(learners.c.n, 0) < cls.capacity)
        answers = (IntroductionRequest.select(
            IntroductionRequest.expert,
            fn.AVG(IntroductionRequest.response_seconds).alias("seconds"),
            fn.MAX(IntroductionRequest.responded_at).alias("last"))
            .where(IntroductionRequest.responded_at.is_null(False))
            .group_by(IntroductionRequest.expert).alias("answers"))
        checks = (ActivityCheck.select(ActivityCheck.expert,
                                       fn.MAX(ActivityCheck.answered_at).alias("last"))
                  .where(ActivityCheck.answered_at.is_null(False))
                  .group_by(ActivityCheck.expert).alias("checks"))
        # Wrapped in COALESCE so peewee puts each value on the expert, not on a stand-in
        # for the subquery it came from.
        return (query.select_extend(fn.COALESCE(learners.c.n, 0).alias("learners"),
                                    fn.COALESCE(answers.c.seconds, None).alias("response_seconds"),
                                    fn.COALESCE(answers.c.last, None).alias("last_answered_at"),
                                    fn.COALESCE(checks.c.last, None).alias("last_checked_at"))
                .join(learners, JOIN.LEFT_OUTER,
                      on=((learners.c.mentor_id == cls.user)
                          & (learners.c.programme_id == cls.programme)), src=cls)
                .join(answers, JOIN.LEFT_OUTER, on=(answers.c.expert_id == cls.id), src=cls)
                .join(checks, JOIN.LEFT_OUTER, on=(checks.c.expert_id == cls.id), src=cls))

    @classmethod
    def with_standing(cls, now: dt.datetime | None = None):
        """Every expert with their account and programme, their activity (with_activity),
        and `is_accepted`, `is_inducted`, `has_specialisms` and `is_silent` on each row (see
        `is_ready`, and availability.py): for an expert's own page and the organiser's
        list, whatever state each is in. One query; unexecuted."""
        now = now or utcnow()
        query = (cls.select(cls, User, Programme, cls.accepted().alias("is_accepted"),
                            cls.inducted().alias("is_inducted"),
                            cls.has_specialism().alias("has_specialisms"),
                            cls.silent(now).alias("is_silent"))
                 .join(User, on=(cls.user == User.id)).switch(cls)
                 .join(Programme, on=(cls.programme == Programme.id)).switch(cls))
        return cls.with_activity(query)

    @property
    def is_ready(self) -> bool:
        """Read from a row of with_standing(): everything listing needs but availability."""
        return bool(getattr(self, "is_accepted", False) and getattr(self, "is_inducted", False)
                    and getattr(self, "has_specialisms", False) and self.bio.strip()
                    and self.capacity > 0)

    @classmethod
    def listed(cls, now: dt.datetime | None = None):
        """The directory: on the list, in a published programme, with a free place; each
        row with its activity (with_activity). Unexecuted; filter and page it."""
        return cls.with_activity(cls.on_the_list(now).where(Programme.published == True),  # noqa: E712
                                 with_a_free_place=True)

    @classmethod
    def unanswered_checks(cls, now: dt.datetime | None = None):
        """The activity checks nobody answered within the setting's days and nobody has dealt
        with, oldest first, with the expert, their account and programme: the organiser's
        to-do list. Unexecuted."""
        now = now or utcnow()
        days = settings.get("expert_check_answer_days")
        return (ActivityCheck.select(ActivityCheck, cls, User, Programme)
                .join(cls, on=(ActivityCheck.expert == cls.id))
                .join(User, on=(cls.user == User.id)).switch(cls)
                .join(Programme, on=(cls.programme == Programme.id))
                .where(ActivityCheck.answered_at.is_null(), ActivityCheck.resolved_at.is_null(),
                       ActivityCheck.sent_at <= now - dt.timedelta(days=days),
                       cls.withdrawn_at.is_null())
                .order_by(ActivityCheck.sent_at, ActivityCheck.id))

    @classmethod
    def of(cls, user, programme_id: int | None = None):
        """This person's expert profiles (one per open programme), with the programme."""
        query = (cls.select(cls, Programme).join(Programme)
                 .where(cls.user == user.id).order_by(Programme.name, cls.id))
        return query if programme_id is None else query.where(cls.programme == programme_id)

    @property
    def last_active_at(self) -> dt.datetime | None:
        """The latest sign of life on a row of with_activity(): a sign-in, a profile change,
        an answer to a request or to an activity check."""
        moments = [getattr(self, "last_answered_at", None), getattr(self, "last_checked_at", None),
                   self.updated_at, self.user.last_login_at if self.user_id else None]
        moments = [_as_datetime(m) for m in moments if m]
        return max(moments) if moments else None


def _as_datetime(value):
    """Aggregates over DateTimeFields come back as text on SQLite."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


class ExpertSpecialism(BaseModel):
    expert = ForeignKeyField(Expert, backref="specialism_links", on_delete="CASCADE")
    specialism = ForeignKeyField(Specialism, backref="expert_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("expert", "specialism"), True), (("specialism", "expert"), False))

    @classmethod
    def by_expert(cls, expert_ids) -> dict[int, list[Specialism]]:
        """{expert id: [specialism with its area]} for these experts: one query."""
        found: dict[int, list[Specialism]] = {eid: [] for eid in expert_ids}
        if found:
            rows = (cls.select(cls.expert, Specialism, SpecialismArea)
                    .join(Specialism).join(SpecialismArea)
                    .where(cls.expert.in_(list(found)), Specialism.retired == False)  # noqa: E712
                    .order_by(SpecialismArea.position, SpecialismArea.name,
                              Specialism.position, Specialism.name))
            for row in rows:
                found[row.expert_id].append(row.specialism)
        return found


class ExpertWebinar(BaseModel):
    """A webinar for an open programme's experts: an induction session (attending one
    lets an expert be listed) or an informal expert meeting."""

    programme = ForeignKeyField(Programme, backref="expert_webinars", on_delete="CASCADE")
    session = ForeignKeyField(WebinarSession, backref="expert_links", on_delete="CASCADE")
    purpose = CharField(max_length=20)

    class Meta:
        indexes = ((("programme", "session"), True), (("session", "programme"), False))

    @classmethod
    def for_programme(cls, programme, purpose: str | None = None):
        """The programme's expert webinars with their sessions, in time order: one query."""
        query = (cls.select(cls, WebinarSession)
                 .join(WebinarSession, on=(cls.session == WebinarSession.id))
                 .where(cls.programme == programme)
                 .order_by(WebinarSession.starts_at, WebinarSession.id))
        return query if purpose is None else query.where(cls.purpose == purpose)


class ExpertBoard(BaseModel):
    """The open programme's board for its experts, made in one step."""

    programme = ForeignKeyField(Programme, backref="expert_boards", unique=True,
                                on_delete="CASCADE")
    board = ForeignKeyField(Board, backref="expert_programmes", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)


# Introductions -----------------------------------------------------------------------------

class Introduction(BaseModel):
    """A learner's request, sent to one or several experts at once."""

    learner = ForeignKeyField(User, backref="introductions", on_delete="CASCADE")
    programme = ForeignKeyField(Programme, backref="introductions", on_delete="CASCADE")
    wants = TextField()  # what they want to learn, in their words
    for_what = CharField(max_length=200, default="")  # the course or role it is for
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("learner", "created_at"), False),)


class IntroductionRequest(BaseModel):
    """The introduction as one expert receives it; its items are the ticked ones this
    expert passes on. Answered once: `status` moves from pending exactly once."""

    introduction = ForeignKeyField(Introduction, backref="requests", on_delete="CASCADE")
    expert = ForeignKeyField(Expert, backref="requests", on_delete="CASCADE")
    status = CharField(max_length=10, default=PENDING)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    responded_at = DateTimeField(null=True)
    response_seconds = IntegerField(null=True)  # responded_at - created_at: the typical time
    message = TextField(default="")  # the expert's note to the learner when declining
    relationship = ForeignKeyField(Relationship, null=True, backref="introduction_requests",
                                   on_delete="SET NULL")

    class Meta:
        indexes = ((("introduction", "expert"), True), (("expert", "status"), False),
                   (("status", "expires_at"), False))

    @property
    def status_label(self) -> str:
        return REQUEST_STATUS_LABELS[self.status]

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """Still waiting for the expert, and not out of time."""
        return self.status == PENDING and (now or utcnow()) < self.expires_at

    def state(self, now: dt.datetime | None = None) -> str:
        """The status as the person sees it: a pending request past its time is expired,
        whether or not the job has marked it yet."""
        if self.status == PENDING and not self.is_open(now):
            return EXPIRED
        return self.status

    @classmethod
    def with_people(cls):
        """Requests with the introduction, its learner, the expert and the expert's account:
        one query."""
        learner, expert_user = User.alias("learner_user"), User.alias("expert_user")
        return (cls.select(cls, Introduction, learner, Expert, expert_user, Programme)
                .join(Introduction).join(learner, on=(Introduction.learner == learner.id),
                                         attr="learner")
                .switch(cls).join(Expert)
                .join(expert_user, on=(Expert.user == expert_user.id), attr="user")
                .switch(Introduction)
                .join(Programme, on=(Introduction.programme == Programme.id), attr="programme"))

    @classmethod
    def waiting_for(cls, user, now: dt.datetime | None = None):
        """The requests this person, as an expert, has still to answer: newest first."""
        now = now or utcnow()
        return (cls.with_people().where(Expert.user == user.id, cls.status == PENDING,
                                        cls.expires_at > now)
                .order_by(cls.created_at.desc(), cls.id.desc()))

    @classmethod
    def due_to_expire(cls, now: dt.datetime):
        """Ids of pending requests whose time has run out."""
        return (cls.select(cls.id).where(cls.status == PENDING, cls.expires_at <= now)
                .order_by(cls.id))


class RequestItem(BaseModel):
    request = ForeignKeyField(IntroductionRequest, backref="item_links", on_delete="CASCADE")
    item = ForeignKeyField(WorkbookItem, backref="request_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("request", "item"), True), (("item", "request"), False))

    @classmethod
    def by_request(cls, request_ids) -> dict[int, list[WorkbookItem]]:
        """{request id: [item]}: one query."""
        found: dict[int, list[WorkbookItem]] = {rid: [] for rid in request_ids}
        if found:
            rows = (cls.select(cls.request, WorkbookItem).join(WorkbookItem)
                    .where(cls.request.in_(list(found)))
                    .order_by(WorkbookItem.specialism, WorkbookItem.position, WorkbookItem.id))
            for row in rows:
                found[row.request_id].append(row.item)
        return found


# Activity checks ---------------------------------------------------------------------------

class ActivityCheck(BaseModel):
    expert = ForeignKeyField(Expert, backref="activity_checks", on_delete="CASCADE")
    period_start = DateField()  # the first day of the period this check is for
    sent_at = DateTimeField(default=utcnow)
    answer = CharField(max_length=10, default="")
    answered_at = DateTimeField(null=True)
    paused_until = DateField(null=True)  # the date given with a "pause me" answer
    resolved_at = DateTimeField(null=True)  # the organiser dealt with a silent expert
    resolved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        indexes = ((("expert", "period_start"), True),
                   (("answered_at", "resolved_at", "sent_at"), False))

    @property
    def answer_label(self) -> str:
        return CHECK_ANSWERS.get(self.answer, "")


MODELS = [SpecialismArea, Specialism, WorkbookItem, Expert, ExpertSpecialism, ExpertWebinar,
          ExpertBoard, Introduction, IntroductionRequest, RequestItem, ActivityCheck]
