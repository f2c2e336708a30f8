"""The resource library: resources, their file versions, topics and related articles."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Group(Model):
        class Meta:
            database = db
            table_name = "group"

    class Topic(Model):
        class Meta:
            database = db
            table_name = "topic"

    class Article(Model):
        class Meta:
            database = db
            table_name = "article"

    class Resource(Model):
        title = CharField(max_length=200)
        description = TextField(default="")
        kind = CharField(max_length=10, default="file", index=True)
        url = CharField(max_length=500, default="")
        audience = CharField(max_length=20, default="signed_in", index=True)
        cohort = ForeignKeyField(Group, null=True, on_delete="SET NULL")
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        download_count = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "resource"
            indexes = ((("download_count", "id"), False), (("title", "id"), False))

    class ResourceTopic(Model):
        resource = ForeignKeyField(Resource, on_delete="CASCADE")
        topic = ForeignKeyField(Topic, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "resource_topic"
            indexes = ((("resource", "topic"), True), (("topic", "resource"), False))

    class ResourceFile(Model):
        resource = ForeignKeyField(Resource, on_delete="CASCADE")
        version = IntegerField()
        stored_name = CharField(max_length=40, unique=True)
        original_name = CharField(max_length=200)
        content_type = CharField(max_length=120)
        type_label = CharField(max_length=60)
        size = IntegerField()
        sha256 = CharField(max_length=64, index=True)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="files")
        uploaded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "resource_file"
            indexes = ((("resource", "version"), True),)

    class ArticleResource(Model):
        article = ForeignKeyField(Article, on_delete="CASCADE")
        resource = ForeignKeyField(Resource, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "article_resource"
            indexes = ((("article", "resource"), True), (("resource", "article"), False))

    db.create_tables([Resource, ResourceTopic, ResourceFile, ArticleResource])


def down(migrator, db):
    for table in ("article_resource", "resource_file", "resource_topic", "resource"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
