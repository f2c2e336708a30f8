"""Matching's pages: the criteria weights, the coordinator's cohort board (run, swap, lock,
re-run, remove, release) with htmx and without, suggestions with a side-by-side compare
and a pick, and the participant's match with its decline; who may open each (members
404, staff who do not coordinate 403, a match only for its two people). CSRF stays on."""
import datetime as dt
import json
import types

import pytest

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import DECLINED, DRAFT, RELEASED, Relationship
from portal.blueprints.programmes import services
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.models import MENTEE, MENTOR, TRAINING, CohortWebinar, Programme
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow
from portal.outbox import OutboxMessage
from tests.pages import Page
from tests.programme_factories import make_rtw, mentee_answers, mentor_answers, submitted

HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, make_user):
    """Return to Work (mentors take up to two mentees, at least one) with a coordinator,
    other staff, a member, and two mentors and three mentees accepted and trained."""
    w = types.SimpleNamespace(
        coordinator=make_user(role="staff", name="Cora Coordinator"),
        staff=make_user(role="staff", name="Sid Staff"), member=make_user(name="Mo Member"))
    people = {"Mina Mentor": (MENTOR, "Leeds"), "Milo Mentor": (MENTOR, "Leeds"),
              "Ella Mentee": (MENTEE, "York"), "Emma Mentee": (MENTEE, "York"),
              "Eve Mentee": (MENTEE, "Hull")}
    users = {name: make_user(name=name, organisation=org) for name, (_, org) in people.items()}
    with app.app_context(), db.connection_context():
        coordinator = User.get_by_id(w.coordinator.id)
        programme, cohort = make_rtw(coordinator, mentor_capacity_min=1, mentor_capacity_max=2)
        services.add_coordinator(coordinator, programme, coordinator)
        start = utcnow() - dt.timedelta(days=3)
        session = WebinarSession.create(title="Training day", starts_at=start,
                                        ends_at=start + dt.timedelta(hours=6), capacity=60)
        CohortWebinar.create(cohort=cohort, session=session, purpose=TRAINING, role="")
        w.apps = {}
        for name, (role, _) in people.items():
            user = User.get_by_id(users[name].id)
            answers = (mentor_answers(programme) if role == MENTOR
                       else mentee_answers(programme, learning_goals="budgets and rotas"))
            application = submitted(user, programme, cohort, role, answers)
            apps.accept(coordinator, application)
            WebinarBooking.create(session=session, user=user.id, status="booked",
                                  attended=True)
            w.apps[name] = application
    w.programme, w.cohort, w.people = programme, cohort, users
    w.board = f"/programmes/review/cohorts/{cohort.id}/matching"
    return w


def rels(app, cohort, statuses=(DRAFT,)) -> list[Relationship]:
    with app.app_context(), db.connection_context():
        return list(Relationship.for_cohort(cohort, statuses))


def pairs(app, cohort, statuses=(DRAFT,)) -> set[tuple[str, str]]:
    return {(r.mentor.name, r.mentee.name) for r in rels(app, cohort, statuses)}


def run(client, w, csrf_token, headers=None, mode="best_total"):
    return client.post(f"{w.board}/run", data={"csrf_token": csrf_token, "mode": mode},
                       headers=headers or {})


# Who may see what ------------------------------------------------------------------------------

def test_members_get_404_and_staff_who_do_not_coordinate_403(client, login, world,
                                                             csrf_token):
    mentee_app = world.apps["Ella Mentee"].id
    gets = [world.board, f"{world.board}/release", f"{world.board}/mentees/{mentee_app}"]
    posts = [f"{world.board}/run", f"{world.board}/swap", f"{world.board}/release",
             f"{world.board}/mentees/{mentee_app}/pick"]
    for who, expected in ((world.member, 404), (world.staff, 403)):
        login(who)
        for url in gets:
            assert client.get(url).status_code == expected, (who.name, url)
            assert client.get(url, headers=HX).status_code == expected, (who.name, url)
        for url in posts:
            assert client.post(url, data={"csrf_token": csrf_token}).status_code == expected
    login(world.coordinator)
    assert client.get("/programmes/review/cohorts/999999/matching").status_code == 404
    assert client.get(f"{world.board}/mentees/999999").status_code == 404
    # A mentor's application has no suggestions page.
    assert client.get(f"{world.board}/mentees/{world.apps['Mina Mentor'].id}"
                      ).status_code == 404


