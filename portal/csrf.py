"""The CSRF token that pages put in their forms and in htmx's headers."""
from flask import current_app, session
from flask_wtf.csrf import generate_csrf

from portal.kept import kept

KEPT = 10_000  # sessions' signed tokens a process keeps


def token() -> str:
    """Flask-WTF's CSRF token for this session. Signing the session's token costs as much as
    the rest of a page that comes from the shared fragments; with no time limit
    (WTF_CSRF_TIME_LIMIT None) a signed token never expires, so each process signs a
    session's token once and reuses it."""
    raw = session.get("csrf_token")
    if raw is None or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    return kept("signed_csrf_tokens", raw, generate_csrf, limit=KEPT)
