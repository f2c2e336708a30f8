"""Matching: relationships between two people in a programme (drafts, released, declined),
each programme's criterion weights and decline window, and the profile fields that keep
people from being paired with their own team or their line manager."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Programme(Model):
        class Meta:
            database = db
            table_name = "programme"

    class Cohort(Model):
        class Meta:
            database = db
            table_name = "cohort"

    class Application(Model):
        class Meta:
            database = db
            table_name = "application"

    migrator.migrate(
        migrator.add_column("user", "team", CharField(max_length=160, default="")),
        migrator.add_column("user", "manager_email", CharField(max_length=254, default="")),
        migrator.add_column("programme", "matching_weights", TextField(default="")),
        migrator.add_column("programme", "decline_days", IntegerField(null=True)),
    )

    class Relationship(Model):
        programme = ForeignKeyField(Programme, on_delete="CASCADE")
        cohort = ForeignKeyField(Cohort, null=True, on_delete="CASCADE")
        mentor = ForeignKeyField(User, on_delete="CASCADE")
        mentee = ForeignKeyField(User, on_delete="CASCADE")
        mentor_application = ForeignKeyField(Application, null=True, on_delete="SET NULL")
        mentee_application = ForeignKeyField(Application, null=True, on_delete="SET NULL")
        status = CharField(max_length=10, default="draft")
        score = IntegerField(default=0)
        reasons = TextField(default="[]")
        locked = BooleanField(default=False)
        released_at = DateTimeField(null=True)
        respond_by = DateTimeField(null=True)
        declined_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        decline_reason = TextField(default="")
        declined_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "relationship"
            indexes = ((("cohort", "status"), False),
                       (("programme", "mentor", "mentee"), False),
                       (("mentor", "status"), False),
                       (("mentee", "status"), False))

    db.create_tables([Relationship])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "relationship"')
    migrator.migrate(
        migrator.drop_column("programme", "decline_days"),
        migrator.drop_column("programme", "matching_weights"),
        migrator.drop_column("user", "manager_email"),
        migrator.drop_column("user", "team"),
    )