def test_draft_actions_are_404_to_members_and_403_to_other_staff(app, client, login, world,
                                                                 csrf_token):
    login(world.coordinator)
    run(client, world, csrf_token)
    draft = rels(app, world.cohort)[0]
    for who, expected in ((world.member, 404), (world.staff, 403)):
        login(who)
        for action in ("lock", "unlock", "remove"):
            response = client.post(f"/programmes/review/matching/drafts/{draft.id}/{action}",
                                   data={"csrf_token": csrf_token})
            assert response.status_code == expected, (who.name, action)
    login(world.coordinator)
    assert client.post("/programmes/review/matching/drafts/999999/lock",
                       data={"csrf_token": csrf_token}).status_code == 404


def test_posts_without_a_csrf_token_are_refused(app, client, login, world, csrf_token):
    login(world.coordinator)
    assert client.post(f"{world.board}/run", data={"mode": "best_total"}).status_code == 400
    assert rels(app, world.cohort) == []


# The board ---------------------------------------------------------------------------------------

def test_the_board_lists_who_is_ready_without_javascript(client, login, world):
    login(world.coordinator)
    page = Page(client.get(world.board))
    assert page.heading() == "Matching" and page.is_full_page
    assert {r["Mentor"]: r["Places left"] for r in page.table("#ready-mentors")} == {
        "Mina Mentor": "2 of 2", "Milo Mentor": "2 of 2"}
    assert {r["Mentee"].removesuffix(" : suggestions"): r["Match"]
            for r in page.table("#ready-mentees")} == {
        "Ella Mentee": "Not matched yet", "Emma Mentee": "Not matched yet",
        "Eve Mentee": "Not matched yet"}
    assert page.text("#drafts tbody").startswith("No draft matches")


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_a_run_makes_drafts_with_reasons_and_shows_greedy_beside_it(app, client, login, world,
                                                                    csrf_token, htmx):
    login(world.coordinator)
    response = run(client, world, csrf_token, HX if htmx else None, mode="most_matched")
    if htmx:
        assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
        page = Page(response)
        assert not page.is_full_page and page.soup.select_one("#matching-board")
        assert "Matching done: 3 draft matches" in page.text("#flashes")
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{world.board}#drafts")
        page = Page(client.get(world.board))
        assert "Matching done: 3 draft matches" in " ".join(page.flashes())
    rows = page.table("#drafts")
    assert len(rows) == 3 and all(r["Why"] and r["Score"].isdigit() for r in rows)
    assert {r["Mentee"] for r in rows} == {"Ella Mentee", "Emma Mentee", "Eve Mentee"}
    last = {r["Assignment"]: (r["People matched"], r["Total score"])
            for r in page.table("#last-run")}
    assert set(last) == {"This run", "A greedy pass"}
    assert last["This run"][0] == "3" and int(last["This run"][0]) >= int(last["A greedy pass"][0])
    assert page.text("#last-run caption").startswith("Last run (match as many people")
    # Both mentors have at least one mentee: nobody under the minimum.
    assert page.soup.select_one("#under-min") is None


def test_a_bad_mode_is_422_with_the_error_summary(client, login, world, csrf_token):
    login(world.coordinator)
    for headers in ({}, HX):
        response = run(client, world, csrf_token, headers, mode="fastest")
        assert response.status_code == 422
        page = Page(response)
        assert page.error_summary() == ["Not a valid choice."]
        assert page.is_full_page == (headers == {})


def test_mentors_under_their_minimum_are_listed(app, client, login, world, csrf_token):
    with app.app_context(), db.connection_context():
        Programme.update(mentor_capacity_min=2).where(
            Programme.id == world.programme.id).execute()
    login(world.coordinator)
    run(client, world, csrf_token)
    under = Page(client.get(world.board)).texts("#under-min li")
    assert len(under) == 1 and under[0].endswith(": 1 mentee")


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_swap_two_mentees(app, client, login, world, csrf_token, htmx):
    login(world.coordinator)
    run(client, world, csrf_token)
    a, b = [r for r in rels(app, world.cohort)][:2]
    if a.mentor_id == b.mentor_id:  # same mentor: swapping changes nothing visible
        b = rels(app, world.cohort)[2]
    response = client.post(f"{world.board}/swap", headers=HX if htmx else {}, data={
        "csrf_token": csrf_token, "swap-first": a.id, "swap-second": b.id})
    assert response.status_code == (200 if htmx else 303)
    after = pairs(app, world.cohort)
    assert (a.mentor.name, b.mentee.name) in after and (b.mentor.name, a.mentee.name) in after
    with app.app_context(), db.connection_context():
        assert AuditEntry.select().where(AuditEntry.action == "matching.swap").count() == 1


