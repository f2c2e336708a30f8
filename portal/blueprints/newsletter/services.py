"""Writing and sending newsletters.

Staff save an issue (its words, segment and blocks) while it is a draft, then schedule it:
now, or at a set time. Sending is two jobs (tasks/newsletter.py). `start_sending` takes the
issue from scheduled to sending and writes one delivery row per member of the segment in
one INSERT ... SELECT; then `send_batch` works through the rows a batch at a time. For each
person, in the batch's one transaction: the copy they may see (blocks.allowed), an item in
their notification centre, and, if they take the newsletter by email, an outbox message
with the unsubscribe link and headers (portal.mail_preferences). A batch's messages are
announced as one and sent over one connection. The delivery row's status, the centre
item's key and the outbox key make each person's copy one email however often a batch
runs; the issue is marked sent when no row waits.
"""
import datetime as dt
import functools
from urllib.parse import urlsplit

from blinker import Namespace
from flask import current_app, render_template
from peewee import Value

from portal import markup, notifications
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.newsletter import blocks, segments
from portal.blueprints.newsletter.models import (
    DRAFT,
    EMAILED,
    ON_SITE,
    PENDING,
    SCHEDULED,
    SENDING,
    SENT,
    SKIPPED,
    NewsletterBlock,
    NewsletterDelivery,
    NewsletterIssue,
)
from portal.db import db, is_sqlite, utcnow
from portal.links import absolute_url, path_for
from portal.mail_preferences import with_unsubscribe
from portal.notifications import EMAIL, OFF
from portal.outbox import queue_batch

KIND = "newsletter"  # its kind in the notification centre and the preferences
BATCH_SIZE = 200
STALLED_AFTER = dt.timedelta(minutes=10)  # a batch still waiting then lost its job

# Sent with an issue's id and send time once the transaction that scheduled it commits.
issue_scheduled = Namespace().signal("newsletter-issue-scheduled")


class NewsletterRefused(ValueError):
    """A change that cannot be made; `errors` maps a form field ("" for the whole form) to
    the message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# Writing ----------------------------------------------------------------------------------

def save_issue(actor, issue: NewsletterIssue | None, *, subject: str, intro: str,
               segment: str, chosen: list[tuple[str, int]],
               now: dt.datetime | None = None) -> NewsletterIssue:
    """Create or change a draft: its words, segment and blocks (in their order)."""
    now = now or utcnow()
    try:
        segment_kind, segment_id = segments.parse(segment)
    except ValueError:
        raise NewsletterRefused({"segment": "Choose who this issue is for"}) from None
    with db.atomic():
        creating = issue is None
        if not creating:
            issue = NewsletterIssue.get_by_id(issue.id)
            if issue.status != DRAFT:
                raise NewsletterRefused({"": "This issue has been scheduled or sent, so it "
                                             "can no longer be changed."})
        issue = issue or NewsletterIssue(created_by=actor.id, created_at=now)
        issue.subject, issue.intro = subject.strip(), intro
        issue.intro_html = markup.render(intro).html
        issue.segment_kind, issue.segment_id = segment_kind, segment_id
        issue.updated_at = now
        issue.save()
        NewsletterBlock.delete().where(NewsletterBlock.issue == issue.id).execute()
        unique = list(dict.fromkeys(chosen))
        if unique:
            NewsletterBlock.insert_many([
                {"issue": issue.id, "kind": kind, "object_id": object_id, "position": n}
                for n, (kind, object_id) in enumerate(unique, start=1)]).execute()
        AuditEntry.record(actor, "newsletter.create" if creating else "newsletter.update",
                          issue, after={"subject": issue.subject, "segment": segment,
                                        "blocks": [f"{k}:{i}" for k, i in unique]})
    return issue


def schedule(actor, issue: NewsletterIssue, send_at: dt.datetime | None,
             now: dt.datetime | None = None) -> NewsletterIssue:
    """Send a draft now (`send_at` None) or at a set time. Once this commits, the jobs
    take it from there."""
    now = now or utcnow()
    when = send_at or now
    if when < now:
        raise NewsletterRefused({"day": "Choose a time in the future, or send it now."})
    with db.atomic():
        scheduled = (NewsletterIssue.update(status=SCHEDULED, send_at=when, updated_at=now)
                     .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == DRAFT)
                     .execute())
        if not scheduled:
            raise NewsletterRefused({"": "This issue has already been scheduled or sent."})
        issue = NewsletterIssue.get_by_id(issue.id)
        AuditEntry.record(actor, "newsletter.schedule", issue, {"status": DRAFT},
                          {"status": SCHEDULED, "send_at": when,
                           "segment": segments.value_of(issue.segment_kind, issue.segment_id)})
        db.after_commit(functools.partial(issue_scheduled.send, issue.id, send_at=when))
    return issue


def unschedule(actor, issue: NewsletterIssue, now: dt.datetime | None = None) -> bool:
    """Back to a draft, if it has not started going out."""
    now = now or utcnow()
    with db.atomic():
        done = (NewsletterIssue.update(status=DRAFT, send_at=None, updated_at=now)
                .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == SCHEDULED)
                .execute())
        if done:
            AuditEntry.record(actor, "newsletter.unschedule", issue, {"status": SCHEDULED},
                              {"status": DRAFT})
    return bool(done)


# Copies -----------------------------------------------------------------------------------

def chosen_blocks(issue: NewsletterIssue, now: dt.datetime) -> list[blocks.Block]:
    return blocks.load([(b.kind, b.object_id) for b in issue.blocks()], now)


def _origin() -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    return f"{base.scheme}://{base.netloc}"


def email_body(issue: NewsletterIssue, shown: list[blocks.Block], person) -> str:
    """The email's text before its unsubscribe footer: what the preview shows."""
    return render_template("emails/newsletter.txt", issue=issue, blocks=shown, person=person,
                           origin=_origin(),
                           archive=absolute_url("newsletter.show", issue_id=issue.id))


