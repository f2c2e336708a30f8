""""Tell me when the next cohort opens": sign-up, confirmation by signed link, one email
per confirmed address when a cohort opens, and unsubscribing, all signed out."""
import pytest

from portal.blueprints.programmes import services_alerts as alerts
from portal.blueprints.programmes.models import Cohort, OpeningAlert
from portal.db import db
from portal.outbox import OutboxMessage
from portal.signed_links import LinkProblem
from tests.conftest import link_in
from tests.programme_factories import make_rtw


@pytest.fixture
def rtw(app, make_user):
    staff = make_user(role="staff")
    with app.app_context(), db.connection_context():
        yield make_rtw(staff)


def token_from(message: OutboxMessage, marker: str) -> str:
    line = next(line for line in message.body_text.splitlines() if marker in line)
    return link_in(line).rsplit("/", 1)[1]


def test_sign_up_confirm_notify_once_and_unsubscribe(rtw):
    programme, cohort = rtw
    alerts.sign_up(" Ann@Example.org ", programme)
    alerts.sign_up("ann@example.org", programme)  # the same day: no second email
    unconfirmed = alerts.sign_up("bob@example.org", programme)
    confirm_mail = OutboxMessage.latest_to("ann@example.org")
    assert len(list(confirm_mail)) == 1
    token = token_from(confirm_mail[0], "/programmes/alerts/confirm/")
    alert = alerts.confirm(token)
    assert alert.confirmed_at is not None and alerts.confirm(token).id == alert.id

    assert list(Cohort.opening_due()) == [cohort]
    assert alerts.notify_opening(cohort) == 1
    assert alerts.notify_opening(cohort) == 0  # a second run sends nothing
    assert list(Cohort.opening_due()) == []
    opened = OutboxMessage.get(OutboxMessage.key == f"cohort-open:{cohort.id}:{alert.id}")
    assert opened.to_addr == "ann@example.org"
    assert not OutboxMessage.select().where(
        OutboxMessage.key == f"cohort-open:{cohort.id}:{unconfirmed.id}").exists()

    alerts.unsubscribe(token_from(opened, "/programmes/alerts/unsubscribe/"))
    assert OpeningAlert.get_by_id(alert.id).unsubscribed_at is not None
    assert list(OpeningAlert.subscribed(programme)) == []


def test_links_are_refused_when_forged_or_for_the_wrong_purpose(rtw):
    programme, _ = rtw
    alert = alerts.sign_up("ann@example.org", programme)
    with pytest.raises(LinkProblem):
        alerts.confirm("not-a-token")
    with pytest.raises(LinkProblem):
        alerts.confirm(alerts.make_token(alert, alerts.UNSUBSCRIBE))


def test_signing_up_again_after_unsubscribing_voids_the_old_links(rtw):
    programme, _ = rtw
    alert = alerts.sign_up("ann@example.org", programme)
    old_confirm = alerts.make_token(alert, alerts.CONFIRM)
    alerts.confirm(old_confirm)
    alerts.unsubscribe(alerts.make_token(alert, alerts.UNSUBSCRIBE))
    renewed = alerts.sign_up("ann@example.org", programme)
    assert renewed.id == alert.id and renewed.confirmed_at is None
    with pytest.raises(LinkProblem):
        alerts.confirm(old_confirm)
    assert alerts.confirm(alerts.make_token(renewed, alerts.CONFIRM)).confirmed_at


def test_confirmation_links_expire(app, rtw, monkeypatch):
    programme, _ = rtw
    alert = alerts.sign_up("ann@example.org", programme)
    token = alerts.make_token(alert, alerts.CONFIRM)
    app.config["VERIFY_LINK_HOURS"] = -1
    with pytest.raises(LinkProblem) as problem:
        alerts.confirm(token)
    assert problem.value.reason == "expired"
