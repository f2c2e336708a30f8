"""Board notification emails: per preferences, one per thread until read, a daily cap with
the rest in a digest, watch levels, the audience checked again when the job runs, and a
real consumer delivering to a real SMTP server."""
import datetime as dt

import pytest

from portal import notifications, settings
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services
from portal.blueprints.boards.models import Notification, Thread
from portal.db import db, utcnow
from portal.groups import GroupMembership
from portal.outbox import OutboxMessage
from tasks.boards import (
    email_post_notifications,
    find_board_digests,
    send_board_digest,
    sweep_board_notifications,
)
from tests.web.boards_setup import *  # noqa: F403


def emails_to(app, person) -> list[OutboxMessage]:
    with app.app_context(), db.connection_context():
        return list(OutboxMessage.select().where(OutboxMessage.to_addr == person.email)
                    .order_by(OutboxMessage.id))


def states(app, person) -> list[tuple[str, str]]:
    with app.app_context(), db.connection_context():
        return [(n.kind, n.email) for n in Notification.select().where(
            Notification.user == person.id).order_by(Notification.id)]


def read_thread(app, person, post) -> None:
    with app.app_context(), db.connection_context():
        thread = Thread.get_by_id(post.thread_id)
        services.mark_read(User.get_by_id(person.id), thread, thread.post_count, [])


def test_one_email_per_thread_until_the_person_has_read_it(app, boards, post_as):
    first = post_as(boards.mentor, boards.general, "Keeping in touch days", "How many?")
    for n in range(3):
        post_as(boards.outsider, thread=first.thread, body=f"Reply {n}")
    [email] = emails_to(app, boards.mentor)
    assert email.subject == "New reply in “Keeping in touch days”"
    assert "Omar Outsider replied in “Keeping in touch days” on General:" in email.body_text
    assert "Reply 0" in email.body_text and f"/boards/posts/{first.id + 1}" in email.body_text
    read_thread(app, boards.mentor, first)
    post_as(boards.outsider, thread=first.thread, body="After you read it")
    assert [e.subject for e in emails_to(app, boards.mentor)] == [
        "New reply in “Keeping in touch days”"] * 2
    assert states(app, boards.mentor) == [("reply", "sent"), ("reply", "batched"),
                                          ("reply", "batched"), ("reply", "sent")]


def test_after_the_daily_cap_the_rest_waits_for_the_digest(app, boards, post_as):
    with app.app_context(), db.connection_context():
        settings.save({"boards_daily_email_cap": 2})
    for n in range(4):
        post_as(boards.staff, boards.general, f"Question {n}", f"What now, @Mina Mentor? {n}")
    assert [e.subject for e in emails_to(app, boards.mentor)] == [
        "Sam Staff mentioned you in “Question 0”", "Sam Staff mentioned you in “Question 1”"]
    assert [s for _, s in states(app, boards.mentor)] == ["sent", "sent", "digest", "digest"]

    with app.app_context(), db.connection_context():
        assert find_board_digests.call_local() == 1
        assert find_board_digests.call_local() == 0  # run twice, sent once
        assert send_board_digest.call_local(boards.mentor.id) == 0
    digest = emails_to(app, boards.mentor)[-1]
    assert digest.subject.startswith("Your boards digest for ")
    assert digest.subject.endswith(": 2 new posts")
    assert "Sam Staff mentioned you in “Question 2” (General)" in digest.body_text
    assert "Question 3" in digest.body_text and "Question 1" not in digest.body_text
    assert [s for _, s in states(app, boards.mentor)] == ["sent", "sent", "digested", "digested"]


