"""Register, confirm, log in and out, reset a password, keep a profile: through the client."""
import datetime as dt
import time

import pytest

from portal.blueprints.accounts import tokens
from portal.blueprints.accounts.models import User, UserSession
from portal.db import db
from tests.conftest import TEST_PASSWORD, link_in
from tests.pages import Page

NEW_PASSWORD = "a much better passphrase"


def register(client, csrf_token, **overrides):
    data = {"name": "Nadia Nurse", "email": "Nadia.Nurse@Example.NHS.uk",
            "password": TEST_PASSWORD, "confirm": TEST_PASSWORD, "csrf_token": csrf_token}
    data.update(overrides)
    return client.post("/accounts/register", data=data)


def test_register_confirm_and_log_in(client, csrf_token, sent_emails):
    response = register(client, csrf_token)
    assert response.status_code == 303
    assert Page(client.get(response.headers["Location"])).heading() == "Check your email"

    [email] = sent_emails("nadia.nurse@example.nhs.uk")
    assert email.subject == "Confirm your email address"
    login_data = {"email": "nadia.nurse@example.nhs.uk", "password": TEST_PASSWORD,
                  "csrf_token": csrf_token}
    refused = client.post("/accounts/login", data=login_data)
    assert "confirm your email address" in " ".join(Page(refused).error_summary())

    confirmed = client.get(link_in(email.body_text))
    assert confirmed.headers["Location"] == "/accounts/login"
    flashes = Page(client.get("/accounts/login")).flashes()
    assert "Your email address is confirmed" in " ".join(flashes)

    logged_in = client.post("/accounts/login", data=login_data)
    assert logged_in.headers["Location"] == "/dashboard"
    assert Page(client.get("/dashboard")).heading() == "Hello, Nadia Nurse"


def test_a_person_sent_to_register_from_a_form_comes_back_to_it(client, csrf_token,
                                                                 sent_emails):
    """Apply → log in → create an account → confirm → log in lands on the form again;
    an address that is not a local path is dropped on the way."""
    login_page = Page(client.get("/accounts/login?next=/programmes/rtw/apply/mentee"))
    register_href = login_page.soup.find("a", string="Create an account")["href"]
    assert register_href == "/accounts/register?next=/programmes/rtw/apply/mentee"
    data = {"name": "Nadia Nurse", "email": "nadia@example.nhs.uk", "password": TEST_PASSWORD,
            "confirm": TEST_PASSWORD, "csrf_token": csrf_token}
    assert client.post(register_href, data=data).status_code == 303

    [email] = sent_emails("nadia@example.nhs.uk")
    confirmed = client.get(link_in(email.body_text))
    assert confirmed.headers["Location"] == "/accounts/login?next=/programmes/rtw/apply/mentee"
    logged_in = client.post(confirmed.headers["Location"], data={
        "email": "nadia@example.nhs.uk", "password": TEST_PASSWORD, "csrf_token": csrf_token})
    assert logged_in.headers["Location"] == "/programmes/rtw/apply/mentee"

    client.post("/accounts/logout", data={"csrf_token": csrf_token})
    data["email"] = "other@example.nhs.uk"
    client.post("/accounts/register?next=//evil.example/", data=data)
    [email] = sent_emails("other@example.nhs.uk")
    assert "next=" not in email.body_text
    assert client.get(link_in(email.body_text)).headers["Location"] == "/accounts/login"


def test_email_is_unique_whatever_its_case(client, csrf_token, make_user):
    make_user(email="sam@example.org")
    response = register(client, csrf_token, email="SAM@Example.org")
    assert response.status_code == 422
    assert "already exists" in Page(response).field_errors()["email"]


def test_bad_registration_keeps_input_and_explains_each_field(client, csrf_token):
    response = register(client, csrf_token, name="", email="not-an-email", password="short",
                        confirm="different")
    page = Page(response)
    assert response.status_code == 422
    assert page.field_errors() == {
        "name": "Enter your full name",
        "email": "Enter an email address in the correct format, like name@example.nhs.uk",
        "password": "Password must be between 10 and 200 characters",
        "confirm": "The passwords do not match",
    }
    assert page.value("email") == "not-an-email"
    assert len(page.error_summary()) == 4
    assert page.soup.find(id="email")["aria-invalid"] == "true"


