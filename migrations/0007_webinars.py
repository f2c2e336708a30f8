"""Supervision webinars: series, sessions, bookings with a waitlist, reminders owed, the
personal calendar feed and library resources on a session; and an optional attachment on
outbox messages (the calendar file in webinar emails)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Resource(Model):
        class Meta:
            database = db
            table_name = "resource"

    class WebinarSeries(Model):
        title = CharField(max_length=200)
        description = TextField(default="")
        facilitator = CharField(max_length=120, default="")
        audience = CharField(index=True, max_length=20, default="signed_in")
        cadence_weeks = IntegerField()
        length_minutes = IntegerField()
        capacity = IntegerField()
        joining_link = CharField(max_length=500, default="")
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "webinar_series"

    class WebinarSession(Model):
        series = ForeignKeyField(WebinarSeries, null=True, on_delete="SET NULL")
        title = CharField(max_length=200)
        description = TextField(default="")
        facilitator = CharField(max_length=120, default="")
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField()
        capacity = IntegerField()
        audience = CharField(index=True, max_length=20, default="signed_in")
        joining_link = CharField(max_length=500, default="")
        status = CharField(max_length=20, default="scheduled")
        cancel_reason = TextField(default="")
        sequence = IntegerField(default=0)
        uid = CharField(max_length=100, unique=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "webinar_session"
            indexes = ((("status", "starts_at", "id"), False),)

    class WebinarBooking(Model):
        session = ForeignKeyField(WebinarSession, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        status = CharField(max_length=20)
        joined_at = DateTimeField()
        booked_at = DateTimeField(null=True)
        offer_expires_at = DateTimeField(null=True, index=True)
        cancelled_at = DateTimeField(null=True)
        attended = BooleanField(null=True)

        class Meta:
            database = db
            table_name = "webinar_booking"
            indexes = ((("session", "user"), True),
                       (("session", "status", "joined_at", "id"), False),
                       (("user", "status"), False))

    class WebinarReminder(Model):
        booking = ForeignKeyField(WebinarBooking, on_delete="CASCADE")
        kind = CharField(max_length=10)
        due_at = DateTimeField()
        sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "webinar_reminder"
            indexes = ((("booking", "kind"), True), (("sent_at", "due_at"), False))

    class WebinarFeed(Model):
        user = ForeignKeyField(User, unique=True, on_delete="CASCADE")
        nonce = CharField(max_length=64)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "webinar_feed"

    class WebinarResource(Model):
        session = ForeignKeyField(WebinarSession, on_delete="CASCADE")
        resource = ForeignKeyField(Resource, on_delete="CASCADE")
        added_at = DateTimeField()

        class Meta:
            database = db
            table_name = "webinar_resource"
            indexes = ((("session", "resource"), True), (("resource", "session"), False))

    db.create_tables([WebinarSeries, WebinarSession, WebinarBooking, WebinarReminder,
                      WebinarFeed, WebinarResource])
    migrator.migrate(
        migrator.add_column("outbox_message", "attachment_name",
                            CharField(max_length=200, default="")),
        migrator.add_column("outbox_message", "attachment_type",
                            CharField(max_length=100, default="")),
        migrator.add_column("outbox_message", "attachment_body", TextField(default="")))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("outbox_message", "attachment_name"),
        migrator.drop_column("outbox_message", "attachment_type"),
        migrator.drop_column("outbox_message", "attachment_body"))
    for table in ("webinar_resource", "webinar_feed", "webinar_reminder", "webinar_booking",
                  "webinar_session", "webinar_series"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
