"""A newsletter in a real browser, with JavaScript on and off: staff compose an issue with
an article for one cohort only, preview it as a mentee of that cohort (the article is
there) and as another member (it is not), and send it to everyone; a real SMTP server on
loopback receives one email per person, each with only the blocks that person may see. The
unsubscribe link in the email works signed out, and a second issue skips that person. axe
checks every page."""
import email
import email.policy
import re
import time

import pytest
from playwright.sync_api import expect

from portal import audience, notifications
from portal.blueprints.accounts.models import User
from portal.blueprints.newsletter import services
from portal.blueprints.programmes import services_applications as apps
from portal.db import db
from tests.browser.newsletter_pages import NewsletterManagePage, UnsubscribePage
from tests.browser.pages import LoginPage
from tests.conftest import TEST_PASSWORD
from tests.programme_factories import make_rtw, submitted
from tests.tasks.conftest import SmtpServer, free_port

pytestmark = pytest.mark.browser
SUBJECT = "June news"


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    yield server
    server.stop()


def body_of(message) -> str:
    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    return parsed.get_body(("plain",)).get_content()


def received(smtp, people, count=1) -> dict[str, list[str]]:
    """Each person's emails once they have `count` (and a moment for any extra)."""
    for person in people:
        smtp.inbox.wait_for(person.email, count)
    time.sleep(0.3)
    return {p.email: [body_of(m) for m in smtp.inbox.to(p.email)] for p in people}


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_staff_send_a_newsletter_each_copy_fits_its_reader_and_one_can_stop_it(
        app, new_page, axe, live_server, make_user, make_article, smtp, javascript):
    staff = make_user(role="staff", name="Sam Staff")
    mentee = make_user(name="Ella Mentee")
    member = make_user(name="Omar Member")
    with app.app_context(), db.connection_context():
        programme, cohort = make_rtw(User.get_by_id(staff.id))
        apps.accept(User.get_by_id(staff.id), submitted(User.get_by_id(mentee.id), programme,
                                                        cohort))
    make_article(title="Cohort news", audience_value=audience.GROUPS,
                 group_ids=[cohort.everyone_group_id])
    make_article(title="Phased returns")
    with app.app_context(), db.connection_context():
        people = list(User.select())  # staff, the hub's author, the mentee, the member
        for person in people:
            notifications.set_channels(person.id, {"newsletter": "email"}, "preferences")

    page = new_page(javascript=javascript)
    LoginPage.open(page, axe).log_in(staff.email, TEST_PASSWORD)
    form = NewsletterManagePage.open(page, axe).write_issue()
    form.fill("Subject", SUBJECT)
    form.fill("Introduction", "Welcome to the **June** issue.")
    form.choose("Send to", "Everyone with an account")
    form.include("Cohort news", 1)
    form.include("Phased returns", 2)
    issue = form.save(SUBJECT)
    issue.expect_message("The issue has been saved.")
    expect(issue.blocks).to_have_text([re.compile(r"^Knowledge hub: Cohort news"),
                                       re.compile(r"^Knowledge hub: Phased returns")])

    preview = issue.preview_as(mentee.email, "Ella Mentee")
    expect(preview.left_out).to_have_text(["Nothing: Ella Mentee may see every block."])
    expect(preview.email).to_contain_text("Knowledge hub: Cohort news")
    preview = preview.back(SUBJECT).preview_as(member.email, "Omar Member")
    expect(preview.left_out).to_have_text(["Knowledge hub: Cohort news"])
    expect(preview.email).not_to_contain_text("Cohort news")
    expect(preview.email).to_contain_text("Knowledge hub: Phased returns")

    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    smtp.start()
    issue = preview.back(SUBJECT).send_now(SUBJECT)
    issue.expect_message("The issue is on its way.")
    inboxes = received(smtp, people)
    assert {address: len(bodies) for address, bodies in inboxes.items()} == {
        p.email: 1 for p in people}
    assert len(smtp.inbox.messages) == len(people)
    [for_mentee], [for_member] = inboxes[mentee.email], inboxes[member.email]
    assert "Cohort news" in for_mentee and "Phased returns" in for_mentee
    assert "Cohort news" not in for_member and "Phased returns" in for_member
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in \
        smtp.inbox.to(member.email)[0].content

    # The member stops the newsletter from the email, signed out, in a browser of their own.
    link = re.search(r"Stop these emails: (\S+)", for_member).group(1)
    assert link.startswith(live_server + "/notifications/unsubscribe/")
    reader = new_page(javascript=javascript)
    reader.goto(link)
    stop = UnsubscribePage(reader, axe, heading="Stop emails about the newsletter?")
    done = stop.stop()
    expect(done.main.get_by_role("heading", level=1)).to_have_text(
        "Emails about the newsletter are switched off")
    done.expect_message("Emails about the newsletter are switched off.")
    expect(done.main.get_by_role("button", name="Undo: email me again")).to_be_visible()

    # A second issue goes to everyone else, and not to the member.
    with app.app_context(), db.connection_context():
        second = services.save_issue(User.get_by_id(staff.id), None, subject="July news",
                                     intro="More news.", segment="everyone", chosen=[])
        services.schedule(User.get_by_id(staff.id), second, None)
    others = [p for p in people if p.id != member.id]
    inboxes = received(smtp, others, count=2)
    assert {address: len(bodies) for address, bodies in inboxes.items()} == {
        p.email: 2 for p in others}
    assert len(smtp.inbox.to(member.email)) == 1
