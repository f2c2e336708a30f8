"""Real servers: gunicorn serving the portal from a migrated database."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.tasks.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def serve_with_gunicorn(tmp_path, workers: int, extra_env: dict | None = None):
    port = free_port()
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path), "COOKIE_SECURE": "0",
           "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db",
           "HUEY_URL": f"sqlite:///{tmp_path}/huey.db",
           "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **(extra_env or {})}
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 closed by the fixture
    # No control socket: its default path (~/.gunicorn/gunicorn.ctl) is shared by every
    # gunicorn, and with xdist two tests may serve at once.
    process = subprocess.Popen(
        [bin_dir / "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "-", "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    return process, base, log


@pytest.fixture
def gunicorn(tmp_path):
    started = []

    def start(workers=3, **env):
        process, base, log = serve_with_gunicorn(tmp_path, workers, env)
        started.append((process, log))
        return base

    yield start
    for process, log in started:
        process.terminate()
        # gunicorn lets workers finish for up to its graceful timeout (30 s) on SIGTERM.
        process.wait(timeout=60)
        log.close()


@pytest.fixture
def server_database(tmp_path):
    """A DATABASE_URL for a server started with `gunicorn(DATABASE_URL=...)`: a new SQLite
    file, or, when the suite runs on PostgreSQL, a new database on that server (dropped
    afterwards), so the server's migrations start from nothing."""
    from tests.conftest import ON_POSTGRES, POSTGRES_URL

    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path}/server.db"
        return
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2

    name = f"tandem_server_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def read_log_once_it_has(path, line: str, count: int, timeout: float = 10.0) -> str:
    """gunicorn writes a request's access-log line after it has sent the response, so the
    client can finish first: wait (bounded) until the log has every line, then return it."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text()
        if text.count(line) >= count or time.monotonic() > deadline:
            return text
        time.sleep(0.05)
