"""Check-ins and inactivity: the job asks both people every N weeks (once per period), the
emailed links work signed out, only once and not after expiry, a call for help reaches the
coordinators and flags the pair until dealt with; answering on the pair page with htmx and
without; and quiet pairs get one nudge and the "inactive" flag after N days, not while the
mentee is on leave. The clock is moved by passing `today`/`now`."""
import datetime as dt
import time

import pytest

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import services_checkins, status
from portal.blueprints.mentoring.models import ACTIVE, CHECKIN_ANSWERS, CheckIn, Relationship
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tests.conftest import link_in
from tests.mentoring_factories import make_pair
from tests.pages import Page

HX = {"HX-Request": "true"}
WEEKS = 4  # short_virtual's checkin_weeks
INACTIVE_DAYS = 30  # and its inactivity_days


@pytest.fixture
def pair(app, make_user):
    """An active short-virtual pair started `weeks_in` weeks ago."""
    def make(weeks_in=WEEKS, **fields):
        started = utcnow() - dt.timedelta(weeks=weeks_in)
        with app.app_context(), db.connection_context():
            made = make_pair(make_user, "short_virtual")
            values = {"status": ACTIVE, "released_at": started, "started_at": started,
                      **fields}
            Relationship.update(**values).where(Relationship.id == made.rel.id).execute()
            made.rel = Relationship.get_by_id(made.rel.id)
        return made
    return make


def send(app, rel, today=None, now=None) -> list[str]:
    with app.app_context(), db.connection_context():
        return services_checkins.send_checkins(rel.id, today or dt.date.today(), now)


def due(app, today=None) -> list[int]:
    with app.app_context(), db.connection_context():
        return services_checkins.checkins_due(today or dt.date.today())


def checkin_links(body: str) -> dict[str, str]:
    """Answer label -> link path, from a check-in email."""
    found = {}
    for line in body.splitlines():
        label, _, url = line.partition(": http://localhost")
        if url and label in CHECKIN_ANSWERS.values():
            found[label] = url
    return found


def press(form, label: str) -> dict:
    """What a browser sends when the button labelled `label` is pressed: the form's hidden
    fields and that button's name and value."""
    [button] = [b for b in form.select("button") if b.get_text(strip=True) == label]
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    data[button["name"]] = button["value"]
    return data


def checkins(app) -> list[CheckIn]:
    with app.app_context(), db.connection_context():
        return list(CheckIn.select().order_by(CheckIn.period, CheckIn.person))


# The job --------------------------------------------------------------------------------------

def test_both_people_are_asked_once_per_period_from_the_first_n_weeks(app, pair, sent_emails,
                                                                      today):
    p = pair(weeks_in=WEEKS - 1)
    assert due(app) == [] and send(app, p.rel) == []  # too soon
    assert due(app, today + dt.timedelta(weeks=1)) == [p.rel.id]
    assert len(send(app, p.rel, today + dt.timedelta(weeks=1))) == 2
    assert send(app, p.rel, today + dt.timedelta(weeks=1)) == []  # the same period again
    assert due(app, today + dt.timedelta(weeks=1)) == []
    assert [(c.person_id, c.period) for c in checkins(app)] == [
        (p.mentor.id, 1), (p.mentee.id, 1)]
    [email] = sent_emails(p.mentee.email)
    assert email.subject == "How is your mentoring with Maya Mentor going?"
    assert set(checkin_links(email.body_text)) == {
        "We are on track", "We need help", "We have stopped"}
    # four weeks on, the second period
    assert due(app, today + dt.timedelta(weeks=5)) == [p.rel.id]
    send(app, p.rel, today + dt.timedelta(weeks=5))
    assert [c.period for c in checkins(app)] == [1, 1, 2, 2]


