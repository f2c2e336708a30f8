"""Fixtures for the boards tests: three boards with different audiences, people inside
and outside them, and a helper that posts through the real services.

Import the fixtures into a test module: `from tests.web.boards_setup import *  # noqa`.
"""
from types import SimpleNamespace

import pytest

from portal import audience
from portal.blueprints.accounts.models import User
from portal.blueprints.boards import services
from portal.blueprints.boards.models import Board, Thread
from portal.db import db
from portal.groups import Group, GroupMembership
from tests.pages import Page

HX = {"HX-Request": "true"}

__all__ = ["HX", "boards", "post_as", "csrf_of", "posts_on", "thread_rows", "link"]


@pytest.fixture
def boards(app, make_user):
    """General (anyone signed in), Mentor network (the Mentors group) and Staff room."""
    people = SimpleNamespace(staff=make_user(role="staff", name="Sam Staff"),
                             mentor=make_user(name="Mina Mentor"),
                             outsider=make_user(name="Omar Outsider"))
    with app.app_context(), db.connection_context():
        group = Group.create(name="Mentors")
        GroupMembership.create(group=group, user=people.mentor.id)
        staff = User.get_by_id(people.staff.id)
        people.group = group
        people.general = services.save_board(
            staff, None, name="General", description="For everyone signed in",
            audience_value=audience.SIGNED_IN, group_ids=[], position=0)
        people.mentors = services.save_board(
            staff, None, name="Mentor network", description="Peer support for mentors",
            audience_value=audience.GROUPS, group_ids=[group.id], position=1)
        people.staff_room = services.save_board(
            staff, None, name="Staff room", description="Programme staff only",
            audience_value=audience.STAFF, group_ids=[], position=2)
    return people


@pytest.fixture
def post_as(app):
    """post_as(person, board, title, body) starts a thread; post_as(person, thread=t,
    body=...) replies. Returns the new Post."""

    def post(author, board=None, title="A question", body="Has anyone tried this?",
             thread=None):
        with app.app_context(), db.connection_context():
            author = User.get_by_id(author.id)
            if thread is not None:
                return services.reply(author, Thread.get_by_id(thread.id), body)
            return services.start_thread(author, Board.get_by_id(board.id), title, body)

    return post


def csrf_of(page: Page) -> str:
    return page.soup.select_one("input[name=csrf_token]")["value"]


def posts_on(page: Page) -> list[str]:
    """The text of each post on a thread page, deleted ones as their placeholder."""
    return [li.select_one(".tandem-post__body, .tandem-placeholder").get_text(" ", strip=True)
            for li in page.soup.select("#posts > li.tandem-post")]


def thread_rows(page: Page) -> list[dict]:
    return [{"title": li.select_one("h3 a").get_text(strip=True),
             "unread": li.select_one(".tandem-unread").get_text(strip=True)
             if li.select_one(".tandem-unread") else ""}
            for li in page.soup.select("li.tandem-thread-row")]


def link(page: Page, text: str, within=None):
    """The first link whose text (with its visually hidden part) starts with `text`."""
    scope = within if within is not None else page.soup
    return next(a for a in scope.select("a") if a.get_text(" ", strip=True).startswith(text))
