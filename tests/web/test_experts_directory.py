"""The expert directory through the test client: the active search answers the results
fragment to htmx and the whole page otherwise, from the same address; who is listed and
what each expert shows; asking one or several experts (errors re-rendered with the input
kept); and the learner's introduction page, with other experts after a "no"."""
import datetime as dt
import types

import pytest

from portal.blueprints.experts import services_experts
from portal.blueprints.experts import services_introductions as intros
from portal.blueprints.experts.models import Introduction, IntroductionRequest
from portal.db import db, utcnow
from tests.expert_factories import make_aces, make_expert
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def scheme(app, make_user):
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff", name="Olu Organiser"))
        ann = make_expert(aces, make_user(name="Ann Budget", job_title="Finance lead"),
                          specialisms=("Building a budget",))
        bob = make_expert(aces, make_user(name="Bob Sheets"), specialisms=("Spreadsheets",),
                          bio="Spreadsheets all day: pivot tables, charts and formulas.")
        cat = make_expert(aces, make_user(name="Cat Ledger"),
                          specialisms=("Building a budget", "Reading a balance sheet"))
        paused = make_expert(aces, make_user(name="Pat Paused"))
        services_experts.pause(paused, dt.date.today() + dt.timedelta(days=9), dt.date.today())
        make_expert(aces, make_user(name="Nia New"), inducted=False)
    return types.SimpleNamespace(aces=aces, ann=ann, bob=bob, cat=cat, paused=paused,
                                 learner=make_user(name="Lee Learner"))


def names(page: Page) -> list[str]:
    return page.texts(".tandem-expert h2")


def test_the_directory_lists_available_experts_with_what_a_learner_needs(client, login,
                                                                         scheme):
    login(scheme.learner)
    page = Page(client.get("/experts/"))
    assert page.heading() == "Find an expert"
    assert names(page) == ["Ann Budget", "Bob Sheets", "Cat Ledger"]  # not paused, not new
    ann = page.soup.select_one(f"#expert-{scheme.ann.id}")
    assert ann.select_one(".tandem-expert-specialisms").get_text(" ", strip=True) == \
        "Specialisms: Building a budget (Finance)"
    assert ann.select_one(".tandem-expert-availability").get_text() == \
        "Available: 2 of 2 places free"
    assert ann.select_one(".tandem-expert-learners").get_text() == "0 current learners"
    assert ann.select_one(".tandem-expert-response").get_text() == \
        "No introductions answered yet"
    assert ann.select_one(".tandem-expert-active").get_text() == "Active today"
    assert "Finance lead" in ann.get_text()
    assert page.soup.select_one(f"#ask-{scheme.ann.id}")["name"] == "expert"


