"""50 people press "Book" at once for the last 5 seats, against gunicorn with several
workers, on SQLite and (with DATABASE_URL) PostgreSQL: exactly 5 get a seat."""
import datetime as dt
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from peewee import fn

from portal.blueprints.accounts.models import User
from portal.blueprints.webinars.models import BOOKED, WAITLISTED, WebinarBooking, WebinarSession
from portal.db import db, open_database, utcnow
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.integration.conftest import read_log_once_it_has

CAPACITY, ALREADY_BOOKED, CLICKERS = 20, 15, 50
TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())


def request(opener, url, data=None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, body, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def seed(url: str) -> tuple[int, list[str]]:
    """In the server's database: a session with 15 of its 20 seats taken, and 50 people."""
    previous = db.obj
    database = open_database(url)
    db.initialize(database)
    try:
        with db.connection_context(), db.atomic():
            people = []
            for n in range(ALREADY_BOOKED + CLICKERS):
                user = User(name=f"Racer {n}", email=f"racer{n}@example.org",
                            email_verified_at=utcnow())
                user.set_password(TEST_PASSWORD, FAST_HASH)
                user.save()
                people.append(user)
            start = utcnow() + dt.timedelta(days=7)
            session = WebinarSession.create(title="Last seats", starts_at=start,
                                            ends_at=start + dt.timedelta(hours=1),
                                            capacity=CAPACITY)
            WebinarBooking.insert_many([
                {"session": session.id, "user": p.id, "status": BOOKED, "joined_at": utcnow(),
                 "booked_at": utcnow()} for p in people[:ALREADY_BOOKED]]).execute()
        return session.id, [p.email for p in people[ALREADY_BOOKED:]]
    finally:
        database.close()
        if previous is not None:
            db.initialize(previous)


def outcome(url: str, session_id: int) -> dict:
    previous = db.obj
    database = open_database(url)
    db.initialize(database)
    try:
        with db.connection_context():
            counts = dict(WebinarBooking.select(WebinarBooking.status, fn.COUNT(WebinarBooking.id))
                          .where(WebinarBooking.session == session_id)
                          .group_by(WebinarBooking.status).tuples())
            per_person = (WebinarBooking.select(fn.COUNT(WebinarBooking.id))
                          .where(WebinarBooking.session == session_id)
                          .group_by(WebinarBooking.user)
                          .having(fn.COUNT(WebinarBooking.id) > 1).count())
        return {"counts": counts, "people with two rows": per_person}
    finally:
        database.close()
        if previous is not None:
            db.initialize(previous)


def clicker(base: str, email: str, session_id: int, ready: threading.Barrier) -> int:
    """Logs in and opens the session page, waits for everyone, then presses Book."""
    opener = browser()
    _, page = request(opener, base + "/accounts/login")
    status, _ = request(opener, base + "/accounts/login", {
        "email": email, "password": TEST_PASSWORD, "csrf_token": TOKEN.search(page).group(1)})
    assert status == 303, f"log-in failed for {email}"
    _, page = request(opener, f"{base}/webinars/sessions/{session_id}")
    token = TOKEN.search(page).group(1)
    ready.wait(timeout=60)
    status, _ = request(opener, f"{base}/webinars/sessions/{session_id}/book",
                        {"csrf_token": token})
    return status


@pytest.mark.slow
def test_fifty_people_booking_the_last_five_seats_at_once(gunicorn, server_database, tmp_path):
    base = gunicorn(workers=8, DATABASE_URL=server_database)
    session_id, emails = seed(server_database)
    ready = threading.Barrier(CLICKERS)
    with ThreadPoolExecutor(max_workers=CLICKERS) as pool:
        statuses = list(pool.map(lambda e: clicker(base, e, session_id, ready), emails))

    assert statuses == [303] * CLICKERS
    result = outcome(server_database, session_id)
    assert result == {"counts": {BOOKED: CAPACITY, WAITLISTED: CLICKERS - 5},
                      "people with two rows": 0}
    line = f'"POST /webinars/sessions/{session_id}/book HTTP/1.1" 303'
    log = read_log_once_it_has(tmp_path / "gunicorn.log", line, CLICKERS)
    assert log.count(line) == CLICKERS
    assert "database is locked" not in log and "Traceback" not in log
