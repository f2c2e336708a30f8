"""Supervision webinars: series, sessions, bookings with a waitlist, reminders and the
personal calendar feed. Times are naive UTC; pages show them in the organisation's zone."""
import datetime as dt
import uuid

from peewee import (
    JOIN,
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from portal import audience, settings
from portal.blueprints.accounts.models import User
from portal.blueprints.library.models import Resource
from portal.db import BaseModel, utcnow
from portal.prepared import Prepared, param

SCHEDULED, CANCELLED, FINISHED = "scheduled", "cancelled", "finished"
SESSION_STATUS_LABELS = {SCHEDULED: "Scheduled", CANCELLED: "Cancelled", FINISHED: "Finished"}

# A booking's life: booked or waitlisted; a waitlisted person may be offered a freed seat,
# which they claim (booked) or let lapse; anyone may cancel.
BOOKED, WAITLISTED, OFFERED, WITHDRAWN, LAPSED = (
    "booked", "waitlisted", "offered", "cancelled", "lapsed")
HOLDS_SEAT = (BOOKED, OFFERED)
ACTIVE = (BOOKED, OFFERED, WAITLISTED)
BOOKING_STATUS_LABELS = {BOOKED: "Booked", WAITLISTED: "On the waitlist",
                         OFFERED: "Seat offered", WITHDRAWN: "Cancelled",
                         LAPSED: "Offer lapsed"}


def new_uid() -> str:
    return f"{uuid.uuid4()}@tandem-webinars"


class WebinarSeries(BaseModel):
    title = CharField(max_length=200)
    description = TextField(default="")
    facilitator = CharField(max_length=120, default="")
    audience = audience.audience_field()
    cadence_weeks = IntegerField()
    length_minutes = IntegerField()
    capacity = IntegerField()
    joining_link = CharField(max_length=500, default="")
    created_by = ForeignKeyField(User, backref="webinar_series", null=True,
                                 on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    def sessions(self):
        return (WebinarSession.select().where(WebinarSession.series == self)
                .order_by(WebinarSession.starts_at, WebinarSession.id))


class WebinarSession(BaseModel):
    series = ForeignKeyField(WebinarSeries, backref="session_rows", null=True,
                             on_delete="SET NULL")
    title = CharField(max_length=200)
    description = TextField(default="")
    facilitator = CharField(max_length=120, default="")
    starts_at = DateTimeField(index=True)
    ends_at = DateTimeField()
    capacity = IntegerField()
    audience = audience.audience_field()
    joining_link = CharField(max_length=500, default="")
    status = CharField(max_length=20, default=SCHEDULED)
    cancel_reason = TextField(default="")
    sequence = IntegerField(default=0)  # iCalendar SEQUENCE: up by one on each change
    uid = CharField(max_length=100, unique=True, default=new_uid)
    created_by = ForeignKeyField(User, backref="webinar_sessions", null=True,
                                 on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("status", "starts_at", "id"), False),)

    @classmethod
    def visible_to(cls, user):
        return cls.select().where(audience.visible_to(cls, user))

    @classmethod
    def listing(cls, user, query=None, only_mine=False, with_mine=True):
        """Sessions with their taken seats and this person's booking, in one query;
        `only_mine`: just those the person holds a place on or waits for. Without
        `with_mine`, only what everyone in the person's audience sees."""
        taken = (WebinarBooking.select(WebinarBooking.session,
                                       fn.COUNT(WebinarBooking.id).alias("n"))
                 .where(WebinarBooking.status.in_(HOLDS_SEAT))
                 .group_by(WebinarBooking.session).alias("taken"))
        query = query if query is not None else cls.visible_to(user)
        query = (query.select_extend(fn.COALESCE(taken.c.n, 0).alias("seats_taken"))
                 .join(taken, JOIN.LEFT_OUTER, on=(taken.c.session_id == cls.id)))
        if not with_mine:
            return query.objects()
        mine = WebinarBooking.alias("mine")
        query = query.where(mine.status.in_(ACTIVE)) if only_mine else query
        return (query.select_extend(mine.id.alias("my_booking_id"),
                                    mine.status.alias("my_status"),
                                    mine.attended.alias("my_attended"))
                .join(mine, JOIN.LEFT_OUTER,
                      on=((mine.session == cls.id) & (mine.user == user.id)))
                .objects())

    @classmethod
    def for_staff(cls):
        """Every session with its seats taken and its waitlist length, in one query."""
        holds = Case(None, [(WebinarBooking.status.in_(HOLDS_SEAT), 1)], 0)
        waits = Case(None, [(WebinarBooking.status == WAITLISTED, 1)], 0)
        counts = (WebinarBooking.select(WebinarBooking.session,
                                        fn.SUM(holds).alias("taken"),
                                        fn.SUM(waits).alias("waiting"))
                  .group_by(WebinarBooking.session).alias("counts"))
        return (cls.select(cls, fn.COALESCE(counts.c.taken, 0).alias("seats_taken"),
                           fn.COALESCE(counts.c.waiting, 0).alias("waiting_count"))
                .join(counts, JOIN.LEFT_OUTER, on=(counts.c.session_id == cls.id))
                .objects())

    @classmethod
    def upcoming(cls, user, now=None, with_mine=True):
        now = now or utcnow()
        return cls.listing(user, with_mine=with_mine).where(cls.status == SCHEDULED,
                                                            cls.ends_at > now)

    @classmethod
    def booked_by(cls, user):
        """Sessions this person holds a place on or waits for, cancelled ones included."""
        return cls.listing(user, cls.visible_to(user), only_mine=True)

    @staticmethod
    def next_change(sessions, now) -> dt.datetime | None:
        """The first moment after `now` that any of these sessions looks different in a
        list: booking closes, the joining link appears, it starts, it ends."""
        moments = [moment for s in sessions
                   for moment in (s.booking_closes_at(), s.joining_link_opens_at(),
                                  s.starts_at, s.ends_at) if moment > now]
        return min(moments, default=None)

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - getattr(self, "seats_taken", 0), 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    def has_started(self, now=None) -> bool:
        return (now or utcnow()) >= self.starts_at

    def has_ended(self, now=None) -> bool:
        return self.status == FINISHED or (now or utcnow()) >= self.ends_at

    def booking_closes_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(
            minutes=settings.get("webinar_booking_cutoff_minutes"))

    def is_open_for_booking(self, now=None) -> bool:
        return self.status == SCHEDULED and (now or utcnow()) < self.booking_closes_at()

    def joining_link_opens_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=settings.get("webinar_join_minutes"))

    def joining_link_open(self, now=None) -> bool:
        now = now or utcnow()
        return (self.status == SCHEDULED and bool(self.joining_link)
                and self.joining_link_opens_at() <= now < self.ends_at)

    def booking_for(self, user):
        return WebinarBooking.get_or_none(WebinarBooking.session == self,
                                          WebinarBooking.user == user.id)

    def seats_taken_now(self) -> int:
        return (WebinarBooking.select().where(WebinarBooking.session == self,
                                              WebinarBooking.status.in_(HOLDS_SEAT)).count())

    def people(self):
        """Everyone who booked, waits or was offered a seat, with their account."""
        return (WebinarBooking.select(WebinarBooking, User).join(User)
                .where(WebinarBooking.session == self)
                .order_by(WebinarBooking.joined_at, WebinarBooking.id))


