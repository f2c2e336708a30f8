"""The public programme pages, signed out: the list, a programme's page, the landing page,
and "tell me when the next cohort opens" (sign up with and without htmx, confirm,
unsubscribe)."""
import datetime as dt

import pytest

from portal.blueprints.programmes import services
from portal.blueprints.programmes.models import OpeningAlert
from portal.db import db
from tests.conftest import link_in
from tests.pages import Page
from tests.programme_factories import cohort_details, make_rtw, programme_details

HX = {"HX-Request": "true"}


@pytest.fixture
def staff(make_user):
    return make_user(role="staff", name="Sam Staff")


@pytest.fixture
def rtw(app, staff):
    """Return to Work, recruiting now."""
    with app.app_context(), db.connection_context():
        return make_rtw(staff)


@pytest.fixture
def waiting(app, staff):
    """A published programme whose only cohort opens in a month."""
    with app.app_context(), db.connection_context():
        programme = services.save_programme(
            staff, None, programme_details(name="Reciprocal", fee_pence=0),
            [services.RoleDetails(key="mentor", name="senior partner"),
             services.RoleDetails(key="mentee", name="early-career partner")])
        services.create_cohort(staff, programme, cohort_details(
            dt.date.today() + dt.timedelta(days=37), name="Spring"))
        return programme


def test_the_list_and_the_landing_page_show_published_programmes_from_the_database(
        app, client, rtw, waiting, staff):
    with app.app_context(), db.connection_context():
        services.save_programme(staff, None, programme_details(name="Hidden draft",
                                                               published=False),
                                [services.RoleDetails(key="mentor", name="mentor"),
                                 services.RoleDetails(key="mentee", name="mentee")])
    for url in ("/programmes/", "/"):
        page = Page(client.get(url))
        cards = page.texts("#programme-cards h3")
        assert cards == ["Reciprocal", "Return to Work"], url
        statuses = page.texts(".tandem-programme-status")
        assert statuses[0].startswith("Opens ") and statuses[1].startswith("Recruiting until")
    assert "Return to work mentoring" not in client.get("/").text  # the old list in code
    assert "Programmes" in Page(client.get("/")).nav()
    assert client.get("/programmes/hidden-draft").status_code == 404


def test_a_recruiting_programme_page_says_who_it_is_for_and_what_it_asks(client, rtw):
    programme, cohort = rtw
    response = client.get(f"/programmes/{programme.slug}")
    assert response.status_code == 200
    page = Page(response)
    assert page.heading() == "Return to Work"
    assert page.text("#programme-description h2") == "Who it is for"
    mentee = page.texts("#role-mentee .tandem-eligibility li")
    assert mentee == ["About to take maternity leave, paternity leave, adoption leave, carers "
                      "leave or fostering leave in the next 3 to 6 months, for at least 3 "
                      "months"]
    assert page.texts("#role-mentee .tandem-commitments li") == [
        "Attend the training day", "Meet your mentor for up to 12 months"]
    assert page.text("#role-mentor .tandem-training").startswith("1 day of training")
    assert "£500 per participant" in page.text("#programme-fee")
    assert "Ask about a reduced cost." in page.text("#programme-fee")
    assert page.text("#programme-dates").startswith("2027 is recruiting now")
    assert page.links()["Apply as a mentee"] == f"/programmes/{programme.slug}/apply/mentee"
    assert page.links()["Apply as a mentor"] == f"/programmes/{programme.slug}/apply/mentor"
    assert page.soup.select_one("#opening-alert") is None


def test_a_programme_not_recruiting_offers_the_opening_alert(client, waiting):
    page = Page(client.get(f"/programmes/{waiting.slug}"))
    assert "Not recruiting now" in page.text("#programme-dates")
    assert "Spring opens for applications" in page.text("#programme-dates")
    assert page.text("#opening-alert h2") == "Tell me when the next cohort opens"
    assert page.soup.select_one("#apply-buttons") is None
    assert page.text("#programme-fee") == "There is no fee."
    assert [h.lower() for h in page.texts(".tandem-programme-role h3")] == [
        "senior partners", "early-career partners"]