def test_swap_refusals_are_422_and_change_nothing(app, client, login, world, csrf_token):
    login(world.coordinator)
    run(client, world, csrf_token)
    a, b = rels(app, world.cohort)[:2]
    before = pairs(app, world.cohort)
    response = client.post(f"{world.board}/swap", headers=HX, data={
        "csrf_token": csrf_token, "swap-first": a.id, "swap-second": a.id})
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Choose two different matches"]
    client.post(f"/programmes/review/matching/drafts/{a.id}/lock",
                data={"csrf_token": csrf_token})
    response = client.post(f"{world.board}/swap", data={
        "csrf_token": csrf_token, "swap-first": a.id, "swap-second": b.id})
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == ["Unlock a match before swapping it"]
    assert page.is_full_page and page.soup.title.text.startswith("Error: ")
    assert pairs(app, world.cohort) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_lock_in_place_and_a_rerun_keeps_it(app, client, login, world, csrf_token, htmx):
    login(world.coordinator)
    run(client, world, csrf_token)
    kept = rels(app, world.cohort)[0]
    response = client.post(f"/programmes/review/matching/drafts/{kept.id}/lock",
                           headers=HX if htmx else {}, data={"csrf_token": csrf_token})
    if htmx:
        assert response.status_code == 200
        page = Page(response)
        row = page.soup.select_one(f"tr#draft-{kept.id}")
        assert row is not None and "Locked" in row.get_text()
        assert row.select_one("button").get_text(" ", strip=True).startswith("Unlock")
        assert "locked, so a re-run keeps them" in page.text("#flashes")
    else:
        assert response.status_code == 303
    # Another mentee joins; a re-run replaces the other drafts but keeps the locked pair.
    run(client, world, csrf_token)
    after = rels(app, world.cohort)
    assert any(r.id == kept.id and r.locked for r in after)
    assert (kept.mentor.name, kept.mentee.name) in pairs(app, world.cohort)
    response = client.post(f"/programmes/review/matching/drafts/{kept.id}/unlock",
                           headers=HX, data={"csrf_token": csrf_token})
    assert "Unlock" not in Page(response).text(f"tr#draft-{kept.id} button")


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_remove_a_draft(app, client, login, world, csrf_token, htmx):
    login(world.coordinator)
    run(client, world, csrf_token)
    gone = rels(app, world.cohort)[0]
    response = client.post(f"/programmes/review/matching/drafts/{gone.id}/remove",
                           headers=HX if htmx else {}, data={"csrf_token": csrf_token})
    if htmx:
        assert response.status_code == 200
        page = Page(response)
        assert page.soup.select_one("tr") is None
        assert "Removed the draft match" in page.text("#flashes")
    else:
        assert response.status_code == 303
    assert gone.id not in {r.id for r in rels(app, world.cohort)}


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
def test_release_after_a_confirm_step_emails_each_person_once(app, client, login, world,
                                                             csrf_token, htmx):
    login(world.coordinator)
    run(client, world, csrf_token)
    confirm = client.get(f"{world.board}/release", headers=HX if htmx else {})
    page = Page(confirm)
    assert page.is_full_page != htmx
    assert "Release 3 draft matches?" in page.text("#release-confirm")
    response = client.post(f"{world.board}/release", headers=HX if htmx else {},
                           data={"csrf_token": csrf_token})
    assert response.status_code == (200 if htmx else 303)
    board = Page(response) if htmx else Page(client.get(world.board))
    assert [r["Status"].split(",")[0] for r in board.table("#released")] == ["Released"] * 3
    assert board.text("#drafts tbody").startswith("No draft matches")
    with app.app_context(), db.connection_context():
        intros = [m.to_addr for m in OutboxMessage.select().where(
            OutboxMessage.subject == "Your Return to Work match")]
    # Two mentors and three mentees: one introduction each.
    assert sorted(intros) == sorted(u.email for u in world.people.values())
    # Nothing left to release: 422 with the reason.
    again = client.post(f"{world.board}/release", data={"csrf_token": csrf_token})
    assert again.status_code == 422
    assert "There are no draft matches to release" in " ".join(Page(again).flashes())


