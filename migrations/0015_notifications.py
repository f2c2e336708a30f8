"""One notification centre and one set of preferences for every area, and the newsletter.

The boards' own email preferences become rows of the one preferences table, choice for
choice: an email the person had switched off is "on the site only", and the daily digest
is the boards' "one email a day" channel. Going down writes them back.
"""
import datetime as dt

from peewee import *

BOARD_KINDS = {"board_mention": "email_mentions", "board_reply": "email_replies"}


def _board_channel(wanted: bool, digest: bool) -> str:
    if not wanted:
        return "site"
    return "digest" if digest else "email"


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    migrator.migrate(migrator.add_column("outbox_message", "headers", TextField(default="")))

    class UserNotification(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="centre_items")
        kind = CharField(max_length=40)
        text = CharField(max_length=300)
        url = CharField(max_length=500)
        key = CharField(max_length=200, unique=True)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        subject_type = CharField(max_length=40, default="")
        subject_id = IntegerField(default=0)
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "user_notification"
            indexes = ((("user", "created_at", "id"), False), (("user", "read_at"), False),
                       (("subject_type", "subject_id"), False))

    class NotificationPreference(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="notification_preferences")
        kind = CharField(max_length=40)
        channel = CharField(max_length=10)
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "notification_preference"
            indexes = ((("user", "kind"), True),)

    class PreferenceChange(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="preference_changes")
        kind = CharField(max_length=40)
        channel = CharField(max_length=10)
        previous = CharField(max_length=10)
        source = CharField(max_length=20)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "preference_change"
            indexes = ((("user", "kind", "created_at"), False),)

    class NewsletterIssue(Model):
        subject = CharField(max_length=200)
        intro = TextField(default="")
        intro_html = TextField(default="")
        segment_kind = CharField(max_length=20, default="everyone")
        segment_id = IntegerField(null=True)
        status = CharField(max_length=10, default="draft", index=True)
        send_at = DateTimeField(null=True)
        started_at = DateTimeField(null=True, index=True)
        finished_at = DateTimeField(null=True)
        recipient_count = IntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL",
                                     backref="newsletter_issues")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "newsletter_issue"

    class NewsletterBlock(Model):
        issue = ForeignKeyField(NewsletterIssue, on_delete="CASCADE")
        kind = CharField(max_length=10)
        object_id = IntegerField()
        position = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "newsletter_block"
            indexes = ((("issue", "kind", "object_id"), True),)

    class NewsletterDelivery(Model):
        issue = ForeignKeyField(NewsletterIssue, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE", backref="newsletter_deliveries")
        status = CharField(max_length=10, default="pending")
        created_at = DateTimeField()
        done_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "newsletter_delivery"
            indexes = ((("issue", "user"), True), (("issue", "status", "id"), False),
                       (("user", "id"), False))

    db.create_tables([UserNotification, NotificationPreference, PreferenceChange,
                      NewsletterIssue, NewsletterBlock, NewsletterDelivery])

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = db.execute_sql("SELECT user_id, email_mentions, email_replies, daily_digest "
                          "FROM board_preference ORDER BY id").fetchall()
    carried = []
    for user_id, mentions, replies, digest in rows:
        wanted = {"board_mention": bool(mentions), "board_reply": bool(replies)}
        carried += [{"user": user_id, "kind": kind,
                     "channel": _board_channel(wanted[kind], bool(digest)), "updated_at": now}
                    for kind in BOARD_KINDS]
    for start in range(0, len(carried), 500):
        NotificationPreference.insert_many(carried[start:start + 500]).execute()
    db.execute_sql('DROP TABLE "board_preference"')


def down(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class BoardPreference(Model):
        user = ForeignKeyField(User, unique=True, on_delete="CASCADE", backref="preference")
        email_replies = BooleanField(default=True)
        email_mentions = BooleanField(default=True)
        daily_digest = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "board_preference"

    db.create_tables([BoardPreference])
    chosen: dict[int, dict[str, str]] = {}
    for user_id, kind, channel in db.execute_sql(
            "SELECT user_id, kind, channel FROM notification_preference WHERE kind IN "
            "('board_mention', 'board_reply') ORDER BY id").fetchall():
        chosen.setdefault(user_id, {})[kind] = channel
    rows = [{"user": user_id,
             "email_mentions": channels.get("board_mention", "email") in ("email", "digest"),
             "email_replies": channels.get("board_reply", "email") in ("email", "digest"),
             "daily_digest": "digest" in channels.values()}
            for user_id, channels in chosen.items()]
    for start in range(0, len(rows), 500):
        BoardPreference.insert_many(rows[start:start + 500]).execute()
    for table in ("newsletter_delivery", "newsletter_block", "newsletter_issue",
                  "preference_change", "notification_preference", "user_notification"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    migrator.migrate(migrator.drop_column("outbox_message", "headers"))