def test_a_repeated_job_run_sends_one_email_per_person_and_period(app, pair):
    p = pair()
    for _ in range(3):
        send(app, p.rel)
    with app.app_context(), db.connection_context():
        keys = [m.key for m in OutboxMessage.select().where(
            OutboxMessage.key.startswith("mentoring-checkin:"))]
    assert sorted(keys) == sorted([f"mentoring-checkin:{p.rel.id}:{p.mentor.id}:1",
                                   f"mentoring-checkin:{p.rel.id}:{p.mentee.id}:1"])


def test_check_ins_wait_during_leave_unless_the_mentee_keeps_in_touch(app, pair, today):
    on_leave = {"leave_starts": today - dt.timedelta(days=10),
                "leave_returns": today + dt.timedelta(days=200)}
    paused, in_touch = pair(**on_leave), pair(keep_in_touch=True, **on_leave)
    assert due(app) == [in_touch.rel.id]
    assert send(app, paused.rel) == []
    assert len(send(app, in_touch.rel)) == 2


def test_no_check_ins_for_closed_pairs_or_programmes_without_them(app, pair):
    closed = pair(status="closed")
    none = pair()
    with app.app_context(), db.connection_context():
        none.rel.programme.checkin_weeks = None
        none.rel.programme.save()
    assert due(app) == []
    assert send(app, closed.rel) == [] and send(app, none.rel) == []


# The emailed links ------------------------------------------------------------------------------

def _mentee_links(app, p, sent_emails) -> dict[str, str]:
    send(app, p.rel)
    return checkin_links(sent_emails(p.mentee.email)[0].body_text)


def test_a_link_works_signed_out_asks_for_one_press_and_records_once(app, client, pair,
                                                                     sent_emails):
    p = pair()
    link = _mentee_links(app, p, sent_emails)["We are on track"]
    page = Page(client.get(link))  # what a mail scanner would fetch: nothing is recorded
    assert page.heading() == "How is your mentoring with Maya Mentor going?"
    assert page.text("#checkin-choice strong") == "We are on track"
    assert [c.answered_at for c in checkins(app)] == [None, None]
    token = page.soup.select_one("#checkin input[name=csrf_token]")["value"]
    response = client.post(link, data=press(page.soup.select_one("form#checkin"),
                                            "Send: We are on track"))
    assert response.status_code == 303
    thanks = Page(client.get(response.headers["Location"]))
    assert thanks.text("#checkin-answer strong") == "We are on track"
    mentee_row = [c for c in checkins(app) if c.person_id == p.mentee.id][0]
    assert mentee_row.answer == "on_track" and mentee_row.answered_at is not None
    # the same link, or another answer's link, again: used
    for again in (client.get(link), client.post(link, data={"answer": "stopped",
                                                             "csrf_token": token})):
        assert again.status_code == 400
        assert Page(again).heading() == "This link has already been used."
    assert [c.answer for c in checkins(app) if c.person_id == p.mentee.id] == ["on_track"]


def test_the_person_may_send_a_different_answer_from_the_page(app, client, pair, sent_emails):
    p = pair()
    link = _mentee_links(app, p, sent_emails)["We are on track"]
    page = Page(client.get(link))
    token = page.soup.select_one("#checkin input[name=csrf_token]")["value"]
    assert [b["value"] for b in page.soup.select("#checkin button")] == [
        "on_track", "need_help", "stopped"]
    assert token
    client.post(link, data=press(page.soup.select_one("form#checkin"), "We need help"))
    assert [c.answer for c in checkins(app) if c.person_id == p.mentee.id] == ["need_help"]


def test_a_link_without_the_button_press_token_records_nothing(app, client, pair, sent_emails):
    p = pair()
    link = _mentee_links(app, p, sent_emails)["We have stopped"]
    assert client.post(link, data={"answer": "stopped"}).status_code == 400
    assert [c.answered_at for c in checkins(app)] == [None, None]


def test_an_expired_link_says_so(app, client, pair, monkeypatch):
    p = pair()
    send(app, p.rel)
    with app.app_context(), db.connection_context():
        row = CheckIn.get(CheckIn.person == p.mentee.id)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 15 * 24 * 3600)
    with app.test_request_context():
        token = services_checkins.make_token(row.id, "need_help")
    monkeypatch.setattr(time, "time", real_time)
    response = client.get(f"/mentoring/checkins/{token}")
    assert response.status_code == 400
    assert Page(response).heading() == "This link has expired."


