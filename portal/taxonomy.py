"""Topics: the recurring themes that articles, resources, webinars and profiles share."""
from peewee import CharField, IntegerField

from portal.db import BaseModel

THEMES = [
    "Handover and succession planning",
    "Staying connected during leave",
    "Returning to work",
    "Identity after a life change",
    "Managing change",
    "Work–life balance",
    "Resilience",
    "Rebuilding networks",
    "Diversity and inclusion",
    "Career development",
]


class Topic(BaseModel):
    name = CharField(max_length=80, unique=True)
    slug = CharField(max_length=80, unique=True)
    position = IntegerField(default=0)

    @classmethod
    def ordered(cls):
        return cls.select().order_by(cls.position, cls.name)


def attach_topics(objects: list, owner_field) -> list:
    """Set `topic_list` on each object from its link table (`owner_field` is the link's
    foreign key to the objects, e.g. ArticleTopic.article): one query, however many."""
    link = owner_field.model
    by_owner: dict[int, list] = {obj.id: [] for obj in objects}
    if by_owner:
        rows = (link.select(owner_field, Topic).join(Topic)
                .where(owner_field.in_(list(by_owner))).order_by(Topic.position))
        for row in rows:
            by_owner[getattr(row, owner_field.column_name)].append(row.topic)
    for obj in objects:
        obj.topic_list = by_owner[obj.id]
    return objects
