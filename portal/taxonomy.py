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
