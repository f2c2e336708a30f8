"""Signed, expiring links for email verification and password reset."""
import hashlib

from flask import current_app

from portal.blueprints.accounts.models import User
from portal.signed_links import LinkProblem, load, sign

__all__ = ["LinkProblem", "make_reset_token", "make_verify_token", "token_digest",
           "user_for_reset_token", "user_for_verify_token"]


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    return sign("verify", {"u": user.id, "e": user.email})


def make_reset_token(user: User) -> str:
    return sign("reset", {"u": user.id, "p": _password_fingerprint(user)})


def user_for_verify_token(token: str) -> User:
    data = load("verify", token, "u", current_app.config["VERIFY_LINK_HOURS"] * 3600)
    user = User.get_or_none(User.id == data["u"])
    if user is None or user.email != data.get("e"):
        raise LinkProblem("invalid")
    return user


def user_for_reset_token(token: str) -> User:
    data = load("reset", token, "u", current_app.config["RESET_LINK_MINUTES"] * 60)
    user = User.get_or_none(User.id == data["u"])
    if user is None:
        raise LinkProblem("invalid")
    if data.get("p") != _password_fingerprint(user):
        raise LinkProblem("used")
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]
