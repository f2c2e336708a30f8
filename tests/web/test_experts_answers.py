"""An expert answers an introduction: from the email's signed links while signed out (a page
asking for one button press, so a mail scanner records nothing), once; from their requests
page and their dashboard. A declined or lapsed request cannot be accepted afterwards: the
link shows a clear page saying what happened, never an error."""
import datetime as dt
import re
import types

import pytest

from portal import settings
from portal.blueprints.experts import services_introductions as intros
from portal.blueprints.experts.models import IntroductionRequest
from portal.blueprints.mentoring.models import Goal, Relationship
from portal.db import db, utcnow
from tests.expert_factories import make_aces, make_expert
from tests.pages import Page


@pytest.fixture
def asked(app, make_user):
    """Lee asked Ann about two budget items; `ask(now=...)` asks again, at another time."""
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff"))
        ann = make_expert(aces, make_user(name="Ann Budget"))
        learner = make_user(name="Lee Learner")
        items = [aces.items["reading a budget statement"].id,
                 aces.items["forecasting spend for a year"].id]
        introduction = intros.ask(learner, intros.Ask([ann.id], items, "I hold a budget now"))
        request = introduction.requests.get()
    return types.SimpleNamespace(aces=aces, ann=ann, learner=learner, request=request,
                                 introduction=introduction)


def links(app, sent_emails, expert) -> dict[str, str]:
    [email] = [m for m in sent_emails(expert.user.email) if "asks for your help" in m.subject]
    found = dict(re.findall(r"^(Accept|Decline): http://localhost(\S+)$", email.body_text,
                            re.MULTILINE))
    assert set(found) == {"Accept", "Decline"}
    return found


def press(page: Page, form_id: str, **extra) -> dict:
    form = page.soup.select_one(f"form#{form_id}")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    button = form.select_one("button[name=answer]")
    return {**data, "answer": button["value"], **extra}


def status(app, request_id) -> str:
    with app.app_context(), db.connection_context():
        return IntroductionRequest.get_by_id(request_id).status


def test_accepting_from_the_email_signed_out_once(app, client, asked, sent_emails):
    link = links(app, sent_emails, asked.ann)["Accept"]
    page = Page(client.get(link))  # what a mail scanner fetches: nothing happens
    assert page.heading() == "Lee Learner asks for your help"
    assert page.texts(".tandem-request-items li") == ["reading a budget statement",
                                                     "forecasting spend for a year"]
    assert status(app, asked.request.id) == "pending"
    response = client.post(link, data=press(page, "accept-form"))
    assert response.status_code == 303 and response.headers["Location"] == link
    done = Page(client.get(link))
    assert done.heading() == "This request has been accepted"
    assert done.flashes()[0].startswith("You have accepted Lee Learner's request.")
    with app.app_context(), db.connection_context():
        rel = Relationship.get()
        assert [g.title for g in Goal.select().where(Goal.relationship == rel.id)
                .order_by(Goal.id)] == ["I have adequate knowledge of reading a budget statement",
                                        "I have adequate knowledge of forecasting spend for a year"]
    again = client.post(link, data=press(page, "accept-form"))
    assert again.status_code == 303
    assert Page(client.get(link)).flashes() == ["This request has already been accepted."]
    decline = links(app, sent_emails, asked.ann)["Decline"]
    assert Page(client.get(decline)).heading() == "This request has been accepted"
    with app.app_context(), db.connection_context():
        assert Relationship.select().count() == 1


def test_declining_from_the_email_with_a_note_for_the_learner(app, client, asked, sent_emails):
    link = links(app, sent_emails, asked.ann)["Decline"]
    page = Page(client.get(link))
    response = client.post(link, data=press(page, "decline-form",
                                            message="Back in the spring: ask me then."))
    assert response.status_code == 303
    assert status(app, asked.request.id) == "declined"
    [told] = [m for m in sent_emails(asked.learner.email) if "Your request" in m.subject]
    assert "Back in the spring: ask me then." in told.body_text
    assert f"/experts/introductions/{asked.introduction.id}" in told.body_text


