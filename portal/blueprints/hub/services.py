"""Writing to the hub: articles with their revisions and search entry, and reader actions."""
import datetime as dt
import json

from peewee import fn

from portal import audience, markup, permissions, search, settings, slugs
from portal.audit import AuditEntry
from portal.blueprints.hub.models import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    REVIEW,
    Article,
    ArticleRevision,
    ArticleTopic,
    Bookmark,
    Comment,
    Rating,
)
from portal.db import db, utcnow

SEARCH_KIND = "article"


class NotAllowed(Exception):
    """The action does not fit the article's state or the person's part in it."""


def _apply_content(article: Article, title: str, summary: str, body: str) -> None:
    rendered = markup.render(body, with_contents=True)
    article.title, article.summary, article.body = title.strip(), summary.strip(), body
    article.body_html, article.contents = rendered.html, json.dumps(rendered.contents)
    article.reading_minutes = rendered.reading_minutes
    article.updated_at = utcnow()


def _record_revision(article: Article, editor, note: str) -> ArticleRevision:
    latest = (ArticleRevision.select(fn.MAX(ArticleRevision.number))
              .where(ArticleRevision.article == article).scalar()) or 0
    return ArticleRevision.create(article=article, number=latest + 1, title=article.title,
                                  summary=article.summary, body=article.body, editor=editor,
                                  note=note or "")


def _sync_search(article: Article) -> None:
    if article.status == PUBLISHED:
        search.index(SEARCH_KIND, article.id, article.title, article.summary, article.body)
    else:
        search.unindex(SEARCH_KIND, article.id)


def save_article(editor, article: Article | None, *, title: str, summary: str, body: str,
                 kind: str, topic_ids: list[int], audience_value: str, group_ids: list[int],
                 review_by: dt.date | None, note: str = "") -> Article:
    """Create or edit an article: content, topics, audience, a revision and the search
    entry, all in one transaction with the audit row."""
    creating = article is None
    with db.atomic():
        if creating:
            article = Article(owner=editor, status=DRAFT)
        before = {"title": article.title, "audience": article.audience} if not creating else {}
        _apply_content(article, title, summary, body)
        article.kind, article.audience, article.review_by = kind, audience_value, review_by
        slugs.save_with_unique_slug(article, title)
        ArticleTopic.delete().where(ArticleTopic.article == article).execute()
        if topic_ids:
            ArticleTopic.insert_many([{"article": article.id, "topic": t}
                                      for t in set(topic_ids)]).execute()
        audience.set_groups(article, group_ids if audience_value == audience.GROUPS else [])
        _record_revision(article, editor, note or ("Created" if creating else ""))
        _sync_search(article)
        AuditEntry.record(editor, "article.create" if creating else "article.update", article,
                          before, {"title": article.title, "audience": article.audience})
    return article


TRANSITIONS = {
    "submit": ({DRAFT}, REVIEW),
    "approve": ({REVIEW}, PUBLISHED),
    "publish": ({DRAFT, REVIEW}, PUBLISHED),
    "archive": ({PUBLISHED, DRAFT, REVIEW}, ARCHIVED),
    "unpublish": ({PUBLISHED, ARCHIVED}, DRAFT),
}


def allowed_actions(user, article: Article) -> list[str]:
    """The status changes this person may make now; `article` comes from
    `Article.with_last_editor()`, for the four-eyes rule."""
    needs_approval = settings.get("hub_requires_approval")
    actions = []
    for action, (sources, _) in TRANSITIONS.items():
        if article.status not in sources:
            continue
        if action == "publish" and needs_approval:
            continue
        if action == "submit" and not needs_approval:
            continue
        if action == "approve" and not (needs_approval
                                        and permissions.can_approve_article(user, article)):
            continue
        actions.append(action)
    return actions


def change_status(actor, article: Article, action: str) -> Article:
    if action not in allowed_actions(actor, article):
        raise NotAllowed(action)
    _, target = TRANSITIONS[action]
    with db.atomic():
        before = article.status
        article.status = target
        if action == "approve":
            article.reviewer = actor
        if target == PUBLISHED:
            article.published_at = article.published_at or utcnow()
            if article.review_by is None:
                months = settings.get("hub_review_months")
                article.review_by = (utcnow() + dt.timedelta(days=30 * months)).date()
        article.save()
        _sync_search(article)
        AuditEntry.record(actor, f"article.{action}", article, {"status": before},
                          {"status": target})
    return article


def publish_now(actor, article: Article) -> Article:
    """Publish without the review step: for demo content and imports, not for the web."""
    with db.atomic():
        article.status, article.published_at = PUBLISHED, article.published_at or utcnow()
        article.save()
        _sync_search(article)
        AuditEntry.record(actor, "article.publish", article, {"status": DRAFT},
                          {"status": PUBLISHED})
    return article


def restore_revision(actor, article: Article, revision: ArticleRevision) -> Article:
    topic_ids = [link.topic_id for link in article.topic_links]
    return save_article(actor, article, title=revision.title, summary=revision.summary,
                        body=revision.body, kind=article.kind, topic_ids=topic_ids,
                        audience_value=article.audience, group_ids=audience.group_ids(article),
                        review_by=article.review_by,
                        note=f"Restored revision {revision.number}")


def toggle_bookmark(user, article: Article) -> bool:
    """Returns True when the article is now bookmarked."""
    with db.atomic():
        removed = Bookmark.delete().where(Bookmark.user == user.id,
                                          Bookmark.article == article).execute()
        if removed:
            return False
        Bookmark.insert(user=user.id, article=article).on_conflict_ignore().execute()
    return True


def rate(user, article: Article, stars: int) -> None:
    (Rating.insert(user=user.id, article=article, stars=stars)
     .on_conflict(conflict_target=[Rating.article, Rating.user],
                  update={Rating.stars: stars, Rating.created_at: utcnow()})
     .execute())


def add_comment(user, article: Article, body: str) -> Comment:
    return Comment.create(article=article, author=user.id, body=body,
                          body_html=markup.render_comment(body))


def edit_comment(comment: Comment, body: str) -> None:
    comment.body, comment.body_html = body, markup.render_comment(body)
    comment.edited_at = utcnow()
    comment.save()


def delete_comment(comment: Comment) -> None:
    comment.deleted = True
    comment.save()
