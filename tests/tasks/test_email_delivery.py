"""Email through a real SMTP server on loopback: once, and never lost."""
import datetime as dt
import threading

import pytest

from portal.db import db, utcnow
from portal.outbox import SENDING, SENT, OutboxMessage, deliver, queue_email
from tasks.email import sweep_outbox
from tests.pages import Page


@pytest.fixture
def mail_app(app, smtp):
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{smtp.port}", OUTBOX_BACKOFF_SECONDS=1)
    return app


def status_of(app, address):
    with app.app_context(), db.connection_context():
        return [(m.status, m.attempts) for m in OutboxMessage.latest_to(address)]


def test_a_registration_email_arrives_once(mail_app, client, csrf_token, smtp):
    smtp.start()
    response = client.post("/accounts/register", data={
        "name": "Nadia", "email": "nadia@example.org", "password": "correct horse battery",
        "confirm": "correct horse battery", "csrf_token": csrf_token})
    assert response.status_code == 303
    [received] = smtp.inbox.wait_for("nadia@example.org")
    body = received.content.decode()
    assert "Subject: Confirm your email address" in body
    assert "/accounts/verify/" in body
    assert status_of(mail_app, "nadia@example.org") == [(SENT, 1)]


def test_with_the_server_down_the_email_waits_and_arrives_once_it_is_back(
        mail_app, client, csrf_token, smtp, make_user, consumer):
    make_user(email="rita@example.org")
    client.post("/accounts/password/forgot", data={"email": "rita@example.org",
                                                   "csrf_token": csrf_token})
    [(status, attempts)] = status_of(mail_app, "rita@example.org")
    assert (status, attempts) == ("queued", 0)  # the doorbell waits for the consumer

    consumer()
    deadline = utcnow() + dt.timedelta(seconds=20)
    while status_of(mail_app, "rita@example.org")[0][1] < 2 and utcnow() < deadline:
        threading.Event().wait(0.1)
    status, attempts = status_of(mail_app, "rita@example.org")[0]
    assert status == "queued" and attempts >= 2  # tried, failed, backed off, tried again
    with mail_app.app_context(), db.connection_context():
        assert "ConnectionRefusedError" in OutboxMessage.get().last_error

    smtp.start()
    received = smtp.inbox.wait_for("rita@example.org")
    assert len(received) == 1
    assert "Subject: Reset your password" in received[0].content.decode()
    threading.Event().wait(1.5)  # time for any duplicate to show up
    assert len(smtp.inbox.to("rita@example.org")) == 1
    assert status_of(mail_app, "rita@example.org")[0][0] == SENT


def test_the_same_key_is_one_message(mail_app, database):
    queue_email("welcome:1", "a@example.org", "Hello", "Body")
    queue_email("welcome:1", "a@example.org", "Hello again", "Other body")
    assert [m.subject for m in OutboxMessage.select()] == ["Hello"]


def test_concurrent_senders_send_a_row_once(mail_app, database, smtp):
    smtp.start()
    queue_email("k:1", "once@example.org", "Once", "Only once")
    message_id = OutboxMessage.get().id

    def send():
        with mail_app.app_context(), db.connection_context():
            deliver(message_id)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(smtp.inbox.wait_for("once@example.org")) == 1
    threading.Event().wait(0.5)
    assert len(smtp.inbox.to("once@example.org")) == 1


def test_the_sweep_sends_a_row_whose_doorbell_was_lost(mail_app, database, smtp):
    """huey delivers at most once: a consumer killed mid-task loses it. The row remains."""
    smtp.start()
    OutboxMessage.create(key="lost:1", to_addr="lost@example.org", subject="Lost",
                         body_text="Found")
    assert sweep_outbox.call_local() == 1
    assert len(smtp.inbox.wait_for("lost@example.org")) == 1
    assert sweep_outbox.call_local() == 0


def test_a_sender_that_died_holding_the_lease_is_taken_over_after_it_lapses(
        mail_app, database, smtp):
    smtp.start()
    now = utcnow()
    live = OutboxMessage.create(key="live", to_addr="live@example.org", subject="s",
                                body_text="b", status=SENDING, attempts=1,
                                lease_until=now + dt.timedelta(minutes=1))
    OutboxMessage.create(key="dead", to_addr="dead@example.org", subject="s", body_text="b",
                         status=SENDING, attempts=1, lease_until=now - dt.timedelta(seconds=1))
    assert deliver(live.id) is None  # someone else holds it
    assert sweep_outbox.call_local() == 1
    assert len(smtp.inbox.wait_for("dead@example.org")) == 1
    assert smtp.inbox.to("live@example.org") == []


def test_after_the_last_attempt_a_message_is_marked_failed(mail_app, database):
    mail_app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    queue_email("k:fail", "f@example.org", "s", "b")
    message = OutboxMessage.get()
    for _ in range(2):
        OutboxMessage.update(next_attempt_at=utcnow()).execute()
        deliver(message.id)
    assert OutboxMessage.get().status == "failed"


def test_staff_home_shows_the_outbox_counts(app, client, make_user, login, database):
    OutboxMessage.create(key="q", to_addr="q@example.org", subject="s", body_text="b")
    login(make_user(role="staff"))
    assert Page(client.get("/staff/")).text("#outbox-counts") == "1 waiting, 0 sent, 0 failed"
