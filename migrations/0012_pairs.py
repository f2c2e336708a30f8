"""The pair's space: the relationship's dates, leave and closing, and its agreement, sessions,
notes, goals, check-ins and closing answers."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Relationship(Model):
        class Meta:
            database = db
            table_name = "relationship"

    migrator.migrate(
        migrator.add_column("relationship", "started_at", DateTimeField(null=True)),
        migrator.add_column("relationship", "ends_on", DateField(null=True)),
        migrator.add_column("relationship", "closed_at", DateTimeField(null=True)),
        migrator.add_column("relationship", "closed_by_id",
                            ForeignKeyField(User, null=True, field=User.id,
                                            on_delete="SET NULL")),
        migrator.add_column("relationship", "close_reason", TextField(default="")),
        migrator.add_column("relationship", "leave_starts", DateField(null=True)),
        migrator.add_column("relationship", "leave_returns", DateField(null=True)),
        migrator.add_column("relationship", "keep_in_touch", BooleanField(default=False)),
        migrator.add_column("relationship", "return_prompted_at", DateTimeField(null=True)),
        migrator.add_column("relationship", "last_session_on", DateField(null=True)),
        migrator.add_column("relationship", "nudged_at", DateTimeField(null=True)),
        migrator.add_column("relationship", "end_offered_at", DateTimeField(null=True)),
    )

    class Agreement(Model):
        relationship = ForeignKeyField(Relationship, unique=True, on_delete="CASCADE")
        expectations = TextField(default="")
        confidentiality = TextField(default="")
        frequency = CharField(max_length=160, default="")
        channel = CharField(max_length=20, default="")
        ending = TextField(default="")
        version = IntegerField(default=1)
        updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        updated_at = DateTimeField()
        mentor_confirmed_at = DateTimeField(null=True)
        mentee_confirmed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "agreement"

    class MentoringSession(Model):
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        proposed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        starts_at = DateTimeField()
        minutes = IntegerField()
        channel = CharField(max_length=20)
        status = CharField(max_length=10, default="proposed")
        responded_at = DateTimeField(null=True)
        held_on = DateField(null=True)
        summary = TextField(default="")
        logged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        logged_at = DateTimeField(null=True)
        reminded_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "mentoring_session"
            indexes = ((("relationship", "status"), False),
                       (("status", "starts_at"), False))

    class Note(Model):
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        shared = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "note"
            indexes = ((("relationship", "created_at"), False),)

    class Goal(Model):
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        owner = ForeignKeyField(User, null=True, on_delete="SET NULL")
        title = CharField(max_length=200)
        success_criteria = TextField(default="")
        target_date = DateField(null=True)
        status = CharField(max_length=12, default="not_started")
        shared = BooleanField(default=True)
        item_key = CharField(max_length=60, default="")
        signed_off_at = DateTimeField(null=True)
        learned = TextField(default="")
        countersigned_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        countersigned_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "goal"
            indexes = ((("relationship", "owner"), False),)

    class CheckIn(Model):
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        person = ForeignKeyField(User, on_delete="CASCADE")
        period = IntegerField()
        sent_at = DateTimeField()
        answer = CharField(max_length=10, default="")
        answered_at = DateTimeField(null=True)
        resolved_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "check_in"
            indexes = ((("relationship", "person", "period"), True),
                       (("answer", "resolved_at"), False))

    class ClosingAnswer(Model):
        relationship = ForeignKeyField(Relationship, on_delete="CASCADE")
        person = ForeignKeyField(User, null=True, on_delete="SET NULL")
        answers = TextField(default="{}")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "closing_answer"
            indexes = ((("relationship", "person"), True),)

    db.create_tables([Agreement, MentoringSession, Note, Goal, CheckIn, ClosingAnswer])


def down(migrator, db):
    for table in ("closing_answer", "check_in", "goal", "note", "mentoring_session", "agreement"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    migrator.migrate(migrator.drop_index("relationship", "relationship_closed_by_id"))
    migrator.migrate(*[
        migrator.drop_column("relationship", column) for column in (
            "end_offered_at", "nudged_at", "last_session_on", "return_prompted_at",
            "keep_in_touch", "leave_returns", "leave_starts", "close_reason", "closed_by_id",
            "closed_at", "ends_on", "started_at")])
