"""The recurring themes of the programmes, as the first topics."""
from peewee import *

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


def _slug(text):
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def up(migrator, db):
    class Topic(Model):
        name = CharField(unique=True, max_length=80)
        slug = CharField(unique=True, max_length=80)
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "topic"

    rows = [{"name": name, "slug": _slug(name), "position": i} for i, name in enumerate(THEMES)]
    Topic.insert_many(rows).on_conflict_ignore().execute()


def down(migrator, db):
    db.execute_sql("DELETE FROM topic")
