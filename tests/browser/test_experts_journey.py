"""The expert directory in a real browser, with JavaScript on and off: a learner finds
experts by specialism through the active search and asks two at once, ticking two
workbook items; one expert accepts from the email's link while signed out; the learner
signs an item off in the pair's space and the expert countersigns it; the workbook shows
it; the other expert's request lapses, and the learner is told, with another expert for
the same items. axe-core checks every page and every in-page update."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from portal import settings
from portal.blueprints.experts import services_introductions as intros
from portal.blueprints.experts.models import IntroductionRequest
from portal.db import db, utcnow
from tests.browser.expert_pages import AnswerPage, DirectoryPage, IntroductionPage
from tests.browser.mentoring_pages import PairPage, WorkbookPage
from tests.browser.pages import LoginPage
from tests.conftest import TEST_PASSWORD
from tests.expert_factories import make_aces, make_expert

pytestmark = pytest.mark.browser

ITEMS = ["reading a budget statement", "forecasting spend for a year"]
SIGNED_ITEM = f"I have adequate knowledge of {ITEMS[0]}"
LEARNED = "I can read my monthly statement and explain the gaps."


def accept_link(sent_emails, person) -> str:
    [email] = [m for m in sent_emails(person.email) if "asks for your help" in m.subject]
    return re.search(r"^Accept: http://[^/\s]+(/\S+)$", email.body_text, re.MULTILINE)[1]


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_learner_finds_asks_learns_and_signs_off(app, new_page, axe, live_server, make_user,
                                                    sent_emails, javascript):
    people = {name: make_user(name=name) for name in (
        "Ann Budget", "Cat Ledger", "Dev Patel", "Ian Sheets", "Lee Learner")}
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff"))
        for name in ("Ann Budget", "Cat Ledger", "Dev Patel"):
            make_expert(aces, people[name], specialisms=("Building a budget",))
        make_expert(aces, people["Ian Sheets"], specialisms=("Spreadsheets",),
                    bio="Spreadsheets all day long, and pivot tables for fun.")

    learner = new_page(javascript=javascript)
    LoginPage.open(learner, axe).log_in(people["Lee Learner"].email, TEST_PASSWORD)
    directory = DirectoryPage.open(learner, axe)
    expect(directory.names).to_have_count(4)
    directory = directory.search("budget")
    expect(directory.names).to_have_text(["Ann Budget", "Cat Ledger", "Dev Patel"])

    introduction = directory.ask("Ann Budget", "Dev Patel").send(
        ITEMS, "I hold a budget for the first time and want to read it.", "Ward manager")
    introduction.expect_message("Your request has gone to Ann Budget and Dev Patel.")
    for name in ("Ann Budget", "Dev Patel"):
        expect(introduction.request(name)).to_contain_text("Waiting for an answer")

    # Ann accepts from her email, signed out.
    ann = new_page(javascript=javascript)
    AnswerPage.open(ann, axe, accept_link(sent_emails, people["Ann Budget"])).accept()

    introduction = introduction.reload()
    expect(introduction.request("Ann Budget")).to_contain_text("Accepted")
    pair = introduction.go_to_space_with("Ann Budget")
    expect(pair.main.locator("#pair-status")).to_contain_text("You are the learner.")
    expect(pair.goal(SIGNED_ITEM)).to_have_count(1)
    expect(pair.goal(f"I have adequate knowledge of {ITEMS[1]}")).to_have_count(1)
    rel_id = int(learner.url.rsplit("/", 1)[-1].split("#")[0])
    pair.sign_off(SIGNED_ITEM, LEARNED)

    LoginPage.open(ann, axe).log_in(people["Ann Budget"].email, TEST_PASSWORD)
    PairPage.open_pair(ann, axe, rel_id).countersign(SIGNED_ITEM)

    pair = PairPage.open_pair(learner, axe, rel_id)
    pair.main.get_by_role("link", name="Your learning workbook").click()
    entries = WorkbookPage(learner, axe).main.locator(".tandem-workbook-entry")
    expect(entries).to_have_count(1)
    expect(entries.first.get_by_role("heading")).to_have_text(SIGNED_ITEM)
    expect(entries.first.locator(".tandem-workbook-learner")).to_have_text("Lee Learner")
    expect(entries.first.locator(".tandem-workbook-learned")).to_have_text(LEARNED)
    expect(entries.first.locator(".tandem-workbook-countersigned")).to_contain_text("Ann Budget")

    # Dev never answers: the request lapses when its days are up.
    with app.app_context(), db.connection_context():
        later = utcnow() + dt.timedelta(days=settings.get("expert_request_days"), minutes=1)
        for request_id in intros.expiring(later):
            intros.expire(request_id, later)
        assert IntroductionRequest.select().where(IntroductionRequest.status == "expired"
                                                  ).count() == 1
    [told] = [m for m in sent_emails(people["Lee Learner"].email) if "Dev Patel" in m.subject]
    assert "not been able to answer" in told.body_text
    learner.goto(re.search(r"http://[^/\s]+(/experts/introductions/\d+)", told.body_text)[1])
    introduction = IntroductionPage(learner, axe)
    expect(introduction.request("Dev Patel")).to_contain_text("Not answered in time")
    expect(introduction.main.locator("#other-experts a")).to_have_text(["Cat Ledger"])
