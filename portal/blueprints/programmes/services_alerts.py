""""Tell me when the next cohort opens": a signed-out sign-up, confirmed by a signed link,
one email per confirmed address when a cohort opens, and an unsubscribe link that works
signed out and never expires.

Links carry the alert's id and nonce, signed with SECRET_KEY (itsdangerous). A new
sign-up after unsubscribing gets a new nonce, so links sent before stop working.
"""
import secrets

from flask import current_app

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import notices
from portal.blueprints.programmes.models import Cohort, OpeningAlert, Programme
from portal.db import db, utcnow
from portal.signed_links import LinkProblem, load, sign

CONFIRM, UNSUBSCRIBE = "confirm", "unsubscribe"


def make_token(alert: OpeningAlert, purpose: str) -> str:
    return sign(f"opening-alert-{purpose}", {"a": alert.id, "n": alert.nonce})


def alert_for_token(token: str, purpose: str) -> OpeningAlert:
    """The alert a link names. Raises LinkProblem("expired" or "invalid"). Confirmation
    links last VERIFY_LINK_HOURS; unsubscribe links do not expire."""
    max_age = current_app.config["VERIFY_LINK_HOURS"] * 3600 if purpose == CONFIRM else None
    data = load(f"opening-alert-{purpose}", token, "a", max_age)
    alert = OpeningAlert.get_or_none(OpeningAlert.id == data["a"])
    if alert is None or alert.nonce != data.get("n"):
        raise LinkProblem("invalid")
    return alert


def sign_up(email: str, programme: Programme) -> OpeningAlert:
    """Ask for a confirmation email (at most one a day per address and programme). The
    answer to the visitor must be the same whether or not the address was already signed
    up, so nothing here tells the caller which."""
    address = User.normalise_email(email)
    with db.atomic():
        alert = OpeningAlert.get_or_none(OpeningAlert.email == address,
                                         OpeningAlert.programme == programme)
        if alert is None:
            alert = OpeningAlert.create(email=address, programme=programme,
                                        nonce=secrets.token_hex(8))
        elif alert.unsubscribed_at is not None:
            alert.nonce, alert.confirmed_at, alert.unsubscribed_at = (
                secrets.token_hex(8), None, None)
            alert.save()
        if alert.confirmed_at is None:
            notices.confirm_alert(alert, programme, make_token(alert, CONFIRM),
                                  day=utcnow().date())
    return alert


def confirm(token: str) -> OpeningAlert:
    """Confirm the address in the link; confirming twice is harmless."""
    with db.atomic():
        alert = alert_for_token(token, CONFIRM)
        if alert.unsubscribed_at is not None:
            raise LinkProblem("used")
        if alert.confirmed_at is None:
            alert.confirmed_at = utcnow()
            alert.save()
    return alert


def unsubscribe(token: str) -> OpeningAlert:
    with db.atomic():
        alert = alert_for_token(token, UNSUBSCRIBE)
        if alert.unsubscribed_at is None:
            alert.unsubscribed_at = utcnow()
            alert.save()
    return alert


def notify_opening(cohort: Cohort) -> int:
    """Queue one "it is open" email per confirmed, subscribed address for the cohort's
    programme (outbox key `cohort-open:{cohort.id}:{alert.id}`, so running it twice sends
    once), and mark the cohort notified. Returns how many were queued by this call. A job
    calls it for each of Cohort.opening_due()."""
    with db.atomic():
        programme = Programme.get_by_id(cohort.programme_id)
        alerts = list(OpeningAlert.subscribed(programme).where(
            OpeningAlert.notified_cohort.is_null()
            | (OpeningAlert.notified_cohort != cohort.id)))
        for alert in alerts:
            notices.cohort_open(alert, cohort, programme, make_token(alert, UNSUBSCRIBE))
        if alerts:
            (OpeningAlert.update(notified_cohort=cohort.id)
             .where(OpeningAlert.id.in_([a.id for a in alerts])).execute())
        (Cohort.update(opening_notified_at=utcnow())
         .where(Cohort.id == cohort.id, Cohort.opening_notified_at.is_null()).execute())
    return len(alerts)
