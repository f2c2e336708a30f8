"""The page shell (skip link, header, footer) is rendered by the NHS.UK macros once per set of
inputs and filled in per person: what it gives must be exactly what the macros give."""
import pytest
from flask import g
from flask_wtf.csrf import generate_csrf

from portal import branding, settings, shell
from portal.blueprints.accounts.models import User
from portal.db import db
from portal.navigation import main_navigation
from portal.reports import POST, file_report

AWKWARD_NAMES = ["Zoë <b>\"O'Brien\"</b> & co", "{{ 7 * 7 }} Ada", "  Spaced out  ",
                 "Two\nlines", "Line\u2028separated", "Tab\tinside", "tandem-shell-token-5f0c2a"]


def shell_and_macros(app, user):
    """The shell for `user` (None: signed out), and the macros' own output for them."""
    with app.test_request_context("/"), db.connection_context():
        g._login_user = user if user is not None else app.login_manager.anonymous_user()
        given = shell.page_shell()
        signed_in = user is not None
        token = generate_csrf() if signed_in else ""
        expected = shell.render(signed_in, user.name if signed_in else "", token,
                                main_navigation(g._login_user), branding.current())
        return given, expected


def assert_same(given, expected):
    assert str(given.skip_link) == str(expected.skip_link)
    assert str(given.header) == str(expected.header)
    assert str(given.footer) == str(expected.footer)


def test_signed_out_shell_is_the_macros_output(app):
    given, expected = shell_and_macros(app, None)
    assert_same(given, expected)
    assert "Log in" in given.header and "Skip to main content" in given.skip_link


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_a_members_shell_is_the_macros_output_whatever_their_name(app, make_user, name):
    user = make_user(name=name)
    given, expected = shell_and_macros(app, user)
    assert_same(given, expected)
    assert "<b>" not in given.header


def test_one_rendering_serves_everyone_with_the_same_inputs(app, make_user):
    first, second = make_user(name="Ann First"), make_user(name="Bo Second")
    assert_same(*shell_and_macros(app, first))
    kept = dict(app.extensions["kept"]["page_shells"])
    given, expected = shell_and_macros(app, second)
    assert_same(given, expected)
    assert app.extensions["kept"]["page_shells"] == kept  # reused, not rendered again
    assert "Bo Second" in given.header and "Ann First" not in given.header


def test_staff_shell_with_open_reports_is_the_macros_output(app, make_user):
    staff = make_user(role="staff", name="Sam Staff")
    assert_same(*shell_and_macros(app, staff))
    with app.app_context(), db.connection_context():
        file_report(make_user(), POST, 1, "spam", "")
    given, expected = shell_and_macros(app, staff)
    assert_same(given, expected)
    assert "Staff (1 open reports)" in given.header


def test_branded_shell_is_the_macros_output(app, make_user):
    with app.app_context(), db.connection_context():
        settings.save({"organisation_name": "Trust & <Partners>",
                       "footer_links": "Privacy & cookies | https://example.org/privacy?a=1&b=2"
                                       "\nHelp | /accessibility",
                       "organisation_logo": {"file": "x", "mime": "image/png", "size": 10,
                                             "name": "logo.png", "sha256": "ab" * 32}})
        branding.forget()
    member = make_user(name="Ann <Member>")
    for user in (None, member):
        given, expected = shell_and_macros(app, user)
        assert_same(given, expected)
        assert "Trust &amp; &lt;Partners&gt;" in given.footer
        assert "Privacy &amp; cookies" in given.footer


def test_a_page_carries_the_shell(app, client, make_user, login):
    person = make_user(name="Pat <Page>")
    login(person)
    html = client.get("/dashboard").get_data(as_text=True)
    with app.app_context(), db.connection_context():
        user = User.get_by_id(person.id)
    with app.test_request_context("/"):
        g._login_user = user
        token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        expected = shell.render(True, user.name, token, main_navigation(user),
                                branding.current())
    assert str(expected.skip_link) + str(expected.header) in html
    assert str(expected.footer) + "\n</body>" in html