def test_preferences_decide_which_emails_are_sent(app, boards, post_as):
    with app.app_context(), db.connection_context():
        notifications.set_channels(boards.mentor.id, {"board_mention": "site"}, "preferences")
        notifications.set_channels(boards.outsider.id, {"board_mention": "digest"},
                                   "preferences")
        notifications.set_channels(boards.staff.id, {"board_mention": "off"}, "preferences")
    post_as(boards.staff, boards.general, "Two people", "@Mina Mentor and @Omar Outsider")
    post_as(boards.mentor, boards.general, "Off", "Nothing at all for @Sam Staff")
    assert emails_to(app, boards.mentor) == [] and emails_to(app, boards.outsider) == []
    assert states(app, boards.mentor) == [("mention", "none")]  # still in the portal
    assert states(app, boards.outsider) == [("mention", "digest")]
    assert states(app, boards.staff) == []  # switched off: not even in the portal
    with app.app_context(), db.connection_context():
        find_board_digests.call_local()
    [digest] = emails_to(app, boards.outsider)
    assert "mentioned you in “Two people”" in digest.body_text
    assert "Stop these emails: http://localhost/notifications/unsubscribe/" in digest.body_text
    assert digest.header_dict["List-Unsubscribe"].startswith(
        "<http://localhost/notifications/one-click/")
    assert digest.header_dict["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_watch_levels(app, boards, post_as):
    with app.app_context(), db.connection_context():
        services.set_watch(User.get_by_id(boards.outsider.id), "watching",
                           board=boards.general)
    first = post_as(boards.mentor, boards.general, "Board watchers hear of this", "New!")
    assert states(app, boards.outsider) == [("thread", "sent")]
    assert emails_to(app, boards.outsider)[0].subject == (
        "New thread on General: “Board watchers hear of this”")
    with app.app_context(), db.connection_context():
        services.set_watch(User.get_by_id(boards.outsider.id), "normal",
                           thread=Thread.get_by_id(first.thread_id))
    post_as(boards.mentor, thread=first.thread, body="Not for a normal watcher")
    post_as(boards.mentor, thread=first.thread, body="Unless mentioned, @Omar Outsider")
    assert [k for k, _ in states(app, boards.outsider)] == ["thread", "mention"]
    with app.app_context(), db.connection_context():
        services.set_watch(User.get_by_id(boards.outsider.id), "muted",
                           thread=Thread.get_by_id(first.thread_id))
    post_as(boards.mentor, thread=first.thread, body="Muted: not even @Omar Outsider")
    assert [k for k, _ in states(app, boards.outsider)] == ["thread", "mention"]


def test_the_job_checks_the_audience_again_before_emailing(app, boards, post_as, monkeypatch):
    monkeypatch.setattr(services, "notify_later", lambda post_id: None)
    post = post_as(boards.staff, boards.mentors, "For mentors", "Over to you, @Mina Mentor")
    assert states(app, boards.mentor) == [("mention", "pending")]
    with app.app_context(), db.connection_context():
        GroupMembership.delete().execute()
        assert email_post_notifications.call_local(post.id) == 1
    assert states(app, boards.mentor) == [("mention", "skipped")]
    assert emails_to(app, boards.mentor) == []


def test_nobody_is_emailed_about_a_post_deleted_or_read_before_the_job_ran(app, boards,
                                                                          post_as, monkeypatch):
    monkeypatch.setattr(services, "notify_later", lambda post_id: None)
    deleted = post_as(boards.staff, boards.general, "Oops", "Wrong thread @Mina Mentor")
    read = post_as(boards.staff, boards.general, "Seen", "Already seen, @Mina Mentor")
    with app.app_context(), db.connection_context():
        services.delete_post(deleted)
    read_thread(app, boards.mentor, read)
    with app.app_context(), db.connection_context():
        email_post_notifications.call_local(deleted.id)
        email_post_notifications.call_local(read.id)
    assert states(app, boards.mentor) == [("mention", "skipped"), ("mention", "skipped")]
    assert emails_to(app, boards.mentor) == []


def test_the_sweep_sends_what_lost_its_doorbell(app, boards, post_as, monkeypatch):
    monkeypatch.setattr(services, "notify_later", lambda post_id: None)
    post_as(boards.staff, boards.general, "Lost bell", "Hello @Mina Mentor")
    with app.app_context(), db.connection_context():
        assert sweep_board_notifications.call_local() == 0  # not a minute old yet
        Notification.update(created_at=utcnow() - dt.timedelta(minutes=2)).execute()
        assert sweep_board_notifications.call_local() == 1
        assert sweep_board_notifications.call_local() == 0
    assert [e.subject for e in emails_to(app, boards.mentor)] == [
        "Sam Staff mentioned you in “Lost bell”"]


@pytest.mark.slow
def test_a_real_consumer_emails_the_person_mentioned(app, smtp, consumer, client, login,
                                                     boards, csrf_token):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    smtp.start()
    consumer()
    login(boards.staff)
    response = client.post("/boards/general/new", data={
        "title": "Supervision dates", "body": "Can you lead this one, @Mina Mentor?",
        "csrf_token": csrf_token})
    assert response.status_code == 303
    [received] = smtp.inbox.wait_for(boards.mentor.email)
    content = received.content.decode()
    assert "Subject: =?utf-8?" in content or "Subject: Sam Staff mentioned you" in content
    assert "/boards/posts/" in content
    assert smtp.inbox.to(boards.staff.email) == []
