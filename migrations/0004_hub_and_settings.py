"""The knowledge hub (articles, revisions, bookmarks, ratings, comments), full-text search
and site settings."""
import datetime

from peewee import *


def up(migrator, db):
    class Setting(Model):
        key = CharField(unique=True, max_length=60)
        value = TextField()

        class Meta:
            database = db
            table_name = "setting"

    class SearchDocument(Model):
        kind = CharField(max_length=20)
        object_id = IntegerField()
        title = TextField()
        summary = TextField(default="")
        body = TextField(default="")

        class Meta:
            database = db
            table_name = "search_document"
            indexes = ((("kind", "object_id"), True),)

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Topic(Model):
        class Meta:
            database = db
            table_name = "topic"

    class Article(Model):
        title = CharField(max_length=200)
        slug = CharField(unique=True, max_length=120)
        summary = TextField(default="")
        body = TextField(default="")
        body_html = TextField(default="")
        contents = TextField(default="[]")
        kind = CharField(max_length=20, default="guide")
        status = CharField(max_length=20, default="draft")
        audience = CharField(index=True, max_length=20, default="signed_in")
        owner = ForeignKeyField(User, on_delete="RESTRICT")
        reviewer = ForeignKeyField(User, null=True, on_delete="SET NULL",
                                   backref="reviewed")
        review_by = DateField(null=True, index=True)
        reading_minutes = IntegerField(default=1)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        updated_at = DateTimeField(default=datetime.datetime.utcnow)
        published_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "article"
            indexes = ((("status", "updated_at", "id"), False),)

    class ArticleTopic(Model):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        topic = ForeignKeyField(Topic, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "article_topic"
            indexes = ((("article", "topic"), True), (("topic", "article"), False))

    class ArticleRevision(Model):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        number = IntegerField()
        title = CharField(max_length=200)
        summary = TextField(default="")
        body = TextField(default="")
        editor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        note = CharField(max_length=200, default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "article_revision"
            indexes = ((("article", "number"), True),)

    class Bookmark(Model):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "bookmark"
            indexes = ((("user", "article"), True),)

    class Rating(Model):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        stars = IntegerField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "rating"
            indexes = ((("article", "user"), True),)

    class Comment(Model):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        author = ForeignKeyField(User, on_delete="CASCADE")
        body = TextField()
        body_html = TextField()
        created_at = DateTimeField()
        edited_at = DateTimeField(null=True)
        hidden = BooleanField(default=False)
        hidden_reason = CharField(max_length=300, default="")
        deleted = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "comment"
            indexes = ((("article", "created_at", "id"), False),)

    db.create_tables([Setting, SearchDocument, Article, ArticleTopic, ArticleRevision,
                      Bookmark, Rating, Comment])
    if isinstance(db, SqliteDatabase):
        db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
                       "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')")
    else:
        db.execute_sql("CREATE TABLE IF NOT EXISTS search_vector ("
                       " id INTEGER PRIMARY KEY REFERENCES search_document (id) ON DELETE CASCADE,"
                       " tsv TSVECTOR NOT NULL)")
        db.execute_sql("CREATE INDEX IF NOT EXISTS search_vector_tsv ON search_vector "
                       "USING GIN (tsv)")


def down(migrator, db):
    for table in ("search_fts", "search_vector", "comment", "rating", "bookmark",
                  "article_revision", "article_topic", "article", "search_document", "setting"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