def test_active_search_answers_the_fragment_to_htmx_and_the_page_otherwise(client, login,
                                                                          scheme):
    login(scheme.learner)
    fragment = client.get("/experts/?q=budget", headers=HX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert not Page(fragment).is_full_page
    assert names(Page(fragment)) == ["Ann Budget", "Cat Ledger"]
    assert Page(fragment).text("#result-count") == "2 experts found for “budget”"
    full = Page(client.get("/experts/?q=budget"))
    assert full.is_full_page and names(full) == ["Ann Budget", "Cat Ledger"]
    assert full.value("q") == "budget"
    search = full.soup.select_one("form#expert-search")
    assert search["method"] == "get" and search["hx-get"] == "/experts/"
    assert "input changed delay:300ms" in search["hx-trigger"]
    by_specialism = Page(client.get(
        f"/experts/?specialism={scheme.aces.specialisms['Reading a balance sheet'].slug}"))
    assert names(by_specialism) == ["Cat Ledger"]
    nothing = Page(client.get("/experts/?q=astrophysics", headers=HX))
    assert nothing.text("#no-experts").startswith("No expert matches your search")


def test_signed_out_visitors_are_sent_to_log_in(client, scheme):
    assert client.get("/experts/").status_code == 303
    fragment = client.get("/experts/?q=budget", headers=HX)
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"].startswith("/accounts/login")


def test_an_expert_page_shows_availability_even_when_not_listed(client, login, scheme):
    login(scheme.learner)
    page = Page(client.get(f"/experts/{scheme.paused.id}"))
    assert page.heading() == "Pat Paused"
    assert page.text("#expert-availability").startswith("Paused until")
    assert page.text("#not-available").startswith("Pat Paused is not taking new requests")
    with_button = Page(client.get(f"/experts/{scheme.ann.id}"))
    assert with_button.links()["Ask Ann Budget for an introduction"] == \
        f"/experts/ask?expert={scheme.ann.id}"
    with db.connection_context():
        services_experts.take_off_list(scheme.bob)
    assert client.get(f"/experts/{scheme.bob.id}").status_code == 404


def ask_form(client, expert_ids) -> Page:
    query = "&".join(f"expert={i}" for i in expert_ids)
    return Page(client.get(f"/experts/ask?{query}"))


def test_asking_two_experts_at_once(client, login, csrf_token, scheme, sent_emails):
    login(scheme.learner)
    page = ask_form(client, [scheme.ann.id, scheme.cat.id])
    assert page.heading() == "Ask for an introduction"
    assert page.texts("#items legend") == ["Building a budget", "Reading a balance sheet"]
    items = [scheme.aces.items["reading a budget statement"].id,
             scheme.aces.items["reserves"].id]
    response = client.post("/experts/ask", data={
        "csrf_token": csrf_token, "offered": [scheme.ann.id, scheme.cat.id],
        "experts": [scheme.ann.id, scheme.cat.id], "items": items,
        "wants": "I hold a budget for the first time.", "for_what": "Ward manager role"})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.heading() == "Your introduction"
    assert page.flashes() == ["Your request has gone to Ann Budget and Cat Ledger. We will "
                              "email you when they answer."]
    assert page.texts(".tandem-request h3") == ["Ann Budget", "Cat Ledger"]
    assert page.texts(".tandem-request-status strong") == ["Waiting for an answer"] * 2
    for expert, wanted in ((scheme.ann, "reading a budget statement"), (scheme.cat, "reserves")):
        [email] = [m for m in sent_emails(expert.user.email) if "asks for" in m.subject]
        assert f"- {wanted}" in email.body_text and "Ward manager role" in email.body_text
    assert "reserves" not in [m for m in sent_emails(scheme.ann.user.email)
                              if "asks for" in m.subject][0].body_text


def test_a_request_with_problems_comes_back_with_the_input_kept(client, login, csrf_token,
                                                                scheme):
    login(scheme.learner)
    response = client.post("/experts/ask", data={
        "csrf_token": csrf_token, "offered": [scheme.ann.id, scheme.bob.id],
        "experts": [scheme.bob.id], "wants": "budgets"})
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == [
        "Tick at least one thing you want to learn",
        "Say in your own words what you want to learn: at least 3 words"]
    assert page.value("wants") == "budgets"
    assert len(page.soup.select("input[name=experts]")) == 2  # the unticked one is still there
    response = client.post("/experts/ask", data={  # an item the page did not offer
        "csrf_token": csrf_token, "offered": [scheme.bob.id], "experts": [scheme.bob.id],
        "items": [scheme.aces.items["reserves"].id], "wants": "I want to learn things"})
    assert response.status_code == 422
    assert client.post("/experts/ask", data={"experts": [scheme.bob.id]}).status_code == 400


def test_the_learner_sees_a_no_kindly_with_other_experts_for_the_same_items(
        app, client, login, scheme):
    with app.app_context(), db.connection_context():
        introduction = intros.ask(scheme.learner, intros.Ask(
            [scheme.ann.id], [scheme.aces.items["forecasting spend for a year"].id],
            "I want to plan my spend"))
        request = introduction.requests.get()
        intros.decline(request.id, "Away until March.")
    login(scheme.learner)
    page = Page(client.get(f"/experts/introductions/{introduction.id}"))
    assert page.texts(".tandem-request-status strong") == ["Declined"]
    assert "Away until March." in page.text(f"#request-{request.id}")
    assert page.texts("#other-experts a") == ["Cat Ledger"]
    again = page.links()["Ask this expert"]
    form = Page(client.get(again))
    assert form.soup.select_one(f"input[name=experts][value='{scheme.cat.id}']").has_attr(
        "checked")
    assert form.soup.select_one(
        f"input[name=items][value='{scheme.aces.items['forecasting spend for a year'].id}']"
    ).has_attr("checked")
    mine = Page(client.get("/experts/introductions"))
    assert "Ann Budget (Declined)" in mine.text("#introduction-list")


def test_introductions_and_requests_are_private(app, client, login, csrf_token, scheme,
                                                make_user):
    with app.app_context(), db.connection_context():
        introduction = intros.ask(scheme.learner, intros.Ask(
            [scheme.ann.id], [scheme.aces.items["forecasting spend for a year"].id],
            "I want to plan my spend"))
        request = introduction.requests.get()
    login(make_user(name="Nosy Parker"))
    assert client.get(f"/experts/introductions/{introduction.id}").status_code == 404
    assert client.post(f"/experts/requests/{request.id}/withdraw",
                       data={"csrf_token": csrf_token}).status_code == 404
    assert client.post(f"/experts/requests/{request.id}/accept",
                       data={"csrf_token": csrf_token}).status_code == 404
    assert client.get(f"/experts/requests/{request.id}/decline").status_code == 404
    login(scheme.learner)
    response = client.post(f"/experts/requests/{request.id}/withdraw",
                           data={"csrf_token": csrf_token})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        assert IntroductionRequest.get_by_id(request.id).status == "withdrawn"
        assert Introduction.select().count() == 1
    assert utcnow()


def test_an_expert_who_stops_taking_requests_meanwhile_is_named(app, client, login,
                                                                 csrf_token, scheme):
    login(scheme.learner)
    assert Page(client.get("/experts/ask")).text("#no-experts").startswith(
        "Choose at least one expert")
    with app.app_context(), db.connection_context():
        services_experts.take_off_list(scheme.bob)
    response = client.post("/experts/ask", data={
        "csrf_token": csrf_token, "offered": [scheme.ann.id, scheme.bob.id],
        "experts": [scheme.ann.id, scheme.bob.id], "wants": "I want to learn budgets",
        "items": [scheme.aces.items["forecasting spend for a year"].id]})
    assert response.status_code == 422
    assert Page(response).error_summary() == [
        "Bob Sheets is not taking requests at the moment: choose another expert"]
    assert Page(response).texts("#experts label") == ["Ann Budget"]
