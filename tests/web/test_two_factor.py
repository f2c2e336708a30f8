"""Two-factor sign-in through the client: required for staff roles, optional for members,
codes used once, recovery codes, the rate limit, and an admin's reset."""
import datetime as dt
import re

import pyotp
import pytest

from portal.audit import AuditEntry
from portal.blueprints.accounts import two_factor
from portal.blueprints.accounts.models import RecoveryCode, User, UserSession
from portal.db import db, utcnow
from tests.conftest import CSRF_RAW_TOKEN, TEST_PASSWORD
from tests.pages import Page


@pytest.fixture
def require_totp(app):
    app.config["REQUIRE_STAFF_TOTP"] = True


def password_step(client, csrf_token, user, password=TEST_PASSWORD):
    client.delete_cookie("remember_token")
    with client.session_transaction() as session:
        session.clear()
        session["csrf_token"] = CSRF_RAW_TOKEN
    return client.post("/accounts/login", data={"email": user.email, "password": password,
                                                "csrf_token": csrf_token})


def secret_on(page: Page) -> str:
    return page.text("#totp-secret").replace(" ", "")


def set_up(client, csrf_token, path="/accounts/login/set-up-two-factor"):
    """Read the secret off the set-up page, answer with a code; returns (secret, codes)."""
    page = Page(client.get(path))
    secret = secret_on(page)
    assert page.soup.select_one("img[src^='data:image/svg+xml;base64,']")["alt"]
    done = client.post(path, data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token})
    assert done.status_code == 303, Page(done).error_summary()
    codes = Page(client.get(done.headers["Location"])).texts("#recovery-codes li")
    return secret, codes


def a_later_code(secret: str, steps: int = 1) -> str:
    """The code of a coming time step (accepted: phones' clocks drift by a step)."""
    return pyotp.TOTP(secret).at(utcnow().replace(tzinfo=dt.UTC) + dt.timedelta(
        seconds=30 * steps))


def test_a_new_staff_account_must_set_up_two_factor_at_sign_in(client, csrf_token, make_user,
                                                                 require_totp, app):
    staff = make_user(role="staff")
    response = password_step(client, csrf_token, staff)
    assert response.headers["Location"] == "/accounts/login/set-up-two-factor"
    assert client.get("/dashboard").status_code == 303  # not signed in yet

    secret, codes = set_up(client, csrf_token)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    assert Page(client.get("/dashboard")).heading().startswith("Hello")
    with app.app_context(), db.connection_context():
        stored = {r.code_hash for r in RecoveryCode.select()}
        assert len(stored) == 10 and not stored & set(codes)  # only hashes are kept
        assert User.get_by_id(staff.id).has_two_factor


def test_a_code_is_accepted_once_then_refused(client, csrf_token, make_user, require_totp):
    staff = make_user(role="admin")
    password_step(client, csrf_token, staff)
    secret, _ = set_up(client, csrf_token)

    code = a_later_code(secret)
    password_step(client, csrf_token, staff)
    first = client.post("/accounts/login/code", data={"code": code, "csrf_token": csrf_token})
    assert first.status_code == 303 and first.headers["Location"] == "/dashboard"

    response = password_step(client, csrf_token, staff)
    assert response.headers["Location"] == "/accounts/login/code"
    again = client.post("/accounts/login/code", data={"code": code, "csrf_token": csrf_token})
    assert again.status_code == 422
    assert "has been used already" in Page(again).field_errors()["code"]
    assert client.get("/dashboard").status_code == 303


def test_a_recovery_code_signs_in_once(client, csrf_token, make_user, require_totp):
    moderator = make_user(role="moderator")
    password_step(client, csrf_token, moderator)
    _, codes = set_up(client, csrf_token)

    password_step(client, csrf_token, moderator)
    used = client.post("/accounts/login/code", data={"code": codes[3].upper(),
                                                      "csrf_token": csrf_token})
    assert used.status_code == 303
    assert "You have 9 left" in " ".join(Page(client.get("/dashboard")).flashes())

    password_step(client, csrf_token, moderator)
    again = client.post("/accounts/login/code", data={"code": codes[3], "csrf_token": csrf_token})
    assert again.status_code == 422
    assert "has been used already" in Page(again).field_errors()["code"]


def test_wrong_codes_are_rate_limited(client, csrf_token, make_user, require_totp):
    staff = make_user(role="staff")
    password_step(client, csrf_token, staff)
    secret, _ = set_up(client, csrf_token)
    password_step(client, csrf_token, staff)
    for _ in range(5):
        wrong = client.post("/accounts/login/code", data={"code": "000000",
                                                           "csrf_token": csrf_token})
        assert wrong.status_code == 422
    right = a_later_code(secret)
    refused = client.post("/accounts/login/code", data={"code": right, "csrf_token": csrf_token})
    assert refused.status_code == 429
    assert "Too many wrong codes" in " ".join(Page(refused).error_summary())