# Suggestions for one mentee -------------------------------------------------------------------

def test_suggestions_compare_two_mentors_and_pick_one(app, client, login, world, csrf_token):
    login(world.coordinator)
    url = f"{world.board}/mentees/{world.apps['Eve Mentee'].id}"
    page = Page(client.get(url))
    assert page.heading() == "Suggestions for Eve Mentee"
    rows = page.table("#suggestions")
    assert {r["Mentor"] for r in rows} == {"Mina Mentor", "Milo Mentor"}
    assert all("2 of 2 places left" in r["Why"] for r in rows)
    assert "different organisations" in rows[0]["Why"]
    ids = {n: world.people[n].id for n in ("Mina Mentor", "Milo Mentor")}
    page = Page(client.get(f"{url}?first={ids['Mina Mentor']}&second={ids['Milo Mentor']}"))
    side = page.soup.select("#comparison tbody tr")
    assert [h.get_text(strip=True) for h in page.soup.select("#comparison thead th")] == [
        "Mentor", "Mina Mentor", "Milo Mentor"]
    assert [r.th.get_text(strip=True) for r in side] == ["Score", "Why", "Places left", "Pick"]
    # A pick with an unknown mentor is 422; a good one makes a draft and goes to the board.
    bad = client.post(f"{url}/pick", data={"csrf_token": csrf_token, "mentor": "999999"})
    assert bad.status_code == 422
    assert Page(bad).error_summary() == ["Choose a mentor from the list"]
    response = client.post(f"{url}/pick", data={"csrf_token": csrf_token,
                                                 "mentor": ids["Milo Mentor"]})
    assert response.status_code == 303
    assert pairs(app, world.cohort) == {("Milo Mentor", "Eve Mentee")}
    page = Page(client.get(url))
    assert "Draft match: Milo Mentor" in page.text("#current-draft")
    again = client.post(f"{url}/pick", data={"csrf_token": csrf_token,
                                              "mentor": ids["Mina Mentor"]})
    assert again.status_code == 422
    assert "already has a draft match" in Page(again).error_summary()[0]


# The participant's side ----------------------------------------------------------------------

def released(app, client, login, world, csrf_token) -> Relationship:
    login(world.coordinator)
    mentee = world.apps["Eve Mentee"].id
    client.post(f"{world.board}/mentees/{mentee}/pick", data={
        "csrf_token": csrf_token, "mentor": world.people["Mina Mentor"].id})
    client.post(f"{world.board}/release", data={"csrf_token": csrf_token})
    [rel] = rels(app, world.cohort, (RELEASED,))
    return rel


def test_the_match_is_on_both_dashboards_and_hidden_from_everyone_else(
        app, client, login, world, csrf_token):
    rel = released(app, client, login, world, csrf_token)
    for me, partner in (("Eve Mentee", "Mina Mentor"), ("Mina Mentor", "Eve Mentee")):
        login(world.people[me])
        card = Page(client.get("/dashboard")).text(f"#match-{rel.id}")
        assert partner in card and "Why you were matched" in card
        assert "You may decline until" in card
        assert client.get(f"/programmes/matches/{rel.id}").status_code == 200
    for who in (world.people["Ella Mentee"], world.member, world.staff, world.coordinator):
        login(who)
        assert client.get(f"/programmes/matches/{rel.id}").status_code == 404
        assert client.get(f"/programmes/matches/{rel.id}/decline").status_code == 404
        assert client.post(f"/programmes/matches/{rel.id}/decline", data={
            "csrf_token": csrf_token, "reason": "no"}).status_code == 404
        assert f"match-{rel.id}" not in client.get("/dashboard").text


def test_a_draft_is_not_shown_to_its_people(app, client, login, world, csrf_token):
    login(world.coordinator)
    run(client, world, csrf_token)
    draft = rels(app, world.cohort)[0]
    login(world.people[draft.mentee.name])
    assert client.get(f"/programmes/matches/{draft.id}").status_code == 404


