"""The 10,000 most common passwords are refused wherever a password is chosen, from the list
bundled with the project; the length rule still holds."""
import pytest

from portal.blueprints.accounts.passwords import COMMON_PASSWORDS, is_common
from tests.conftest import TEST_PASSWORD
from tests.pages import Page

TOO_COMMON = ("This password is one of the most commonly used, so it is easy to guess. "
              "Choose a different one")


def test_the_bundled_list_holds_ten_thousand_passwords_and_its_licence():
    lines = [line for line in COMMON_PASSWORDS.read_text().splitlines() if line.strip()]
    assert len(lines) == 10_000
    assert "MIT License" in COMMON_PASSWORDS.with_name("common-passwords.LICENSE.txt").read_text()
    assert is_common("password123") and is_common("PassWord123") and is_common("pass word 123")
    assert not is_common(TEST_PASSWORD)


@pytest.mark.parametrize("password, message", [
    ("1234567890", TOO_COMMON),
    ("Password123", TOO_COMMON),
    ("short", "Password must be between 10 and 200 characters"),
])
def test_registering_refuses_a_common_or_short_password(client, csrf_token, password, message):
    response = client.post("/accounts/register", data={
        "name": "Nadia Nurse", "email": "nadia@example.nhs.uk", "password": password,
        "confirm": password, "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).field_errors()["password"] == message


def test_changing_a_password_refuses_a_common_one(client, csrf_token, login, make_user):
    login(make_user())
    response = client.post("/accounts/password/change", data={
        "current_password": TEST_PASSWORD, "password": "qwertyuiop", "confirm": "qwertyuiop",
        "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).field_errors()["password"] == TOO_COMMON


def test_create_user_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "a@example.org", "--name", "A", "--password", "1234567890"])
    assert result.exit_code != 0 and "most commonly used" in result.output
