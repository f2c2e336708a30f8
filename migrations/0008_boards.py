"""Peer network boards: boards, threads, posts, mentions, watches, read markers,
notifications and email preferences."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Board(Model):
        name = CharField(max_length=120)
        slug = CharField(max_length=120, unique=True)
        description = TextField(default="")
        audience = CharField(max_length=20, default="signed_in", index=True)
        position = IntegerField(default=0, index=True)
        thread_count = IntegerField(default=0)
        post_count = IntegerField(default=0)
        last_post_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "board"

    class Thread(Model):
        board = ForeignKeyField(Board, on_delete="CASCADE")
        title = CharField(max_length=200)
        author = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="threads")
        pinned = BooleanField(default=False)
        locked = BooleanField(default=False)
        hidden = BooleanField(default=False)
        created_at = DateTimeField()
        last_post_at = DateTimeField()
        last_poster = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        post_count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "thread"
            indexes = ((("board", "pinned", "last_post_at", "id"), False),)

    class Post(Model):
        thread = ForeignKeyField(Thread, on_delete="CASCADE")
        number = IntegerField()
        author = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="posts")
        body = TextField()
        body_html = TextField()
        created_at = DateTimeField()
        edited_at = DateTimeField(null=True)
        deleted = BooleanField(default=False)
        status = CharField(max_length=10, default="visible")
        hidden_reason = CharField(max_length=300, default="")

        class Meta:
            database = db
            table_name = "post"
            indexes = ((("thread", "number"), True), (("author", "created_at"), False))

    class Mention(Model):
        post = ForeignKeyField(Post, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE", backref="mentions")

        class Meta:
            database = db
            table_name = "mention"
            indexes = ((("post", "user"), True),)

    class Watch(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="watches")
        thread = ForeignKeyField(Thread, null=True, on_delete="CASCADE")
        board = ForeignKeyField(Board, null=True, on_delete="CASCADE")
        level = CharField(max_length=10, default="watching")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "watch"
            indexes = ((("user", "thread"), True), (("user", "board"), True),
                       (("thread", "level"), False), (("board", "level"), False))

    class ReadMarker(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="read_markers")
        thread = ForeignKeyField(Thread, on_delete="CASCADE")
        last_read_number = IntegerField(default=0)
        read_at = DateTimeField()

        class Meta:
            database = db
            table_name = "read_marker"
            indexes = ((("user", "thread"), True),)

    class Notification(Model):
        user = ForeignKeyField(User, on_delete="CASCADE", backref="notifications")
        kind = CharField(max_length=10)
        post = ForeignKeyField(Post, on_delete="CASCADE")
        thread = ForeignKeyField(Thread, on_delete="CASCADE")
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        email = CharField(max_length=10, default="none")
        emailed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "notification"
            indexes = ((("post", "user"), True), (("user", "created_at", "id"), False),
                       (("user", "thread", "read_at"), False),
                       (("user", "email", "emailed_at"), False), (("email", "created_at"), False))

    class BoardPreference(Model):
        user = ForeignKeyField(User, unique=True, on_delete="CASCADE", backref="preference")
        email_replies = BooleanField(default=True)
        email_mentions = BooleanField(default=True)
        daily_digest = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "board_preference"

    db.create_tables([Board, Thread, Post, Mention, Watch, ReadMarker, Notification,
                      BoardPreference])


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DELETE FROM search_fts WHERE rowid IN "
                       "(SELECT id FROM search_document WHERE kind = 'post')")
    db.execute_sql("DELETE FROM search_document WHERE kind = 'post'")
    for table in ("board_preference", "notification", "read_marker", "watch", "mention",
                  "post", "thread", "board"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
