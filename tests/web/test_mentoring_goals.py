"""The pair's goals and workbook in the browser: who sets goals (the mentee in a one-way
programme, both people in a two-way one), who sees which goal (private for the owner,
shared for the pair, nobody else), editing, signing off with what was learned and
countersigning, with htmx and without; the workbook of signed-off goals and its print
stylesheet; and fixed query counts whatever the number of goals."""
import datetime as dt
import re
import types

import pytest
from playhouse.test_utils import assert_query_count, count_queries

from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring import goals
from portal.blueprints.mentoring.models import ACHIEVED, CLOSED, Goal, Relationship
from portal.db import db, utcnow
from tests.mentoring_factories import make_pair
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def signed() -> str:
    """The day on a sign-off or countersignature made now: they are dated in UTC."""
    return utcnow().strftime("%-d %B %Y")


def world(app, make_user, scheme):
    with app.app_context(), db.connection_context():
        pair = make_pair(make_user, scheme)
    return types.SimpleNamespace(
        app=app, rel=pair.rel, mentor=pair.mentor, mentee=pair.mentee,
        coordinator=pair.coordinator, member=make_user(name="Mo Member"),
        admin=make_user(role="admin", name="Ada Admin"), url=f"/mentoring/{pair.rel.id}")


@pytest.fixture
def w(app, make_user):
    """A one-way pair (short virtual mentoring)."""
    return world(app, make_user, "short_virtual")


@pytest.fixture
def two(app, make_user):
    """A two-way pair (transcultural reverse mentoring)."""
    return world(app, make_user, "transcultural")


def add(client, w, csrf_token, title, visibility="shared", headers=None, **fields):
    data = {"csrf_token": csrf_token, "new-goal-title": title,
            "new-goal-visibility": visibility}
    data.update({f"new-goal-{k}": v for k, v in fields.items()})
    return client.post(f"{w.url}/goals", data=data, headers=headers or {})


def goal_id(w, title) -> int:
    with w.app.app_context(), db.connection_context():
        return Goal.get(Goal.title == title).id


def sign_off(client, w, csrf_token, gid, learned, headers=None):
    return client.post(f"{w.url}/goals/{gid}/sign-off", headers=headers or {}, data={
        "csrf_token": csrf_token, f"sign-off-{gid}-learned": learned})


def countersign(client, w, csrf_token, gid, headers=None):
    return client.post(f"{w.url}/goals/{gid}/countersign", headers=headers or {},
                       data={"csrf_token": csrf_token})


def goal_titles(page: Page) -> list[str]:
    return page.texts("#goals .tandem-goal__title")


# Who sets goals -----------------------------------------------------------------------------

def test_in_a_one_way_programme_only_the_mentee_sets_goals(client, login, w, csrf_token, today):
    login(w.mentee)
    response = add(client, w, csrf_token, "Chair the ward meeting",
                   success_criteria="I chair one meeting\nwithout notes",
                   target_date=(today + dt.timedelta(days=30)).isoformat())
    gid = goal_id(w, "Chair the ward meeting")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{w.url}#goal-{gid}")
    page = Page(client.get(w.url))
    assert page.flashes() == ["Your goal “Chair the ward meeting” has been added."]
    assert goal_titles(page) == ["Chair the ward meeting"]
    assert page.text(f"#goal-{gid} .tandem-meta").startswith("Your goal · Not started · Shared")
    assert page.soup.select_one("#goal-form") is not None

    login(w.mentor)
    page = Page(client.get(w.url))
    assert goal_titles(page) == ["Chair the ward meeting"]
    assert page.text(f"#goal-{gid} .tandem-meta").startswith("Ned Mentee’s goal")
    assert page.soup.select_one("#goal-form") is None
    assert add(client, w, csrf_token, "Mentor's own goal").status_code == 403
    assert client.get(f"{w.url}/goals/{gid}/edit").status_code == 403
    with w.app.app_context(), db.connection_context():
        assert Goal.select().count() == 1


