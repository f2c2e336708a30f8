"""The pair's sessions: propose, accept, decline, cancel and log, within the programme's hard
allowance (refused with the rule in words, when proposed and when logged), a target shown
as progress, the calendar file for the pair alone, the emails to the partner, and a pair
page whose section reads take the same queries at 10 and at 1,000 sessions. CSRF stays on."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playhouse.test_utils import assert_query_count, count_queries

from portal.blueprints.mentoring import agreement, sessions
from portal.blueprints.mentoring import services_sessions as svc
from portal.blueprints.mentoring.models import (
    ACCEPTED,
    CANCELLED,
    HELD,
    PROPOSED,
    MentoringSession,
    Relationship,
)
from portal.blueprints.webinars import times
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair
from tests.pages import Page

HX = {"HX-Request": "true"}
LONDON = ZoneInfo("Europe/London")
COUNT_RULE = ("Short virtual mentoring allows at most 3 sessions, and you have 3 planned or "
              "held.")
LENGTH_RULE = "Sessions in Short virtual mentoring last at most 90 minutes."


def next_week() -> dt.date:
    return dt.date.today() + dt.timedelta(days=7)


def four_days_ago() -> dt.date:
    return dt.date.today() - dt.timedelta(days=4)


@pytest.fixture
def pair(app, make_user):
    with app.app_context(), db.connection_context():
        return make_pair(make_user)


@pytest.fixture
def transcultural(app, make_user):
    with app.app_context(), db.connection_context():
        return make_pair(make_user, scheme="transcultural")


def propose(client, rel, csrf_token, day=None, time="14:00", minutes=60,
            channel="telephone"):
    day = day or next_week()
    return client.post(f"/mentoring/{rel.id}/sessions/new",
                       data={"csrf_token": csrf_token, "day": day.isoformat(),
                             "start_time": time, "minutes": minutes, "channel": channel})


def log(client, rel, csrf_token, held_on=None, minutes=60, channel="telephone",
        summary="We talked about the handover plan.", session=None):
    held_on = held_on or four_days_ago()
    url = (f"/mentoring/{rel.id}/sessions/{session.id}/held" if session
           else f"/mentoring/{rel.id}/sessions/log")
    return client.post(url, data={"csrf_token": csrf_token, "held_on": held_on.isoformat(),
                                  "minutes": minutes, "channel": channel, "summary": summary})


def act(client, rel, session, action, csrf_token, headers=None):
    return client.post(f"/mentoring/{rel.id}/sessions/{session.id}/{action}",
                       data={"csrf_token": csrf_token}, headers=headers or {})


def pair_page(client, rel) -> Page:
    response = client.get(f"/mentoring/{rel.id}")
    assert response.status_code == 200
    return Page(response)


def stored(app, rel) -> list[MentoringSession]:
    with app.app_context(), db.connection_context():
        return list(MentoringSession.select().where(MentoringSession.relationship == rel.id)
                    .order_by(MentoringSession.id))


def add_sessions(app, rel, n, status=HELD, by=None, starts_at=None):
    """Sessions written straight to the table, as the services would leave them."""
    starts_at = starts_at or utcnow() - dt.timedelta(days=10)
    with app.app_context(), db.connection_context():
        MentoringSession.insert_many([
            {"relationship": rel.id, "proposed_by": by.id if by else None,
             "starts_at": starts_at - dt.timedelta(days=i), "minutes": 60,
             "channel": "telephone", "status": status,
             "responded_at": utcnow() if status in (ACCEPTED, HELD) else None,
             "held_on": (starts_at - dt.timedelta(days=i)).date() if status == HELD else None,
             "summary": f"Summary {i}" if status == HELD else ""}
            for i in range(n)]).execute()


def booked(app, client, login, pair, csrf_token, day=None, time="14:00"):
    """The mentor proposes, the mentee accepts: the booked session."""
    login(pair.mentor)
    assert propose(client, pair.rel, csrf_token, day=day, time=time).status_code == 303
    session = stored(app, pair.rel)[-1]
    login(pair.mentee)
    assert act(client, pair.rel, session, "accept", csrf_token).status_code == 303
    return session


def emails_to(sent_emails, person, prefix):
    return [m for m in sent_emails(person.email) if m.key.startswith(prefix)]


# The allowance ---------------------------------------------------------------------------------

def test_a_fourth_session_proposed_is_refused_with_the_rule_and_the_input_kept(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    page = pair_page(client, pair.rel)
    assert page.text("#sessions-left") == "3 of 3"
    assert page.text("#next-session") == "No session booked"
    assert page.text("#session-rule") == ("Short virtual mentoring allows up to 3 sessions "
                                          "of at most 90 minutes, by telephone.")
    for days in (7, 14, 21):
        assert propose(client, pair.rel, csrf_token,
                       day=dt.date.today() + dt.timedelta(days=days)).status_code == 303
    assert pair_page(client, pair.rel).text("#sessions-left") == "0 of 3"

    response = propose(client, pair.rel, csrf_token, day=dt.date.today()
                       + dt.timedelta(days=28), time="09:30", minutes=45)
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == [COUNT_RULE]
    assert (page.value("day"), page.value("start_time"), page.value("minutes")) == (
        (dt.date.today() + dt.timedelta(days=28)).isoformat(), "09:30", "45")
    assert len(stored(app, pair.rel)) == 3


def test_a_fourth_session_logged_is_refused_too(app, client, login, pair, csrf_token):
    login(pair.mentee)
    assert propose(client, pair.rel, csrf_token).status_code == 303
    for held_on in (four_days_ago(), four_days_ago() - dt.timedelta(days=7)):
        assert log(client, pair.rel, csrf_token, held_on=held_on).status_code == 303
    response = log(client, pair.rel, csrf_token, summary="One more chat")
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == [COUNT_RULE]
    assert page.value("summary") == "One more chat"
    assert len(stored(app, pair.rel)) == 3


def test_a_100_minute_session_is_refused_when_proposed_and_when_logged(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    for response in (propose(client, pair.rel, csrf_token, minutes=100),
                     log(client, pair.rel, csrf_token, minutes=100)):
        assert response.status_code == 422
        page = Page(response)
        assert page.error_summary() == [LENGTH_RULE]
        assert page.field_errors() == {"minutes": LENGTH_RULE}
        assert page.value("minutes") == "100"
    assert stored(app, pair.rel) == []

    # A booked session logged as held is held to the same length.
    add_sessions(app, pair.rel, 1, status=ACCEPTED, by=pair.mentee,
                 starts_at=utcnow() - dt.timedelta(days=1))
    [session] = stored(app, pair.rel)
    response = log(client, pair.rel, csrf_token, minutes=100, session=session)
    assert response.status_code == 422
    assert Page(response).field_errors() == {"minutes": LENGTH_RULE}
    assert stored(app, pair.rel)[0].status == ACCEPTED


def test_a_channel_outside_the_programmes_is_refused_with_the_rule(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    response = propose(client, pair.rel, csrf_token, channel="video")
    assert response.status_code == 422
    assert Page(response).field_errors() == {
        "channel": "Sessions in Short virtual mentoring are held by telephone only."}


def test_logging_a_booked_session_as_held_does_not_count_it_twice(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    propose(client, pair.rel, csrf_token)
    propose(client, pair.rel, csrf_token, day=next_week() + dt.timedelta(days=7))
    add_sessions(app, pair.rel, 1, status=ACCEPTED, by=pair.mentee,
                 starts_at=utcnow() - dt.timedelta(days=2))
    session = stored(app, pair.rel)[-1]
    page = pair_page(client, pair.rel)
    assert page.text("#sessions-left") == "0 of 3"
    assert page.table("#planned-sessions")[0]["Status"] == "Booked: log it once you have had it"
    assert "Log as held" in page.text(f"#session-{session.id}")
    response = log(client, pair.rel, csrf_token, session=session,
                   held_on=dt.date.today() - dt.timedelta(days=2),
                   summary="Looked at the rota.\nAgreed a first step.")
    assert response.status_code == 303
    page = pair_page(client, pair.rel)
    assert page.text("#sessions-left") == "0 of 3"
    assert page.texts("#held-sessions li") == [
        f"{(dt.date.today() - dt.timedelta(days=2)):%A %-d %B %Y} 60 minutes, telephone "
        "Looked at the rota. Agreed a first step."]
    assert [s.status for s in stored(app, pair.rel)] == [PROPOSED, PROPOSED, HELD]


def test_transcultural_has_no_cap_and_shows_seven_of_about_six(
        app, client, login, transcultural, csrf_token):
    add_sessions(app, transcultural.rel, 6)
    login(transcultural.mentee)
    assert pair_page(client, transcultural.rel).text("#target-progress") == \
        "6 of about 6 this year"
    response = log(client, transcultural.rel, csrf_token, channel="video", minutes=150)
    assert response.status_code == 303
    page = pair_page(client, transcultural.rel)
    assert page.text("#target-progress") == "7 of about 6 this year"
    assert page.soup.select_one("#sessions-left") is None
    assert page.soup.select_one("#session-rule") is None
    assert len(page.texts("#held-sessions li")) == sessions.HELD_SHOWN
    assert page.text("#all-held") == "All 7 held sessions"
    listing = Page(client.get(f"/mentoring/{transcultural.rel.id}/sessions/held"))
    assert len(listing.texts("#held-sessions li")) == 7


# Proposing, accepting, declining, cancelling -----------------------------------------------------

def test_a_proposal_emails_the_partner_and_their_acceptance_sends_the_calendar_file(
        app, client, login, pair, csrf_token, sent_emails):
    session = booked(app, client, login, pair, csrf_token)
    [proposed] = emails_to(sent_emails, pair.mentee, "mentoring-session-proposed:")
    assert proposed.subject == "Maya Mentor proposed a mentoring session"
    when = f"{next_week():%A %-d %B %Y}, 2pm to 3pm"
    assert when in proposed.body_text
    [accepted] = emails_to(sent_emails, pair.mentor, "mentoring-session-accepted:")
    assert accepted.subject == "Ned Mentee accepted: calendar file attached"
    assert accepted.attachment_name == "mentoring-session.ics"
    [event] = Calendar.from_ical(accepted.attachment_body).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(LONDON).replace(tzinfo=None) == \
        dt.datetime.combine(next_week(), dt.time(14))

    login(pair.mentor)
    page = pair_page(client, pair.rel)
    assert page.text("#next-session") == f"{when} ({times.to_local(session.starts_at):%Z}): " \
                                         "Telephone, 60 minutes"
    assert page.table("#planned-sessions")[0]["Status"] == "Booked"


def test_accept_with_htmx_answers_the_section_and_without_it_redirects(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    propose(client, pair.rel, csrf_token)
    propose(client, pair.rel, csrf_token, day=next_week() + dt.timedelta(days=1))
    first, second = stored(app, pair.rel)
    login(pair.mentee)
    page = pair_page(client, pair.rel)
    assert page.table("#planned-sessions")[0]["Status"] == "Maya Mentor proposed this time"

    response = act(client, pair.rel, first, "accept", csrf_token, headers=HX)
    assert response.status_code == 200
    fragment = Page(response)
    assert not fragment.is_full_page
    assert fragment.soup.select_one("section#sessions") is not None
    assert [row["Status"] for row in fragment.table("#planned-sessions")] == [
        "Booked", "Maya Mentor proposed this time"]
    assert "Session booked." in fragment.text("#flashes")
    assert fragment.text("#next-session").startswith(f"{next_week():%A %-d %B %Y}, 2pm")

    response = act(client, pair.rel, second, "decline", csrf_token)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/mentoring/{pair.rel.id}#sessions"
    page = Page(client.get(response.headers["Location"]))
    assert page.flashes() == ["Session declined. We have told Maya Mentor, who can propose "
                              "another time."]
    assert len(page.table("#planned-sessions")) == 1
    assert page.text("#sessions-left") == "2 of 3"  # a declined session frees its place


def test_only_the_partner_accepts_and_only_the_proposer_cancels(
        app, client, login, pair, csrf_token, sent_emails):
    login(pair.mentor)
    propose(client, pair.rel, csrf_token)
    [session] = stored(app, pair.rel)
    response = act(client, pair.rel, session, "accept", csrf_token, headers=HX)
    assert response.status_code == 422
    assert "You proposed this session, so Ned Mentee accepts or declines it." in \
        Page(response).text("#flashes")
    login(pair.mentee)
    act(client, pair.rel, session, "accept", csrf_token)
    response = act(client, pair.rel, session, "cancel", csrf_token, headers=HX)
    assert response.status_code == 422
    assert stored(app, pair.rel)[0].status == ACCEPTED

    login(pair.mentor)
    assert act(client, pair.rel, session, "cancel", csrf_token).status_code == 303
    assert stored(app, pair.rel)[0].status == CANCELLED
    [cancelled] = emails_to(sent_emails, pair.mentee, "mentoring-session-cancelled:")
    assert cancelled.subject == "Maya Mentor cancelled a mentoring session"
    [event] = Calendar.from_ical(cancelled.attachment_body).walk("VEVENT")
    assert (str(event["status"]), event["sequence"]) == ("CANCELLED", 1)
    assert pair_page(client, pair.rel).text("#next-session") == "No session booked"


def test_a_time_in_the_past_or_skipped_by_the_clocks_is_refused(
        app, client, login, pair, csrf_token):
    login(pair.mentor)
    response = propose(client, pair.rel, csrf_token, day=dt.date.today()
                       - dt.timedelta(days=1))
    assert response.status_code == 422
    assert Page(response).field_errors() == {
        "day": "Choose a date and time in the future. To record a session you have had, log "
               "it instead."}
    spring = dt.date(dt.date.today().year + 1, 3, 31)
    spring -= dt.timedelta(days=(spring.weekday() + 1) % 7)  # the last Sunday of March
    response = propose(client, pair.rel, csrf_token, day=spring, time="01:30")
    assert Page(response).field_errors()["start_time"].startswith("That time does not exist")
    response = log(client, pair.rel, csrf_token, held_on=next_week())
    assert Page(response).field_errors() == {
        "held_on": "A session can be logged once you have had it: choose today or an "
                   "earlier date."}
    assert stored(app, pair.rel) == []


# Held sessions ---------------------------------------------------------------------------------

def test_last_session_on_is_the_latest_held_day_whatever_order_they_are_logged_in(
        app, client, login, transcultural, csrf_token):
    login(transcultural.mentor)
    for days in (3, 10):
        log(client, transcultural.rel, csrf_token, channel="video",
            held_on=dt.date.today() - dt.timedelta(days=days))
    with app.app_context(), db.connection_context():
        rel = Relationship.get_by_id(transcultural.rel.id)
    assert rel.last_session_on == dt.date.today() - dt.timedelta(days=3)


# The calendar file -----------------------------------------------------------------------------

def test_the_calendar_file_carries_london_time_for_the_pair_alone(
        app, client, login, pair, csrf_token, make_user):
    session = booked(app, client, login, pair, csrf_token, time="18:30")
    url = f"/mentoring/{pair.rel.id}/sessions/{session.id}/calendar.ics"
    for person in (pair.mentor, pair.mentee):
        login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(response.data)
        assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
        [event] = calendar.walk("VEVENT")
        assert str(event["dtstart"].params["TZID"]) == "Europe/London"
        start = event.decoded("dtstart")
        assert start.tzinfo.key == "Europe/London"
        assert (start.date(), start.hour, start.minute) == (next_week(), 18, 30)
        assert event.decoded("dtend") - start == dt.timedelta(minutes=60)
        assert str(event["summary"]) == "Mentoring: Maya Mentor and Ned Mentee"
    for outsider in (pair.coordinator, make_user(role="admin"), make_user()):
        login(outsider)
        assert client.get(url).status_code == 404
    # A proposal nobody has accepted has no calendar file yet.
    login(pair.mentor)
    propose(client, pair.rel, csrf_token, day=next_week() + dt.timedelta(days=7))
    proposal = stored(app, pair.rel)[-1]
    assert client.get(f"/mentoring/{pair.rel.id}/sessions/{proposal.id}/calendar.ics"
                      ).status_code == 404


def test_coordinators_and_others_reach_no_session_or_summary(
        app, client, login, pair, csrf_token, make_user):
    add_sessions(app, pair.rel, 1)
    add_sessions(app, pair.rel, 1, status=PROPOSED, by=pair.mentor,
                 starts_at=utcnow() + dt.timedelta(days=3))
    held, proposal = stored(app, pair.rel)
    rid = pair.rel.id
    gets = [f"/mentoring/{rid}", f"/mentoring/{rid}/sessions/held",
            f"/mentoring/{rid}/sessions/new", f"/mentoring/{rid}/sessions/log",
            f"/mentoring/{rid}/sessions/{held.id}/calendar.ics"]
    for outsider in (pair.coordinator, make_user(role="admin"), make_user()):
        login(outsider)
        for url in gets:
            response = client.get(url)
            assert response.status_code == 404, (outsider.name, url)
            assert b"Summary 0" not in response.data
        for action in ("accept", "decline", "cancel"):
            assert act(client, pair.rel, proposal, action, csrf_token).status_code == 404
        assert propose(client, pair.rel, csrf_token).status_code == 404
    assert stored(app, pair.rel)[1].status == PROPOSED
    login(pair.mentee)
    assert client.get(f"/mentoring/{rid}/sessions/999999/calendar.ics").status_code == 404
    assert act(client, pair.rel, proposal, "accept", None).status_code == 400  # no CSRF


# Queries ---------------------------------------------------------------------------------------

def page_queries(client, rel) -> int:
    with count_queries() as counter:
        response = client.get(f"/mentoring/{rel.id}")
    assert response.status_code == 200
    return counter.count


def test_the_pair_page_reads_sessions_in_the_same_queries_at_10_and_1000(
        app, client, login, transcultural):
    rel, mentor = transcultural.rel, transcultural.mentor
    add_sessions(app, rel, 2, status=ACCEPTED, by=mentor,
                 starts_at=utcnow() + dt.timedelta(days=30))
    add_sessions(app, rel, 8)
    login(transcultural.mentee)
    at_10 = page_queries(client, rel)
    add_sessions(app, rel, 990)
    at_1000 = page_queries(client, rel)
    assert at_10 == at_1000
    page = pair_page(client, rel)
    assert page.text("#target-progress") == "998 of about 6 this year"
    assert len(page.table("#planned-sessions")) == 2
    with app.test_request_context():  # its end closes the connection
        db.connect(reuse_if_open=True)
        rel = Relationship.with_people().where(Relationship.id == rel.id).get()
        times.zone()  # the settings, read once per request
        with assert_query_count(3):
            sessions.section_context(rel, mentor, dt.date.today())
        with assert_query_count(1):
            agreement.section_context(rel, mentor, dt.date.today())


def test_the_services_refuse_a_session_once_the_mentoring_has_ended(app, pair):
    with app.app_context(), db.connection_context():
        Relationship.update(status="closed").where(Relationship.id == pair.rel.id).execute()
        rel = Relationship.with_people().where(Relationship.id == pair.rel.id).get()
        with pytest.raises(svc.SessionRefused, match="has ended"):
            svc.log_unplanned(rel, pair.mentor, four_days_ago(), 60, "telephone", "x", utcnow())


def test_anonymous_requests_are_sent_to_log_in(app, client, pair, csrf_token):
    add_sessions(app, pair.rel, 1, status=PROPOSED, by=pair.mentor,
                 starts_at=utcnow() + dt.timedelta(days=3))
    [proposal] = stored(app, pair.rel)
    response = act(client, pair.rel, proposal, "accept", csrf_token, headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/accounts/login?next=")
    response = client.get(f"/mentoring/{pair.rel.id}/sessions/{proposal.id}/calendar.ics")
    assert response.status_code == 303 and "/accounts/login" in response.headers["Location"]
    assert stored(app, pair.rel)[0].status == PROPOSED


@pytest.mark.parametrize("value", ["\x00", "x" * 20000, "<script>alert(1)</script>", "-5"])
def test_odd_input_is_refused_without_a_500(app, client, login, pair, csrf_token, value):
    login(pair.mentee)
    forms = {f"/mentoring/{pair.rel.id}/sessions/new": ["day", "start_time", "minutes",
                                                         "channel"],
             f"/mentoring/{pair.rel.id}/sessions/log": ["held_on", "minutes", "channel",
                                                         "summary"],
             f"/mentoring/{pair.rel.id}/agreement": ["version", "expectations", "channel",
                                                      "frequency"]}
    for url, fields in forms.items():
        response = client.post(url, data={"csrf_token": csrf_token,
                                          **{field: value for field in fields}})
        assert response.status_code == 422, url
        assert Page(response).error_summary(), url
    assert stored(app, pair.rel) == []