class WebinarBooking(BaseModel):
    session = ForeignKeyField(WebinarSession, backref="bookings", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="webinar_bookings", on_delete="CASCADE")
    status = CharField(max_length=20)
    joined_at = DateTimeField(default=utcnow)  # orders the waitlist
    booked_at = DateTimeField(null=True)
    offer_expires_at = DateTimeField(null=True, index=True)
    cancelled_at = DateTimeField(null=True)
    attended = BooleanField(null=True)  # None: not recorded yet

    class Meta:
        indexes = ((("session", "user"), True), (("session", "status", "joined_at", "id"), False),
                   (("user", "status"), False))

    @classmethod
    def with_position(cls, session_ids: list[int], user_id: int):
        """This person's bookings on these sessions and, where waiting, their place in the
        queue: one query, keyed by session id."""
        ahead = cls.alias("ahead")
        position = (ahead.select(fn.COUNT(ahead.id) + 1)
                    .where(ahead.session == cls.session, ahead.status == WAITLISTED,
                           (ahead.joined_at < cls.joined_at)
                           | ((ahead.joined_at == cls.joined_at) & (ahead.id < cls.id))))
        rows = (cls.select(cls, position.alias("position"))
                .where(cls.session.in_(session_ids or [0]), cls.user == user_id))
        return {row.session_id: row for row in rows}

    @classmethod
    def holds_any(cls, user_id: int, now=None) -> bool:
        """Whether the person has a place, an offer or a waitlist spot on a session that
        has not ended."""
        return HOLDS_ANY().scalar(user=user_id, now=now or utcnow()) is not None

    @property
    def holds_seat(self) -> bool:
        return self.status in HOLDS_SEAT

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class WebinarReminder(BaseModel):
    """A reminder owed to a booked person: one row per booking and kind ("24h", "1h"),
    kept once sent, so a moved session never sends the same reminder twice."""

    booking = ForeignKeyField(WebinarBooking, backref="reminders", on_delete="CASCADE")
    kind = CharField(max_length=10)
    due_at = DateTimeField()
    sent_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("booking", "kind"), True), (("sent_at", "due_at"), False))


class WebinarFeed(BaseModel):
    """A person's calendar feed. The address carries an HMAC of `nonce`, never stored;
    a new nonce revokes the old address, and deleting the row turns the feed off."""

    user = ForeignKeyField(User, backref="webinar_feeds", unique=True, on_delete="CASCADE")
    nonce = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)


class WebinarResource(BaseModel):
    """A library resource (the recording, the slides) attached to a session afterwards."""

    session = ForeignKeyField(WebinarSession, backref="resource_links", on_delete="CASCADE")
    resource = ForeignKeyField(Resource, backref="webinar_links", on_delete="CASCADE")
    added_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("session", "resource"), True), (("resource", "session"), False))

    @classmethod
    def for_session(cls, session, user):
        """The session's resources that this person may see in the library."""
        return (Resource.visible_to(user).join(cls, on=(cls.resource == Resource.id))
                .where(cls.session == session).order_by(cls.added_at, cls.id))


HOLDS_ANY = Prepared(lambda: WebinarBooking.select(WebinarBooking.id).join(WebinarSession)
                     .where(WebinarBooking.user == param("user"),
                            WebinarBooking.status.in_(ACTIVE),
                            WebinarSession.ends_at > param("now")).limit(1))
