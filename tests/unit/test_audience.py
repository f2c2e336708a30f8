"""One audience rule for every kind of content, applied in SQL."""
import pytest
from peewee import CharField
from playhouse.test_utils import count_queries

from portal import audience
from portal.db import BaseModel, db
from portal.groups import Group, GroupMembership


class Leaflet(BaseModel):
    """Stands in for articles, resources, webinars and boards."""

    title = CharField()
    audience = audience.audience_field()


@pytest.fixture
def leaflets(database, make_user):
    db.create_tables([Leaflet])
    mentors, cohort = Group.create(name="Mentors"), Group.create(name="Cohort 2027")
    Leaflet.create(title="For everyone")
    for_mentors = Leaflet.create(title="For mentors", audience=audience.GROUPS)
    for_both = Leaflet.create(title="For mentors and cohort", audience=audience.GROUPS)
    Leaflet.create(title="For staff", audience=audience.STAFF)
    Leaflet.create(title="For nobody yet", audience=audience.GROUPS)
    audience.set_groups(for_mentors, [mentors.id])
    audience.set_groups(for_both, [mentors.id, cohort.id])
    people = {"mentor": make_user(), "cohort member": make_user(), "outsider": make_user(),
              "staff": make_user(role="staff"), "moderator": make_user(role="moderator")}
    GroupMembership.create(group=mentors, user=people["mentor"].id)
    GroupMembership.create(group=cohort, user=people["cohort member"].id)
    yield people
    db.drop_tables([Leaflet])


def titles_for(user):
    query = Leaflet.select().where(audience.visible_to(Leaflet, user)).order_by(Leaflet.id)
    return [leaflet.title for leaflet in query]


@pytest.mark.parametrize(("who", "expected"), [
    ("mentor", ["For everyone", "For mentors", "For mentors and cohort"]),
    ("cohort member", ["For everyone", "For mentors and cohort"]),
    ("outsider", ["For everyone"]),
    ("moderator", ["For everyone"]),
    ("staff", ["For everyone", "For mentors", "For mentors and cohort", "For staff",
               "For nobody yet"]),
])
def test_each_person_sees_only_their_audiences(leaflets, who, expected):
    assert titles_for(leaflets[who]) == expected


def test_anonymous_visitor_sees_nothing(leaflets):
    from flask_login import AnonymousUserMixin

    assert titles_for(AnonymousUserMixin()) == []
    assert titles_for(None) == []


def test_the_filter_is_one_query_whatever_the_number_of_groups(leaflets):
    mentor = leaflets["mentor"]
    for i in range(30):
        group = Group.create(name=f"Extra {i}")
        GroupMembership.create(group=group, user=mentor.id)
    with count_queries() as counter:
        titles_for(mentor)
    assert counter.count == 1


def test_set_groups_replaces_the_previous_choice(leaflets):
    leaflet = Leaflet.get(Leaflet.title == "For mentors")
    cohort = Group.get(Group.name == "Cohort 2027")
    audience.set_groups(leaflet, [cohort.id])
    assert audience.group_ids(leaflet) == [cohort.id]
    assert "For mentors" not in titles_for(leaflets["mentor"])
    assert "For mentors" in titles_for(leaflets["cohort member"])
