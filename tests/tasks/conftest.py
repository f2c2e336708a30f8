"""A real SMTP server on loopback, and a real huey consumer, for the tests where they matter."""
import email
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

import tasks
from portal.db import db
from portal.outbox import OutboxMessage
from tasks import huey


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            return int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


# Ports below the kernel's ephemeral range, which bind(0) and every outgoing connection draw
# from: a block of its own for each xdist worker, taken in turn from a place set by the pid.
_BLOCK = 500
_BLOCKS_FROM = 10_000
_blocks = max(1, (_ephemeral_low() - _BLOCKS_FROM) // _BLOCK)
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
_block_start = _BLOCKS_FROM + (int(_worker) % _blocks if _worker.isdigit() else 0) * _BLOCK
_next = itertools.count(os.getpid())


def free_port() -> int:
    """A loopback port nobody is using, for a server (SMTP, redis, gunicorn) that binds it a
    moment later. The kernel's own pick (bind to port 0) could be handed out again in that
    moment, to another worker's server or to a client socket; ports from this worker's own
    block, below the ephemeral range, cannot."""
    for _ in range(_BLOCK):
        port = _block_start + next(_next) % _BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_block_start}-{_block_start + _BLOCK - 1}")


class Inbox:
    """Collects what the SMTP server receives."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address):
        with self._lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for(self, address, count=1, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count:
                return self.to(address)
            time.sleep(0.05)
        return self.to(address)


class SmtpServer:
    def __init__(self, port):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    """Not started yet: a test starts it, or leaves it down to see retries."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def consumer(app):
    """A real huey consumer thread pool on a SQLite queue, running tasks in the test's app."""
    huey.immediate = False
    huey.flush()
    tasks.use_app(app)
    started = []

    def start():
        worker = huey.create_consumer(workers=2, worker_type="thread", periodic=True,
                                      initial_delay=0.05, max_delay=0.2,
                                      check_worker_health=False)
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(graceful=True)
    huey.flush()
    huey.immediate = True
    tasks.use_app(None)


# A real consumer next to a real SMTP server, for the tests that kill it mid-run.

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_consumer(app, tmp_path, smtp):
    """`huey_consumer tasks.huey -w 2 -k thread -m 1` as its own process, on the test's
    database, its own queue file and the loopback SMTP server. Returns the Popen."""
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path),
           "DATABASE_URL": app.config["DATABASE_URL"],
           "HUEY_URL": f"sqlite:///{tmp_path}/consumer-huey.db",
           "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "SECRET_KEY": "test-secret-key",
           "BASE_URL": "http://localhost", "OUTBOX_LEASE_SECONDS": "2",
           "OUTBOX_BACKOFF_SECONDS": "1"}
    started = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"consumer-{len(started) + 1}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [Path(sys.executable).parent / "huey_consumer", "tasks.huey", "-w", "2",
             "-k", "thread", "-m", "1"], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT)
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def received(smtp) -> dict[tuple[str, str], set[str]]:
    """(recipient, outbox key) -> the Message-IDs that arrived for it."""
    found = defaultdict(set)
    for envelope in list(smtp.inbox.messages):
        parsed = email.message_from_bytes(envelope.content)
        for rcpt in envelope.rcpt_tos:
            found[(rcpt, parsed["X-Tandem-Key"])].add(parsed["Message-ID"])
    return found


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def expected_keys(app) -> set[tuple[str, str]]:
    with app.app_context(), db.connection_context():
        return {(m.to_addr, m.key) for m in OutboxMessage.select()}