def preview(issue: NewsletterIssue, person, now: dt.datetime | None = None
            ) -> tuple[blocks.Copy, str]:
    """What `person` would be sent: their copy and the email's text."""
    copy = blocks.copy_for(chosen_blocks(issue, now or utcnow()), person.id)
    return copy, email_body(issue, copy.blocks, person)


# Sending ----------------------------------------------------------------------------------

def start_sending(issue_id: int, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Take a due issue from scheduled to sending and write a delivery row for each member
    of its segment. Returns the batches to send, as (first, last) delivery ids; [] if the
    issue is not due, or another run started it."""
    now = now or utcnow()
    with db.atomic():
        started = (NewsletterIssue.update(status=SENDING, started_at=now)
                   .where(NewsletterIssue.id == issue_id, NewsletterIssue.status == SCHEDULED,
                          NewsletterIssue.send_at <= now).execute())
        if not started:
            return []
        issue = NewsletterIssue.get_by_id(issue_id)
        members = User.select(User.id, Value(issue_id), Value(PENDING), Value(now)).where(
            segments.members(issue.segment_kind, issue.segment_id))
        (NewsletterDelivery.insert_from(members, [
            NewsletterDelivery.user, NewsletterDelivery.issue, NewsletterDelivery.status,
            NewsletterDelivery.created_at]).on_conflict_ignore().execute())
        count = NewsletterDelivery.select().where(NewsletterDelivery.issue == issue_id).count()
        (NewsletterIssue.update(recipient_count=count)
         .where(NewsletterIssue.id == issue_id).execute())
        _finish_if_done(issue_id, now)
    return pending_batches(issue_id)


def pending_batches(issue_id: int, older_than: dt.datetime | None = None
                    ) -> list[tuple[int, int]]:
    query = (NewsletterDelivery.select(NewsletterDelivery.id)
             .where(NewsletterDelivery.issue == issue_id, NewsletterDelivery.status == PENDING))
    if older_than is not None:
        query = query.where(NewsletterDelivery.created_at < older_than)
    ids = [row_id for (row_id,) in query.order_by(NewsletterDelivery.id).tuples()]
    return [(ids[i], ids[min(i + BATCH_SIZE, len(ids)) - 1])
            for i in range(0, len(ids), BATCH_SIZE)]


def _batch_rows(issue_id: int, first_id: int, last_id: int) -> list[NewsletterDelivery]:
    channel = notifications.channel_expression(KIND, NewsletterDelivery.user)
    query = (NewsletterDelivery.select(NewsletterDelivery.id, NewsletterDelivery.user, User,
                                       channel.alias("channel"))
             .join(User)
             .where(NewsletterDelivery.issue == issue_id,
                    NewsletterDelivery.id.between(first_id, last_id),
                    NewsletterDelivery.status == PENDING)
             .order_by(NewsletterDelivery.id))
    # Two jobs given the same batch (a sweep and a slow first run): the second waits here,
    # then finds the rows done. SQLite's writers already hold the lock from BEGIN.
    return list(query if is_sqlite() else query.for_update(of=NewsletterDelivery))


def send_batch(issue_id: int, first_id: int, last_id: int,
               now: dt.datetime | None = None) -> int:
    """Each waiting person's copy in this batch, in one transaction. Returns how many
    emails were queued."""
    now = now or utcnow()
    with db.atomic():
        issue = NewsletterIssue.get_or_none(NewsletterIssue.id == issue_id)
        if issue is None or issue.status != SENDING:
            return 0
        rows = _batch_rows(issue_id, first_id, last_id)
        if not rows:
            return 0
        chosen = chosen_blocks(issue, now)
        shown = blocks.allowed(chosen, [row.user_id for row in rows])
        path = path_for("newsletter.show", issue_id=issue.id)
        messages, items = [], []
        done: dict[str, list[int]] = {EMAILED: [], ON_SITE: [], SKIPPED: []}
        for row in rows:
            if row.channel == OFF:
                done[SKIPPED].append(row.id)
                continue
            items.append({"user": row.user_id, "kind": KIND, "url": path,
                          "text": f"Newsletter: {issue.subject}",
                          "key": f"newsletter:{issue.id}:{row.user_id}", "created_at": now})
            if row.channel != EMAIL:
                done[ON_SITE].append(row.id)
                continue
            person = row.user
            copy = [b for b, people in zip(chosen, shown, strict=True) if person.id in people]
            body, headers = with_unsubscribe(person, [KIND], email_body(issue, copy, person))
            messages.append({"key": f"newsletter:{issue.id}:{person.id}", "to": person.email,
                             "subject": issue.subject, "body": body, "headers": headers})
            done[EMAILED].append(row.id)
        queue_batch(messages)
        notifications.notify_many(items)
        for status, ids in done.items():
            if ids:
                (NewsletterDelivery.update(status=status, done_at=now)
                 .where(NewsletterDelivery.id.in_(ids)).execute())
        _finish_if_done(issue_id, now)
    return len(messages)


def _finish_if_done(issue_id: int, now: dt.datetime) -> None:
    waiting = NewsletterDelivery.select().where(NewsletterDelivery.issue == issue_id,
                                                NewsletterDelivery.status == PENDING)
    if not waiting.exists():
        (NewsletterIssue.update(status=SENT, finished_at=now)
         .where(NewsletterIssue.id == issue_id, NewsletterIssue.status == SENDING).execute())


def due_issues(now: dt.datetime) -> list[int]:
    return [row.id for row in NewsletterIssue.select(NewsletterIssue.id).where(
        NewsletterIssue.status == SCHEDULED, NewsletterIssue.send_at <= now)]


def stalled_batches(now: dt.datetime) -> list[tuple[int, int, int]]:
    """(issue, first, last) for batches whose rows have waited too long: the net for a job
    lost with a killed consumer."""
    sending = [row.id for row in NewsletterIssue.select(NewsletterIssue.id)
               .where(NewsletterIssue.status == SENDING)]
    return [(issue_id, first, last) for issue_id in sending
            for first, last in pending_batches(issue_id, older_than=now - STALLED_AFTER)]
