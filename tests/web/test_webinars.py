"""Finding and booking webinars through the client: audiences, one-click booking with and
without htmx, the waitlist and offers, the cut-off and the joining link."""
import datetime as dt

import pytest

from portal import audience
from portal.blueprints.webinars.models import BOOKED, LAPSED, OFFERED, WAITLISTED, WITHDRAWN
from portal.db import db, utcnow
from portal.groups import Group, GroupMembership
from tasks.webinars import expire_webinar_offers
from tests.conftest import link_in
from tests.pages import Page
from tests.webinar_factories import (
    LINK,
    book,
    booking_of,
    cancel,
    make_session,
    move_into_the_past,
    set_settings,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def cohort(app, make_user):
    """A session for everyone, one for a group, one for staff; a member inside the group
    and one outside."""
    with app.app_context(), db.connection_context():
        group = Group.create(name="Return to Work 2027 cohort")
    insider, outsider = make_user(name="Ida Insider"), make_user(name="Oli Outsider")
    with app.app_context(), db.connection_context():
        GroupMembership.create(group=group, user=insider.id)
    sessions = {
        "open": make_session(app, title="Open supervision", starts_in=dt.timedelta(days=2)),
        "cohort": make_session(app, title="Cohort supervision", starts_in=dt.timedelta(days=3),
                               audience_value=audience.GROUPS, group_ids=[group.id]),
        "staff": make_session(app, title="Facilitator huddle", starts_in=dt.timedelta(days=4),
                              audience_value=audience.STAFF),
    }
    return {"insider": insider, "outsider": outsider, "sessions": sessions}


def titles(page) -> list[str]:
    return page.texts(".tandem-session-row h2 a")


def token_from(page) -> str:
    return page.soup.select_one("input[name=csrf_token]")["value"]


@pytest.mark.parametrize(("who", "expected"), [
    ("insider", ["Open supervision", "Cohort supervision"]),
    ("outsider", ["Open supervision"]),
])
def test_the_list_follows_the_audience(client, login, cohort, who, expected):
    login(cohort[who])
    assert titles(Page(client.get("/webinars/"))) == expected


@pytest.mark.parametrize("key", ["cohort", "staff"])
def test_a_session_outside_the_audience_is_404_everywhere(client, login, cohort, csrf_token,
                                                          key):
    login(cohort["outsider"])
    session_id = cohort["sessions"][key].id
    assert client.get(f"/webinars/sessions/{session_id}").status_code == 404
    assert client.get(f"/webinars/sessions/{session_id}/calendar.ics").status_code == 404
    assert client.post(f"/webinars/sessions/{session_id}/book",
                       data={"csrf_token": csrf_token}).status_code == 404


def test_staff_see_every_session(client, login, cohort, make_user):
    login(make_user(role="staff"))
    assert titles(Page(client.get("/webinars/"))) == [
        "Open supervision", "Cohort supervision", "Facilitator huddle"]


def test_past_and_cancelled_sessions_are_not_in_the_list(app, client, login, make_user):
    past = make_session(app, title="Last month")
    move_into_the_past(app, past, minutes_ago=60 * 24)
    make_session(app, title="Next week")
    login(make_user())
    assert titles(Page(client.get("/webinars/"))) == ["Next week"]


def test_book_with_htmx_updates_the_panel_in_place(app, client, login, make_user):
    session = make_session(app, capacity=3)
    login(make_user())
    token = token_from(Page(client.get(f"/webinars/sessions/{session.id}")))
    response = client.post(f"/webinars/sessions/{session.id}/book",
                           data={"csrf_token": token}, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    panel = Page(response)
    assert not panel.is_full_page
    assert panel.text(f"#seats-{session.id}") == "2 of 3 seats left"
    assert panel.text(".tandem-booking__state") == "You have a place."
    assert panel.texts("button")[0].startswith("Cancel my place")
    assert panel.flashes() == ["You have a place. We have emailed you the details and a "
                               "calendar file."]
    assert panel.soup.select_one("#flashes")["hx-swap-oob"] == "innerHTML"


def test_book_and_cancel_without_javascript(app, client, login, make_user, sent_emails):
    session = make_session(app, capacity=3)
    person = make_user(email="nadia@example.org")
    login(person)
    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.is_full_page and page.heading() == "Group supervision"
    response = client.post(f"/webinars/sessions/{session.id}/book",
                           data={"csrf_token": token_from(page)})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/webinars/sessions/{session.id}"
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["You have a place. We have emailed you the details and a "
                              "calendar file."]
    assert page.text(f"#seats-{session.id}") == "2 of 3 seats left"
    [confirmation] = sent_emails("nadia@example.org")
    assert confirmation.subject == "You have a place at “Group supervision”"
    assert confirmation.attachment_name == "webinar.ics"

    client.post(f"/webinars/sessions/{session.id}/cancel", data={"csrf_token": token_from(page)})
    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.flashes() == ["You have given up your place."]
    assert page.text(f"#seats-{session.id}") == "3 of 3 seats left"
    assert page.texts(f"#booking-{session.id} button")[0].startswith("Book a place")


def test_booking_twice_keeps_one_place(app, client, login, make_user, csrf_token):
    session = make_session(app, capacity=3)
    person = make_user()
    login(person)
    for _ in range(2):
        client.post(f"/webinars/sessions/{session.id}/book", data={"csrf_token": csrf_token})
    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.text(f"#seats-{session.id}") == "2 of 3 seats left"


def test_a_post_without_the_csrf_token_is_refused(app, client, login, make_user):
    session = make_session(app)
    login(make_user())
    assert client.post(f"/webinars/sessions/{session.id}/book").status_code == 400
    assert client.post(f"/webinars/sessions/{session.id}/book", headers=HX).status_code == 400


def test_anonymous_people_are_sent_to_log_in(app, client):
    session = make_session(app)
    page = client.get(f"/webinars/sessions/{session.id}")
    assert page.status_code == 303 and "/accounts/login" in page.headers["Location"]
    fragment = client.get("/webinars/", headers=HX)
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"].startswith("/accounts/login")


def test_a_full_session_offers_the_waitlist_and_a_freed_seat_goes_to_the_next(
        app, client, login, make_user, sent_emails, csrf_token):
    session = make_session(app, capacity=1)
    first, second, third = (make_user(email=f"p{n}@example.org") for n in range(3))
    book(app, first, session)
    login(second)
    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.text(".tandem-booking__state") == "This session is full."
    response = client.post(f"/webinars/sessions/{session.id}/book",
                           data={"csrf_token": csrf_token}, headers=HX)
    assert Page(response).text(".tandem-booking__state").startswith(
        "You are on the waitlist, number 1.")
    book(app, third, session)
    assert booking_of(app, third, session).status == WAITLISTED

    cancel(app, first, session)
    offer = booking_of(app, second, session)
    assert offer.status == OFFERED
    assert booking_of(app, third, session).status == WAITLISTED
    [email] = [m for m in sent_emails("p1@example.org") if "claim" in m.subject]
    assert email.subject == "A seat is free at “Group supervision”: claim it"
    assert link_in(email.body_text) == f"/webinars/sessions/{session.id}"

    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.text(".tandem-booking__state").startswith("A seat is free for you.")
    response = client.post(f"/webinars/sessions/{session.id}/claim",
                           data={"csrf_token": csrf_token}, headers=HX)
    assert Page(response).text(".tandem-booking__state") == "You have a place."
    assert booking_of(app, second, session).status == BOOKED


def test_with_a_claim_window_of_0_the_next_person_is_booked_straight_away(
        app, make_user, sent_emails):
    set_settings(app, webinar_claim_hours=0)
    session = make_session(app, capacity=1)
    first, second = make_user(), make_user(email="next@example.org")
    book(app, first, session)
    book(app, second, session)
    cancel(app, first, session)
    assert booking_of(app, second, session).status == BOOKED
    subjects = [m.subject for m in sent_emails("next@example.org")]
    assert subjects == ["You have a place at “Group supervision”"]
    assert "A seat came free and it is yours" in sent_emails("next@example.org")[0].body_text


def test_an_unclaimed_offer_passes_to_the_next_person(app, make_user, sent_emails):
    session = make_session(app, capacity=1)
    first, slow, next_ = (make_user(email=f"q{n}@example.org") for n in range(3))
    for person in (first, slow, next_):
        book(app, person, session)
    cancel(app, first, session)
    assert booking_of(app, slow, session).status == OFFERED
    later = utcnow() + dt.timedelta(hours=25)
    with app.app_context(), db.connection_context():
        from tasks.webinars import expire_webinar_offer

        assert expire_webinar_offer.call_local(booking_of(app, slow, session).id) is False
        from portal.blueprints.webinars.services import expire_offer

        assert expire_offer(booking_of(app, slow, session).id, now=later) is True
    assert booking_of(app, slow, session).status == LAPSED
    assert booking_of(app, next_, session).status == OFFERED
    assert [m.subject for m in sent_emails("q1@example.org")][0] == \
        "Your seat at “Group supervision” has passed to the next person"


def test_the_periodic_job_finds_lapsed_offers(app, make_user):
    session = make_session(app, capacity=1)
    first, slow, next_ = make_user(), make_user(), make_user()
    for person in (first, slow, next_):
        book(app, person, session)
    cancel(app, first, session)
    with app.app_context(), db.connection_context():
        from portal.blueprints.webinars.models import WebinarBooking

        (WebinarBooking.update(offer_expires_at=utcnow() - dt.timedelta(minutes=1))
         .where(WebinarBooking.status == OFFERED).execute())
        assert expire_webinar_offers.call_local() == 1
    assert booking_of(app, slow, session).status == LAPSED
    assert booking_of(app, next_, session).status == OFFERED


def test_an_offer_never_outlasts_the_booking_cut_off(app, make_user):
    set_settings(app, webinar_claim_hours=48, webinar_booking_cutoff_minutes=60)
    session = make_session(app, capacity=1, starts_in=dt.timedelta(hours=5))
    first, second = make_user(), make_user()
    book(app, first, session)
    book(app, second, session)
    cancel(app, first, session)
    offer = booking_of(app, second, session)
    assert offer.offer_expires_at == session.starts_at - dt.timedelta(minutes=60)


def test_booking_closes_at_the_cut_off(app, client, login, make_user, csrf_token):
    set_settings(app, webinar_booking_cutoff_minutes=60)
    session = make_session(app, starts_in=dt.timedelta(minutes=45))
    login(make_user())
    page = Page(client.get(f"/webinars/sessions/{session.id}"))
    assert page.text(".tandem-booking__state") == "Booking has closed."
    response = client.post(f"/webinars/sessions/{session.id}/book",
                           data={"csrf_token": csrf_token}, headers=HX)
    assert response.status_code == 422
    assert Page(response).flashes() == ["Booking for this session has closed"]
    plain = client.post(f"/webinars/sessions/{session.id}/book", data={"csrf_token": csrf_token})
    assert Page(client.get(plain.headers["Location"])).flashes() == [
        "Booking for this session has closed"]


def test_the_joining_link_is_for_the_booked_and_only_near_the_start(app, client, login,
                                                                     make_user):
    set_settings(app, webinar_join_minutes=15, webinar_booking_cutoff_minutes=0)
    soon = make_session(app, title="Soon", starts_in=dt.timedelta(minutes=10), capacity=1)
    later = make_session(app, title="Later", starts_in=dt.timedelta(hours=3))
    booked, waiting = make_user(), make_user()
    book(app, booked, soon)
    book(app, booked, later)
    book(app, waiting, soon)

    login(booked)
    page = Page(client.get(f"/webinars/sessions/{soon.id}"))
    assert page.soup.select_one("#joining-link")["href"] == LINK
    page = Page(client.get(f"/webinars/sessions/{later.id}"))
    assert page.soup.select_one("#joining-link") is None
    assert LINK not in page.soup.decode()
    assert "The joining link appears here from" in page.text(f"#booking-{later.id}")

    login(waiting)
    page = Page(client.get(f"/webinars/sessions/{soon.id}"))
    assert page.soup.select_one("#joining-link") is None
    assert LINK not in page.soup.decode()


def test_show_more_sessions_as_fragment_and_as_page(app, client, login, make_user):
    for n in range(22):
        make_session(app, title=f"Session {n:02d}", starts_in=dt.timedelta(days=1 + n))
    login(make_user())
    first = Page(client.get("/webinars/"))
    assert len(titles(first)) == 20
    more = first.soup.select_one("#more-sessions a")["href"]
    fragment = client.get(more, headers=HX)
    assert not Page(fragment).is_full_page
    assert titles(Page(fragment)) == ["Session 20", "Session 21"]
    full = Page(client.get(more))
    assert full.is_full_page and titles(full) == ["Session 20", "Session 21"]


def test_my_webinars_upcoming_and_past_with_attendance(app, client, login, make_user):
    person = make_user()
    coming = make_session(app, title="Coming up")
    went = make_session(app, title="Went to", starts_in=dt.timedelta(hours=3))
    missed = make_session(app, title="Missed", starts_in=dt.timedelta(hours=4))
    for session in (coming, went, missed):
        book(app, person, session)
    move_into_the_past(app, went, minutes_ago=60 * 24)
    move_into_the_past(app, missed, minutes_ago=60 * 48)
    with app.app_context(), db.connection_context():
        from portal.blueprints.webinars.models import WebinarBooking

        WebinarBooking.update(attended=True).where(WebinarBooking.session == went.id).execute()
    login(person)
    page = Page(client.get("/webinars/mine"))
    assert [row["Session"] for row in page.table("#upcoming")] == ["Coming up"]
    assert page.table("#upcoming")[0]["Your place"] == "Booked"
    assert [(r["Session"], r["Attendance"]) for r in page.table("#past")] == [
        ("Went to", "Attended"), ("Missed", "Not recorded")]


def test_my_webinars_shows_the_waitlist_and_leaves_out_cancelled_places(app, client, login,
                                                                         make_user):
    person, other = make_user(), make_user()
    full = make_session(app, title="Full one", capacity=1)
    given_up = make_session(app, title="Given up")
    book(app, other, full)
    book(app, person, full)
    book(app, person, given_up)
    cancel(app, person, given_up)
    assert booking_of(app, person, given_up).status == WITHDRAWN
    login(person)
    page = Page(client.get("/webinars/mine"))
    assert page.table("#upcoming") == [{"Session": "Full one", "When": page.table(
        "#upcoming")[0]["When"], "Your place": "On the waitlist"}]
