"""A dashboard is kept for its person (portal/fragments.py, person=True) until a write to
something it shows, and rendered on every visit while it shows something the clock alone can
change (a mentoring pair, a request for the person's help, a pay-it-forward invitation)."""
import types

import pytest
from playhouse.test_utils import count_queries

from portal.blueprints.accounts.models import User, UserTopic
from portal.blueprints.experts import services_introductions as intros
from portal.blueprints.hub import services as hub_services
from portal.blueprints.hub.models import Article, ArticleTopic
from portal.blueprints.programmes.models import Cohort, Programme
from portal.db import db
from portal.groups import Group, GroupMembership
from tests.expert_factories import make_aces, make_expert
from tests.pages import Page
from tests.programme_factories import make_rtw, submitted


def visit(client) -> tuple[Page, bool]:
    """The dashboard, and whether this visit rendered and stored it."""
    with count_queries() as counter:
        response = client.get("/dashboard")
    assert response.status_code == 200
    stored = any('INTO "fragment"' in q.msg[0] for q in counter.get_queries())
    return Page(response), stored


def kept_visit(client) -> Page:
    """Two visits: the second must come from the store (nothing rendered or stored)."""
    visit(client)
    page, stored = visit(client)
    assert not stored, "the dashboard was rendered again with nothing written"
    return page


@pytest.fixture
def world(app, make_user, make_article):
    staff = make_user(role="staff", name="Sam Staff")
    ann = make_user(name="Ann Member")
    article = make_article(title="Planning your handover", author=staff)
    with app.app_context(), db.connection_context():
        group = Group.create(name="Ward 7 team")
    return types.SimpleNamespace(staff=staff, ann=ann, article=article, group=group)


def write(app, change) -> None:
    with app.app_context(), db.connection_context():
        with db.atomic():
            change()


def test_each_write_to_what_the_dashboard_shows_is_on_the_next_visit(app, client, login,
                                                                      world, topics):
    login(world.ann)
    page = kept_visit(client)
    assert page.heading() == "Hello, Ann Member"
    assert "Planning your handover" in page.text("#recent")

    write(app, lambda: GroupMembership.create(group=world.group.id, user=world.ann.id))
    assert kept_visit(client).texts("#my-groups li") == ["Ward 7 team"]

    write(app, lambda: Group.update(name="Ward 7 day team")
          .where(Group.id == world.group.id).execute())
    assert kept_visit(client).texts("#my-groups li") == ["Ward 7 day team"]

    topic = topics[0]
    write(app, lambda: UserTopic.create(user=world.ann.id, topic=topic.id))
    page = kept_visit(client)
    assert f"On your topics: {topic.name}." in page.text("main")
    assert page.text("#for-you") == "There are no articles on your topics yet."
    write(app, lambda: ArticleTopic.create(article=world.article.id, topic=topic.id))
    assert "Planning your handover" in kept_visit(client).text("#for-you")

    write(app, lambda: hub_services.toggle_bookmark(world.ann, world.article))
    assert "Planning your handover" in kept_visit(client).text("#bookmarks")

    write(app, lambda: Article.update(title="Handing over well")
          .where(Article.id == world.article.id).execute())
    page = kept_visit(client)
    assert "Handing over well" in page.text("#bookmarks")
    assert "Handing over well" in page.text("#recent")

    programme, cohort = None, None

    def apply():
        nonlocal programme, cohort
        programme, cohort = make_rtw(world.staff)
        submitted(world.ann, programme, cohort)

    write(app, apply)
    assert "Return to Work: 2027, as mentee" in kept_visit(client).text("#your-applications")
    write(app, lambda: Programme.update(name="Back to Work")
          .where(Programme.id == programme.id).execute())
    assert "Back to Work: 2027" in kept_visit(client).text("#your-applications")
    write(app, lambda: Cohort.update(name="Spring 2027").where(Cohort.id == cohort.id).execute())
    assert "Back to Work: Spring 2027" in kept_visit(client).text("#your-applications")

    write(app, lambda: User.update(name="Ann Renamed").where(User.id == world.ann.id)
          .execute())
    assert kept_visit(client).heading() == "Hello, Ann Renamed"


def test_nobody_is_shown_anyone_elses_dashboard(app, client, login, make_user, world):
    bo = make_user(name="Bo Member")
    write(app, lambda: hub_services.toggle_bookmark(world.ann, world.article))
    login(world.ann)
    assert "Planning your handover" in kept_visit(client).text("#bookmarks")
    login(bo)
    page = kept_visit(client)
    assert page.heading() == "Hello, Bo Member"
    assert "Planning your handover" not in page.text("#bookmarks")
    assert page.text(".nhsuk-header__account-link") == "Bo Member"
    assert "tandem:" not in str(page.soup)  # every hole filled: token, name, messages


def test_a_dashboard_the_clock_can_change_is_rendered_on_every_visit(app, client, login,
                                                                     make_user):
    """An expert with a request waiting: the request lapses on a date, with no write."""
    with app.app_context(), db.connection_context():
        aces = make_aces(make_user(role="staff"))
        ann = make_expert(aces, make_user(name="Ann Budget"))
        item = aces.items["reading a budget statement"].id
        intros.ask(make_user(name="Lee Learner"),
                   intros.Ask([ann.id], [item], "I hold a budget now"))
    login(ann.user)
    for _ in range(2):
        page, stored = visit(client)
        assert not stored
        assert "Lee Learner" in page.text("#expert-requests")