def test_in_a_two_way_programme_both_set_their_own_goals(client, login, two, csrf_token):
    login(two.mentee)
    add(client, two, csrf_token, "Speak up at the board")
    add(client, two, csrf_token, "My private aim", "private")
    login(two.mentor)
    assert add(client, two, csrf_token, "Understand rotas").status_code == 303
    add(client, two, csrf_token, "Mentor's private aim", "private")
    page = Page(client.get(two.url))
    assert sorted(goal_titles(page)) == ["Mentor's private aim", "Speak up at the board",
                                         "Understand rotas"]
    mine = goal_id(two, "Understand rotas")
    assert page.text(f"#goal-{mine} .tandem-meta").startswith("Your goal")
    hidden = goal_id(two, "My private aim")
    assert client.get(f"{two.url}/goals/{hidden}", headers=HX).status_code == 404
    assert client.get(f"{two.url}/goals/{hidden}/sign-off").status_code == 404

    login(two.mentee)
    assert sorted(goal_titles(Page(client.get(two.url)))) == [
        "My private aim", "Speak up at the board", "Understand rotas"]


# Privacy -------------------------------------------------------------------------------------

def test_nobody_outside_the_pair_reaches_any_goal_route(client, login, w, csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "Shared aim")
    add(client, w, csrf_token, "Private aim", "private")
    shared, private = goal_id(w, "Shared aim"), goal_id(w, "Private aim")
    sign_off(client, w, csrf_token, shared, "I learned how to run a meeting")
    routes = [("get", w.url), ("get", f"{w.url}/workbook"), ("post", f"{w.url}/goals")]
    for gid in (shared, private):
        routes += [("get", f"{w.url}/goals/{gid}"), ("get", f"{w.url}/goals/{gid}/edit"),
                   ("post", f"{w.url}/goals/{gid}/edit"),
                   ("get", f"{w.url}/goals/{gid}/sign-off"),
                   ("post", f"{w.url}/goals/{gid}/sign-off"),
                   ("post", f"{w.url}/goals/{gid}/countersign")]
    for outsider in (w.coordinator, w.member, w.admin):
        login(outsider)
        for method, url in routes:
            for headers in ({}, HX):
                response = getattr(client, method)(
                    url, headers=headers, data={"csrf_token": csrf_token,
                                                "new-goal-title": "Peek"})
                assert response.status_code == 404, (outsider.name, method, url)
    login(w.mentor)  # the partner: the shared goal, never the private one
    assert client.get(f"{w.url}/goals/{shared}", headers=HX).status_code == 200
    for url in (f"{w.url}/goals/{private}", f"{w.url}/goals/{private}/edit"):
        assert client.get(url, headers=HX).status_code == 404
    assert countersign(client, w, csrf_token, private).status_code == 404
    with w.app.app_context(), db.connection_context():
        assert Goal.select().count() == 2
        assert Goal.get_by_id(shared).countersigned_at is None


# Editing ----------------------------------------------------------------------------------------

def test_the_owner_edits_their_goal_with_htmx_and_without(client, login, w, csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "Learn the budget")
    gid = goal_id(w, "Learn the budget")
    edit = f"{w.url}/goals/{gid}/edit"
    page = Page(client.get(edit))
    assert page.is_full_page and page.heading() == "Edit your goal"
    assert page.value(f"goal-{gid}-title") == "Learn the budget"
    fields = {"csrf_token": csrf_token, f"goal-{gid}-title": "Set the ward budget",
              f"goal-{gid}-success_criteria": "", f"goal-{gid}-target_date": "",
              f"goal-{gid}-status": "in_progress", f"goal-{gid}-visibility": "private"}
    response = client.post(edit, data=fields)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#goal-{gid}")

    response = client.post(edit, data={**fields, f"goal-{gid}-target_date": "next week",
                                       f"goal-{gid}-title": "Kept title"})
    assert response.status_code == 422
    page = Page(response)
    assert page.error_summary() == ["Enter the target date like 2027-03-29, or leave it empty"]
    assert page.value(f"goal-{gid}-title") == "Kept title"
    response = client.post(edit, data={**fields, f"goal-{gid}-target_date": "2001-01-01"})
    assert Page(response).field_errors() == {
        f"goal-{gid}-target_date": "The target date must be today or later"}

    assert Page(client.get(edit, headers=HX)).soup.select_one(f"li#goal-{gid} form")
    response = client.post(edit, headers=HX, data={**fields, f"goal-{gid}-status": "dropped"})
    assert response.status_code == 200
    page = Page(response)
    assert not page.is_full_page
    assert page.text(f"li#goal-{gid} .tandem-goal__title") == "Set the ward budget"
    assert page.text(f"li#goal-{gid} .tandem-goal__status") == "Dropped"
    assert page.text(f"li#goal-{gid} .tandem-visibility") == "Private"
    assert page.text("#flashes").endswith("Your goal has been saved.")