def test_an_answer_after_two_weeks_is_refused_even_by_a_fresh_link(app, client, pair):
    p = pair()
    send(app, p.rel, now=utcnow() - dt.timedelta(days=15))
    with app.test_request_context():
        row = CheckIn.get(CheckIn.person == p.mentee.id)
        token = services_checkins.make_token(row.id, "on_track")
    page = Page(client.get(f"/mentoring/checkins/{token}"))
    csrf = page.soup.select_one("#checkin input[name=csrf_token]")["value"]
    response = client.post(f"/mentoring/checkins/{token}", data={"answer": "on_track",
                                                                 "csrf_token": csrf})
    assert response.status_code == 400
    assert Page(response).heading() == "This link has expired."


def test_an_altered_link_is_not_valid(app, client, pair, sent_emails):
    p = pair()
    link = _mentee_links(app, p, sent_emails)["We need help"]
    response = client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    assert response.status_code == 400
    assert "not valid" in Page(response).heading()


def test_a_call_for_help_emails_the_coordinators_and_flags_the_pair_until_dealt_with(
        app, client, login, csrf_token, pair, sent_emails, today):
    p = pair(last_session_on=today - dt.timedelta(days=3))
    link = _mentee_links(app, p, sent_emails)["We need help"]
    page = Page(client.get(link))
    token = page.soup.select_one("#checkin input[name=csrf_token]")["value"]
    client.post(link, data={"answer": "need_help", "csrf_token": token})
    [alert] = sent_emails(p.coordinator.email)
    assert alert.subject == "Short virtual mentoring: a pair's check-in needs you"
    assert 'Ned Mentee answered a check-in on Short virtual mentoring: "We need help"' \
        in alert.body_text
    pairs_url = f"/mentoring/cohorts/{p.rel.cohort_id}/pairs"
    assert link_in(alert.body_text) == pairs_url
    login(p.coordinator)
    page = Page(client.get(pairs_url))
    assert page.table("#pairs-table")[0]["Status"] == "Needs a check-in"
    assert "Ned Mentee (Maya Mentor and Ned Mentee) answered “We need help”" in \
        " ".join(page.text("#flags").split())
    with app.app_context(), db.connection_context():
        row = CheckIn.get(CheckIn.person == p.mentee.id)
    resolve = f"/mentoring/cohorts/{p.rel.cohort_id}/checkins/{row.id}/resolve"
    response = client.post(resolve, data={"csrf_token": csrf_token}, headers=HX)
    assert response.status_code == 200
    assert "Marked as dealt with." in response.text and "<html" not in response.text
    page = Page(client.get(pairs_url))
    assert page.table("#pairs-table")[0]["Status"] == "On track"
    assert page.text("#flags") == "Nobody has asked for help."
    assert [c.resolved_at is not None for c in checkins(app)
            if c.person_id == p.mentee.id] == [True]