def test_members_choose_two_factor_and_may_turn_it_off(client, csrf_token, login, make_user,
                                                        require_totp):
    member = make_user()
    login(member)  # a member is not asked to set it up
    assert "Off:" in Page(client.get("/accounts/profile")).text("#two-factor-status")
    secret, codes = set_up(client, csrf_token, "/accounts/two-factor/set-up")
    assert len(codes) == 10

    response = password_step(client, csrf_token, member)
    assert response.headers["Location"] == "/accounts/login/code"
    signed_in = client.post("/accounts/login/code", data={"code": a_later_code(secret),
                                                           "csrf_token": csrf_token})
    assert signed_in.status_code == 303
    off = client.post("/accounts/two-factor/turn-off", data={"password": TEST_PASSWORD,
                                                              "csrf_token": csrf_token})
    assert off.status_code == 303
    assert password_step(client, csrf_token, member).headers["Location"] == "/dashboard"


def test_staff_cannot_turn_it_off_while_it_is_required(client, csrf_token, make_user,
                                                       require_totp):
    staff = make_user(role="staff")
    password_step(client, csrf_token, staff)
    set_up(client, csrf_token)
    assert client.get("/accounts/two-factor/turn-off").status_code == 403


def test_a_half_done_sign_in_does_not_reach_the_code_page_later(client, csrf_token, make_user,
                                                                require_totp):
    assert client.get("/accounts/login/code").headers["Location"] == "/accounts/login"
    staff = make_user(role="staff")
    password_step(client, csrf_token, staff)
    with client.session_transaction() as session:
        held = session["pending_login"]
        session["pending_login"] = held | {"t": held["t"] - 11 * 60}
    assert client.get("/accounts/login/set-up-two-factor").headers["Location"] == \
        "/accounts/login"


def test_an_admin_resets_a_second_factor_audited_and_emailed(app, client, csrf_token, login,
                                                             make_user, sent_emails,
                                                             require_totp):
    staff = make_user(role="staff", email="sam@example.org")
    password_step(client, csrf_token, staff)
    set_up(client, csrf_token)
    admin = make_user(role="admin")
    app.config["REQUIRE_STAFF_TOTP"] = False  # the admin signs in with a password alone here
    login(admin)
    page = Page(client.get(f"/staff/people/{staff.id}"))
    assert "Two-factor sign-in On" in page.text(".nhsuk-summary-list")
    reset = client.post(f"/staff/people/{staff.id}/two-factor/reset",
                        data={"csrf_token": csrf_token})
    assert reset.status_code == 303

    [email, *_] = sent_emails("sam@example.org")
    assert email.subject == "Your two-factor sign-in has been reset"
    with app.app_context(), db.connection_context():
        person = User.get_by_id(staff.id)
        assert not person.has_two_factor and person.totp_secret == ""
        assert not RecoveryCode.select().where(RecoveryCode.user == staff.id).exists()
        assert not UserSession.select().where(UserSession.user == staff.id).exists()
        [entry] = AuditEntry.select().where(AuditEntry.action == "user.reset_two_factor")
        assert (entry.actor_id, entry.object_id) == (admin.id, staff.id)
        assert entry.ip_address == "127.0.0.1"
    app.config["REQUIRE_STAFF_TOTP"] = True
    assert password_step(client, csrf_token, staff).headers["Location"] == \
        "/accounts/login/set-up-two-factor"


def test_the_same_step_is_refused_even_when_two_requests_race(app, make_user):
    """The step moves forward by a conditional update: the second of two equal codes loses."""
    user = make_user()
    with app.app_context(), db.connection_context():
        person = User.get_by_id(user.id)
        two_factor.start_setup(person)
        now = utcnow()
        two_factor.confirm_setup(person, pyotp.TOTP(person.totp_secret).at(
            now.replace(tzinfo=dt.UTC)), now=now)
        later = now + dt.timedelta(seconds=30)
        code = pyotp.TOTP(person.totp_secret).at(later.replace(tzinfo=dt.UTC))
        assert two_factor.verify(person, code, now=later) == "app"
        with pytest.raises(two_factor.CodeRefused):
            two_factor.verify(person, code, now=later)
        with pytest.raises(two_factor.CodeRefused):  # an older step is refused too
            two_factor.verify(person, pyotp.TOTP(person.totp_secret).at(
                now.replace(tzinfo=dt.UTC)), now=later)


def test_production_refuses_to_run_without_staff_two_factor():
    from portal.config import ConfigurationError, check_config

    config = {"HUEY_URL": "sqlite:///x", "RATELIMIT_URL": "database", "TANDEM_ENV": "production",
              "BASE_URL": "https://tandem.example.nhs.uk", "MAIL_URL": "smtp://mail:25",
              "SECRET_KEY_GENERATED": False, "REQUIRE_STAFF_TOTP": False}
    with pytest.raises(ConfigurationError, match="REQUIRE_STAFF_TOTP is off"):
        check_config(config)
    check_config(config | {"REQUIRE_STAFF_TOTP": True})
    check_config(config | {"TANDEM_ENV": "development"})
