"""A real SMTP server on loopback, and a real huey consumer, for the tests where they matter."""
import itertools
import os
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller

import tasks
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
