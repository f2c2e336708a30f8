"""initial: people, sessions, topics, outbox, rate limits"""
from peewee import *


def up(migrator, db):
    class OutboxMessage(Model):
        key = CharField(unique=True, max_length=200)
        to_addr = CharField(max_length=254)
        subject = CharField(max_length=200)
        body_text = TextField()
        status = CharField(max_length=10, default='queued')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        lease_until = DateTimeField(null=True)
        last_error = TextField(default='')
        created_at = DateTimeField(index=True)
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbox_message'
            indexes = ((('status', 'next_attempt_at'), False),)
    db.create_tables([OutboxMessage])

    class RateLimitEvent(Model):
        bucket = CharField(max_length=40)
        key = CharField(max_length=200)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'rate_limit_event'
            indexes = ((('bucket', 'key', 'created_at'), False),)
    db.create_tables([RateLimitEvent])

    class Topic(Model):
        name = CharField(unique=True, max_length=80)
        slug = CharField(unique=True, max_length=80)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'topic'
    db.create_tables([Topic])

    class User(Model):
        name = CharField(max_length=120)
        email = CharField(unique=True, max_length=254)
        password_hash = CharField()
        role = CharField(index=True, max_length=20, default='member')
        email_verified_at = DateTimeField(null=True)
        created_at = DateTimeField(index=True)
        last_login_at = DateTimeField(null=True)
        suspended_until = DateTimeField(null=True)
        suspension_reason = TextField(default='')
        organisation = CharField(max_length=160, default='')
        job_title = CharField(max_length=160, default='')
        staff_group = CharField(max_length=80, default='')
        pay_band = CharField(max_length=40, default='')
        region = CharField(max_length=80, default='')
        bio = TextField(default='')
        specialisms = TextField(default='')
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class UserSession(Model):
        key = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        expires_at = DateTimeField(index=True)
        remember = BooleanField(default=False)
        user_agent = CharField(default='')
        class Meta:
            database = db
            table_name = 'user_session'
    db.create_tables([UserSession])

    class UserTopic(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        topic = ForeignKeyField(Topic, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'user_topic'
            indexes = ((('user', 'topic'), True),)
    db.create_tables([UserTopic])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('user_topic'))
    migrator.migrate(migrator.drop_table('user_session'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('topic'))
    migrator.migrate(migrator.drop_table('rate_limit_event'))
    migrator.migrate(migrator.drop_table('outbox_message'))