def test_a_declined_request_cannot_be_accepted_afterwards(app, client, asked, sent_emails):
    accept = links(app, sent_emails, asked.ann)["Accept"]
    page = Page(client.get(accept))
    with app.app_context(), db.connection_context():
        intros.decline(asked.request.id)
    shown = client.get(accept)
    assert shown.status_code == 200
    assert Page(shown).heading() == "This request was declined"
    assert "can no longer be accepted" in Page(shown).text("#request-state")
    posted = client.post(accept, data=press(page, "accept-form"))
    assert posted.status_code == 303
    after = Page(client.get(accept))
    assert after.heading() == "This request was declined"
    assert after.flashes() == ["This request was declined, so it can no longer be accepted."]
    assert status(app, asked.request.id) == "declined"


def test_a_lapsed_request_cannot_be_accepted_and_says_so(app, client, make_user, sent_emails):
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff"))
        ann = make_expert(aces, make_user(name="Ann Budget"))
        days = settings.get("expert_request_days")
        request = intros.ask(make_user(name="Lee Learner"), intros.Ask(
            [ann.id], [aces.items["forecasting spend for a year"].id], "I hold a budget now"),
            now=utcnow() - dt.timedelta(days=days, minutes=1)).requests.get()
    accept = links(app, sent_emails, ann)["Accept"]
    page = client.get(accept)  # lapsed, though the job has not run yet
    assert page.status_code == 200 and Page(page).heading() == "This request has closed"
    assert "can no longer be accepted" in Page(page).text("#request-state")
    with app.app_context(), db.connection_context():
        assert intros.expire(request.id)
    assert Page(client.get(accept)).heading() == "This request has closed"
    with app.app_context(), db.connection_context():
        assert Relationship.select().count() == 0


def test_altered_links_and_posts_without_the_page_token_do_nothing(app, client, asked,
                                                                   sent_emails):
    link = links(app, sent_emails, asked.ann)["Accept"]
    bad = client.get(link[:-3] + "xyz")
    assert bad.status_code == 400 and Page(bad).heading().startswith("This link is not valid")
    assert client.post(link, data={"answer": "accept"}).status_code == 400
    assert status(app, asked.request.id) == "pending"


def test_the_expert_answers_from_their_requests_page_and_dashboard(app, client, login,
                                                                   csrf_token, asked):
    login(asked.ann.user)
    dashboard = Page(client.get("/dashboard"))
    assert "Lee Learner" in dashboard.text("#expert-requests")
    page = Page(client.get("/experts/requests"))
    assert page.texts("#waiting-requests h3") == ["Lee Learner"]
    assert page.text(".tandem-request-wants") == "I hold a budget now"
    response = client.post(f"/experts/requests/{asked.request.id}/accept",
                           data={"csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        rel = Relationship.get()
    assert response.headers["Location"] == f"/mentoring/{rel.id}"
    pair = Page(client.get(f"/mentoring/{rel.id}"))
    assert pair.text("#pair-status").startswith("You are the expert.")
    assert "I hold a budget now" in pair.text("#notes")
    page = Page(client.get("/experts/requests"))
    assert page.text("#no-requests") == "No requests are waiting for you."
    assert page.texts("#my-learners a") == ["Lee Learner"]
    dashboard = client.get("/dashboard").text
    assert "expert-requests" not in dashboard
    assert f"match-{rel.id}" not in dashboard  # an accepted introduction is not a match
    assert "The learner says what they want to learn" in pair.text("#agreement")


def test_declining_from_the_requests_page_keeps_a_long_note_and_says_why(app, client, login,
                                                                         csrf_token, asked):
    login(asked.ann.user)
    url = f"/experts/requests/{asked.request.id}/decline"
    assert Page(client.get(url)).heading() == "Decline Lee Learner's request"
    response = client.post(url, data={"csrf_token": csrf_token, "message": "x" * 1001})
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Keep your note to 1,000 characters"]
    assert client.post(url, data={"csrf_token": csrf_token, "message": "Sorry, not now."}
                       ).status_code == 303
    assert status(app, asked.request.id) == "declined"
