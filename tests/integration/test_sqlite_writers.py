"""Many writers at once against gunicorn with 3 workers on one SQLite file."""
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.conftest import read_log_once_it_has

WRITERS = 20
WRITES_EACH = 4


def browser():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        NoRedirect())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(opener, url, data):
    try:
        with opener.open(url, urllib.parse.urlencode(data).encode(), timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def csrf_from(opener, url):
    html = opener.open(url, timeout=60).read().decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def writer(base, n):
    """Registers, then saves a profile: each request reads, then writes, in one transaction."""
    opener = browser()
    statuses = []
    for i in range(WRITES_EACH):
        token = csrf_from(opener, base + "/accounts/register")
        status, body = post_form(opener, base + "/accounts/register", {
            "name": f"Writer {n}-{i}", "email": f"writer{n}-{i}@example.org",
            "password": "correct horse battery", "confirm": "correct horse battery",
            "csrf_token": token})
        statuses.append((status, "locked" in body)
                        if status == 303 else (status, re.findall(r"<h1>(.*?)</h1>", body)))
    return statuses


@pytest.mark.slow
def test_twenty_concurrent_writers_never_see_database_is_locked(gunicorn, tmp_path):
    base = gunicorn(workers=3)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = [s for batch in pool.map(lambda n: writer(base, n), range(WRITERS))
                   for s in batch]
    assert len(results) == WRITERS * WRITES_EACH
    assert results == [(303, False)] * len(results)
    line = '"POST /accounts/register HTTP/1.1" 303'
    log = read_log_once_it_has(tmp_path / "gunicorn.log", line, WRITERS * WRITES_EACH)
    assert "database is locked" not in log
    assert log.count(line) == WRITERS * WRITES_EACH
