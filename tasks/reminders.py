"""Reminders: an article's owner is asked to check it once its review date has come."""
from flask import render_template
from huey import crontab

from portal import mail_preferences, notifications
from portal.blueprints.hub.models import PUBLISHED, Article
from portal.db import db, utcnow
from portal.links import absolute_url, path_for
from tasks.queue import flask_periodic_task, flask_task


@flask_periodic_task(crontab(minute="5", hour="7"))
def find_articles_due_for_review() -> int:
    due = [a.id for a in Article.select(Article.id).where(
        Article.status == PUBLISHED, Article.review_by <= utcnow().date())]
    for article_id in due:
        remind_owner_to_review(article_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def remind_owner_to_review(article_id: int) -> bool:
    """One email per article per review date, however often this runs."""
    article = Article.get_or_none(Article.id == article_id)
    if article is None or article.status != PUBLISHED or article.review_by is None \
            or article.review_by > utcnow().date():
        return False
    key = f"article-review:{article.id}:{article.review_by.isoformat()}"
    subject = f"Time to review “{article.title}”"
    with db.atomic():
        notifications.notify(article.owner_id, "staff_reminder", subject,
                             path_for("hub.edit", article_id=article.id), key)
        mail_preferences.queue_email(
            article.owner, "staff_reminder", key, subject,
            render_template("emails/article_review.txt", article=article,
                            link=absolute_url("hub.edit", article_id=article.id)))
    return True
