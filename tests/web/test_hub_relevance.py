"""Search puts the most relevant article first, on the demo articles, on either database."""
import json
from pathlib import Path

import pytest

from portal import demo
from portal.blueprints.accounts.models import User
from portal.db import db
from portal.groups import Group
from tests.pages import Page

PAIRS = json.loads((Path(__file__).parents[1] / "data" / "hub_search_relevance.json").read_text())


@pytest.fixture
def demo_articles(app, make_user):
    author = make_user(role="staff")
    with app.app_context(), db.connection_context():
        demo.ensure_topics()
        Group.get_or_create(name="Mentors")
        added = demo.ensure_articles(User.get_by_id(author.id))
    return added


def test_there_are_enough_demo_articles_and_pairs(demo_articles):
    assert demo_articles >= 20
    assert len(PAIRS) >= 10


def test_the_expected_article_comes_first_for_each_query(client, login, make_user,
                                                         demo_articles):
    login(make_user())
    firsts = {}
    for pair in PAIRS:
        page = Page(client.get("/hub/search", query_string={"q": pair["query"]}))
        results = page.texts("#results h2 a")
        firsts[pair["query"]] = results[0] if results else None
    assert firsts == {pair["query"]: pair["expected_title"] for pair in PAIRS}