def test_decline_needs_a_reason_frees_the_place_and_tells_both(app, client, login, world,
                                                               csrf_token):
    rel = released(app, client, login, world, csrf_token)
    login(world.people["Eve Mentee"])
    url = f"/programmes/matches/{rel.id}/decline"
    response = client.post(url, data={"csrf_token": csrf_token, "reason": "  "})
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Tell us briefly why you are declining this match"]
    response = client.post(url, data={"csrf_token": csrf_token,
                                      "reason": "We work on the same ward"})
    assert response.status_code == 303 and response.headers["Location"] == "/dashboard"
    with app.app_context(), db.connection_context():
        row = Relationship.get_by_id(rel.id)
        assert row.status == DECLINED and row.decline_reason == "We work on the same ward"
        for person in ("Eve Mentee", "Mina Mentor"):
            told = [m for m in OutboxMessage.latest_to(world.people[person].email)
                    if m.key.startswith(f"match-declined:{rel.id}:")]
            assert len(told) == 1, person
            assert "same ward" not in told[0].body_text or person == "Eve Mentee"
    # The place is free and the pair is never suggested again.
    login(world.coordinator)
    page = Page(client.get(world.board))
    assert {r["Mentor"]: r["Places left"] for r in page.table("#ready-mentors")}[
        "Mina Mentor"] == "2 of 2"
    eve = Page(client.get(f"{world.board}/mentees/{world.apps['Eve Mentee'].id}"))
    assert [r["Mentor"] for r in eve.table("#suggestions")] == ["Milo Mentor"]
    run(client, world, csrf_token)
    assert ("Mina Mentor", "Eve Mentee") not in pairs(app, world.cohort)
    assert "Declined by Eve Mentee" in " ".join(
        r["Status"] for r in Page(client.get(world.board)).table("#released"))
    # Declining twice, or after the time to respond, answers with a clear message.
    login(world.people["Eve Mentee"])
    assert "can no longer be declined" in Page(client.get(url)).text("#decline-closed")


def test_after_respond_by_the_decline_page_says_it_is_too_late(app, client, login, world,
                                                               csrf_token):
    rel = released(app, client, login, world, csrf_token)
    with app.app_context(), db.connection_context():
        Relationship.update(respond_by=utcnow() - dt.timedelta(days=1)).where(
            Relationship.id == rel.id).execute()
    login(world.people["Mina Mentor"])
    url = f"/programmes/matches/{rel.id}/decline"
    assert "time to decline this match has passed" in Page(client.get(url)).text(
        "#decline-closed")
    response = client.post(url, data={"csrf_token": csrf_token, "reason": "Too busy"})
    assert response.status_code == 422
    assert rels(app, world.cohort, (RELEASED,))[0].id == rel.id
    page = Page(client.get(f"/programmes/matches/{rel.id}"))
    assert "time to decline this match has passed" in page.text("#decline-closed")


# Weights -----------------------------------------------------------------------------------------

def test_staff_set_the_weights_and_zero_turns_a_criterion_off(app, client, login, world,
                                                              csrf_token):
    url = f"/programmes/manage/{world.programme.id}/matching"
    login(world.member)
    assert client.get(url).status_code == 403
    login(world.staff)
    page = Page(client.get(url))
    assert page.value("themes") == "30" and page.value("different_organisation") == "5"
    data = {"csrf_token": csrf_token, "themes": "50", "goals": "0", "availability": "10",
            "channel": "10", "leave": "15", "career": "10", "different_staff_group": "0",
            "different_organisation": "-1"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert page.is_full_page
    assert Page(response).field_errors() == {
        "different_organisation": "“Different organisations” must be a whole number from 0 "
                                  "to 100"}
    response = client.post(url, data=data | {"different_organisation": "0"})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        saved = json.loads(Programme.get_by_id(world.programme.id).matching_weights)
        assert saved["themes"] == 50 and saved["goals"] == 0
        assert AuditEntry.select().where(AuditEntry.action == "matching.weights").count() == 1
    setup = Page(client.get(f"/programmes/manage/{world.programme.id}"))
    weights = dict(zip(setup.texts("#matching-weights dt"), setup.texts("#matching-weights dd"),
                       strict=True))
    assert weights["Shared themes"] == "50" and weights["Different organisations"] == "Off"
    # Off means off: no mentee's reasons mention organisations now.
    login(world.coordinator)
    eve = Page(client.get(f"{world.board}/mentees/{world.apps['Eve Mentee'].id}"))
    assert not any("different organisations" in r["Why"] for r in eve.table("#suggestions"))
