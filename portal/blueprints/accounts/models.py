"""People, their sign-in sessions and their profile."""
import secrets

from flask_login import UserMixin
from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FieldAccessor,
    ForeignKeyField,
    IntegerField,
    TextField,
)
from werkzeug.security import check_password_hash, generate_password_hash

from portal.db import BaseModel, utcnow
from portal.taxonomy import Topic

ROLES = ("member", "moderator", "staff", "admin")
ROLE_LABELS = {"member": "Member", "moderator": "Moderator", "staff": "Programme staff",
               "admin": "Administrator"}

STAFF_GROUPS = [
    "Nursing and midwifery",
    "Allied health professionals",
    "Medical and dental",
    "Healthcare scientists",
    "Administrative and clerical",
    "Estates and ancillary",
    "Additional clinical services",
    "Other",
]
PAY_BANDS = ["Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7",
             "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "Board level",
             "Medical and dental", "Other"]
REGIONS = ["East of England", "London", "Midlands", "North East and Yorkshire",
           "North West", "South East", "South West", "Scotland", "Wales", "Northern Ireland"]


class User(UserMixin, BaseModel):
    name = CharField(max_length=120)
    email = CharField(max_length=254, unique=True)  # stored lower-cased
    password_hash = CharField(max_length=255)
    role = CharField(max_length=20, default="member", index=True)
    email_verified_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow, index=True)
    last_login_at = DateTimeField(null=True)
    suspended_until = DateTimeField(null=True)
    suspension_reason = TextField(default="")
    organisation = CharField(max_length=160, default="")
    # Matching never pairs people in the same organisation and team, or a person with the
    # one who manages them (manager_email is the manager's address, lower-cased).
    team = CharField(max_length=160, default="")
    manager_email = CharField(max_length=254, default="")
    job_title = CharField(max_length=160, default="")
    staff_group = CharField(max_length=80, default="")
    pay_band = CharField(max_length=40, default="")
    region = CharField(max_length=80, default="")
    bio = TextField(default="")
    specialisms = TextField(default="")  # comma-separated, as the person typed them
    # Two-factor sign-in: the TOTP secret (set while setting up, kept once confirmed), when
    # it was confirmed, and the last time step a code was accepted for, so that no code is
    # accepted twice.
    totp_secret = CharField(max_length=64, default="")
    totp_enabled_at = DateTimeField(null=True)
    totp_last_step = IntegerField(null=True)
    erased_at = DateTimeField(null=True)  # the account was anonymised at the person's request

    # Set when the user is loaded for a request: the sign-in session it came from, and the
    # groups they are in (which decide what they may see).
    session_key: str | None = None
    group_ids: tuple[int, ...] | None = None
    # True for the person loaded for a request with a few columns (portal.viewer): the
    # others, the password hash among them, are read from the database on first use.
    loads_rest_on_read = False

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @classmethod
    def by_email(cls, email: str):
        return cls.get_or_none(cls.email == cls.normalise_email(email))

    @classmethod
    def search(cls, text: str = "", after: int | None = None):
        """People, newest first, matching a name or email fragment; keyset-paginated by id."""
        query = cls.select().order_by(cls.id.desc())
        if text:
            query = query.where(cls.name.contains(text) | cls.email.contains(text))
        if after:
            query = query.where(cls.id < after)
        return query

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str | None:
        return self.session_key

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def is_suspended(self, now=None) -> bool:
        """A suspended person can log in and read, but not post, until the end date."""
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    @property
    def suspension_notice(self) -> str:
        until = self.suspended_until.strftime("%-d %B %Y") if self.suspended_until else ""
        reason = f" Reason: {self.suspension_reason}" if self.suspension_reason else ""
        return f"You cannot post or comment until {until}.{reason}"

    @property
    def specialism_list(self) -> list[str]:
        return [s.strip() for s in self.specialisms.split(",") if s.strip()]

    def topics(self):
        return Topic.ordered().join(UserTopic).where(UserTopic.user == self)

    def load_rest(self) -> None:
        missing = [f for f in self._meta.sorted_fields if f.name not in self.__data__]
        self.loads_rest_on_read = False
        if missing:
            row = (User.select(*missing).where(User.id == self.id).dicts().first()) or {}
            self.__data__.update(row)


class _ReadOnFirstUse(FieldAccessor):
    def __get__(self, instance, instance_type=None):
        if (instance is not None and instance.loads_rest_on_read
                and self.name not in instance.__data__):
            instance.load_rest()
        return super().__get__(instance, instance_type)


for _field in User._meta.sorted_fields:
    setattr(User, _field.name, _ReadOnFirstUse(User, _field, _field.name))


class UserTopic(BaseModel):
    user = ForeignKeyField(User, backref="topic_links", on_delete="CASCADE")
    topic = ForeignKeyField(Topic, backref="user_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "topic"), True),)


class UserSession(BaseModel):
    """A signed-in browser. Deleting the row ends that session, whatever cookie copies exist."""

    key = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)
    remember = BooleanField(default=False)
    user_agent = CharField(max_length=255, default="")

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class RecoveryCode(BaseModel):
    """A one-time code that stands in for the authenticator app. Only its hash is kept."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64)
    used_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "code_hash"), True),)


EXPORT_PENDING, EXPORT_READY, EXPORT_FAILED = "pending", "ready", "failed"


class DataExport(BaseModel):
    """A copy of everything Tandem holds about a person, built in the background as a ZIP
    under UPLOAD_DIR/exports/ and downloadable by that person alone until `expires_at`."""

    user = ForeignKeyField(User, backref="data_exports", on_delete="CASCADE")
    status = CharField(max_length=10, default=EXPORT_PENDING)
    requested_at = DateTimeField(default=utcnow)
    ready_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True, index=True)
    stored_name = CharField(max_length=64, default="")
    size = IntegerField(default=0)

    class Meta:
        indexes = ((("user", "requested_at"), False), (("status", "requested_at"), False))

    @classmethod
    def latest_for(cls, user):
        return (cls.select().where(cls.user == user.id)
                .order_by(cls.requested_at.desc(), cls.id.desc()).first())

    def is_downloadable(self, now) -> bool:
        return (self.status == EXPORT_READY and self.expires_at is not None
                and self.expires_at > now)
