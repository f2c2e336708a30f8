"""How long the portal keeps things: the periods admins set in the site settings (0 keeps
a thing for ever), applied by a daily job that reports what it removed to the audit log.

Everything is measured against `now`, so tests move the clock instead of waiting. Each
rule removes exactly what is past its period: a row on the boundary stays until the next
run.
"""
import datetime as dt
import json

from flask import current_app
from peewee import JOIN

from portal import settings
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import Notification
from portal.blueprints.hub.models import Article
from portal.blueprints.mentoring.models import CLOSED, Note, Relationship
from portal.blueprints.programmes.models import DECLINED, WITHDRAWN, Application, Cohort
from portal.dates import add_months
from portal.db import db, utcnow
from portal.notifications import UserNotification
from portal.outbox import SENT, OutboxMessage
from portal.people_data import export


def _months_before(now: dt.datetime, months: int) -> dt.datetime:
    return dt.datetime.combine(add_months(now.date(), -months), now.time())


def email_bodies(now: dt.datetime, days: int) -> int:
    """Sent emails keep who, what subject and when, but not the text (links in it
    included). The row stays: its unique key is what stops the email going twice."""
    cutoff = now - dt.timedelta(days=days)
    return (OutboxMessage.update(body_text="", attachment_body="")
            .where(OutboxMessage.status == SENT, OutboxMessage.sent_at < cutoff,
                   (OutboxMessage.body_text != "") | (OutboxMessage.attachment_body != ""))
            .execute())


def notifications(now: dt.datetime, days: int) -> int:
    """The boards' own rows and the items in everyone's notification centre."""
    cutoff = now - dt.timedelta(days=days)
    return (Notification.delete().where(Notification.created_at < cutoff).execute()
            + UserNotification.delete().where(UserNotification.created_at < cutoff).execute())


def audit_addresses(now: dt.datetime, months: int) -> int:
    cutoff = _months_before(now, months)
    return (AuditEntry.update(ip_address="")
            .where(AuditEntry.created_at < cutoff, AuditEntry.ip_address != "").execute())


def closed_relationship_notes(now: dt.datetime, months: int) -> int:
    cutoff = _months_before(now, months)
    closed = Relationship.select(Relationship.id).where(Relationship.status == CLOSED,
                                                        Relationship.closed_at < cutoff)
    return Note.delete().where(Note.relationship.in_(closed)).execute()


def unconfirmed_accounts(now: dt.datetime, days: int) -> int:
    """Accounts whose email address was never confirmed. Erased accounts are unconfirmed
    too, but stay: their posts hang off them."""
    cutoff = now - dt.timedelta(days=days)
    owners = Article.select(Article.owner)
    return (User.delete().where(User.email_verified_at.is_null(), User.erased_at.is_null(),
                                User.created_at < cutoff, User.id.not_in(owners))
            .execute())


def ended_applications(now: dt.datetime, months: int) -> int:
    """Declined and withdrawn applications, counted from the end of their cohort (the end
    of its evaluation); an always-open programme has no cohort, so from the decision."""
    cutoff = _months_before(now, months)
    ended = Application.alias("ended")
    past = (ended.select(ended.id)
            .join(Cohort, JOIN.LEFT_OUTER, on=(ended.cohort == Cohort.id))
            .where(ended.status.in_([DECLINED, WITHDRAWN]),
                   (ended.cohort.is_null(False) & (Cohort.evaluation_ends < cutoff.date()))
                   | (ended.cohort.is_null() & (ended.decided_at < cutoff))))
    return Application.delete().where(Application.id.in_(past)).execute()


RULES = [("retention_email_body_days", "email_bodies", email_bodies),
         ("retention_notification_days", "notifications", notifications),
         ("retention_audit_ip_months", "audit_addresses", audit_addresses),
         ("retention_closed_notes_months", "closed_relationship_notes",
          closed_relationship_notes),
         ("retention_unconfirmed_days", "unconfirmed_accounts", unconfirmed_accounts),
         ("retention_applications_months", "ended_applications", ended_applications)]


def apply(now: dt.datetime | None = None) -> dict:
    """Apply every period in one transaction and record the counts in the audit log;
    then delete data exports whose download link has expired."""
    now = now or utcnow()
    periods = settings.all_settings()
    with db.atomic():
        removed = {name: rule(now, periods[key]) for key, name, rule in RULES if periods[key]}
        removed["data_exports"] = export.remove_expired(now, current_app.config["UPLOAD_DIR"])
        AuditEntry.create(actor=None, action="retention.apply", object_type="retention",
                          object_id=None, created_at=now,
                          after=json.dumps(removed, sort_keys=True))
    return removed