def test_adding_a_goal_with_a_mistake_keeps_the_input(client, login, w, csrf_token):
    login(w.mentee)
    response = add(client, w, csrf_token, "", success_criteria="Kept words")
    assert response.status_code == 422
    page = Page(response)
    assert page.is_full_page and page.heading() == "Add a goal"
    assert page.error_summary() == ["Enter the goal"]
    assert page.value("new-goal-success_criteria") == "Kept words"
    response = add(client, w, csrf_token, "", headers=HX, success_criteria="Kept words")
    assert response.status_code == 422
    page = Page(response)
    assert not page.is_full_page and page.soup.select_one("section#goals")
    assert page.field_errors() == {"new-goal-title": "Enter the goal"}
    assert page.value("new-goal-success_criteria") == "Kept words"


# Sign-off and countersign ---------------------------------------------------------------------

def test_signing_off_needs_a_sentence_on_what_was_learned(client, login, w, csrf_token, signed):
    login(w.mentee)
    add(client, w, csrf_token, "Delegate the rota")
    gid = goal_id(w, "Delegate the rota")
    page = Page(client.get(f"{w.url}/goals/{gid}/sign-off"))
    assert page.heading() == "Delegate the rota"
    assert page.soup.find("label", attrs={"for": f"sign-off-{gid}-learned"}).get_text(
        strip=True) == "What did you learn?"

    response = sign_off(client, w, csrf_token, gid, "")
    assert response.status_code == 422
    assert Page(response).error_summary() == ["Say in a sentence what you learned"]
    response = sign_off(client, w, csrf_token, gid, "Delegation", headers=HX)
    assert response.status_code == 422
    page = Page(response)
    assert not page.is_full_page
    assert page.field_errors() == {
        f"sign-off-{gid}-learned": "Say in a sentence what you learned: at least 3 words"}
    assert page.value(f"sign-off-{gid}-learned") == "Delegation"

    response = sign_off(client, w, csrf_token, gid, "I learned to trust my deputy")
    assert response.status_code == 303
    page = Page(client.get(w.url))
    assert page.flashes() == ["Signed off: “Delegate the rota” is in your workbook."]
    assert page.text(f"#goal-{gid} .tandem-goal__status") == "Achieved"
    assert page.text(f"#goal-{gid} .tandem-sign-off") == (
        f"Signed off by you on {signed}. Learned: I learned to trust my deputy "
        "Not countersigned yet.")
    # Signed off, the goal is the record: no more edits or sign-offs.
    assert page.soup.select_one(f"#goal-{gid} .tandem-actions") is None
    assert client.get(f"{w.url}/goals/{gid}/edit").status_code == 403
    assert sign_off(client, w, csrf_token, gid, "Again and again and again").status_code == 403


