"""Account changes that touch more than one row, each in one transaction."""
import datetime as dt

from flask import render_template
from peewee import IntegrityError
from werkzeug.security import check_password_hash

from portal import notifications
from portal.audit import AuditEntry
from portal.blueprints.accounts import tokens
from portal.blueprints.accounts.models import User, UserSession, UserTopic
from portal.db import db, utcnow
from portal.links import absolute_url
from portal.outbox import queue_email


class EmailTaken(Exception):
    pass


def _send_verification(user: User, next_path: str | None = None) -> None:
    """`next_path`, a local path already checked, is where the person was going when they
    chose to register: the link brings them back to it after they log in."""
    token = tokens.make_verify_token(user)
    link = absolute_url("accounts.verify", token=token, **({"next": next_path}
                                                           if next_path else {}))
    queue_email(f"verify:{user.id}:{tokens.token_digest(token)}", user.email,
                "Confirm your email address",
                render_template("emails/verify.txt", user=user, link=link))


def register_user(name: str, email: str, password: str, hash_method: str,
                  next_path: str | None = None, newsletter: bool = False) -> User:
    """A new account; `newsletter` is the person's consent to the newsletter by email,
    recorded with its date."""
    user = User(name=name.strip(), email=User.normalise_email(email))
    user.set_password(password, hash_method)
    try:
        with db.atomic():
            if User.by_email(user.email) is not None:  # registered since the form checked
                raise EmailTaken(email)
            user.save()
            if newsletter:
                notifications.set_channels(user.id, {"newsletter": notifications.EMAIL},
                                           "registration")
            _send_verification(user, next_path)
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user


def resend_verification(email: str) -> None:
    user = User.by_email(email)
    if user is not None and not user.is_verified:
        with db.atomic():
            _send_verification(user)


def verify_email(user: User) -> None:
    if not user.is_verified:
        User.update(email_verified_at=utcnow()).where(User.id == user.id).execute()


def start_session(user: User, remember: bool, user_agent: str, days: int) -> UserSession:
    lifetime = dt.timedelta(days=days if remember else 1)
    with db.atomic():
        row = UserSession.create(key=UserSession.new_key(), user=user, remember=remember,
                                 expires_at=utcnow() + lifetime, user_agent=user_agent[:255])
        User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
    user.session_key = row.key
    return row


def end_session(key: str | None) -> None:
    if key:
        UserSession.delete().where(UserSession.key == key).execute()


def end_other_sessions(user: User, keep_key: str | None = None) -> int:
    query = UserSession.delete().where(UserSession.user == user)
    if keep_key:
        query = query.where(UserSession.key != keep_key)
    return query.execute()


def request_password_reset(email: str) -> None:
    user = User.by_email(email)
    if user is None:
        return
    token = tokens.make_reset_token(user)
    link = absolute_url("accounts.reset", token=token)
    with db.atomic():
        queue_email(f"reset:{user.id}:{tokens.token_digest(token)}", user.email,
                    "Reset your password",
                    render_template("emails/reset.txt", user=user, link=link))


def set_password(user: User, password: str, hash_method: str,
                 keep_session: str | None = None) -> None:
    """A new password ends every other session: a stolen cookie stops working."""
    user.set_password(password, hash_method)
    with db.atomic():
        User.update(password_hash=user.password_hash,
                    email_verified_at=user.email_verified_at or utcnow()
                    ).where(User.id == user.id).execute()
        end_other_sessions(user, keep_key=keep_session)
        queue_email(f"password-changed:{user.id}:{tokens.token_digest(user.password_hash)}",
                    user.email, "Your password has been changed",
                    render_template("emails/password_changed.txt", user=user,
                                    link=absolute_url("accounts.forgot")))


PROFILE_FIELDS = ("name", "organisation", "team", "manager_email", "job_title", "staff_group",
                  "pay_band", "region", "bio", "specialisms")


def update_profile(user: User, values: dict, topic_ids: list[int]) -> None:
    with db.atomic():
        cleaned = {f: (values[f] or "").strip() for f in PROFILE_FIELDS}
        cleaned["manager_email"] = User.normalise_email(cleaned["manager_email"])
        User.update({getattr(User, f): v for f, v in cleaned.items()}
                    ).where(User.id == user.id).execute()
        UserTopic.delete().where(UserTopic.user == user).execute()
        if topic_ids:
            UserTopic.insert_many([{"user": user.id, "topic": t} for t in set(topic_ids)]
                                  ).execute()


def change_role(actor: User, person: User, role: str) -> None:
    with db.atomic():
        before = person.role
        User.update(role=role).where(User.id == person.id).execute()
        AuditEntry.record(actor, "user.change_role", person, {"role": before}, {"role": role})


def suspend(actor: User, person: User, until: dt.datetime, reason: str) -> None:
    with db.atomic():
        before = {"suspended_until": person.suspended_until, "reason": person.suspension_reason}
        User.update(suspended_until=until, suspension_reason=reason
                    ).where(User.id == person.id).execute()
        AuditEntry.record(actor, "user.suspend", person, before,
                          {"suspended_until": until, "reason": reason})


def lift_suspension(actor: User, person: User) -> None:
    with db.atomic():
        before = {"suspended_until": person.suspended_until, "reason": person.suspension_reason}
        User.update(suspended_until=None, suspension_reason=""
                    ).where(User.id == person.id).execute()
        AuditEntry.record(actor, "user.lift_suspension", person, before, {})


UNVERIFIED = ("You need to confirm your email address before you can log in. "
              "Use the link in the email we sent you.")
BAD_CREDENTIALS = "Enter a correct email address and password"
_DUMMY_HASH = ("scrypt:32768:8:1$uRZ0ZrZUP0qEKS8d$2cbd3b0fdd1a4e0bd0c3d9b1bc3a6f8c1d6f8d1e"
               "0f1d4c3b2a1908070605040302010f0e0d0c0b0a09080706050403020100fedcba98765432")


def login_problem(user: User | None, password: str) -> str | None:
    """Why this person may not log in, or None. Checks the password first, so the other
    messages are only shown to someone who knows it."""
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # same work as a real check
        return BAD_CREDENTIALS
    if not user.check_password(password):
        return BAD_CREDENTIALS
    if not user.is_verified:
        return UNVERIFIED
    return None
