"""Signed, expiring links for email verification and password reset."""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.blueprints.accounts.models import User


class LinkProblem(Exception):
    """Why a link cannot be used: 'expired', 'invalid' or 'used'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"tandem-{purpose}")


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    return _serializer("verify").dumps({"u": user.id, "e": user.email})


def make_reset_token(user: User) -> str:
    return _serializer("reset").dumps({"u": user.id, "p": _password_fingerprint(user)})


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkProblem("expired") from exc
    except BadSignature as exc:
        raise LinkProblem("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkProblem("invalid")
    return data


def user_for_verify_token(token: str) -> User:
    data = _load("verify", token, current_app.config["VERIFY_LINK_HOURS"] * 3600)
    user = User.get_or_none(User.id == data["u"])
    if user is None or user.email != data.get("e"):
        raise LinkProblem("invalid")
    return user


def user_for_reset_token(token: str) -> User:
    data = _load("reset", token, current_app.config["RESET_LINK_MINUTES"] * 60)
    user = User.get_or_none(User.id == data["u"])
    if user is None:
        raise LinkProblem("invalid")
    if data.get("p") != _password_fingerprint(user):
        raise LinkProblem("used")
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]