def test_the_other_person_countersigns_a_shared_goal_once(client, login, two, csrf_token, signed):
    login(two.mentee)
    add(client, two, csrf_token, "Present at grand rounds")
    add(client, two, csrf_token, "Quietly read more", "private")
    shared, private = goal_id(two, "Present at grand rounds"), goal_id(two, "Quietly read more")
    assert countersign(client, two, csrf_token, shared).status_code == 403  # not signed off
    response = sign_off(client, two, csrf_token, shared, "I can present to a big room",
                        headers=HX)
    assert response.status_code == 200
    assert Page(response).text(f"li#goal-{shared} .tandem-goal__status") == "Achieved"
    sign_off(client, two, csrf_token, private, "I read three books this year")
    assert countersign(client, two, csrf_token, shared).status_code == 403  # their own

    login(two.mentor)
    page = Page(client.get(two.url))
    assert page.soup.select_one(f"#goal-{shared} form button").get_text(" ", strip=True) == (
        "Countersign : Present at grand rounds")
    response = countersign(client, two, csrf_token, shared, headers=HX)
    assert response.status_code == 200
    page = Page(response)
    assert not page.is_full_page
    assert page.text(f"li#goal-{shared} .tandem-countersignature") == (
        f"Countersigned by you on {signed}.")
    assert page.soup.select_one(f"li#goal-{shared} form") is None
    assert page.text("#flashes").endswith(
        "You have countersigned “Present at grand rounds” for Ned Mentee.")
    assert countersign(client, two, csrf_token, shared).status_code == 403  # once
    assert countersign(client, two, csrf_token, private).status_code == 404  # never seen

    login(two.mentee)
    assert Page(client.get(two.url)).text(f"#goal-{shared} .tandem-countersignature") == (
        f"Countersigned by Maya Mentor on {signed}.")


def test_countersigning_without_javascript_goes_back_to_the_goal(client, login, w,
                                                                 csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "Run a handover")
    gid = goal_id(w, "Run a handover")
    sign_off(client, w, csrf_token, gid, "A handover needs a written list")
    login(w.mentor)
    response = countersign(client, w, csrf_token, gid)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{w.url}#goal-{gid}")
    assert client.post(f"{w.url}/goals/{gid}/countersign").status_code == 400  # no CSRF


def test_once_the_relationship_has_ended_goals_are_read_only(client, login, w, csrf_token):
    login(w.mentee)
    add(client, w, csrf_token, "Finish well")
    gid = goal_id(w, "Finish well")
    with w.app.app_context(), db.connection_context():
        Relationship.update(status=CLOSED, closed_at=utcnow()).where(
            Relationship.id == w.rel.id).execute()
    page = Page(client.get(w.url))
    assert goal_titles(page) == ["Finish well"]
    assert page.soup.select_one("#goal-form") is None
    assert page.soup.select_one(f"#goal-{gid} .tandem-actions") is None
    assert sign_off(client, w, csrf_token, gid, "I learned to end well").status_code == 409
    assert client.get(f"{w.url}/workbook").status_code == 200


# The workbook ---------------------------------------------------------------------------------

def workbook_rows(page: Page) -> list[dict]:
    rows = []
    for entry in page.soup.select("#workbook .tandem-workbook-entry"):
        row = {"goal": entry.h2.get_text(strip=True)}
        for item in entry.select(".nhsuk-summary-list__row"):
            row[item.dt.get_text(strip=True)] = item.dd.get_text(" ", strip=True)
        rows.append(row)
    return rows


def test_the_workbook_lists_each_signed_off_goal_with_its_signatures(client, login, two,
                                                                      csrf_token, signed):
    login(two.mentee)
    add(client, two, csrf_token, "Chair a meeting", success_criteria="One whole meeting")
    add(client, two, csrf_token, "Not yet done")
    add(client, two, csrf_token, "Private learning", "private")
    chair, private = goal_id(two, "Chair a meeting"), goal_id(two, "Private learning")
    sign_off(client, two, csrf_token, chair, "I learned to keep to the agenda")
    sign_off(client, two, csrf_token, private, "I learned to say no kindly")
    login(two.mentor)
    add(client, two, csrf_token, "Understand rotas")
    rotas = goal_id(two, "Understand rotas")
    sign_off(client, two, csrf_token, rotas, "Rotas are built four weeks ahead")
    countersign(client, two, csrf_token, chair)

    page = Page(client.get(f"{two.url}/workbook"))
    assert page.heading() == "Learning workbook"
    assert workbook_rows(page) == [
        {"goal": "Chair a meeting", "Learner": "Ned Mentee", "Signed off": signed,
         "Success criteria": "One whole meeting",
         "What was learned": "I learned to keep to the agenda",
         "Countersigned": f"Maya Mentor, {signed}"},
        {"goal": "Understand rotas", "Learner": "Maya Mentor", "Signed off": signed,
         "What was learned": "Rotas are built four weeks ahead",
         "Countersigned": "Not countersigned yet"}]
    assert "Print this workbook" in page.text("#print-help")
    assert "print command" in page.text("#print-help")

    login(two.mentee)
    rows = workbook_rows(Page(client.get(f"{two.url}/workbook")))
    assert [r["goal"] for r in rows] == ["Chair a meeting", "Private learning",
                                         "Understand rotas"]
    assert rows[1]["Countersigned"] == "Not countersigned: a private goal"


