"""The audit log: searchable, exportable, and read-only."""
import csv
import io
import json

from playhouse.test_utils import count_queries

from portal.audit import AuditEntry
from portal.db import db
from portal.groups import Group
from tests.pages import Page


def record_many(app, actor, count, action="group.create"):
    with app.app_context(), db.connection_context(), db.atomic():
        group = Group.get_or_none(Group.name == "Audited") or Group.create(name="Audited")
        AuditEntry.insert_many([{"actor": actor.id, "action": action, "object_type": "group",
                                 "object_id": group.id, "before": "{}",
                                 "after": json.dumps({"n": i})} for i in range(count)]).execute()


def test_staff_see_and_search_the_log(app, client, make_user, login, csrf_token):
    admin = make_user(role="admin", name="Ada Admin")
    login(admin)
    person = make_user(name="Mo Member")
    client.post(f"/staff/people/{person.id}/role", data={"role": "moderator",
                                                         "csrf_token": csrf_token})
    client.post("/staff/groups/new", data={"name": "Mentors", "csrf_token": csrf_token})
    rows = Page(client.get("/staff/audit")).table("#audit")
    assert [(r["Who"], r["Action"]) for r in rows] == [("Ada Admin", "group.create"),
                                                       ("Ada Admin", "user.change_role")]
    assert '"role": "member"' in rows[1]["Change"] and '"role": "moderator"' in rows[1]["Change"]
    found = Page(client.get("/staff/audit?action=user")).table("#audit")
    assert [r["Action"] for r in found] == ["user.change_role"]
    fragment = Page(client.get("/staff/audit?object_type=group", headers={"HX-Request": "true"}))
    assert not fragment.is_full_page and len(fragment.soup.select("tr")) == 1
    assert Page(client.get("/staff/audit?object_id=nonsense")).table("#audit")  # ignored


def test_csv_export_is_safe_for_spreadsheets(app, client, make_user, login, csrf_token):
    admin = make_user(role="admin", name="=HYPERLINK(\"http://evil\")")
    login(admin)
    client.post("/staff/groups/new", data={"name": "+Cohort", "csrf_token": csrf_token})
    response = client.get("/staff/audit.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["when (UTC)", "who", "email", "action"]
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1][3] == "group.create" and "+Cohort" in rows[1][7]


def test_nobody_can_change_the_log_through_the_portal(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


def test_members_and_moderators_cannot_see_it(client, make_user, login):
    for role in ("member", "moderator"):
        login(make_user(role=role))
        assert client.get("/staff/audit").status_code == 403
        assert client.get("/staff/audit.csv").status_code == 403


def test_the_log_page_has_a_fixed_number_of_queries(app, client, make_user, login):
    admin = make_user(role="admin")
    login(admin)
    record_many(app, admin, 5)
    with count_queries() as few:
        first = Page(client.get("/staff/audit"))
    record_many(app, admin, 3000)
    with count_queries() as many:
        second = Page(client.get("/staff/audit"))
    assert few.count == many.count
    assert len(first.table("#audit")) == 5 and len(second.table("#audit")) == 51