def test_sign_up_without_javascript_redirects_and_emails_a_confirmation_link(
        app, client, csrf_token, waiting, sent_emails):
    response = client.post(f"/programmes/{waiting.slug}/alerts",
                           data={"email": "Ann@Example.org", "csrf_token": csrf_token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/programmes/{waiting.slug}#opening-alert")
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes()[0].startswith("Check your email")
    [email] = sent_emails("ann@example.org")
    assert "/programmes/alerts/confirm/" in email.body_text

    confirmed = Page(client.get(link_in(email.body_text)))
    assert confirmed.heading() == "You will hear when Reciprocal opens"
    with app.app_context(), db.connection_context():
        assert OpeningAlert.get().confirmed_at is not None


def test_sign_up_with_htmx_answers_the_panel(client, csrf_token, waiting, sent_emails):
    response = client.post(f"/programmes/{waiting.slug}/alerts", headers=HX,
                           data={"email": "bo@example.org", "csrf_token": csrf_token})
    assert response.status_code == 200
    page = Page(response)
    assert not page.is_full_page
    assert page.text("#opening-alert-sent").startswith("We have sent you a link")
    assert page.flashes()[0].startswith("Check your email")  # out of band
    assert "HX-Request" in response.headers["Vary"]
    assert len(sent_emails("bo@example.org")) == 1


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
@pytest.mark.parametrize("email", ["not an address", "", "\x00",
                                   "x" * 300 + "@example.org"])
def test_a_bad_address_is_refused_with_422(client, csrf_token, waiting, headers, email):
    response = client.post(f"/programmes/{waiting.slug}/alerts", headers=headers,
                           data={"email": email, "csrf_token": csrf_token})
    assert response.status_code == 422
    page = Page(response)
    assert page.is_full_page == (headers == {})
    assert page.error_summary() and "email" in page.field_errors()
    assert page.value("email") == email.replace("\x00", "")


def test_nul_bytes_are_dropped_from_an_address(app, client, csrf_token, waiting):
    response = client.post(f"/programmes/{waiting.slug}/alerts",
                           data={"email": "d\x00an@example.org", "csrf_token": csrf_token})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        assert OpeningAlert.get().email == "dan@example.org"


def test_sign_up_needs_the_csrf_token(client, waiting):
    response = client.post(f"/programmes/{waiting.slug}/alerts", data={"email": "a@b.org"})
    assert response.status_code == 400


def test_sign_ups_are_rate_limited(app, client, csrf_token, waiting):
    app.config["RESET_REQUESTS_PER_HOUR"] = 2
    codes = [client.post(f"/programmes/{waiting.slug}/alerts",
                         data={"email": f"p{n}@example.org", "csrf_token": csrf_token}
                         ).status_code for n in range(3)]
    assert codes == [303, 303, 429]


def test_unsubscribe_works_signed_out_after_a_button_press(app, client, csrf_token, waiting):
    from portal.blueprints.programmes import services_alerts as alerts

    with app.test_request_context(), db.connection_context():
        alert = alerts.sign_up("cy@example.org", waiting)
        token = alerts.make_token(alert, alerts.UNSUBSCRIBE)
    url = f"/programmes/alerts/unsubscribe/{token}"
    page = Page(client.get(url))
    assert page.heading() == "Stop emails about Reciprocal"
    with app.app_context(), db.connection_context():
        assert OpeningAlert.get().unsubscribed_at is None  # opening the link changes nothing
    response = client.post(url, data={"csrf_token": csrf_token})
    assert response.status_code == 303
    assert Page(client.get(response.headers["Location"])).flashes() == [
        "You will get no more emails about Reciprocal opening."]
    assert "You are unsubscribed" in Page(client.get(url)).text("#unsubscribe-state")
    with app.app_context(), db.connection_context():
        assert OpeningAlert.get().unsubscribed_at is not None


@pytest.mark.parametrize("url", ["/programmes/alerts/confirm/nonsense",
                                 "/programmes/alerts/unsubscribe/nonsense",
                                 "/programmes/alerts/confirm/a\x00b"])
def test_a_bad_link_says_so(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert Page(response).heading().startswith("This link is not valid.")


def test_unknown_programmes_and_roles_are_404(client, rtw, login, make_user):
    assert client.get("/programmes/no-such-thing").status_code == 404
    login(make_user())
    assert client.get(f"/programmes/{rtw[0].slug}/apply/boss").status_code == 404
