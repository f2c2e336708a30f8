"""What the dashboard shows a person, read with prepared queries: the SQL of each is written
once per process and audience shape (portal/prepared.py), from the models' own queries."""
import datetime as dt

from peewee import JOIN

from portal import audience
from portal.blueprints.accounts.models import UserTopic
from portal.blueprints.experts.models import IntroductionRequest
from portal.blueprints.hub.models import Article, ArticleTopic
from portal.blueprints.mentoring import overview
from portal.blueprints.mentoring.models import RELEASED
from portal.blueprints.programmes import services_pay_it_forward as pay_it_forward
from portal.blueprints.programmes.models import Application
from portal.db import in_subquery, utcnow
from portal.groups import Group, GroupMembership
from portal.prepared import Prepared, param
from portal.taxonomy import Topic

GROUPS = Prepared(lambda: Group.select().join(GroupMembership)
                  .where(GroupMembership.user == param("user")).order_by(Group.name))
TOPICS = Prepared(lambda: Topic.ordered().join(UserTopic).where(UserTopic.user == param("user")))
APPLICATIONS = Prepared(lambda: Application.of_applicant(audience.StandIn(("everything",))))
RECENT = Prepared(lambda shape: Article.listed_for(audience.StandIn(shape))
                  .order_by(Article.updated_at.desc(), Article.id.desc()).limit(5))
BOOKMARKS = Prepared(lambda shape: Article.bookmarked_by(audience.StandIn(shape)).limit(10))


def _on_my_topics(shape):
    """Articles on the person's topics, newest first (Article.on_topics, with the topics
    read in the same query)."""
    mine = ArticleTopic.select(ArticleTopic.article).join(
        UserTopic, JOIN.INNER, on=(UserTopic.topic == ArticleTopic.topic)).where(
        UserTopic.user == param("user"))
    return (Article.listed_for(audience.StandIn(shape)).where(in_subquery(Article.id, mine))
            .order_by(Article.updated_at.desc(), Article.id.desc()).limit(5))


ON_MY_TOPICS = Prepared(_on_my_topics)
EXPERT_REQUESTS = Prepared(lambda: IntroductionRequest.waiting_for(
    audience.StandIn(("everything",)), param("now")).limit(5))


def timely(user) -> dict:
    """What the dashboard shows that can change with the clock alone, read on every visit:
    the mentoring card (next session, what is waiting), released matches, requests for the
    person's help (they expire) and pay-it-forward invitations (a place ends on a date).
    The applications are read with them, as the invitations come from them."""
    applications = APPLICATIONS().models(user=user.id)
    mentoring = overview.card(user, dt.date.today(), utcnow())
    return {
        "applications": applications, "mentoring": mentoring,
        # the card's relationships hold the released matches too: no query of their own;
        # an expert introduction is not a match (both chose it: there is nothing to decline)
        "matches": [item.rel for item in mentoring if item.rel.status == RELEASED
                    and not item.rel.programme.is_open],
        "invitations": pay_it_forward.invitations_for(applications),
        "expert_requests": EXPERT_REQUESTS().models(user=user.id, now=utcnow())}


def changes_with_time(timely: dict) -> bool:
    """Whether the page shows something the clock alone can change, so it must not be
    kept (home.views.dashboard): everything else on it changes only with a write."""
    return any(timely[name] for name in ("mentoring", "invitations", "expert_requests"))


def context(user, timely: dict) -> dict:
    """The dashboard's lists for `user`, the person signed in, with `timely(user)`."""
    shape, mine = audience.shape(user), {"user": user.id}
    params = {**mine, **audience.shape_params(user)}
    topics = TOPICS().models(**mine)
    return {
        **timely, "groups": GROUPS().models(**mine), "topics": topics,
        "for_you": ON_MY_TOPICS(shape).models(**params) if topics else [],
        "bookmarks": BOOKMARKS(shape).models(**params),
        "recent": RECENT(shape).models(**params)}
