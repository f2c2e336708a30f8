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


HSTS_SECONDS = 365 * 24 * 3600
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
# Cookies that only travel over https are worth little if a first visit over http can be
# intercepted. No includeSubDomains: other hosts of the organisation's domain are not ours
# to commit.
HSTS = ("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")


def add_security_headers(response: Response) -> Response:
    """Each header unless the view set its own (the logo and downloads have their own
    policy): one pass over the response's headers, then appends."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    wanted = SECURITY_HEADERS + ((HSTS,) if current_app.config["SESSION_COOKIE_SECURE"] else ())
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    if holds_personal_data(response) and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    return response
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