def test_inline_validation_returns_one_field(client, csrf_token, make_user):
    make_user(email="taken@example.org")
    response = client.post("/accounts/register/validate?field=email",
                           data={"email": "taken@example.org", "csrf_token": csrf_token},
                           headers={"HX-Request": "true"})
    page = Page(response)
    assert not page.is_full_page
    assert "already exists" in page.field_errors()["email"]
    assert page.soup.find(id="name") is None


def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/accounts/login", data={"email": user.email,
                                                     "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "form expired" in Page(response).text("main")
    assert client.get("/dashboard").status_code == 303  # still logged out


def test_htmx_post_with_csrf_header_is_accepted(client, csrf_token, make_user):
    user = make_user()
    response = client.post("/accounts/login",
                           data={"email": user.email, "password": TEST_PASSWORD},
                           headers={"X-CSRFToken": csrf_token, "HX-Request": "true"})
    assert response.status_code == 303


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example",
                                    "https://evil.example", "/\\/evil.example",
                                    "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, make_user, login, target):
    response = login(make_user(), next_url=target)
    assert response.headers["Location"] == "/dashboard"


def test_next_within_the_site_is_followed(client, make_user, login):
    response = login(make_user(), next_url="/accounts/profile")
    assert response.headers["Location"] == "/accounts/profile"


def test_eleventh_failed_login_in_a_minute_is_refused(client, csrf_token, make_user):
    user = make_user()
    wrong = {"email": user.email, "password": "wrong password", "csrf_token": csrf_token}
    statuses = [client.post("/accounts/login", data=wrong).status_code for _ in range(10)]
    assert statuses == [422] * 10
    eleventh = client.post("/accounts/login", data={**wrong, "password": TEST_PASSWORD})
    assert eleventh.status_code == 429
    assert "Too many failed attempts" in " ".join(Page(eleventh).error_summary())


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app, client, make_user, login):
    login(make_user())
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 200

    csrf = Page(client.get("/accounts/profile")).soup.select_one(
        "form[action='/accounts/logout'] input[name=csrf_token]")["value"]
    assert client.post("/accounts/logout", data={"csrf_token": csrf}).status_code == 303

    assert thief.get("/dashboard").headers["Location"].startswith("/accounts/login")


def test_remember_me_cookie_is_revoked_by_logout(app, client, make_user, login):
    login(make_user(), remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.expires is not None
    csrf = Page(client.get("/accounts/profile")).soup.select_one(
        "form[action='/accounts/logout'] input[name=csrf_token]")["value"]
    client.post("/accounts/logout", data={"csrf_token": csrf})
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/dashboard").status_code == 303


def test_password_reset_by_emailed_link(client, csrf_token, make_user, sent_emails):
    user = make_user(email="rita@example.org")
    sent = client.post("/accounts/password/forgot",
                       data={"email": "Rita@example.org", "csrf_token": csrf_token})
    assert Page(sent).heading() == "Check your email"
    [email] = sent_emails("rita@example.org")
    link = link_in(email.body_text)

    form = client.get(link)
    assert Page(form).heading() == "Choose a new password"
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                   "csrf_token": csrf_token})
    assert done.headers["Location"] == "/accounts/login"

    old = client.post("/accounts/login", data={"email": user.email, "password": TEST_PASSWORD,
                                               "csrf_token": csrf_token})
    assert old.status_code == 422
    new = client.post("/accounts/login", data={"email": user.email, "password": NEW_PASSWORD,
                                               "csrf_token": csrf_token})
    assert new.status_code == 303

    reused = client.get(link)
    assert reused.status_code == 400
    assert Page(reused).heading() == "This link has already been used."


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, csrf_token,
                                                                  sent_emails):
    response = client.post("/accounts/password/forgot",
                           data={"email": "nobody@example.org", "csrf_token": csrf_token})
    assert Page(response).heading() == "Check your email"
    assert sent_emails("nobody@example.org") == []


def test_altered_reset_link_says_so(client, csrf_token, make_user, sent_emails):
    make_user(email="al@example.org")
    client.post("/accounts/password/forgot", data={"email": "al@example.org",
                                                   "csrf_token": csrf_token})
    link = link_in(sent_emails("al@example.org")[0].body_text)
    response = client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    assert response.status_code == 400
    assert "not valid" in Page(response).heading()


