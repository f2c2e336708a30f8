"""A sign-in half done: the password was right, and the second factor is still to come.

The person's id, their "keep me logged in" choice and where they were going wait in the
signed session cookie for a few minutes. No sign-in session exists until the second step
is done, so nothing else in the portal treats them as signed in. The password's fingerprint
travels too: a password reset meanwhile voids the half-done sign-in."""
import hashlib
import time

from flask import current_app, request, session
from flask_login import login_user

from portal.blueprints.accounts import services
from portal.blueprints.accounts.models import User

KEY = "pending_login"
MINUTES = 10


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def hold(user: User, remember: bool, next_path: str | None) -> None:
    session[KEY] = {"u": user.id, "r": bool(remember), "n": next_path,
                    "t": int(time.time()), "p": _fingerprint(user)}


def held_user() -> User | None:
    data = session.get(KEY)
    if not isinstance(data, dict) or time.time() - data.get("t", 0) > MINUTES * 60:
        return None
    user = User.get_or_none(User.id == data.get("u"))
    if user is None or data.get("p") != _fingerprint(user) or user.erased_at is not None:
        return None
    return user


def next_path() -> str | None:
    return (session.get(KEY) or {}).get("n")


def complete(user: User, remember: bool | None = None) -> None:
    """Start the real sign-in session (the password and, where needed, the code are done)."""
    if remember is None:
        remember = bool((session.get(KEY) or {}).get("r"))
    session.pop(KEY, None)
    services.start_session(user, remember, request.user_agent.string,
                           current_app.config["SESSION_DAYS"])
    login_user(user, remember=remember)
