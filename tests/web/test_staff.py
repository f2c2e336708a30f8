"""The staff area: people, roles, suspensions and groups, and who may use them."""
import json
import re

import pytest
from playhouse.test_utils import count_queries

from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.db import db
from portal.groups import Group, GroupMembership
from tests.pages import Page


@pytest.fixture
def admin(make_user, login):
    user = make_user(role="admin", name="Ada Admin")
    login(user)
    return user


def audit_rows(app):
    with app.app_context(), db.connection_context():
        return [(e.action, e.object_type, json.loads(e.before), json.loads(e.after))
                for e in AuditEntry.select().order_by(AuditEntry.id)]


def staff_rules(app):
    """Every GET page of the staff area, with placeholder ids, listed from the app itself."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff."):
            path = re.sub(r"<int:[a-z_]+>", "1", rule.rule).replace("<kind>", "post")
            path = re.sub(r"<any\(([a-z]+)[^>]*>", r"\1", path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    return urls


@pytest.mark.parametrize("role", ["member"])
def test_members_get_403_on_every_staff_route(app, client, make_user, login, csrf_token, role):
    login(make_user(role=role))
    routes = staff_rules(app)
    assert len(routes) >= 30
    for method, path in routes:
        response = client.open(path, method=method, data={"csrf_token": csrf_token})
        assert response.status_code == 403, (method, path)
        assert Page(response).heading() == "You do not have permission to see this page"


def test_moderators_see_the_staff_home_but_not_people_or_groups(client, make_user, login):
    login(make_user(role="moderator"))
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/people").status_code == 403
    assert client.get("/staff/groups").status_code == 403


def test_anonymous_visitor_is_sent_to_log_in_from_staff_pages(client):
    response = client.get("/staff/groups")
    assert response.status_code == 303
    assert response.headers["Location"] == "/accounts/login?next=/staff/groups"


@pytest.mark.parametrize(("role", "shows_staff"), [("member", False), ("moderator", True),
                                                 ("staff", True), ("admin", True)])
def test_navigation_follows_the_role(client, make_user, login, role, shows_staff):
    login(make_user(role=role))
    assert ("Staff" in Page(client.get("/dashboard")).nav()) is shows_staff


def test_admin_changes_a_role_and_it_is_audited(app, client, admin, make_user, csrf_token):
    person = make_user(name="Mo Member")
    response = client.post(f"/staff/people/{person.id}/role",
                           data={"role": "moderator", "csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert "Mo Member is now moderator." in page.flashes()
    assert audit_rows(app) == [("user.change_role", "user", {"role": "member"},
                                {"role": "moderator"})]


def test_staff_cannot_change_roles(client, make_user, login, csrf_token):
    login(make_user(role="staff"))
    person = make_user()
    assert client.post(f"/staff/people/{person.id}/role",
                       data={"role": "admin", "csrf_token": csrf_token}).status_code == 403
    assert "Change role" not in Page(client.get(f"/staff/people/{person.id}")).text("main")


def test_admin_cannot_change_own_role(client, admin, csrf_token):
    response = client.post(f"/staff/people/{admin.id}/role",
                           data={"role": "member", "csrf_token": csrf_token})
    assert response.status_code == 403


def test_invalid_role_is_refused_with_a_message(app, client, admin, make_user, csrf_token):
    person = make_user()
    response = client.post(f"/staff/people/{person.id}/role",
                           data={"role": "emperor", "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).field_errors() == {"role": "Not a valid choice."}
    assert audit_rows(app) == []


def test_suspension_is_audited_and_shown(app, client, admin, make_user, csrf_token):
    person = make_user(name="Sid Suspended")
    response = client.post(f"/staff/people/{person.id}/suspend", data={
        "until": "2099-03-31", "reason": "Posting patient details", "csrf_token": csrf_token})
    assert response.status_code == 303
    page = Page(client.get(f"/staff/people/{person.id}"))
    assert page.text("#suspension") == ("Suspended until 31 March 2099. "
                                        "Reason: Posting patient details")
    assert "Sid Suspended cannot post or comment until 31 March 2099." in page.flashes()
    [(action, _, _, after)] = audit_rows(app)
    assert action == "user.suspend" and after["reason"] == "Posting patient details"


def test_suspension_in_the_past_is_refused(client, admin, make_user, csrf_token):
    person = make_user()
    response = client.post(f"/staff/people/{person.id}/suspend", data={
        "until": "2001-01-01", "reason": "x", "csrf_token": csrf_token})
    assert response.status_code == 422
    assert Page(response).field_errors() == {"until": "The end date must be in the future"}


def test_lifting_a_suspension_lets_the_person_in(app, client, admin, make_user, csrf_token):
    import datetime as dt

    person = make_user(suspended_until=dt.datetime(2099, 1, 1), suspension_reason="r")
    client.post(f"/staff/people/{person.id}/unsuspend", data={"csrf_token": csrf_token})
    with app.app_context(), db.connection_context():
        assert not User.get_by_id(person.id).is_suspended()
    assert "Person 2 can post again." in Page(client.get(f"/staff/people/{person.id}")).flashes()
    assert [row[0] for row in audit_rows(app)] == ["user.lift_suspension"]


def test_people_search_full_page_and_fragment(client, make_user, login):
    login(make_user(role="staff", name="Sam Staff"))
    make_user(name="Florence Nightingale", email="florence@example.org")
    make_user(name="Mary Seacole", email="mary@example.org")

    page = Page(client.get("/staff/people?q=seacole"))
    assert page.is_full_page
    assert [row["Name"] for row in page.table()] == ["Mary Seacole"]

    response = client.get("/staff/people?q=florence", headers={"HX-Request": "true"})
    fragment = Page(response)
    assert not fragment.is_full_page
    assert fragment.texts("td a") == ["Florence Nightingale"]
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(client, make_user, login):
    login(make_user(role="staff"))
    response = client.get("/staff/people", headers={"HX-Request": "true",
                                                    "HX-History-Restore-Request": "true"})
    assert Page(response).is_full_page


def test_people_list_pages_with_a_fixed_number_of_queries(app, client, make_user, login):
    login(make_user(role="staff"))

    def queries_for_list():
        with count_queries() as counter:
            response = client.get("/staff/people")
        assert response.status_code == 200
        return counter.count, len(Page(response).table())

    few = queries_for_list()
    with app.app_context(), db.connection_context():
        User.insert_many([{"name": f"Bulk {i}", "email": f"bulk{i}@example.org",
                           "password_hash": "x"} for i in range(120)]).execute()
    many = queries_for_list()
    assert few[0] == many[0]
    assert many[1] == 51  # 50 people and the "Show more people" row
    more = Page(client.get("/staff/people")).soup.select_one("#people-more a")["href"]
    assert len(Page(client.get(more)).table()) == 51


def test_groups_create_add_and_remove_members(app, client, admin, make_user, csrf_token):
    person = make_user(name="Grace Mentor", email="grace@example.org")
    created = client.post("/staff/groups/new", data={"name": "Mentors",
                                                     "description": "Trained mentors",
                                                     "csrf_token": csrf_token})
    group_url = created.headers["Location"]
    assert client.post(group_url + "/members", data={"email": "GRACE@example.org",
                                                      "csrf_token": csrf_token}).status_code == 303
    page = Page(client.get(group_url))
    assert page.heading() == "Mentors"
    assert page.texts("#members li")[0].startswith("Grace Mentor (grace@example.org)")

    again = client.post(group_url + "/members", data={"email": "grace@example.org",
                                                      "csrf_token": csrf_token})
    assert "Grace Mentor is already in Mentors." in Page(client.get(again.headers["Location"])
                                                         ).flashes()

    removed = client.post(f"{group_url}/members/{person.id}/remove",
                          data={"csrf_token": csrf_token}, headers={"HX-Request": "true"})
    fragment = Page(removed)
    assert removed.status_code == 200 and not fragment.is_full_page
    assert fragment.soup.find(id="flashes")["hx-swap-oob"] == "innerHTML"
    assert fragment.flashes() == ["Grace Mentor removed from Mentors."]
    assert fragment.text("#members-heading") == "Members (0)"
    assert fragment.text("#members") == "Nobody is in this group yet."
    with app.app_context(), db.connection_context():
        assert GroupMembership.select().count() == 0
    assert [row[0] for row in audit_rows(app)] == ["group.create", "group.add_member",
                                                   "group.remove_member"]


def test_remove_member_without_javascript_redirects(app, client, admin, make_user, csrf_token):
    person = make_user()
    with app.app_context(), db.connection_context():
        group = Group.create(name="Cohort")
        GroupMembership.create(group=group, user=person.id)
    response = client.post(f"/staff/groups/{group.id}/members/{person.id}/remove",
                           data={"csrf_token": csrf_token})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/groups/{group.id}"


def test_group_names_are_unique_and_bad_input_is_explained(client, admin, csrf_token):
    client.post("/staff/groups/new", data={"name": "Mentors", "csrf_token": csrf_token})
    duplicate = client.post("/staff/groups/new", data={"name": "Mentors",
                                                       "description": "kept",
                                                       "csrf_token": csrf_token})
    page = Page(duplicate)
    assert duplicate.status_code == 422
    assert page.field_errors() == {"name": "A group with this name already exists"}
    assert page.value("description") == "kept"
    unknown = client.post("/staff/groups/1/members", data={"email": "ghost@example.org",
                                                           "csrf_token": csrf_token})
    assert Page(unknown).field_errors() == {
        "email": "Nobody with this email address has an account"}


def test_groups_list_counts_members_in_a_fixed_number_of_queries(app, client, admin,
                                                                 make_user):
    def list_queries():
        with count_queries() as counter:
            page = Page(client.get("/staff/groups"))
        return counter.count, page.table()

    with app.app_context(), db.connection_context():
        Group.create(name="A")
    few, _ = list_queries()
    people = [make_user() for _ in range(5)]
    with app.app_context(), db.connection_context():
        for i in range(20):
            group = Group.create(name=f"Group {i:02d}")
            GroupMembership.insert_many([{"group": group, "user": p.id} for p in people]
                                        ).execute()
    many, rows = list_queries()
    assert few == many
    assert rows[1] == {"Group": "Group 00", "Members": "5"}


def test_unknown_person_or_group_is_404(client, admin):
    assert client.get("/staff/people/9999").status_code == 404
    assert client.get("/staff/groups/9999").status_code == 404
