"""Two-factor sign-in: a time-based code from an authenticator app (TOTP, RFC 6238, checked
by pyotp), or one of ten one-time recovery codes.

A code is accepted once: the time step it belongs to is stored, and a code for that step or
an earlier one is refused, so a code seen over someone's shoulder cannot be used again. The
step is moved forward by a conditional UPDATE, so two requests racing with one code cannot
both win. Recovery codes are kept as hashes and spent by a conditional UPDATE likewise.
"""
import base64
import datetime as dt
import hashlib
import hmac
import io
import secrets

import pyotp
import segno
from flask import current_app, render_template

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import RecoveryCode, User, UserSession
from portal.db import db, utcnow
from portal.links import absolute_url
from portal.outbox import queue_email
from portal.permissions import MODERATOR_ROLES

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
STEP_SECONDS = 30
# A code from the step before or after is accepted too: phones' clocks drift.
DRIFT_STEPS = 1


class CodeRefused(ValueError):
    """The code is wrong, already used, or there is no code to check against."""


def required_for(user) -> bool:
    """Moderators, staff and admins must use a second factor (while the deployment says
    so: only development may turn it off)."""
    return user.role in MODERATOR_ROLES and current_app.config["REQUIRE_STAFF_TOTP"]


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=STEP_SECONDS)


def _step(now: dt.datetime) -> int:
    return int(now.replace(tzinfo=dt.UTC).timestamp()) // STEP_SECONDS


def _digits(code: str) -> str:
    return "".join((code or "").split())


def _recovery_key(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash_recovery(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{_recovery_key(code)}".encode()).hexdigest()


def start_setup(user: User) -> str:
    """The secret the person is setting up: a new one, kept until they confirm it, or the one
    already waiting. Their working second factor, if any, is untouched."""
    if user.totp_secret and not user.has_two_factor:
        return user.totp_secret
    if user.has_two_factor:
        raise CodeRefused("Two-factor sign-in is already set up")
    secret = pyotp.random_base32()
    (User.update(totp_secret=secret)
     .where(User.id == user.id, User.totp_enabled_at.is_null()).execute())
    user.totp_secret = secret
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email,
                                          issuer_name=current_app.config["SITE_NAME"])


def qr_code_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI, made here: the secret never leaves the server, and
    an <img> with a data URI passes the Content Security Policy (img-src data:)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4, light="#fff",
                                    xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    code = _digits(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    current = _step(now)
    totp = _totp(secret)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _spend_step(user: User, step: int) -> bool:
    """Record `step` as used, unless it (or a later one) already was."""
    spent = (User.update(totp_last_step=step)
             .where(User.id == user.id,
                    User.totp_last_step.is_null() | (User.totp_last_step < step))
             .execute())
    return bool(spent)


def confirm_setup(user: User, code: str, now: dt.datetime | None = None) -> list[str]:
    """Turn two-factor sign-in on once the person shows a code from the new secret. Returns
    the ten recovery codes, shown to them once."""
    now = now or utcnow()
    with db.atomic():
        fresh = User.get_by_id(user.id)
        if fresh.has_two_factor or not fresh.totp_secret:
            raise CodeRefused("Start setting up two-factor sign-in again")
        step = _matching_step(fresh.totp_secret, code, now)
        if step is None or not _spend_step(fresh, step):
            raise CodeRefused("The code is not correct. Enter the 6-digit code your app shows "
                              "now")
        User.update(totp_enabled_at=now).where(User.id == user.id).execute()
        codes = _new_recovery_codes(user)
    user.totp_enabled_at = now
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.insert_many([{"user": user.id, "code_hash": _hash_recovery(user.id, c)}
                              for c in codes]).execute()
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    with db.atomic():
        return _new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return (RecoveryCode.select().where(RecoveryCode.user == user.id,
                                        RecoveryCode.used_at.is_null()).count())


def verify(user: User, code: str, now: dt.datetime | None = None) -> str:
    """Check a sign-in code: "app" for an authenticator code, "recovery" for a recovery code
    (now spent). Raises CodeRefused otherwise."""
    now = now or utcnow()
    fresh = User.get_by_id(user.id)
    if not fresh.has_two_factor:
        raise CodeRefused("Two-factor sign-in is not set up for this account")
    if len(_digits(code)) == 6 and _digits(code).isdigit():
        step = _matching_step(fresh.totp_secret, code, now)
        if step is not None and _spend_step(fresh, step):
            return "app"
        raise CodeRefused("The code is not correct, or has been used already. Enter the "
                          "code your app shows now")
    spent = (RecoveryCode.update(used_at=now)
             .where(RecoveryCode.user == user.id,
                    RecoveryCode.code_hash == _hash_recovery(user.id, code),
                    RecoveryCode.used_at.is_null())
             .execute())
    if spent:
        return "recovery"
    raise CodeRefused("The recovery code is not correct, or has been used already")


def turn_off(user: User) -> None:
    with db.atomic():
        _clear(user)


def _clear(user: User) -> None:
    User.update(totp_secret="", totp_enabled_at=None, totp_last_step=None
                ).where(User.id == user.id).execute()
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()


def reset_by_admin(actor: User, person: User, now: dt.datetime | None = None) -> None:
    """For a person who lost their phone and codes: their second factor is removed and
    every session ended; they set it up again at their next sign-in. Audited, and the
    person is told, so a reset they did not ask for does not go unnoticed."""
    now = now or utcnow()
    with db.atomic():
        before = {"two_factor": person.has_two_factor}
        _clear(person)
        UserSession.delete().where(UserSession.user == person.id).execute()
        AuditEntry.record(actor, "user.reset_two_factor", person, before,
                          {"two_factor": False})
        queue_email(f"two-factor-reset:{person.id}:{now.isoformat()}", person.email,
                    "Your two-factor sign-in has been reset",
                    render_template("emails/two_factor_reset.txt", user=person,
                                    link=absolute_url("accounts.login")))
