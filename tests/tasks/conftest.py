"""A real SMTP server on loopback, and a real huey consumer, for the tests where they matter."""
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller

import tasks
from tasks import huey


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
