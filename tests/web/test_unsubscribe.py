"""Stopping an email without logging in: the visible link (a page with one button, then
what was switched off and an undo), the RFC 8058 one-click POST a mail provider sends (no
cookies, no CSRF token), and links that were tampered with, made for someone else or for
another purpose, which change nothing."""
import base64
import json
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from portal import mail_preferences, notifications
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import services_checkins
from portal.db import db
from portal.notifications import PreferenceChange
from portal.outbox import OutboxMessage
from tests.conftest import link_in
from tests.pages import Page

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def emailed(app, make_user):
    """Two people who each got an email about a free webinar seat (a kind one can stop)."""
    people = [make_user(name="Una Unsubscriber"), make_user(name="Kit Keeper")]
    with app.app_context(), db.connection_context():
        for n, person in enumerate(people):
            mail_preferences.queue_email(User.get_by_id(person.id), "webinar_offer",
                                         f"offer:{n}", "A seat is free at “Supervision”",
                                         "Claim it on the site.")
    return people


def message_to(app, person) -> OutboxMessage:
    with app.app_context(), db.connection_context():
        return OutboxMessage.get(OutboxMessage.to_addr == person.email)


def channels(app, *people) -> list[str]:
    with app.app_context(), db.connection_context():
        return [notifications.channel_for(p.id, "webinar_offer") for p in people]


def changes(app) -> list[tuple[int, str, str, str]]:
    with app.app_context(), db.connection_context():
        return [(c.user_id, c.previous, c.channel, c.source)
                for c in PreferenceChange.select().order_by(PreferenceChange.id)]


def one_click_path(message: OutboxMessage) -> str:
    url = message.header_dict["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://localhost/notifications/one-click/")
    return url.removeprefix("http://localhost")


def test_the_email_links_work_signed_out_say_what_was_stopped_and_undo(app, client, emailed):
    una, kit = emailed
    message = message_to(app, una)
    assert message.header_dict["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    visible = link_in(message.body_text.split("Stop these emails:")[1])

    page = Page(client.get(visible))  # opening the link changes nothing: scanners open links
    assert page.heading() == "Stop emails about free seats on webinars?"
    assert f"{una.email[0]}•••@example.org" in page.text("main")
    assert channels(app, una) == ["email"]

    stopped = client.post(visible, data={"csrf_token": page.soup.find(
        "input", {"name": "csrf_token"})["value"]})
    assert stopped.status_code == 303
    page = Page(client.get(visible))
    assert page.flashes() == ["Emails about free seats on webinars are switched off."]
    assert page.heading() == "Emails about free seats on webinars are switched off"
    assert [b.get_text(strip=True) for b in page.soup.select("main button")] == [
        "Undo: email me again"]
    assert channels(app, una, kit) == ["site", "email"]

    undo = page.soup.select_one("main form")
    client.post(undo["action"], data={"csrf_token": undo.find(
        "input", {"name": "csrf_token"})["value"]})
    assert Page(client.get(visible)).heading() == "Stop emails about free seats on webinars?"
    assert channels(app, una) == ["email"]
    assert changes(app) == [(una.id, "email", "site", "unsubscribe link"),
                            (una.id, "site", "email", "undo")]
    assert client.get(one_click_path(message)).headers["Location"] == visible


def test_a_mail_provider_unsubscribes_in_one_click(app, emailed):
    """RFC 8058: a POST to the List-Unsubscribe address with the one-click body, from a
    client with no cookies and no CSRF token."""
    una, kit = emailed
    provider = app.test_client()
    response = provider.post(one_click_path(message_to(app, una)), data=ONE_CLICK)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert channels(app, una, kit) == ["site", "email"]
    assert changes(app) == [(una.id, "email", "site", "one-click")]
    again = provider.post(one_click_path(message_to(app, una)), data=ONE_CLICK)
    assert again.status_code == 200 and len(changes(app)) == 1


def _payload(token: str) -> dict:
    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _rewrite(token: str, **changes) -> str:
    """The token with its data changed but its signature kept, as a forger would try."""
    data = _payload(token) | changes
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return ".".join([body.decode().rstrip("="), *token.split(".")[1:]])


def test_tampered_and_wrong_person_links_change_nothing(app, client, emailed, csrf_token):
    una, kit = emailed
    token = re.search(r"/one-click/([^>]+)", message_to(app, una).header_dict[
        "List-Unsubscribe"]).group(1)
    with app.app_context():
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="tandem-other")
        other_purpose = serializer.dumps({"u": kit.id, "k": ["webinar_offer"]})
        locked = mail_preferences.make_token(User.get_by_id(kit.id), ["account_security"])
        checkin = services_checkins.make_token(kit.id, "on_track")
    forged = {
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "another person's id": _rewrite(token, u=kit.id),
        "another kind": _rewrite(token, k=["newsletter"]),
        "another purpose": other_purpose,
        "a check-in link": checkin,
        "a kind that cannot be stopped": locked,
    }
    for name, bad in forged.items():
        one_click = app.test_client().post(f"/notifications/one-click/{bad}", data=ONE_CLICK)
        assert one_click.status_code == 400, name
        page = client.post(f"/notifications/unsubscribe/{bad}",
                           data={"csrf_token": csrf_token})
        assert page.status_code == 400, name
        assert Page(page).heading() == "This link is not valid. Check you copied the whole " \
                                       "link from the email.", name
        assert client.post(f"/notifications/unsubscribe/{bad}/undo",
                           data={"csrf_token": csrf_token}).status_code == 400, name
    with app.app_context(), db.connection_context():
        assert notifications.channel_for(kit.id, "account_security") == "email"
    assert channels(app, una, kit) == ["email", "email"] and changes(app) == []


def test_a_link_stops_working_once_the_account_has_another_address(app, emailed):
    """The old address may now be someone else's: their copy of an old email must not
    change the account's choices."""
    una, _ = emailed
    path = one_click_path(message_to(app, una))
    with app.app_context(), db.connection_context():
        User.update(email="una.new@example.org").where(User.id == una.id).execute()
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 400
    assert channels(app, una) == ["email"] and changes(app) == []


def test_the_visible_page_refuses_a_post_without_its_button(client, emailed, app):
    una, _ = emailed
    visible = link_in(message_to(app, una).body_text.split("Stop these emails:")[1])
    assert client.post(visible).status_code == 400  # no CSRF token: only one-click is exempt
    assert channels(app, una) == ["email"]
