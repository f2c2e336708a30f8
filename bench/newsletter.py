"""`make bench`, newsletter line: a 10,000-recipient newsletter delivered through the outbox
to an SMTP server on loopback, timed from "send now" to the last message accepted.

A fresh SQLite database in a temporary directory (migrated), 10,000 confirmed accounts that
asked for the newsletter by email, and an issue with two articles, one of them for a group
of half the people (so every copy is worked out for its reader). A real huey consumer
(`huey_consumer tasks.huey -w 2 -k thread`, periodic jobs off so only the sending is
measured) and an aiosmtpd server each run in a process of their own; the server counts what
it accepts, and the bench checks it got exactly one message per recipient.

    .venv/bin/python bench/newsletter.py [--recipients 10000] [--target 60]
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def serve_smtp(port: int) -> None:
    """The loopback server (run as a child process): counts messages, prints the count
    when told to stop."""
    from aiosmtpd.controller import Controller

    class Count:
        accepted = 0
        recipients: set[str] = set()

        async def handle_DATA(self, server, session, envelope):
            self.accepted += 1
            self.recipients.update(envelope.rcpt_tos)
            return "250 Message accepted for delivery"

    handler = Count()
    controller = Controller(handler, hostname=HOST, port=port)
    controller.start()
    print("ready", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping:
        time.sleep(0.1)
    controller.stop()
    print(f"{handler.accepted} {len(handler.recipients)}", flush=True)


def environment(tmp: Path, smtp_port: int) -> dict:
    return {**os.environ,
            "INSTANCE_DIR": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp / 'tandem.db'}",
            "HUEY_URL": f"sqlite:///{tmp / 'huey.db'}",
            "UPLOAD_DIR": str(tmp / "uploads"),
            "MAIL_URL": f"smtp://{HOST}:{smtp_port}",
            "TANDEM_ENV": "development",  # local defaults: loopback, a generated key
            "PYTHONPATH": str(ROOT)}


def populate(recipients: int):
    """The people, their consent and an issue; returns (app, staff id, issue id)."""
    # Imported here, not at the top: the portal and the queue read DATABASE_URL and
    # HUEY_URL when first imported, and run() sets them for this bench's own files first.
    from portal import audience, create_app
    from portal.blueprints.accounts.models import User
    from portal.blueprints.hub.models import PUBLISHED, Article
    from portal.blueprints.newsletter import services
    from portal.cli import migrate
    from portal.db import db, utcnow
    from portal.groups import Group, GroupMembership
    from portal.notifications import NotificationPreference

    app = create_app()
    with app.app_context(), db.connection_context():
        migrate()
        now = utcnow()
        staff = User.create(name="Sam Staff", email="staff@bench.example", password_hash="x",
                            role="staff", email_verified_at=now)
        people = [{"name": f"Reader {n}", "email": f"reader{n}@bench.example",
                   "password_hash": "x", "email_verified_at": now} for n in range(recipients)]
        with db.atomic():
            for start in range(0, len(people), 500):
                User.insert_many(people[start:start + 500]).execute()
        ids = [uid for (uid,) in User.select(User.id).where(User.id != staff.id).tuples()]
        group = Group.create(name="Half of them")
        with db.atomic():
            rows = [{"user": uid, "kind": "newsletter", "channel": "email", "updated_at": now}
                    for uid in ids]
            for start in range(0, len(rows), 500):
                NotificationPreference.insert_many(rows[start:start + 500]).execute()
            members = [{"group": group.id, "user": uid} for uid in ids[::2]]
            for start in range(0, len(members), 500):
                GroupMembership.insert_many(members[start:start + 500]).execute()
        chosen = []
        for title, who in (("For half of them", audience.GROUPS), ("For everyone",
                                                                   audience.SIGNED_IN)):
            article = Article.create(title=title, slug=title.lower().replace(" ", "-"),
                                     summary="A bench article.", status=PUBLISHED,
                                     audience=who, owner=staff.id, published_at=now)
            if who == audience.GROUPS:
                audience.set_groups(article, [group.id])
            chosen.append(("article", article.id))
        issue = services.save_issue(staff, None, subject="Bench news", intro="Hello.",
                                    segment="everyone", chosen=chosen)
    return app, staff.id, issue.id


def run(recipients: int, target: float) -> bool:
    """Print the line; False if the server did not get exactly one message per person."""
    with tempfile.TemporaryDirectory(prefix="tandem-newsletter-bench-") as tmp_name:
        tmp = Path(tmp_name)
        port = free_port()
        env = environment(tmp, port)
        os.environ.update(env)  # before the portal and the queue read their settings
        sys.path.insert(0, str(ROOT))
        server = subprocess.Popen([sys.executable, __file__, "--smtp-server", str(port)],
                                  env=env, stdout=subprocess.PIPE, text=True)
        consumer = None
        try:
            assert server.stdout.readline().strip() == "ready"
            app, staff_id, issue_id = populate(recipients)
            consumer = subprocess.Popen(
                [sys.executable, "-m", "huey.bin.huey_consumer", "tasks.huey", "-w", "2",
                 "-k", "thread", "-m", "0.1", "-n", "-q"], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=(tmp / "consumer.log").open("w"))
            elapsed, sent = send_and_wait(app, staff_id, issue_id, recipients, target * 5)
        finally:
            if consumer is not None:
                consumer.send_signal(signal.SIGINT)
                consumer.wait(timeout=30)
            server.send_signal(signal.SIGTERM)
            accepted, addresses = (int(n) for n in server.communicate(timeout=30)[0].split())
        once = accepted == sent == recipients and addresses == recipients
        print(f"newsletter   {recipients:,} recipients through the outbox to loopback SMTP: "
              f"{elapsed:.1f} s, {sent / elapsed:,.0f} messages/s; the server accepted "
              f"{accepted:,} for {addresses:,} addresses "
              f"({'one each' if once else 'NOT one each'}); "
              f"{'within' if elapsed <= target else 'OVER'} the {target:.0f} s target")
        if not once:
            print((tmp / "consumer.log").read_text()[-3000:])
    return once


def send_and_wait(app, staff_id: int, issue_id: int, recipients: int, give_up: float):
    """Press "send now" (the doorbell rings the consumer's queue), then watch the outbox."""
    import tasks
    from portal.blueprints.accounts.models import User
    from portal.blueprints.newsletter import services
    from portal.blueprints.newsletter.models import NewsletterIssue
    from portal.db import db
    from portal.outbox import SENT, OutboxMessage

    tasks.huey.immediate = False
    # The consumer has started (its app made, its first poll done) once it answers a job.
    tasks.email.send_outbox_batch([]).get(blocking=True, timeout=120)
    with app.app_context(), db.connection_context():
        started = time.monotonic()
        services.schedule(User.get_by_id(staff_id), NewsletterIssue.get_by_id(issue_id), None)
        sent = 0
        while sent < recipients and time.monotonic() - started < give_up:
            time.sleep(0.25)
            sent = OutboxMessage.select().where(OutboxMessage.status == SENT).count()
        return time.monotonic() - started, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--target", type=float, default=60.0)
    parser.add_argument("--smtp-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smtp_server:
        serve_smtp(args.smtp_server)
        return
    sys.exit(0 if run(args.recipients, args.target) else 1)


if __name__ == "__main__":
    main()