def test_resolving_without_javascript_redirects_to_the_list(app, client, login, csrf_token,
                                                            pair):
    p = pair()
    send(app, p.rel)
    with app.app_context(), db.connection_context():
        row = CheckIn.get(CheckIn.person == p.mentor.id)
        services_checkins.answer(row.id, "stopped")
    login(p.coordinator)
    url = f"/mentoring/cohorts/{p.rel.cohort_id}/checkins/{row.id}/resolve"
    response = client.post(url, data={"csrf_token": csrf_token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/pairs#flags")
    assert Page(client.get(response.headers["Location"])).flashes() == ["Marked as dealt with."]


def test_only_the_programmes_coordinators_may_mark_a_call_dealt_with(app, client, login,
                                                                     make_user, csrf_token,
                                                                     pair):
    p = pair()
    send(app, p.rel)
    with app.app_context(), db.connection_context():
        row = CheckIn.get(CheckIn.person == p.mentor.id)
        services_checkins.answer(row.id, "stopped")
    url = f"/mentoring/cohorts/{p.rel.cohort_id}/checkins/{row.id}/resolve"
    for outsider in (p.mentor, make_user(role="admin"), make_user(role="staff")):
        login(outsider)
        assert client.post(url, data={"csrf_token": csrf_token}).status_code == 404
    assert all(c.resolved_at is None for c in checkins(app))


def test_an_on_track_answer_tells_nobody(app, client, pair, sent_emails):
    p = pair()
    send(app, p.rel)
    with app.app_context(), db.connection_context():
        services_checkins.answer(CheckIn.get(CheckIn.person == p.mentee.id).id, "on_track")
    assert sent_emails(p.coordinator.email) == []


# Answering on the pair page -------------------------------------------------------------------


def test_the_pair_page_asks_how_it_is_going_and_answers_in_place_with_htmx(
        app, client, login, csrf_token, pair):
    p = pair()
    send(app, p.rel)
    login(p.mentor)
    page = Page(client.get(f"/mentoring/{p.rel.id}"))
    form = page.soup.select_one("#checkin form")
    assert [b.get_text(strip=True) for b in form.select("button")] == [
        "We are on track", "We need help", "We have stopped"]
    assert form["hx-target"] == "#care"
    response = client.post(form["action"], data=press(form, "We are on track"), headers=HX)
    assert response.status_code == 200
    fragment = Page(response)
    assert not fragment.is_full_page
    assert fragment.soup.find(id="care") is not None and fragment.soup.find(id="checkin") is None
    assert "Thank you: you told us “We are on track”." in fragment.text("#flashes")
    assert "HX-Request" in response.headers.get("Vary", "")


def test_the_pair_page_answer_works_without_javascript_and_only_once(app, client, login,
                                                                     csrf_token, pair):
    p = pair()
    send(app, p.rel)
    login(p.mentor)
    form = Page(client.get(f"/mentoring/{p.rel.id}")).soup.select_one("#checkin form")
    action = form["action"]
    response = client.post(action, data=press(form, "We need help"))
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert page.soup.find(id="checkin") is None
    again = client.post(action, data={"checkin-answer": "stopped", "csrf_token": csrf_token})
    assert Page(client.get(again.headers["Location"])).flashes() == [
        "This link has already been used."]
    assert [c.answer for c in checkins(app) if c.person_id == p.mentor.id] == ["need_help"]


def test_a_person_cannot_answer_the_partners_check_in(app, client, login, csrf_token, pair):
    p = pair()
    send(app, p.rel)
    with app.app_context(), db.connection_context():
        theirs = CheckIn.get(CheckIn.person == p.mentee.id)
    login(p.mentor)
    response = client.post(f"/mentoring/{p.rel.id}/checkins/{theirs.id}",
                           data={"checkin-answer": "stopped", "csrf_token": csrf_token})
    assert response.status_code == 404


def test_signed_out_htmx_answers_get_401_and_a_redirect_to_log_in(app, client, csrf_token,
                                                                   pair):
    p = pair()
    response = client.post(f"/mentoring/{p.rel.id}/checkins/1", headers=HX,
                           data={"checkin-answer": "on_track", "csrf_token": csrf_token})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/accounts/login")


# Inactivity -----------------------------------------------------------------------------------

def test_a_quiet_pair_is_flagged_and_nudged_once_after_n_days(app, client, login, pair,
                                                              sent_emails, today):
    p = pair(weeks_in=10, last_session_on=today - dt.timedelta(days=INACTIVE_DAYS - 1))
    with app.app_context(), db.connection_context():
        assert services_checkins.nudges_due(today) == []
        assert services_checkins.nudge(p.rel.id, today) == []
    login(p.coordinator)
    assert _status_on_list(client, p) == "On track"
    tomorrow = today + dt.timedelta(days=1)
    with app.app_context(), db.connection_context():
        assert services_checkins.nudges_due(tomorrow) == [p.rel.id]
        assert len(services_checkins.nudge(p.rel.id, tomorrow)) == 2
        assert services_checkins.nudge(p.rel.id, tomorrow + dt.timedelta(days=9)) == []
        assert services_checkins.nudges_due(tomorrow + dt.timedelta(days=9)) == []
        rel = Relationship.get_by_id(p.rel.id)
        assert status.pair_status(rel, tomorrow, INACTIVE_DAYS, 0) == status.INACTIVE
    [nudge] = sent_emails(p.mentee.email)
    assert nudge.subject == "Time to meet Maya Mentor?"
    assert link_in(nudge.body_text) == f"/mentoring/{p.rel.id}"
    # the coordinator's list, a day later than the page's clock, says inactive
    set_last_session(app, p.rel, today - dt.timedelta(days=INACTIVE_DAYS))
    assert _status_on_list(client, p) == "Inactive"


def test_a_session_starts_a_new_quiet_stretch_with_its_own_nudge(app, pair, today):
    p = pair(weeks_in=10, last_session_on=today - dt.timedelta(days=40))
    with app.app_context(), db.connection_context():
        assert len(services_checkins.nudge(p.rel.id, today)) == 2
    set_last_session(app, p.rel, today + dt.timedelta(days=2))
    later = today + dt.timedelta(days=2 + INACTIVE_DAYS)
    with app.app_context(), db.connection_context():
        assert services_checkins.nudges_due(later - dt.timedelta(days=1)) == []
        assert services_checkins.nudges_due(later) == [p.rel.id]
        assert len(services_checkins.nudge(p.rel.id, later)) == 2


def test_no_flag_and_no_nudge_while_the_mentee_is_on_leave(app, client, login, pair, today):
    p = pair(weeks_in=20, last_session_on=today - dt.timedelta(days=90),
             leave_starts=today - dt.timedelta(days=30),
             leave_returns=today + dt.timedelta(days=150))
    with app.app_context(), db.connection_context():
        assert services_checkins.nudges_due(today) == []
        assert services_checkins.nudge(p.rel.id, today) == []
    login(p.coordinator)
    assert _status_on_list(client, p) == "On leave"
    # back from leave: the quiet stretch counts again
    with app.app_context(), db.connection_context():
        back = today + dt.timedelta(days=150 + 60)
        assert services_checkins.nudges_due(back) == [p.rel.id]


def test_a_never_started_pair_counts_its_quiet_days_from_the_start(app, pair, today):
    p = pair(weeks_in=0)
    with app.app_context(), db.connection_context():
        assert services_checkins.nudges_due(today + dt.timedelta(days=INACTIVE_DAYS - 1)) == []
        assert services_checkins.nudges_due(today + dt.timedelta(days=INACTIVE_DAYS)) == [
            p.rel.id]


def set_last_session(app, rel, day):
    with app.app_context(), db.connection_context():
        Relationship.update(last_session_on=day).where(Relationship.id == rel.id).execute()


def _status_on_list(client, p) -> str:
    page = Page(client.get(f"/mentoring/cohorts/{p.rel.cohort_id}/pairs"))
    [row] = page.table("#pairs-table")
    return row["Status"]


def test_coordinators_get_the_call_for_help_whoever_else_staffs_the_programme(app, pair,
                                                                            make_user,
                                                                            sent_emails):
    p = pair()
    second = make_user(role="staff", name="Second Coordinator")
    with app.app_context(), db.connection_context():
        from portal.blueprints.programmes import services
        services.add_coordinator(User.get_by_id(p.coordinator.id), p.rel.programme,
                                 User.get_by_id(second.id))
    other_staff = make_user(role="staff")
    send(app, p.rel)
    with app.app_context(), db.connection_context():
        services_checkins.answer(CheckIn.get(CheckIn.person == p.mentee.id).id, "stopped")
    assert len(sent_emails(p.coordinator.email)) == 1
    assert len(sent_emails(second.email)) == 1
    assert sent_emails(other_staff.email) == []
