"""Staff's side of the expert directory: the specialism taxonomy and its workbook items;
the organiser's page with each expert's activity and the experts who did not answer an
activity check; the expert network (induction sessions, expert meetings and the board,
one step each, for the expert group alone); and the three settings."""
import datetime as dt

import pytest

from portal import audience
from portal.audit import AuditEntry
from portal.blueprints.boards.models import Board
from portal.blueprints.experts import services_checks
from portal.blueprints.experts import services_introductions as intros
from portal.blueprints.experts.models import (
    INDUCTION,
    MEETING,
    ActivityCheck,
    ExpertBoard,
    ExpertWebinar,
    Specialism,
    SpecialismArea,
    WorkbookItem,
)
from portal.blueprints.mentoring import services_goals
from portal.blueprints.mentoring.models import HELD, Goal, MentoringSession
from portal.blueprints.webinars.models import WebinarSession
from portal.db import db, utcnow
from tests.expert_factories import make_aces, make_expert
from tests.pages import Page


@pytest.fixture
def aces(app, make_user):
    with app.app_context(), db.connection_context():
        return make_aces(make_user(role="staff", name="Olu Organiser"))


def test_members_cannot_reach_staff_pages(client, login, csrf_token, aces, make_user):
    login(make_user())
    for url in ("/experts/specialisms", "/experts/specialisms/new", "/experts/manage",
                f"/experts/manage/{aces.programme.id}",
                f"/experts/manage/{aces.programme.id}/induction"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/experts/manage/{aces.programme.id}/board",
                       data={"csrf_token": csrf_token}).status_code == 403
    login(make_user(role="staff"))  # staff, but not this programme's coordinator
    assert client.get(f"/experts/manage/{aces.programme.id}").status_code == 403
    assert client.get("/experts/specialisms").status_code == 200


def test_staff_keep_the_specialisms_and_their_items(app, client, login, csrf_token, aces):
    login(aces.coordinator)
    response = client.post("/experts/specialisms/areas/new", data={"csrf_token": csrf_token,
                                                                   "name": "Estates"})
    assert response.status_code == 303
    with app.app_context(), db.connection_context():
        estates = SpecialismArea.get(SpecialismArea.name == "Estates")
    clash = client.post("/experts/specialisms/areas/new", data={"csrf_token": csrf_token,
                                                                "name": "Estates"})
    assert clash.status_code == 422
    assert Page(clash).error_summary() == ["There is already an area called Estates"]
    response = client.post("/experts/specialisms/new", data={
        "csrf_token": csrf_token, "area": estates.id, "name": "Fire safety"})
    with app.app_context(), db.connection_context():
        fire = Specialism.get(Specialism.name == "Fire safety")
    assert response.headers["Location"] == f"/experts/specialisms/{fire.id}/edit#items"
    for text in ("fire risk assessments", "evacuation plans"):
        client.post(f"/experts/specialisms/{fire.id}/items",
                    data={"csrf_token": csrf_token, "text": text})
    empty = client.post(f"/experts/specialisms/{fire.id}/items",
                        data={"csrf_token": csrf_token, "text": " "})
    assert empty.status_code == 422
    assert Page(empty).error_summary() == ["Enter what an expert passes on"]
    page = Page(client.get(f"/experts/specialisms/{fire.id}/edit"))
    assert [t.split(" Change")[0] for t in page.texts("#item-list li")] == [
        "fire risk assessments", "evacuation plans"]
    with app.app_context(), db.connection_context():
        item = WorkbookItem.get(WorkbookItem.text == "evacuation plans")
    client.post(f"/experts/specialisms/items/{item.id}/retire", data={"csrf_token": csrf_token})
    client.post(f"/experts/specialisms/items/{item.id}/edit",
                data={"csrf_token": csrf_token, "text": "evacuation drills"})
    with app.app_context(), db.connection_context():
        item = WorkbookItem.get_by_id(item.id)
        assert (item.text, item.retired) == ("evacuation drills", True)
        assert [i.text for i in WorkbookItem.of_specialisms([fire.id])] == [
            "fire risk assessments"]
        actions = [a.action for a in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-6:] == ["specialism_area.create", "specialism.create",
                            "workbook_item.create", "workbook_item.create",
                            "workbook_item.retire", "workbook_item.update"]
    index = Page(client.get("/experts/specialisms"))
    assert "Fire safety · 1 item" in index.texts(".tandem-specialism-list li")


