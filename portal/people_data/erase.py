"""Erasing an account at the person's request (or an admin's, for them).

The User row stays, so that what others need still reads: their posts, comments and shared
mentoring notes remain, credited to "Former member". Everything else that is theirs alone
goes: profile, email address, password, second factor, sessions, private notes, equality
answers, the personal answers in their applications, bookmarks, watches, notifications,
data exports. Their open relationships close and each partner is told.

Their name and email address may also sit in what other people wrote (an @mention, a
coordinator's note, an email sent to someone else, the audit log): every text column of
every table is searched for them, and each one found is replaced, in the same transaction.
Other people's own names and addresses are left alone, even where they happen to match.
"""
import datetime as dt
import functools
import operator
import re
import secrets

from flask import current_app
from peewee import CharField, TextField
from werkzeug.security import generate_password_hash

from portal import search
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import (
    DataExport,
    RecoveryCode,
    User,
    UserSession,
    UserTopic,
)
from portal.blueprints.boards.models import Notification, ReadMarker, Watch
from portal.blueprints.experts import people_data as experts_data
from portal.blueprints.hub.models import Bookmark
from portal.blueprints.mentoring.models import Note
from portal.blueprints.newsletter.models import NewsletterDelivery
from portal.blueprints.programmes.models import (
    LIVE,
    WITHDRAWN,
    Application,
    ApplicationEvent,
    CoordinatorNote,
    EqualityAnswer,
    OpeningAlert,
    ProgrammeCoordinator,
)
from portal.blueprints.webinars import services as webinar_services
from portal.blueprints.webinars.models import WebinarBooking, WebinarFeed, WebinarSession
from portal.db import db, utcnow
from portal.groups import GroupMembership
from portal.models import ALL_MODELS
from portal.notifications import NotificationPreference, UserNotification
from portal.outbox import FAILED, QUEUED, SENDING, OutboxMessage
from portal.people_data.export import export_path
from portal.people_data.mentoring_close import close_relationships_of
from portal.search import SearchDocument

FORMER_MEMBER = "Former member"
EMAIL_REMOVED = "[email address removed]"
# Answers in an application that are about the person (their leave plans among them).
PERSONAL_ANSWERS = {"motivation": "", "learning_goals": "", "availability": "",
                    "leave_type": "", "leave_starts": None, "leave_months": None,
                    "leave_experience_on": None, "background": "", "access_requirements": "",
                    "cannot_fund_reason": ""}


class ErasureRefused(ValueError):
    pass


def placeholder_email(user_id: int) -> str:
    """The email column is unique and required; `.invalid` can never receive mail."""
    return f"former-member-{user_id}@erased.invalid"


def erase_account(actor: User, person_id: int, now: dt.datetime | None = None) -> dict:
    """Anonymise the account in one transaction; returns what was done, in counts."""
    now = now or utcnow()
    upload_dir = current_app.config["UPLOAD_DIR"]
    with db.atomic():
        person = User.get_or_none(User.id == person_id)
        if person is None or person.erased_at is not None:
            raise ErasureRefused("This account has already been deleted")
        if person.role == "admin" and User.select().where(User.role == "admin").count() == 1:
            raise ErasureRefused("This is the only administrator account. Make someone else "
                                 "an administrator first")
        name, email = person.name, person.email
        done = {"relationships_closed": close_relationships_of(person, now),
                "private_notes": Note.delete().where(Note.author == person.id,
                                                     Note.shared == False).execute(),  # noqa: E712
                "bookings_cancelled": _cancel_future_bookings(person, now),
                "expert_directory": experts_data.erase(person, now),
                "applications": _clear_applications(person, now)}
        exports = list(DataExport.select().where(DataExport.user == person.id))
        _delete_their_rows(person, email)
        _anonymise(person, now)
        _retire_their_email(email, person.id)
        done["redacted"] = redact_everywhere(name, email)
        (AuditEntry.update(before="{}", after="{}")
         .where(AuditEntry.object_type == "user", AuditEntry.object_id == person.id).execute())
        AuditEntry.record(actor, "user.erase", person, {}, {"erased": True})
        AuditEntry.update(ip_address="").where(AuditEntry.actor == person.id).execute()
    for export in exports:
        if export.stored_name:
            export_path(upload_dir, export).unlink(missing_ok=True)
    return done


def _cancel_future_bookings(person: User, now: dt.datetime) -> int:
    """Seats and waitlist places for sessions still to come; a freed seat is offered on."""
    sessions = [s for (s,) in WebinarBooking.select(WebinarBooking.session)
                .join(WebinarSession)
                .where(WebinarBooking.user == person.id, WebinarSession.starts_at > now)
                .tuples()]
    for session_id in sessions:
        webinar_services.cancel_booking(person, session_id, now)
    return len(sessions)


