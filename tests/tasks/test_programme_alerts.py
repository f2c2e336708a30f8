"""The programme jobs end to end: "tell me when it opens" through a real huey consumer and
a real SMTP server (sign up and confirm signed out, one email per confirmed address when
the cohort opens, unsubscribe signed out), and the pay-it-forward invitation, once."""
import datetime as dt
import email
import threading

import pytest

from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import MENTEE, MENTOR, Application, Cohort, OpeningAlert
from portal.db import db
from portal.outbox import OutboxMessage
from tasks.programmes import find_mentees_to_invite, find_opening_cohorts, invite_to_pay_it_forward
from tests.conftest import link_in
from tests.pages import Page
from tests.programme_factories import cohort_details, make_rtw, mentor_answers, submitted


def text_of(received) -> str:
    message = email.message_from_bytes(received.content)
    return message.get_payload(decode=True).decode()


def subject_of(received) -> str:
    return email.message_from_bytes(received.content)["Subject"]


def line_with(body: str, marker: str) -> str:
    return next(line for line in body.splitlines() if marker in line)


@pytest.fixture
def mail_app(app, smtp):
    app.config.update(MAIL_URL=f"smtp://127.0.0.1:{smtp.port}", OUTBOX_BACKOFF_SECONDS=1)
    smtp.start()
    return app


def test_sign_up_confirm_one_email_when_it_opens_and_unsubscribe_signed_out(
        mail_app, client, csrf_token, make_user, smtp, consumer, today):
    staff = make_user(role="staff")
    with mail_app.app_context(), db.connection_context():
        programme, cohort = make_rtw(staff)
        Cohort.update(recruitment_opens=today + dt.timedelta(days=1)).execute()
    consumer()
    page = Page(client.get(f"/programmes/{programme.slug}"))
    assert page.text("#opening-alert h2") == "Tell me when the next cohort opens"
    for address in ("ann@example.org", "bob@example.org"):  # Bob never confirms
        response = client.post(f"/programmes/{programme.slug}/alerts",
                               data={"email": address, "csrf_token": csrf_token})
        assert response.status_code == 303

    [confirmation] = smtp.inbox.wait_for("ann@example.org")
    assert subject_of(confirmation) == "Confirm: tell me when Return to Work opens"
    confirm_url = link_in(line_with(text_of(confirmation), "/programmes/alerts/confirm/"))
    assert Page(client.get(confirm_url)).heading() == "You will hear when Return to Work opens"
    assert len(smtp.inbox.wait_for("bob@example.org")) == 1

    with mail_app.app_context(), db.connection_context():
        assert find_opening_cohorts.call_local() == 0  # not open yet
        Cohort.update(recruitment_opens=today).execute()
        assert find_opening_cohorts.call_local() == 1  # fans out to the consumer
    received = smtp.inbox.wait_for("ann@example.org", count=2)
    assert [subject_of(m) for m in received][1] == "Return to Work is open for applications"
    with mail_app.app_context(), db.connection_context():
        assert find_opening_cohorts.call_local() == 0  # a later run finds nothing due
    threading.Event().wait(1.5)  # time for a duplicate to show up
    assert len(smtp.inbox.to("ann@example.org")) == 2
    assert len(smtp.inbox.to("bob@example.org")) == 1  # unconfirmed: no opening email

    opening = text_of(received[1])
    assert f"/programmes/{programme.slug}" in line_with(opening, "Read about it and apply")
    unsubscribe_url = link_in(line_with(opening, "/programmes/alerts/unsubscribe/"))
    assert Page(client.get(unsubscribe_url)).heading() == "Stop emails about Return to Work"
    response = client.post(unsubscribe_url, data={"csrf_token": csrf_token})
    assert response.status_code == 303
    with mail_app.app_context(), db.connection_context():
        alert = OpeningAlert.get(OpeningAlert.email == "ann@example.org")
        assert alert.unsubscribed_at is not None and alert.notified_cohort_id == cohort.id


def end_mentoring(cohort, today: dt.date) -> None:
    """Move a cohort's dates so its mentoring ended yesterday."""
    shift = cohort.mentoring_ends - today + dt.timedelta(days=1)
    Cohort.update({field: getattr(cohort, field) - shift for field in (
        "recruitment_opens", "recruitment_closes", "training_starts", "training_ends",
        "mentoring_starts", "mentoring_ends", "evaluation_starts", "evaluation_ends")}
    ).where(Cohort.id == cohort.id).execute()


def test_pay_it_forward_invites_once_by_email_and_on_the_dashboard(
        app, client, make_user, login, csrf_token, today):
    staff, mentee = make_user(role="staff"), make_user(name="Tom Mentee")
    with app.app_context(), db.connection_context():
        programme, first = make_rtw(staff)
        place = submitted(mentee, programme, first, MENTEE)
        apps.accept(staff, place)
        end_mentoring(first, today)
        services.create_cohort(staff, programme, cohort_details(name="2028"))

        assert find_mentees_to_invite.call_local() == 1
        assert find_mentees_to_invite.call_local() == 0
        assert invite_to_pay_it_forward.call_local(place.id) is True  # run again: no new row
        [invitation] = OutboxMessage.select().where(
            OutboxMessage.key.startswith("pay-it-forward:"))
    assert invitation.to_addr == mentee.email
    assert invitation.subject == "Pay it forward: be a mentor on Return to Work"
    assert f"/programmes/{programme.slug}/apply/mentor" in invitation.body_text

    login(mentee)
    dashboard = Page(client.get("/dashboard"))
    assert dashboard.links()["Apply as a mentor for 2028"] == (
        f"/programmes/{programme.slug}/apply/mentor")
    form = Page(client.get(f"/programmes/{programme.slug}/apply/mentor"))
    assert form.links()["Your mentee application"] == f"/programmes/applications/{place.id}"

    with app.app_context(), db.connection_context():
        second = Cohort.get(Cohort.name == "2028")
        mine = submitted(mentee, programme, second, MENTOR, mentor_answers(programme))
        assert Application.get_by_id(mine.id).was_mentee_in_id == place.id
    page = Page(client.get(f"/programmes/applications/{mine.id}"))
    assert page.links()["your mentee application"] == f"/programmes/applications/{place.id}"
    assert Page(client.get("/dashboard")).soup.select(".tandem-pay-it-forward") == []
