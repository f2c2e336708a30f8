"""Response headers that every page carries, and safe redirect targets."""
from urllib.parse import urlsplit

from flask import Response, current_app, request, session

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        # Cookies that only travel over https are worth little if a first visit over http
        # can be intercepted. No includeSubDomains: other hosts of the organisation's domain
        # are not ours to commit.
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    if holds_personal_data(response) and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    return response


HSTS_SECONDS = 365 * 24 * 3600
# Files that are always about people: exports and calendars (bookings, attendance).
PERSONAL_TYPES = {"text/csv", "text/calendar"}
# Public, identical for everyone: these may be cached.
SHARED_ENDPOINTS = {"static", "assets", "home.logo", "home.healthz"}


def holds_personal_data(response: Response) -> bool:
    """CSV and calendar files, every response to a signed-in person (pages carry their name,
    notifications and bookings), and account pages (reset and confirmation links carry keys):
    no browser or proxy may keep a copy."""
    if request.endpoint in SHARED_ENDPOINTS:
        return False
    return (response.mimetype in PERSONAL_TYPES or request.blueprint == "accounts"
            or "_user_id" in session)


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no `//` and no backslash."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
