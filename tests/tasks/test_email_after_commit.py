"""Every area queues email the same way: inside the transaction of the change. An email whose
transaction rolls back is never sent, not even by the sweep; one whose transaction commits
reaches the SMTP server once, however often the sweeps run afterwards."""
import datetime as dt

import pytest

from portal.blueprints.accounts import services as account_services
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services as board_services
from portal.blueprints.boards.models import Board, Thread
from portal.blueprints.hub.models import Article
from portal.blueprints.programmes import services_applications as applications
from portal.blueprints.programmes.models import Application
from portal.blueprints.staff import moderation
from portal.blueprints.webinars import services as webinar_services
from portal.db import db, utcnow
from portal.outbox import SENT, OutboxMessage
from portal.reports import POST
from tasks import huey
from tasks.boards import sweep_board_notifications
from tasks.email import sweep_outbox
from tasks.reminders import remind_owner_to_review
from tests.programme_factories import make_rtw, submitted
from tests.webinar_factories import make_session

RECIPIENT = "recipient@example.org"


class Rollback(Exception):
    """Raised inside the transaction to undo the change."""


def reset_request(app, make_user):
    make_user(email=RECIPIENT)
    return lambda: account_services.request_password_reset(RECIPIENT)


def first_post(staff, author, body="Hi all"):
    """A thread on a new board for everyone signed in; call with a connection open."""
    board = board_services.save_board(User.get_by_id(staff.id), None, name="General",
                                      description="", audience_value="signed_in",
                                      group_ids=[], position=0)
    return board_services.start_thread(User.get_by_id(author.id), Board.get_by_id(board.id),
                                       "Hello", body)


def moderator_warning(app, make_user):
    author = make_user(email=RECIPIENT)
    moderator = make_user(role="moderator")
    with app.app_context(), db.connection_context():
        post = first_post(moderator, author)
    return lambda: moderation.warn(User.get_by_id(moderator.id),
                                   moderation.load_item(POST, post.id), "Please be kind.")


def webinar_booking(app, make_user):
    person = make_user(email=RECIPIENT)
    session = make_session(app)
    return lambda: webinar_services.book_seat(User.get_by_id(person.id), session.id)


def board_reply(app, make_user):
    author = make_user(email=RECIPIENT)
    replier = make_user()
    with app.app_context(), db.connection_context():
        thread = first_post(make_user(role="staff"), author,
                            "How do you plan a handover?").thread_id
    return lambda: board_services.reply(User.get_by_id(replier.id),
                                        Thread.get_by_id(thread), "Start a month early.")


def hub_review_reminder(app, make_user, make_article):
    owner = make_user(role="staff", email=RECIPIENT)
    article = make_article(author=owner)
    with app.app_context(), db.connection_context():
        Article.update(review_by=utcnow().date() - dt.timedelta(days=1)).where(
            Article.id == article.id).execute()
    return lambda: remind_owner_to_review.call_local(article.id)


def programme_acceptance(app, make_user):
    applicant = make_user(email=RECIPIENT)
    staff = make_user(role="staff")
    with app.app_context(), db.connection_context():
        programme, cohort = make_rtw(User.get_by_id(staff.id))
        application = submitted(User.get_by_id(applicant.id), programme, cohort)
    return lambda: applications.accept(User.get_by_id(staff.id),
                                       Application.get_by_id(application.id))


AREAS = {"accounts": reset_request, "moderation": moderator_warning,
         "webinars": webinar_booking, "boards": board_reply, "hub": hub_review_reminder,
         "programmes": programme_acceptance}


@pytest.fixture
def action(request, app, make_user, make_article, smtp):
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    smtp.start()
    setup = AREAS[request.param]
    made = setup(app, make_user, make_article) if request.param == "hub" \
        else setup(app, make_user)
    # Set-up emails (a thread's own, an application's receipt) are not the test's.
    with app.app_context(), db.connection_context():
        OutboxMessage.delete().execute()
    smtp.inbox.messages.clear()
    return made


def run_the_sweeps(app):
    with app.app_context(), db.connection_context():
        sweep_board_notifications.call_local()
        sweep_outbox.call_local()


def outbox_to(app):
    with app.app_context(), db.connection_context():
        return [(m.status, m.attempts) for m in OutboxMessage.latest_to(RECIPIENT)]


@pytest.mark.parametrize("action", list(AREAS), indirect=True)
def test_an_email_whose_change_rolls_back_is_never_sent(app, action, smtp):
    with app.test_request_context(), db.connection_context():
        with pytest.raises(Rollback), db.atomic():
            action()
            raise Rollback
    # The board email is written by a job after the post; give both ways a chance to leak.
    run_the_sweeps(app)
    assert outbox_to(app) == []
    assert smtp.inbox.to(RECIPIENT) == []


@pytest.mark.parametrize("action", list(AREAS), indirect=True)
def test_an_email_whose_change_commits_is_sent_once(app, action, smtp):
    with app.test_request_context(), db.connection_context():
        with db.atomic():
            action()
            assert smtp.inbox.to(RECIPIENT) == []  # nothing leaves before the commit
    assert len(smtp.inbox.wait_for(RECIPIENT)) == 1
    run_the_sweeps(app)
    assert len(smtp.inbox.to(RECIPIENT)) == 1
    assert outbox_to(app) == [(SENT, 1)]


def test_the_board_post_emails_wait_for_the_outer_transaction(app, make_user, smtp):
    """A moderator's edit runs the boards' edit inside its own transaction: the mention it
    adds is emailed only once the moderator's whole change has committed."""
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    smtp.start()
    mentioned = make_user(email=RECIPIENT, name="Mira Mentioned")
    author, moderator = make_user(), make_user(role="moderator")
    with app.test_request_context(), db.connection_context():
        post = first_post(moderator, author)
        item = moderation.load_item(POST, post.id)
        with pytest.raises(Rollback), db.atomic():
            moderation.edit(User.get_by_id(moderator.id), item, "Hi @Mira Mentioned", "tag")
            raise Rollback
    run_the_sweeps(app)
    assert smtp.inbox.to(mentioned.email) == []

    with app.test_request_context(), db.connection_context():
        item = moderation.load_item(POST, post.id)
        moderation.edit(User.get_by_id(moderator.id), item, "Hi @Mira Mentioned", "tag")
    assert len(smtp.inbox.wait_for(mentioned.email)) == 1


def test_no_job_is_queued_before_the_transaction_commits(app, make_user, monkeypatch):
    """A consumer on another connection would run a job queued inside the transaction before
    the rows it needs are visible, and find nothing to do."""
    monkeypatch.setattr(huey, "immediate", False)
    huey.flush()
    author, moderator = make_user(), make_user(role="moderator")
    with app.test_request_context(), db.connection_context():
        post = first_post(moderator, author)
        huey.flush()
        with db.atomic():
            moderation.edit(User.get_by_id(moderator.id), moderation.load_item(POST, post.id),
                            "Hi everyone", "typo")
            moderation.warn(User.get_by_id(moderator.id), moderation.load_item(POST, post.id),
                            "Please be kind.")
            assert huey.pending_count() == 0
    assert huey.pending_count() == 2  # the post's notifications and the warning email
    huey.flush()
