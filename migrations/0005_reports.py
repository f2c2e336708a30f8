"""Reports: members flag posts and comments for the moderators."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Report(Model):
        object_type = CharField(max_length=40)
        object_id = IntegerField()
        reporter = ForeignKeyField(User, on_delete="CASCADE", backref="made")
        reason = CharField(max_length=20)
        note = TextField(default="")
        status = CharField(max_length=20, default="open", index=True)
        created_at = DateTimeField(index=True)
        resolved_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="resolved")
        resolved_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "report"
            indexes = ((("object_type", "object_id", "reporter"), True),)

    db.create_tables([Report])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "report"')
