"""Absolute links for emails, built from BASE_URL rather than the request's Host header,
so a forged Host cannot put someone else's domain into a password-reset email."""
from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