def test_an_empty_workbook_says_so(client, login, w):
    login(w.mentee)
    page = Page(client.get(f"{w.url}/workbook"))
    assert page.text("#workbook-empty").startswith("No goals have been signed off yet.")


def print_rules(css: str) -> str:
    """The body of the stylesheet's @media print block."""
    match = re.search(r"@media print\s*{(.*)}\s*$", css, re.S)
    assert match, "no @media print block"
    return match.group(1)


def test_the_workbook_prints_nothing_but_the_record(client, login, w):
    login(w.mentee)
    page = Page(client.get(f"{w.url}/workbook"))
    sheets = [link["href"] for link in page.soup.select('link[rel="stylesheet"]')]
    assert "/static/css/print.css" in sheets
    with client.get("/static/css/print.css") as response:
        rules = print_rules(response.get_data(as_text=True))
    hidden = re.search(r"([^{}]*){\s*display:\s*none\s*!important;\s*}", rules)
    selectors = {s.strip() for s in hidden.group(1).split(",")}
    # The page chrome that is printed otherwise: each is on the page and hidden on paper.
    for selector in (".nhsuk-header", ".nhsuk-footer", ".nhsuk-skip-link", "nav",
                     ".nhsuk-back-link", "button", ".tandem-no-print"):
        assert selector in selectors
        assert page.soup.select_one(selector) is not None, selector


# Queries ----------------------------------------------------------------------------------------

def fill(w, total: int) -> None:
    """Goals up to `total`, both people's, a quarter private and a third signed off (half of
    those countersigned)."""
    with w.app.app_context(), db.connection_context(), db.atomic():
        have = Goal.select().count()
        now, today = utcnow(), dt.date.today()
        rows = []
        for n in range(have, total):
            owner, other = (w.mentee, w.mentor) if n % 2 else (w.mentor, w.mentee)
            signed = n % 3 == 0
            rows.append({
                "relationship": w.rel.id, "owner": owner.id, "title": f"Goal {n}",
                "success_criteria": "Done when done", "shared": n % 4 != 0,
                "target_date": today + dt.timedelta(days=n % 60),
                "status": ACHIEVED if signed else "in_progress",
                "signed_off_at": now if signed else None,
                "learned": "I learned something useful" if signed else "",
                "countersigned_by": other.id if signed and n % 2 and n % 4 else None,
                "countersigned_at": now if signed and n % 2 and n % 4 else None,
                "created_at": now})
        for start in range(0, len(rows), 500):
            Goal.insert_many(rows[start:start + 500]).execute()


def measure(client, w) -> dict:
    with w.app.test_request_context(), db.connection_context():
        rel = Relationship.with_people().where(Relationship.id == w.rel.id).get()
        mentee = User.get_by_id(w.mentee.id)
        with assert_query_count(1):
            context = goals.section_context(rel, mentee, dt.date.today())
            assert {g.owner.name for g in context["goals"]} == {"Maya Mentor", "Ned Mentee"}
    found = {}
    for name, url, selector in (("page", w.url, "#goals .tandem-goal"),
                                ("workbook", f"{w.url}/workbook", ".tandem-workbook-entry")):
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        found[name] = (counter.count, len(Page(response).soup.select(selector)))
    return found


def test_the_goals_section_and_workbook_run_the_same_queries_at_10_and_1000_goals(
        client, login, two):
    login(two.mentee)
    fill(two, 10)
    few = measure(client, two)
    fill(two, 1000)
    many = measure(client, two)
    for name in ("page", "workbook"):
        assert many[name][0] == few[name][0], name
        assert many[name][1] > few[name][1] > 0, name
