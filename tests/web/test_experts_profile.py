"""An expert's own profile: only accepted experts have one; what is missing before they are
listed (the induction among it); saving specialisms, bio and capacity; pausing, coming off
the list and back; and answering an activity check from the profile or from the email's
links while signed out, each link once."""
import datetime as dt
import re
import types

import pytest

from portal.blueprints.experts import services_checks
from portal.blueprints.experts.models import ActivityCheck, Expert
from portal.db import db, utcnow
from tests.expert_factories import accept_into, induct, make_aces, make_expert
from tests.pages import Page


@pytest.fixture
def aces(app, make_user):
    with app.app_context(), db.connection_context():
        return make_aces(make_user(role="staff"))


def test_an_accepted_expert_sets_up_their_profile_and_is_listed_after_the_induction(
        app, client, login, csrf_token, aces, make_user):
    person = make_user(name="Ann Budget")
    login(person)
    assert client.get(f"/experts/profile/{aces.programme.id}").status_code == 404
    with app.app_context(), db.connection_context():
        accept_into(aces, person)
    assert client.get("/experts/profile").headers["Location"] == \
        f"/experts/profile/{aces.programme.id}"
    page = Page(client.get(f"/experts/profile/{aces.programme.id}"))
    assert page.texts("#checklist > li")[0].startswith("To do: attend the short induction")
    assert "Expert induction" in page.text("#checklist")
    url = f"/experts/profile/{aces.programme.id}"
    bad = client.post(url, data={"csrf_token": csrf_token, "bio": "Budgets.", "capacity": "0"})
    assert bad.status_code == 422
    assert Page(bad).error_summary() == [
        "Choose at least one specialism",
        "Write a short bio of at least 5 words: what you know and how you like to help",
        "Enter a number from 1 to 10"]
    saved = client.post(url, data={
        "csrf_token": csrf_token, "capacity": "2",
        "specialisms": [aces.specialisms["Building a budget"].id],
        "bio": "Ten years of NHS budgets, and I like explaining them."})
    assert saved.status_code == 303
    page = Page(client.get(url))
    assert page.text("#expert-state").startswith("Not listed yet")
    assert page.texts("#checklist > li")[1] == "Done: choose your specialisms."
    with app.app_context(), db.connection_context():
        induct(aces, person)
    page = Page(client.get(url))
    assert page.text("#expert-state").startswith("Available")
    assert Page(client.get("/experts/")).texts(".tandem-expert h2") == ["Ann Budget"]
    assert Page(client.get("/experts/")).text(".tandem-expert p.tandem-meta:last-child")


def test_pausing_coming_off_the_list_and_back(app, client, login, csrf_token, aces, make_user,
                                              today):
    person = make_user(name="Ann Budget")
    with app.app_context(), db.connection_context():
        make_expert(aces, person)
    login(person)
    url = f"/experts/profile/{aces.programme.id}"
    bad = client.post(f"{url}/pause", data={"csrf_token": csrf_token,
                                            "until": today.isoformat()})
    assert bad.status_code == 422
    assert Page(bad).error_summary() == ["The date to pause until must be in the future"]
    until = today + dt.timedelta(days=14)
    client.post(f"{url}/pause", data={"csrf_token": csrf_token, "until": until.isoformat()})
    assert Page(client.get(url)).text("#expert-state").startswith("Paused You are paused until")
    assert Page(client.get("/experts/")).texts(".tandem-expert h2") == []
    client.post(f"{url}/resume", data={"csrf_token": csrf_token})
    assert Page(client.get("/experts/")).texts(".tandem-expert h2") == ["Ann Budget"]
    client.post(f"{url}/off", data={"csrf_token": csrf_token})
    assert Page(client.get(url)).text("#expert-state").startswith("Off the list")
    assert Page(client.get("/experts/")).texts(".tandem-expert h2") == []
    client.post(f"{url}/back", data={"csrf_token": csrf_token})
    assert Page(client.get("/experts/")).texts(".tandem-expert h2") == ["Ann Budget"]
    assert client.post(f"{url}/off", data={}).status_code == 400


@pytest.fixture
def checked(app, aces, make_user, today):
    """Ann, an expert since last year, has this period's activity check."""
    person = make_user(name="Ann Budget")
    with app.app_context(), db.connection_context():
        expert = make_expert(aces, person, created_at=utcnow() - dt.timedelta(days=400))
        services_checks.send_check(expert.id, today)
        check = ActivityCheck.get(ActivityCheck.expert == expert.id)
    return types.SimpleNamespace(person=person, expert=expert, check=check)


def check_links(sent_emails, person) -> dict[str, str]:
    [email] = [m for m in sent_emails(person.email) if "still available" in m.subject]
    return {label: path for label, path in re.findall(
        r"^(.+): http://localhost(/experts/checks/\S+)$", email.body_text, re.MULTILINE)}


def test_the_check_links_work_signed_out_once(app, client, checked, sent_emails, today):
    found = check_links(sent_emails, checked.person)
    assert set(found) == {"Yes, I am still available", "Pause me until a date",
                          "Take me off the list"}
    pause = found["Pause me until a date"]
    page = Page(client.get(pause))  # a mail scanner's visit records nothing
    assert page.heading() == "Are you still available as an expert?"
    assert page.text("#check-choice strong") == "Pause me until a date"
    with app.app_context(), db.connection_context():
        assert ActivityCheck.get_by_id(checked.check.id).answered_at is None
    form = page.soup.select("form.tandem-check-answer")[0]
    data = {i["name"]: i.get("value", "") for i in form.select("input")}
    until = today + dt.timedelta(days=20)
    response = client.post(pause, data={**data, "until": until.isoformat()})
    assert response.status_code == 303
    assert Page(client.get(response.headers["Location"])).text("#check-answer strong") == \
        "Pause me until a date"
    with app.app_context(), db.connection_context():
        assert Expert.get_by_id(checked.expert.id).paused_until == until
    for link in found.values():
        again = client.get(link)
        assert again.status_code == 400
        assert Page(again).heading() == "This link has already been used."
    assert client.post(found["Take me off the list"],
                       data={**data, "answer": "off"}).status_code == 400
    with app.app_context(), db.connection_context():
        assert Expert.get_by_id(checked.expert.id).withdrawn_at is None


def test_a_pause_without_a_date_comes_back_asking_for_one(app, client, checked, sent_emails):
    pause = check_links(sent_emails, checked.person)["Pause me until a date"]
    page = Page(client.get(pause))
    form = page.soup.select("form.tandem-check-answer")[0]
    data = {i["name"]: i.get("value", "") for i in form.select("input")}
    response = client.post(pause, data={**data, "until": ""})
    assert response.status_code == 422
    assert Page(response).error_summary()[0].startswith("Enter the date to pause until")
    with app.app_context(), db.connection_context():
        assert ActivityCheck.get_by_id(checked.check.id).answered_at is None


def test_answering_the_check_from_the_profile(app, client, login, csrf_token, checked, aces):
    login(checked.person)
    url = f"/experts/profile/{aces.programme.id}"
    page = Page(client.get(url))
    assert page.text("#check-heading") == "Are you still available?"
    response = client.post(f"{url}/checks/{checked.check.id}", data={
        "check-csrf_token": csrf_token, "check-answer": "yes"})
    assert response.status_code == 303
    page = Page(client.get(url))
    assert page.flashes() == ["Thank you: you are still on the list, and learners can find you."]
    assert page.soup.select_one("#activity-check") is None
