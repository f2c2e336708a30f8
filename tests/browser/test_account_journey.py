"""A person's account from start to finish, in a real browser, with JavaScript on and off."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import HomePage, LoginPage, ResetPasswordPage
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

NAME, EMAIL = "Nadia Nurse", "nadia.nurse@example.nhs.uk"
NEW_PASSWORD = "a much better passphrase"


def emailed_link(sent_emails, address: str, subject: str, base_url: str) -> str:
    """The link in the one email with this subject; it must point at this server."""
    [message] = [m for m in sent_emails(address) if m.subject == subject]
    match = re.search(r"https?://\S+", message.body_text)
    assert match, f"no link in email:\n{message.body_text}"
    assert match.group(0).startswith(base_url + "/")
    return match.group(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_register_confirm_edit_profile_and_reset_password(page, axe, live_server, sent_emails,
                                                          topics):
    topic = topics[0].name
    home = HomePage.open(page, axe)

    check_email = home.create_account().register(NAME, EMAIL, TEST_PASSWORD)
    expect(check_email.main).to_contain_text(f"We have sent a link to confirm your email "
                                             f"address to {EMAIL}")

    page.goto(emailed_link(sent_emails, EMAIL, "Confirm your email address", live_server))
    login = LoginPage(page, axe)
    login.expect_message("Your email address is confirmed. You can now log in.")

    dashboard = login.log_in(EMAIL, TEST_PASSWORD)
    assert dashboard.greeting == f"Hello, {NAME}"

    edit = dashboard.your_profile().edit()
    profile = edit.save(organisation="Leeds Teaching Hospitals", job_title="Ward sister",
                        staff_group="Nursing and midwifery",
                        bio="Twenty years on surgical wards.", topics=[topic],
                        team="Ward 12", manager_email="Mara.Matron@Example.NHS.uk")
    profile.expect_message("Your profile has been saved.")
    assert profile.summary_list() == {
        "Name": NAME,
        "Email address": EMAIL,
        "Organisation": "Leeds Teaching Hospitals",
        "Team or department": "Ward 12",
        "Line manager's email address": "mara.matron@example.nhs.uk",
        "Job title": "Ward sister",
        "Staff group": "Nursing and midwifery",
        "Pay band": "Not given",
        "Region": "Not given",
        "About you": "Twenty years on surgical wards.",
        "Specialisms": "Not given",
        "Topics of interest": topic,
    }

    home = profile.log_out()
    home.expect_message("You have logged out.")

    sent = home.go_to_log_in().forgotten_password().request_reset(EMAIL)
    expect(sent.main).to_contain_text(f"If {EMAIL} has an account with Tandem, we have sent "
                                      "it a link to reset the password.")

    page.goto(emailed_link(sent_emails, EMAIL, "Reset your password", live_server))
    login = ResetPasswordPage(page, axe).set_password(NEW_PASSWORD)
    login.expect_message("Your password has been changed. Log in with your new password.")

    login = login.log_in_refused(EMAIL, TEST_PASSWORD)
    login.expect_errors("Enter a correct email address and password")

    dashboard = login.log_in(EMAIL, NEW_PASSWORD)
    assert dashboard.greeting == f"Hello, {NAME}"


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page, axe):
    HomePage.open(page, axe)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_failed_log_in_shows_an_error_summary_that_leads_to_the_fields(page, axe, make_user):
    user = make_user(name="Sam Staff", email="sam@example.org")
    login = LoginPage.open(page, axe)

    login.press("Log in")
    login = LoginPage(page, axe)
    expect(page).to_have_title("Error: Log in – Tandem")
    login.expect_errors("Enter your email address", "Enter your password")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    email_field = page.get_by_label("Email address", exact=True)
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_accessible_description(re.compile("Enter your email address"))

    login.error_summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()

    login = login.log_in_refused(user.email, "not the password")
    login.expect_errors("Enter a correct email address and password")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Email address", exact=True)).to_have_value(user.email)

    dashboard = login.log_in(user.email, TEST_PASSWORD)
    assert dashboard.greeting == "Hello, Sam Staff"