def test_the_organiser_sees_each_experts_activity(app, client, login, csrf_token, aces,
                                                  make_user, today):
    learner = make_user(name="Lee Learner")
    with app.app_context(), db.connection_context():
        ann = make_expert(aces, make_user(name="Ann Budget"),
                          created_at=utcnow() - dt.timedelta(days=400))
        bob = make_expert(aces, make_user(name="Bob Quiet"),
                          created_at=utcnow() - dt.timedelta(days=400))
        make_expert(aces, make_user(name="Nia New"), inducted=False)
        items = [aces.items["forecasting spend for a year"].id]
        first = intros.ask(learner, intros.Ask([ann.id, bob.id], items, "I want to plan")
                           ).requests.order_by(intros.IntroductionRequest.expert)
        accepted, declined = list(first)
        rel_id = intros.accept(accepted.id).relationship_id
        intros.decline(declined.id)
        MentoringSession.create(relationship=rel_id, starts_at=utcnow(), minutes=30,
                                channel="video", status=HELD, held_on=today)
        goal = Goal.get(Goal.relationship == rel_id)
        services_goals.sign_off_goal(goal, learner, "I can plan a year of spend.")
        long_ago = utcnow() - dt.timedelta(days=30)
        for expert in (ann, bob):
            services_checks.send_check(expert.id, today, now=long_ago)
        ann_check = ActivityCheck.get(ActivityCheck.expert == ann.id)
        services_checks.answer(ann_check.id, "yes", now=long_ago + dt.timedelta(days=1))
        bob_check = ActivityCheck.get(ActivityCheck.expert == bob.id)
    login(aces.coordinator)
    page = Page(client.get(f"/experts/manage/{aces.programme.id}"))
    rows = {row["Expert"]: row for row in page.table("#expert-activity")}
    assert rows["Ann Budget"] | {"Last check": ""} == {
        "Expert": "Ann Budget", "Standing": "Available", "Learners": "1 of 2", "Asked": "1",
        "Accepted": "1", "Declined": "0", "Lapsed": "0", "Sessions": "1",
        "Items signed off": "1", "Last check": ""}
    assert rows["Ann Budget"]["Last check"].startswith("Yes, I am still available (")
    assert (rows["Bob Quiet"]["Standing"], rows["Bob Quiet"]["Declined"]) == (
        "Not answering", "1")
    assert rows["Bob Quiet"]["Last check"].startswith("Not answered (asked ")
    assert rows["Nia New"]["Standing"] == "Not listed yet: no induction"
    assert page.table("#silent-experts")[0]["Expert"] == f"Bob Quiet ({bob.user.email})"
    response = client.post(f"/experts/manage/{aces.programme.id}/checks/{bob_check.id}/resolve",
                           data={"csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(f"/experts/manage/{aces.programme.id}"))
    assert page.text("#no-silent-experts").startswith("Every expert has answered")
    assert {r["Expert"]: r["Standing"] for r in page.table("#expert-activity")}["Bob Quiet"] \
        == "Available"
    client.post(f"/experts/manage/{aces.programme.id}/experts/{bob.id}/off",
                data={"csrf_token": csrf_token})
    page = Page(client.get(f"/experts/manage/{aces.programme.id}"))
    assert {r["Expert"]: r["Standing"] for r in page.table("#expert-activity")}["Bob Quiet"] \
        == "Off the list"


def network_form(day: dt.date, **extra) -> dict:
    return {"title": "Expert meeting", "day": day.isoformat(), "start_time": "12:00",
            "end_time": "13:00", "capacity": "30", **extra}


def test_the_expert_network_is_made_in_one_step_each(app, client, login, csrf_token, aces, today):
    login(aces.coordinator)
    setup = Page(client.get(f"/programmes/manage/{aces.programme.id}"))
    assert {"Schedule induction sessions", "Schedule expert meetings",
            "Experts and their activity"} <= set(setup.links())
    day = today + dt.timedelta(days=10)
    url = f"/experts/manage/{aces.programme.id}"
    response = client.post(f"{url}/meetings", data={"csrf_token": csrf_token, **network_form(
        day, cadence_weeks="8", months="6")})
    assert response.status_code == 303
    response = client.post(f"{url}/induction", data={"csrf_token": csrf_token, **network_form(
        day, title="Induction", sessions="2", weeks_apart="4")})
    assert response.status_code == 303
    assert client.post(f"{url}/board", data={"csrf_token": csrf_token}).status_code == 303
    again = client.post(f"{url}/board", data={"csrf_token": csrf_token}, follow_redirects=True)
    assert Page(again).flashes()[-1] == "Aces volunteer experts already has its experts' board"
    with app.app_context(), db.connection_context():
        purposes = [w.purpose for w in ExpertWebinar.for_programme(aces.programme)]
        # every 8 weeks for 6 months: 4 meetings; 2 induction sessions and the factory's one
        assert purposes.count(MEETING) == 4 and purposes.count(INDUCTION) == 3
        sessions = WebinarSession.select().where(WebinarSession.title.in_(
            ["Expert meeting", "Induction"]))
        for session in sessions:
            assert session.audience == audience.GROUPS
            assert audience.group_ids(session) == [aces.programme.mentors_group_id]
        board = Board.get_by_id(ExpertBoard.get().board_id)
        assert board.audience == audience.GROUPS
        assert audience.group_ids(board) == [aces.programme.mentors_group_id]
    page = Page(client.get(url))
    assert page.text("#experts-board") == \
        f"The experts' board: {board.name}"
    assert len(page.texts("#expert-meetings li")) == 4
    bad = client.post(f"{url}/induction", data={"csrf_token": csrf_token, **network_form(
        day, sessions="9", weeks_apart="1")})
    assert bad.status_code == 422 and Page(bad).error_summary() == ["Enter 1 to 6 sessions"]


def test_the_settings_page_has_the_directorys_three_settings(client, login, make_user,
                                                             csrf_token):
    login(make_user(role="admin"))
    page = Page(client.get("/staff/settings"))
    for field_id in ("expert_request_days", "expert_check_weeks", "expert_check_answer_days"):
        assert page.soup.select_one(f"#{field_id}") is not None, field_id
