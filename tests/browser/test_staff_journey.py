"""An administrator runs groups and people from the staff area, with htmx doing the
in-page updates (JavaScript on)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import LoginPage, StaffPage
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

GROUP = "Return to Work 2027 cohort"


def mark_document(page) -> None:
    """Leave a mark in the page's window, which a page load would wipe, and on its status
    region, which must stay in place for screen readers to announce what appears in it."""
    page.evaluate("window.tandemSameDocument = true;"
                  "document.querySelector('[role=status]').tandemSameRegion = true")


def still_same_document(page) -> bool:
    return page.evaluate("window.tandemSameDocument === true")


def same_status_region(page) -> bool:
    return page.evaluate("document.querySelector('[role=status]').tandemSameRegion === true")


def test_admin_manages_a_group_and_a_persons_role(page, axe, make_user):
    admin = make_user(role="admin", name="Ada Admin", email="ada@example.nhs.uk")
    make_user(name="Nadia Nurse", email="nadia.nurse@example.nhs.uk")
    make_user(name="Tom Mentee", email="tom.mentee@example.nhs.uk")

    dashboard = LoginPage.open(page, axe).log_in(admin.email, TEST_PASSWORD)
    groups = dashboard.staff().groups()
    expect(groups.main).to_contain_text("There are no groups yet.")

    group = groups.create_group().save(GROUP, "Mentors and mentees returning in 2027.")
    group.expect_message(f"Group “{GROUP}” created.")
    expect(group.main).to_contain_text("Nobody is in this group yet.")

    group = group.add_member("nadia.nurse@example.nhs.uk")
    group.expect_message(f"Nadia Nurse added to {GROUP}.")
    expect(group.members).to_have_text(
        ["Nadia Nurse (nadia.nurse@example.nhs.uk) Remove Nadia Nurse"])

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    mark_document(page)
    group.remove("Nadia Nurse")
    expect(group.members).to_have_count(0)
    group.expect_message(f"Nadia Nurse removed from {GROUP}.")
    assert dialogs == [f"Remove Nadia Nurse from {GROUP}?"]
    assert still_same_document(page)
    assert same_status_region(page), "the status region was replaced, so nothing is announced"
    group.check_accessibility()

    group.navigate("Staff")
    people = StaffPage(page, axe).people()
    assert [row["Name"] for row in people.people()] == ["Tom Mentee", "Nadia Nurse",
                                                        "Ada Admin"]

    mark_document(page)
    people.type_search("nadia")
    expect(people.rows).to_have_count(1)
    assert people.people() == [{"Name": "Nadia Nurse", "Email": "nadia.nurse@example.nhs.uk",
                                "Role": "Member", "Status": "Active"}]
    expect(page).to_have_url(re.compile(r"/staff/people\?q=nadia$"))
    assert still_same_document(page)
    people.check_accessibility()

    person = people.open_person("Nadia Nurse")
    assert person.summary_list()["Role"] == "Member"
    person = person.change_role("Moderator")
    person.expect_message("Nadia Nurse is now moderator.")
    assert person.summary_list()["Role"] == "Moderator"
    expect(person.main.get_by_label("Role", exact=True)).to_have_value("moderator")
