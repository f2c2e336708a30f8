"""The permission rules, one module, read by views and templates alike."""
import datetime as dt
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden

from portal import permissions
from portal.blueprints.accounts.models import User
from portal.db import utcnow


def person(role, pk=1):
    user = User(id=pk, role=role, name=role, email=f"{role}@example.org")
    user.session_key = "k"
    return user


@pytest.mark.parametrize(("role", "staff_area", "people", "groups"), [
    ("member", False, False, False),
    ("moderator", True, False, False),
    ("staff", True, True, True),
    ("admin", True, True, True),
])
def test_staff_area_by_role(role, staff_area, people, groups):
    user = person(role)
    assert permissions.can_view_staff_area(user) is staff_area
    assert permissions.can_view_people(user) is people
    assert permissions.can_manage_groups(user) is groups


def test_only_admins_change_roles_or_suspend_and_never_their_own():
    admin, other = person("admin", 1), person("member", 2)
    assert permissions.can_change_role(admin, other)
    assert permissions.can_suspend(admin, other)
    assert not permissions.can_change_role(admin, admin)
    assert not permissions.can_suspend(admin, admin)
    assert not permissions.can_change_role(person("staff", 3), other)


def test_anonymous_visitors_have_no_permissions():
    anonymous = AnonymousUserMixin()
    assert not any(rule(anonymous) for name, rule in permissions.RULES.items()
                   if rule.__code__.co_argcount == 1)


def test_rules_are_available_to_templates(app):
    for name in ("can_view_staff_area", "can_change_role", "is_admin"):
        assert app.jinja_env.globals[name] is permissions.RULES[name]


def test_programme_permissions_read_the_loaded_coordinators_only():
    from portal.blueprints.programmes.models import Application, Programme

    coordinator, staff, admin, member = (person("staff", 1), person("staff", 2),
                                         person("admin", 3), person("member", 4))
    programme = Programme(id=1, name="Return to Work")
    with pytest.raises(ValueError, match="load the programme's coordinators"):
        permissions.can_coordinate(coordinator, programme)
    programme.coordinator_ids = frozenset({coordinator.id, member.id})
    assert permissions.can_manage_programmes(staff) and permissions.can_manage_programmes(admin)
    assert not permissions.can_manage_programmes(member)
    assert permissions.can_coordinate(coordinator, programme)
    assert permissions.can_coordinate(admin, programme)
    assert not permissions.can_coordinate(staff, programme)
    assert not permissions.can_coordinate(member, programme)  # listed, but not staff
    assert permissions.can_see_equality(coordinator, programme)
    assert not permissions.can_see_equality(admin, programme)
    assert not permissions.can_see_equality(staff, programme)
    application = Application(applicant=member.id)
    assert permissions.can_view_application(member, application, programme)
    assert permissions.can_view_application(coordinator, application, programme)
    assert not permissions.can_view_application(staff, application, programme)


def test_require_takes_the_rule_itself_and_refuses_with_403():
    member, post = person("member", 1), SimpleNamespace(author_id=2, deleted=False)
    assert permissions.require(permissions.can_report_post, member, post) is None
    with pytest.raises(Forbidden):
        permissions.require(permissions.can_delete_post, member, post)
    with pytest.raises(TypeError):
        permissions.require("can_report_post", member, post)


def test_edit_window_is_read_from_the_post_not_the_database():
    author = person("member", 1)

    def post(minutes_left):
        return SimpleNamespace(author_id=1, deleted=False, status="visible",
                               editable_until=utcnow() + dt.timedelta(minutes=minutes_left))

    assert permissions.can_edit_post(author, post(5))
    assert not permissions.can_edit_post(author, post(-1))
    assert not permissions.can_edit_post(person("member", 2), post(5))


def test_four_eyes_the_last_editor_cannot_approve():
    article = SimpleNamespace(last_editor_id=1)
    assert not permissions.can_approve_article(person("staff", 1), article)
    assert permissions.can_approve_article(person("staff", 2), article)
    assert not permissions.can_approve_article(person("member", 3), article)
