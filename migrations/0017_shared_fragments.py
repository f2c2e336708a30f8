"""Rendered fragments shared by everyone in an audience, and the per-area content versions
that triggers raise on every write to what the fragments show (portal/fragments.py)."""
import datetime

from peewee import *

from portal.fragments import create_triggers, drop_triggers


def up(migrator, db):
    class ContentVersion(Model):
        area = CharField(max_length=20, primary_key=True)
        version = BigIntegerField()

        class Meta:
            database = db
            table_name = "content_version"

    class Fragment(Model):
        key = CharField(max_length=64, unique=True)
        stamp = CharField(max_length=200)
        valid_until = DateTimeField(null=True)
        html = TextField()
        meta = TextField(default="null")
        written_at = DateTimeField(default=datetime.datetime.now, index=True)

        class Meta:
            database = db
            table_name = "fragment"

    db.create_tables([ContentVersion, Fragment])
    create_triggers(db)


def down(migrator, db):
    drop_triggers(db)
    for table in ("fragment", "content_version"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
