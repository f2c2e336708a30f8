"""The edges a deployment meets: the load balancer in front, https, caches between the
portal and the person, the email log, and which clock names a day."""
import datetime as dt
import logging
import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from portal import create_app, mailer
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tests import conftest as shared
from tests.webinar_factories import make_session


def _client_with_csrf(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = shared.CSRF_RAW_TOKEN
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(
        shared.CSRF_RAW_TOKEN)
    return client, token


def _failed_login(client, token, forwarded_for: str, email: str) -> int:
    return client.post("/accounts/login", headers={"X-Forwarded-For": forwarded_for},
                       data={"email": email, "password": "not the password",
                             "csrf_token": token}).status_code


@pytest.fixture
def proxied_app(app, tmp_path):
    """A second app on the same database, behind one trusted proxy."""
    return create_app({**shared.test_config(tmp_path),
                       "DATABASE_URL": app.config["DATABASE_URL"], "TRUSTED_PROXIES": 1})


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(proxied_app):
    client, token = _client_with_csrf(proxied_app)
    attempts = [_failed_login(client, token, "203.0.113.1", f"guess{n}@example.org")
                for n in range(11)]
    assert attempts == [422] * 10 + [429]
    assert _failed_login(client, token, "203.0.113.2", "someone@example.org") == 422
    assert _failed_login(client, token, "203.0.113.1", "other@example.org") == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(app):
    client, token = _client_with_csrf(app)
    for n in range(10):
        assert _failed_login(client, token, "203.0.113.1", f"guess{n}@example.org") == 422
    # A made-up header does not buy a fresh allowance: the address is the connection's.
    assert _failed_login(client, token, "203.0.113.2", "someone@example.org") == 429


def test_a_trusted_proxy_also_tells_the_scheme(proxied_app):
    client = proxied_app.test_client()
    seen = {}

    @proxied_app.get("/_scheme")
    def _scheme():
        from flask import request

        seen.update(scheme=request.scheme, address=request.remote_addr)
        return ""

    client.get("/_scheme", headers={"X-Forwarded-For": "198.51.100.7",
                                    "X-Forwarded-Proto": "https"})
    assert seen == {"scheme": "https", "address": "198.51.100.7"}


# --- https and caches -----------------------------------------------------------------------

def test_hsts_is_sent_when_cookies_are_secure(app, tmp_path):
    secure = create_app({**shared.test_config(tmp_path),
                         "DATABASE_URL": app.config["DATABASE_URL"],
                         "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True})
    response = secure.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_csv_exports_are_not_stored(app, client, make_user, login):
    login(make_user(role="admin"))
    session = make_session(app)
    for url in ("/staff/audit.csv", f"/webinars/manage/sessions/{session.id}/attendance.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/csv"
        assert "no-store" in response.headers["Cache-Control"], url


def test_personal_pages_and_calendars_are_not_stored(app, client, make_user, login):
    login(make_user())
    session = make_session(app)
    for url in ("/dashboard", "/accounts/profile", "/webinars/mine",
                f"/webinars/sessions/{session.id}/calendar.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_account_pages_are_not_stored_even_signed_out(client):
    for url in ("/accounts/login", "/accounts/password/forgot", "/accounts/password/reset/x"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url


def test_public_pages_and_files_may_be_cached(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    with client.get("/static/css/tandem.css") as static:
        assert static.status_code == 200
        assert "no-store" not in static.headers.get("Cache-Control", "")


# --- email ----------------------------------------------------------------------------------

def _message(app, body="Hello") -> OutboxMessage:
    with app.app_context(), db.connection_context():
        return OutboxMessage.create(key="test:1", to_addr="ada@example.org", subject="Hi",
                                    body_text=body)


def test_message_id_uses_the_base_url_host(app):
    app.config["BASE_URL"] = "https://mentoring.example.nhs.uk/portal"
    message = _message(app)
    with app.app_context():
        built = mailer.build_message(message)
    assert built["Message-ID"].endswith("@mentoring.example.nhs.uk>")
    assert built["Message-ID"].startswith(f"<outbox-{message.id}.")


def test_the_console_mailer_logs_reset_links_redacted_at_info(app, client, csrf_token,
                                                              make_user, sent_emails, caplog):
    user = make_user(email="ada@example.org")
    caplog.set_level(logging.DEBUG, logger=app.logger.name)
    response = client.post("/accounts/password/forgot",
                           data={"email": user.email, "csrf_token": csrf_token})
    assert response.status_code == 200
    (email,) = sent_emails(user.email)
    token = email.body_text.split("/accounts/password/reset/", 1)[1].split()[0]
    assert len(token) > 20
    info = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "email to ada@example.org" in info
    assert "/accounts/password/reset/[redacted]" in info
    assert token not in info
    debug = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG
                      and r.name == app.logger.name)
    assert token in debug  # a developer can still follow it with debug logging on


def test_redaction_keeps_short_paths_and_blanks_queries():
    text = ("Open https://tandem.example/hub/ or "
            "https://tandem.example/webinars/feed/12-0123456789abcdef0123.ics?x=secret#top")
    assert mailer.redact_links(text) == (
        "Open https://tandem.example/hub/ or "
        "https://tandem.example/webinars/feed/[redacted]?[redacted]")


# --- one clock ------------------------------------------------------------------------------

def test_the_digest_subject_names_the_utc_day(monkeypatch):
    """Whatever the server's own zone, the subject's day is the UTC day that the daily
    counts use. The zone is picked so that its date differs from UTC's right now."""
    from tasks.boards import _digest_subject

    far_zone = "Pacific/Kiritimati" if utcnow().hour >= 12 else "Etc/GMT+12"
    monkeypatch.setenv("TZ", far_zone)
    time.tzset()
    try:
        assert dt.date.today() != utcnow().date()
        subject = _digest_subject([object()])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert utcnow().strftime("%-d %B %Y") in subject