def test_expired_reset_link_says_so(app, client, make_user, monkeypatch):
    user = make_user()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 2 * 3600)  # two hours ago
    with app.test_request_context():
        token = tokens.make_reset_token(user)
    monkeypatch.setattr(time, "time", real_time)
    response = client.get(f"/accounts/password/reset/{token}")
    assert response.status_code == 400
    assert Page(response).heading() == "This link has expired."


def test_password_reset_requests_are_rate_limited(client, csrf_token, make_user):
    make_user(email="lim@example.org")
    data = {"email": "lim@example.org", "csrf_token": csrf_token}
    statuses = [client.post("/accounts/password/forgot", data=data).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_profile_edit_saves_and_shows_every_field(client, make_user, login, csrf_token, topics):
    login(make_user())
    form = Page(client.get("/accounts/profile/edit"))
    topic_ids = [box["value"] for box in form.soup.select("input[name=topics]")][:2]
    response = client.post("/accounts/profile/edit", data={
        "name": "Priya Patel", "organisation": "Leeds Teaching Hospitals",
        "team": "Ward 12", "manager_email": " Lead.Nurse@Example.org ",
        "job_title": "Ward sister", "staff_group": "Nursing and midwifery",
        "pay_band": "Band 7", "region": "North East and Yorkshire",
        "bio": "Twenty years on the wards.", "specialisms": "rostering, coaching",
        "topics": topic_ids, "csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get("/accounts/profile"))
    details = dict(zip(page.texts("#profile-details dt"), page.texts("#profile-details dd"),
                       strict=True))
    assert details["Name"] == "Priya Patel"
    assert details["Pay band"] == "Band 7"
    assert details["Team or department"] == "Ward 12"
    assert details["Line manager's email address"] == "lead.nurse@example.org"
    assert details["Specialisms"] == "rostering, coaching"
    assert details["Topics of interest"] == "Handover and succession planning, " \
                                            "Staying connected during leave"


def test_profile_edit_with_bad_input_keeps_what_was_typed(client, make_user, login, csrf_token):
    login(make_user())
    response = client.post("/accounts/profile/edit", data={
        "name": "", "organisation": "Kept organisation", "bio": "x" * 1001,
        "staff_group": "Not a real group", "manager_email": "not an address",
        "csrf_token": csrf_token})
    page = Page(response)
    assert response.status_code == 422
    assert set(page.field_errors()) == {"name", "bio", "staff_group", "manager_email"}
    assert page.value("organisation") == "Kept organisation"


def test_change_password_ends_other_sessions_but_not_this_one(app, client, make_user, login,
                                                              csrf_token):
    user = make_user()
    other_device = app.test_client()
    with other_device.session_transaction() as session:
        session["csrf_token"] = "test-csrf-raw-token"
    other_device.post("/accounts/login", data={"email": user.email, "password": TEST_PASSWORD,
                                               "csrf_token": csrf_token})
    login(user)
    wrong = client.post("/accounts/password/change", data={
        "current_password": "not it", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token})
    assert Page(wrong).field_errors() == {"current_password":
                                          "Your current password is not correct"}
    changed = client.post("/accounts/password/change", data={
        "current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token})
    assert changed.status_code == 303
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 303
    with app.app_context(), db.connection_context():
        assert UserSession.select().where(UserSession.user == user.id).count() == 1


def test_suspended_person_can_log_in_and_read_and_is_told_why(client, make_user, login):
    user = make_user(suspended_until=dt.datetime(2099, 1, 31),
                     suspension_reason="Repeated abuse on the boards")
    login(user)
    page = Page(client.get("/dashboard"))
    assert page.text("#suspension-notice p") == (
        "You cannot post or comment until 31 January 2099. Reason: Repeated abuse on the boards")


def test_anonymous_visitor_is_sent_to_log_in_and_back(client, make_user, login):
    response = client.get("/accounts/profile")
    assert response.headers["Location"] == "/accounts/login?next=/accounts/profile"
    assert login(make_user(), next_url="/accounts/profile").headers["Location"] == \
        "/accounts/profile"


def test_htmx_request_without_session_gets_hx_redirect(client):
    response = client.get("/staff/people?q=a", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/staff/people"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/accounts/login?next=/staff/people"
    assert response.data == b""


def test_password_is_stored_hashed(app, make_user):
    user = make_user(password="plain text never stored")
    with app.app_context(), db.connection_context():
        stored = User.get_by_id(user.id).password_hash
    assert "plain text" not in stored and stored.startswith("pbkdf2:sha256")
