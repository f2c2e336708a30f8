"""A person's data and a staff account's sign-in, in a real browser: a member downloads a
copy of everything of theirs; a new staff account is made to set up two-factor sign-in."""
import json
import re
import zipfile

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.pages import LoginPage
from tests.browser.people_data_pages import (
    RecoveryCodesPage,
    SecurityCodePage,
    TwoFactorSetUpPage,
    YourDataPage,
    code_after,
)
from tests.conftest import TEST_PASSWORD
from tests.people_data_factories import give_a_life, make_world

pytestmark = pytest.mark.browser


def test_a_member_downloads_their_data_and_nobody_elses(page, axe, app, make_user,
                                                        make_article):
    world = make_world(app, make_user, make_article)
    nadia = make_user(name="Nadia Nurse", email="nadia@example.nhs.uk")
    omar = make_user(name="Omar Other", email="omar@example.nhs.uk")
    give_a_life(app, world, nadia, "NADIA")
    give_a_life(app, world, omar, "OMAR")

    LoginPage.open(page, axe).log_in(nadia.email, TEST_PASSWORD).your_profile().follow(
        "Download a copy of your data")
    your_data = YourDataPage(page, axe).ask_for_a_copy()
    your_data.expect_message("We are preparing your data. We will email you when it is ready.")
    expect(your_data.main.get_by_role("link", name=re.compile("^Download your data"))) \
        .to_be_visible()
    download = your_data.download()
    assert download.suggested_filename.startswith("tandem-data-")
    archive = zipfile.ZipFile(download.path())

    everything = "\n".join(archive.read(name).decode() for name in archive.namelist())
    assert "OMAR" not in everything and "omar@example.nhs.uk" not in everything
    assert json.loads(archive.read("profile.json"))["account"]["name"] == "Nadia Nurse"
    assert [p["body"] for p in json.loads(archive.read("posts.json"))["posts"]] == [
        "NADIA opening post", "NADIA reply"]
    [booking] = json.loads(archive.read("bookings.json"))["webinar_bookings"]
    assert (booking["session"], booking["status"]) == ("Group supervision", "booked")
    [application] = json.loads(archive.read("applications.json"))["applications"]
    assert application["motivation"] == "NADIA motivation"
    [upload] = json.loads(archive.read("uploads.json"))["files"]
    assert upload["original_name"] == "NADIA-log.txt"
    assert archive.read(upload["path_in_archive"]) == b"NADIA reflective log\n"
    assert "posts.json" in archive.read("README.txt").decode()


def test_a_new_staff_account_sets_up_two_factor_and_signs_in_with_codes(page, axe, app,
                                                                         make_user):
    app.config["REQUIRE_STAFF_TOTP"] = True
    staff = make_user(role="staff", name="Sadia Staff", email="sadia@example.nhs.uk")

    LoginPage.open(page, axe).log_in_and_return(staff.email, TEST_PASSWORD)
    set_up = TwoFactorSetUpPage(page, axe)
    expect(set_up.qr_code).to_be_visible()
    secret = set_up.secret()
    codes = set_up.turn_on(pyotp.TOTP(secret).now()).codes()
    assert len(codes) == 10
    dashboard = RecoveryCodesPage(page, axe).saved_them()
    assert dashboard.greeting == "Hello, Sadia Staff"

    code = code_after(secret, 1)  # the next step's code: the set-up used this one's
    dashboard.log_out().go_to_log_in().log_in_and_return(staff.email, TEST_PASSWORD)
    dashboard = SecurityCodePage(page, axe).enter(code)
    assert dashboard.greeting == "Hello, Sadia Staff"

    dashboard.log_out().go_to_log_in().log_in_and_return(staff.email, TEST_PASSWORD)
    refused = SecurityCodePage(page, axe).enter_refused(code)
    refused.expect_errors("The code is not correct, or has been used already. Enter the code "
                          "your app shows now")

    dashboard = refused.enter(codes[0])
    dashboard.expect_message("You used a recovery code. You have 9 left")
