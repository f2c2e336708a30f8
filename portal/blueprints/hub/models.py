"""The knowledge hub: topics, articles with revisions, bookmarks, ratings and comments."""
from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Select,
    TextField,
    fn,
)

from portal import audience
from portal.blueprints.accounts.models import User
from portal.db import BaseModel, utcnow
from portal.prepared import Prepared, param
from portal.taxonomy import Topic, attach_topics

DRAFT, REVIEW, PUBLISHED, ARCHIVED = "draft", "review", "published", "archived"
STATUS_LABELS = {DRAFT: "Draft", REVIEW: "In review", PUBLISHED: "Published",
                 ARCHIVED: "Archived"}
KINDS = {"guide": "Guide", "story": "Story", "toolkit": "Toolkit", "checklist": "Checklist"}


class Article(BaseModel):
    title = CharField(max_length=200)
    slug = CharField(max_length=120, unique=True)
    summary = TextField(default="")
    body = TextField(default="")
    body_html = TextField(default="")
    contents = TextField(default="[]")  # JSON list of headings for the contents list
    kind = CharField(max_length=20, default="guide")
    status = CharField(max_length=20, default=DRAFT)
    audience = audience.audience_field()
    owner = ForeignKeyField(User, backref="articles", on_delete="RESTRICT")
    reviewer = ForeignKeyField(User, backref="reviewed_articles", null=True,
                               on_delete="SET NULL")
    review_by = DateField(null=True, index=True)
    reading_minutes = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    published_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "updated_at", "id"), False),)

    @classmethod
    def visible_to(cls, user):
        """What this person may read: published, and in its audience. Staff see drafts too
        on the staff pages, never in these lists."""
        return cls.select().where(cls.status == PUBLISHED, audience.visible_to(cls, user))

    @classmethod
    def with_last_editor(cls):
        """Every article, for the staff pages, each with `last_editor_id`: who edited its
        latest revision, which the four-eyes rule (`can_approve_article`) reads."""
        latest = (ArticleRevision.select(ArticleRevision.editor)
                  .where(ArticleRevision.article == cls.id)
                  .order_by(ArticleRevision.number.desc()).limit(1))
        return cls.select(cls, latest.alias("last_editor_id"))

    @classmethod
    def listed_for(cls, user):
        """For lists: what a row shows, without the article's body (the heavy columns)."""
        return cls.visible_to(user).select(cls.id, cls.title, cls.slug, cls.summary, cls.kind,
                                           cls.reading_minutes, cls.updated_at)

    @classmethod
    def on_topics(cls, user, topic_ids: list[int]):
        on_topic = ArticleTopic.select(ArticleTopic.article).where(
            ArticleTopic.topic.in_(topic_ids or [0]))
        return (cls.listed_for(user).where(cls.id.in_(on_topic))
                .order_by(cls.updated_at.desc(), cls.id.desc()))

    @classmethod
    def bookmarked_by(cls, user):
        return (cls.listed_for(user).join(Bookmark, on=(Bookmark.article == cls.id))
                .where(Bookmark.user == user.id)
                .order_by(Bookmark.created_at.desc(), Bookmark.id.desc()))

    @classmethod
    def with_topics(cls, articles: list) -> list:
        return attach_topics(articles, ArticleTopic.article)

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def topics(self):
        return Topic.ordered().join(ArticleTopic).where(ArticleTopic.article == self)


class ArticleTopic(BaseModel):
    article = ForeignKeyField(Article, backref="topic_links", on_delete="CASCADE")
    topic = ForeignKeyField(Topic, backref="article_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("article", "topic"), True), (("topic", "article"), False))


class ArticleRevision(BaseModel):
    article = ForeignKeyField(Article, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    title = CharField(max_length=200)
    summary = TextField(default="")
    body = TextField(default="")
    editor = ForeignKeyField(User, backref="article_revisions", null=True,
                             on_delete="SET NULL")
    note = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("article", "number"), True),)


class Bookmark(BaseModel):
    article = ForeignKeyField(Article, backref="bookmarks", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="bookmarks", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "article"), True),)


class Rating(BaseModel):
    article = ForeignKeyField(Article, backref="ratings", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="ratings", on_delete="CASCADE")
    stars = IntegerField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("article", "user"), True),)

    @classmethod
    def with_bookmark(cls, article_id: int, user_id: int) -> tuple[bool, float | None, int,
                                                                    int | None]:
        """For the article page, in one query: whether the person saved the article, its
        average rating and number of ratings, and the person's own rating."""
        row = OWN_PARTS().first(article=article_id, user=user_id)
        average = float(row["average"]) if row["average"] is not None else None
        return row["bookmarked"] is not None, average, row["n"], row["mine"]

    @classmethod
    def summary_for(cls, article) -> tuple[float | None, int]:
        row = (cls.select(fn.AVG(cls.stars).alias("average"), fn.COUNT(cls.id).alias("n"))
               .where(cls.article == article).dicts().get())
        return (float(row["average"]) if row["average"] is not None else None, row["n"])


class Comment(BaseModel):
    article = ForeignKeyField(Article, backref="comments", on_delete="CASCADE")
    author = ForeignKeyField(User, backref="comments", on_delete="CASCADE")
    body = TextField()
    body_html = TextField()
    created_at = DateTimeField(default=utcnow)
    edited_at = DateTimeField(null=True)
    hidden = BooleanField(default=False)
    hidden_reason = CharField(max_length=300, default="")
    edit_note = CharField(max_length=300, default="")  # a moderator's note on their edit
    deleted = BooleanField(default=False)

    class Meta:
        indexes = ((("article", "created_at", "id"), False),)

    @classmethod
    def shown_on(cls, article_id: int) -> list["Comment"]:
        """An article's comments with their authors' names, in one prepared query."""
        comments = []
        for row in COMMENTS().dicts(article=article_id):
            author = User(__no_default__=True, id=row["author"], name=row.pop("author_name"))
            comment = cls(__no_default__=True, **row)
            comment.author = author
            comment._dirty.clear()
            comments.append(comment)
        return comments

    @classmethod
    def for_article(cls, article):
        return (cls.select(cls, User).join(User, JOIN.INNER)
                .where(cls.article == article, cls.deleted == False)  # noqa: E712
                .order_by(cls.created_at, cls.id))


def _own_parts():
    by_article = Rating.article == param("article")
    return Select(columns=[
        Bookmark.select(Bookmark.id).where(Bookmark.article == param("article"),
                                           Bookmark.user == param("user")).alias("bookmarked"),
        Rating.select(fn.AVG(Rating.stars)).where(by_article).alias("average"),
        Rating.select(fn.COUNT(Rating.id)).where(by_article).alias("n"),
        Rating.select(Rating.stars).where(by_article, Rating.user == param("user"))
        .alias("mine")])


OWN_PARTS = Prepared(_own_parts)
COMMENTS = Prepared(lambda: (
    Comment.select(*Comment._meta.sorted_fields, User.name.alias("author_name"))
    .join(User, JOIN.INNER)
    .where(Comment.article == param("article"), Comment.deleted == False)  # noqa: E712
    .order_by(Comment.created_at, Comment.id)))
