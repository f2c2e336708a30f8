"""Review reminders for article owners: due ones only, once per review date."""
import datetime as dt

from portal.blueprints.hub.models import Article
from portal.db import db
from portal.outbox import OutboxMessage
from tasks.reminders import find_articles_due_for_review, remind_owner_to_review


def test_owners_of_due_articles_are_reminded_once(app, database, make_article, make_user):
    owner = make_user(role="staff", email="owner@example.org")
    due = make_article(title="Due one", author=owner)
    later = make_article(title="Not yet", author=owner)
    draft = make_article(title="Draft", author=owner, published=False)
    today = dt.date.today()
    Article.update(review_by=today - dt.timedelta(days=1)).where(
        Article.id.in_([due.id, draft.id])).execute()
    Article.update(review_by=today + dt.timedelta(days=30)).where(Article.id == later.id).execute()

    assert find_articles_due_for_review.call_local() == 1
    assert remind_owner_to_review.call_local(due.id) is True  # a second run, same date
    [message] = OutboxMessage.select()
    assert message.to_addr == "owner@example.org"
    assert message.subject == "Time to review “Due one”"
    assert f"/hub/manage/{due.id}/edit" in message.body_text


def test_a_new_review_date_means_a_new_reminder(app, database, make_article, make_user):
    article = make_article(title="Yearly")
    for days_ago in (10, 1):
        Article.update(review_by=dt.date.today() - dt.timedelta(days=days_ago)).execute()
        remind_owner_to_review.call_local(article.id)
    assert OutboxMessage.select().count() == 2
    with db.atomic():
        assert remind_owner_to_review.call_local(9999) is False