def _clear_applications(person: User, now: dt.datetime) -> int:
    mine = Application.select(Application.id).where(Application.applicant == person.id)
    EqualityAnswer.delete().where(EqualityAnswer.application.in_(mine)).execute()
    CoordinatorNote.delete().where(CoordinatorNote.application.in_(mine)).execute()
    ApplicationEvent.update(note="").where(ApplicationEvent.application.in_(mine)).execute()
    # A place held by nobody would still be matched: every live application is withdrawn.
    (Application.update(status=WITHDRAWN, decided_at=now)
     .where(Application.applicant == person.id, Application.status.in_(list(LIVE)))
     .execute())
    return (Application.update({getattr(Application, k): v for k, v in PERSONAL_ANSWERS.items()})
            .where(Application.applicant == person.id).execute())


def _delete_their_rows(person: User, email: str) -> None:
    for model, column in ((UserSession, UserSession.user), (UserTopic, UserTopic.user),
                          (GroupMembership, GroupMembership.user),
                          (RecoveryCode, RecoveryCode.user), (DataExport, DataExport.user),
                          (Bookmark, Bookmark.user), (Watch, Watch.user),
                          (ReadMarker, ReadMarker.user), (Notification, Notification.user),
                          (UserNotification, UserNotification.user),
                          (NotificationPreference, NotificationPreference.user),
                          (NewsletterDelivery, NewsletterDelivery.user),
                          (WebinarFeed, WebinarFeed.user),
                          (ProgrammeCoordinator, ProgrammeCoordinator.user)):
        model.delete().where(column == person.id).execute()
    OpeningAlert.delete().where(OpeningAlert.email == email).execute()
    User.update(manager_email="").where(User.manager_email == email).execute()


def _anonymise(person: User, now: dt.datetime) -> None:
    unusable = generate_password_hash(secrets.token_urlsafe(32), "pbkdf2:sha256:1000")
    (User.update(name=FORMER_MEMBER, email=placeholder_email(person.id), password_hash=unusable,
                 role="member", email_verified_at=None, last_login_at=None,
                 suspended_until=None, suspension_reason="", organisation="", team="",
                 manager_email="", job_title="", staff_group="", pay_band="", region="",
                 bio="", specialisms="", totp_secret="", totp_enabled_at=None,
                 totp_last_step=None, erased_at=now)
     .where(User.id == person.id).execute())


def _retire_their_email(email: str, person_id: int) -> None:
    """Emails to them: unsent ones are not sent, and none keeps their address or words."""
    (OutboxMessage.update(status=FAILED, last_error="The account was deleted",
                          lease_until=None)
     .where(OutboxMessage.to_addr == email, OutboxMessage.status.in_([QUEUED, SENDING]))
     .execute())
    (OutboxMessage.update(to_addr=placeholder_email(person_id), subject="", body_text="",
                          attachment_name="", attachment_body="", headers="")
     .where(OutboxMessage.to_addr == email).execute())


def _text_columns(model) -> list:
    skip = {"name", "email"} if model is User else set()
    return [f for f in model._meta.sorted_fields
            if isinstance(f, (CharField, TextField)) and f.name not in skip]


def redact_everywhere(name: str, email: str) -> int:
    """Replace the name (as a whole phrase) and the email address wherever anyone wrote
    them; re-index search documents that changed. Returns how many rows changed."""
    patterns = [(re.compile(re.escape(email), re.IGNORECASE), EMAIL_REMOVED)]
    if name.strip():
        patterns.append((re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE),
                         FORMER_MEMBER))
    changed = 0
    for model in ALL_MODELS:
        columns = _text_columns(model)
        if not columns:
            continue
        found = functools.reduce(operator.or_, [
            column ** f"%{text}%" for column in columns for text in (name.strip(), email)
            if text])
        key = model._meta.primary_key
        for row in model.select(key, *columns).where(found):
            updates = {}
            for column in columns:
                value = getattr(row, column.name)
                if isinstance(value, str):
                    new = value
                    for pattern, replacement in patterns:
                        new = pattern.sub(replacement, new)
                    if new != value:
                        updates[column] = new
            if updates:
                model.update(updates).where(key == getattr(row, key.name)).execute()
                changed += 1
                if model is SearchDocument:
                    _reindex(SearchDocument.get_by_id(row.id))
    return changed


def _reindex(document: SearchDocument) -> None:
    """Index the changed document afresh. Removed first: on SQLite, search.index() finds the
    row it upserted by the connection's last inserted id, which after an update is some
    other row's."""
    search.unindex(document.kind, document.object_id)
    search.index(document.kind, document.object_id, document.title, document.summary,
                 document.body)
