"""The resource library: files (with versions) and links, for the right audiences."""
from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from portal import audience
from portal.blueprints.accounts.models import User
from portal.blueprints.hub.models import Article
from portal.db import BaseModel, utcnow
from portal.groups import Group
from portal.taxonomy import Topic, attach_topics

FILE, LINK, VIDEO = "file", "link", "video"
KINDS = {FILE: "File", LINK: "Link", VIDEO: "Video link"}


class Resource(BaseModel):
    title = CharField(max_length=200)
    description = TextField(default="")
    kind = CharField(max_length=10, default=FILE, index=True)
    url = CharField(max_length=500, default="")  # links and videos
    audience = audience.audience_field()
    cohort = ForeignKeyField(Group, backref="resources", null=True, on_delete="SET NULL")
    uploaded_by = ForeignKeyField(User, backref="resources", null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)
    download_count = IntegerField(default=0)

    class Meta:
        indexes = ((("download_count", "id"), False), (("title", "id"), False))

    @classmethod
    def visible_to(cls, user):
        return cls.select().where(audience.visible_to(cls, user))

    @classmethod
    def with_topics(cls, resources: list) -> list:
        return attach_topics(resources, ResourceTopic.resource)

    @classmethod
    def with_current_files(cls, resources: list) -> list:
        """Each resource's latest file version (or None), with one query."""
        latest = (ResourceFile.select(ResourceFile.resource,
                                      fn.MAX(ResourceFile.version).alias("v"))
                  .where(ResourceFile.resource.in_([r.id for r in resources] or [0]))
                  .group_by(ResourceFile.resource).alias("latest"))
        files = (ResourceFile.select()
                 .join(latest, on=((latest.c.resource_id == ResourceFile.resource)
                                   & (latest.c.v == ResourceFile.version))))
        by_resource = {f.resource_id: f for f in files}
        for resource in resources:
            resource.file = by_resource.get(resource.id)
        return resources

    def current_file(self):
        return (ResourceFile.select().where(ResourceFile.resource == self)
                .order_by(ResourceFile.version.desc()).first())

    def topics(self):
        return Topic.ordered().join(ResourceTopic).where(ResourceTopic.resource == self)


class ResourceTopic(BaseModel):
    resource = ForeignKeyField(Resource, backref="topic_links", on_delete="CASCADE")
    topic = ForeignKeyField(Topic, backref="resource_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("resource", "topic"), True), (("topic", "resource"), False))


class ResourceFile(BaseModel):
    """One uploaded version. Replacing a file adds a version; old ones stay as history."""

    resource = ForeignKeyField(Resource, backref="files", on_delete="CASCADE")
    version = IntegerField()
    stored_name = CharField(max_length=40, unique=True)
    original_name = CharField(max_length=200)
    content_type = CharField(max_length=120)
    type_label = CharField(max_length=60)
    size = IntegerField()
    sha256 = CharField(max_length=64, index=True)
    uploaded_by = ForeignKeyField(User, backref="resource_files", null=True,
                                  on_delete="SET NULL")
    uploaded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("resource", "version"), True),)

    @classmethod
    def history(cls, resource):
        return (cls.select(cls, User).join(User, JOIN.LEFT_OUTER)
                .where(cls.resource == resource).order_by(cls.version.desc()))


class ArticleResource(BaseModel):
    """"Related resources" shown on a hub article."""

    article = ForeignKeyField(Article, backref="resource_links", on_delete="CASCADE")
    resource = ForeignKeyField(Resource, backref="article_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("article", "resource"), True), (("resource", "article"), False))

    @classmethod
    def related_to(cls, article, user):
        return (Resource.visible_to(user).join(cls, on=(cls.resource == Resource.id))
                .where(cls.article == article).order_by(Resource.title))
