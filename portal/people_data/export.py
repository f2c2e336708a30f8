"""Everything Tandem holds about one person, as a ZIP: a JSON file per area, the files they
uploaded, and a README saying what each file holds.

The request is a DataExport row; a background job builds the archive into
UPLOAD_DIR/exports/ (shared storage, so any app server can hand it over), marks the row
ready and emails the person. The download works for that person alone, signed in, for
DATA_EXPORT_DAYS. Each area's rows are read with a fixed number of queries, whatever the
amount of data.
"""
import datetime as dt
import functools
import json
import os
import secrets
import zipfile
from pathlib import Path

from blinker import Namespace
from flask import current_app, render_template
from peewee import JOIN

from portal import uploads
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import (
    EXPORT_FAILED,
    EXPORT_PENDING,
    EXPORT_READY,
    DataExport,
    User,
    UserSession,
    UserTopic,
)
from portal.blueprints.boards.models import Board, Post, Thread, Watch
from portal.blueprints.evaluation.models import Survey, SurveyQuestion, SurveyResponse
from portal.blueprints.experts import people_data as experts_data
from portal.blueprints.hub.models import Article, Bookmark, Comment, Rating
from portal.blueprints.library.models import Resource, ResourceFile
from portal.blueprints.mentoring.models import (
    Agreement,
    CheckIn,
    ClosingAnswer,
    Goal,
    MentoringSession,
    Note,
    Relationship,
)
from portal.blueprints.newsletter.models import NewsletterDelivery, NewsletterIssue
from portal.blueprints.programmes.models import (
    Application,
    ApplicationEvent,
    Cohort,
    EqualityAnswer,
    OpeningAlert,
    Programme,
)
from portal.blueprints.webinars.models import WebinarBooking, WebinarSession
from portal.db import db, utcnow
from portal.groups import Group, GroupMembership
from portal.links import absolute_url
from portal.notifications import NotificationPreference, PreferenceChange, UserNotification
from portal.outbox import OutboxMessage, queue_email
from portal.reports import Report
from portal.taxonomy import Topic

EXPORTS_FOLDER = "exports"  # under UPLOAD_DIR; backups leave it out

# Sent with a DataExport id once the request has committed; tasks/ builds the archive.
export_requested = Namespace().signal("data-export-requested")


class ExportRefused(ValueError):
    pass


def exports_dir(upload_dir: str) -> Path:
    return Path(upload_dir) / EXPORTS_FOLDER


def export_path(upload_dir: str, export: DataExport) -> Path:
    return exports_dir(upload_dir) / f"{export.stored_name}.zip"


def request_export(user: User, now: dt.datetime | None = None) -> DataExport:
    """A new request, unless one is already being prepared (that one is returned)."""
    now = now or utcnow()
    with db.atomic():
        waiting = (DataExport.select().where(DataExport.user == user.id,
                                             DataExport.status == EXPORT_PENDING).first())
        if waiting is not None:
            return waiting
        export = DataExport.create(user=user.id, requested_at=now)
        db.after_commit(functools.partial(export_requested.send, export.id))
    return export


def pending_ids(older_than: dt.datetime):
    return [e.id for e in DataExport.select(DataExport.id).where(
        DataExport.status == EXPORT_PENDING, DataExport.requested_at < older_than)]


def build(export_id: int, now: dt.datetime | None = None) -> DataExport | None:
    """Write the archive and mark the request ready, once: a request already built (or gone)
    is left alone, so a job that runs twice does the work once."""
    now = now or utcnow()
    export = DataExport.get_or_none(DataExport.id == export_id)
    if export is None or export.status != EXPORT_PENDING:
        return export
    user = User.get_by_id(export.user_id)
    upload_dir = current_app.config["UPLOAD_DIR"]
    stored_name = secrets.token_hex(20)
    target = exports_dir(upload_dir) / f"{stored_name}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        _write_zip(partial, user, upload_dir, now)
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        DataExport.update(status=EXPORT_FAILED).where(DataExport.id == export.id).execute()
        raise
    expires = now + dt.timedelta(days=current_app.config["DATA_EXPORT_DAYS"])
    with db.atomic():
        marked = (DataExport.update(status=EXPORT_READY, ready_at=now, expires_at=expires,
                                    stored_name=stored_name, size=target.stat().st_size)
                  .where(DataExport.id == export.id, DataExport.status == EXPORT_PENDING)
                  .execute())
        if not marked:  # another run got there first
            target.unlink(missing_ok=True)
            return DataExport.get_by_id(export.id)
        queue_email(f"data-export:{export.id}", user.email, "Your data is ready to download",
                    render_template("emails/data_export_ready.txt", user=user,
                                    days=current_app.config["DATA_EXPORT_DAYS"],
                                    link=absolute_url("accounts.download_data",
                                                      export_id=export.id)))
    return DataExport.get_by_id(export.id)


def remove_expired(now: dt.datetime, upload_dir: str) -> int:
    """Delete archives whose link has expired, and their rows."""
    expired = list(DataExport.select().where(DataExport.expires_at < now))
    for export in expired:
        if export.stored_name:
            export_path(upload_dir, export).unlink(missing_ok=True)
    if expired:
        DataExport.delete().where(DataExport.id.in_([e.id for e in expired])).execute()
    return len(expired)


def _write_zip(path: Path, user: User, upload_dir: str, now: dt.datetime) -> None:
    files = collect(user, now)
    stored = [(item.pop("stored_name"), item["path_in_archive"])
              for item in files["uploads.json"]["files"]]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", render_template("people_data/export_readme.txt",
                                                       user=user, now=now))
        for name, data in files.items():
            archive.writestr(name, json.dumps(data, indent=2, default=_plain,
                                              ensure_ascii=False))
        for stored_name, name_in_archive in stored:
            source = uploads.stored_path(upload_dir, stored_name)
            if source.exists():
                archive.write(source, name_in_archive)


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _rows(query, *fields) -> list[dict]:
    return [{f: getattr(row, f) for f in fields} for row in query]


def collect(user: User, now: dt.datetime) -> dict[str, dict]:
    """The archive's JSON files, by file name."""
    return {
        "profile.json": _profile(user),
        "posts.json": _posts(user),
        "hub.json": _hub(user),
        "bookings.json": _bookings(user),
        "applications.json": _applications(user),
        "mentoring.json": _mentoring(user),
        "experts.json": experts_data.export_of(user),
        "uploads.json": _uploads(user),
        "activity.json": _activity(user),
        "notifications.json": _notifications(user),
    }


def _profile(user: User) -> dict:
    fields = ("name", "email", "role", "created_at", "email_verified_at", "last_login_at",
              "organisation", "team", "manager_email", "job_title", "staff_group", "pay_band",
              "region", "bio", "specialisms", "suspended_until", "suspension_reason")
    return {
        "account": {f: getattr(user, f) for f in fields}
        | {"two_factor_sign_in": user.has_two_factor},
        "topics_of_interest": [t.name for t in Topic.select(Topic.name).join(UserTopic)
                               .where(UserTopic.user == user.id).order_by(Topic.name)],
        "groups": [g.name for g in Group.select(Group.name).join(GroupMembership)
                   .where(GroupMembership.user == user.id).order_by(Group.name)],
        "signed_in_devices": _rows(UserSession.select().where(UserSession.user == user.id)
                                   .order_by(UserSession.created_at),
                                   "created_at", "expires_at", "user_agent"),
    }


def _posts(user: User) -> dict:
    threads = (Thread.select(Thread, Board).join(Board).where(Thread.author == user.id)
               .order_by(Thread.created_at, Thread.id))
    posts = (Post.select(Post, Thread, Board).join(Thread).join(Board)
             .where(Post.author == user.id).order_by(Post.created_at, Post.id))
    watches = (Watch.select(Watch, Thread, Board)
               .join(Thread, JOIN.LEFT_OUTER, on=(Watch.thread == Thread.id))
               .join_from(Watch, Board, JOIN.LEFT_OUTER, on=(Watch.board == Board.id))
               .where(Watch.user == user.id))
    return {
        "threads_started": [{"board": t.board.name, "title": t.title,
                             "created_at": t.created_at} for t in threads],
        "posts": [{"board": p.thread.board.name, "thread": p.thread.title, "number": p.number,
                   "body": p.body, "created_at": p.created_at, "edited_at": p.edited_at,
                   "status": p.status, "deleted": p.deleted} for p in posts],
        "watching": [{"thread": w.thread.title if w.thread_id else None,
                      "board": w.board.name if w.board_id else None, "level": w.level}
                     for w in watches],
    }


def _hub(user: User) -> dict:
    comments = (Comment.select(Comment, Article).join(Article)
                .where(Comment.author == user.id).order_by(Comment.created_at, Comment.id))
    ratings = Rating.select(Rating, Article).join(Article).where(Rating.user == user.id)
    bookmarks = Bookmark.select(Bookmark, Article).join(Article).where(Bookmark.user == user.id)
    return {
        "comments": [{"article": c.article.title, "body": c.body, "created_at": c.created_at,
                      "hidden": c.hidden, "deleted": c.deleted} for c in comments],
        "ratings": [{"article": r.article.title, "stars": r.stars} for r in ratings],
        "bookmarks": [{"article": b.article.title, "saved_at": b.created_at}
                      for b in bookmarks],
        "articles_owned": [a.title for a in Article.select(Article.title)
                           .where(Article.owner == user.id).order_by(Article.title)],
    }


def _bookings(user: User) -> dict:
    rows = (WebinarBooking.select(WebinarBooking, WebinarSession).join(WebinarSession)
            .where(WebinarBooking.user == user.id).order_by(WebinarSession.starts_at))
    return {"webinar_bookings": [
        {"session": b.session.title, "starts_at": b.session.starts_at, "status": b.status,
         "booked_at": b.booked_at, "cancelled_at": b.cancelled_at, "attended": b.attended}
        for b in rows]}


APPLICATION_FIELDS = ("role", "status", "motivation", "learning_goals", "availability",
                      "leave_type", "leave_starts", "leave_months", "leave_experience_on",
                      "background", "preferred_channel", "access_requirements",
                      "evaluation_consent", "cannot_fund", "cannot_fund_reason", "fee_status",
                      "submitted_at", "decided_at", "created_at")


def _applications(user: User) -> dict:
    applications = list(Application.select(Application, Programme, Cohort).join(Programme)
                        .switch(Application).join(Cohort, JOIN.LEFT_OUTER)
                        .where(Application.applicant == user.id)
                        .order_by(Application.created_at, Application.id))
    ids = [a.id for a in applications] or [0]
    equality = {e.application_id: e for e in
                EqualityAnswer.select().where(EqualityAnswer.application.in_(ids))}
    events: dict[int, list] = {}
    for event in (ApplicationEvent.select().where(ApplicationEvent.application.in_(ids))
                  .order_by(ApplicationEvent.at, ApplicationEvent.id)):
        events.setdefault(event.application_id, []).append(
            {"status": event.status, "at": event.at, "note": event.note})
    alerts = (OpeningAlert.select(OpeningAlert, Programme).join(Programme)
              .where(OpeningAlert.email == user.email))
    return {
        "applications": [
            {"programme": a.programme.name, "cohort": a.cohort.name if a.cohort_id else None}
            | {f: getattr(a, f) for f in APPLICATION_FIELDS}
            | {"commitments_agreed": a.commitment_texts,
               "equality_answers": ({"ethnicity": equality[a.id].ethnicity,
                                     "sex": equality[a.id].sex,
                                     "disability": equality[a.id].disability}
                                    if a.id in equality else None),
               "history": events.get(a.id, [])}
            for a in applications],
        "opening_alerts": [{"programme": a.programme.name, "confirmed_at": a.confirmed_at,
                            "unsubscribed_at": a.unsubscribed_at} for a in alerts],
    }


def _mentoring(user: User) -> dict:
    """Their relationships, agreements and sessions; the notes they wrote (a private note
    is its author's alone, and the other person's notes are theirs); the goals they own;
    their own check-ins and closing answers, and their named survey answers (anonymous ones
    carry nothing that says whose they are)."""
    relationships = list(Relationship.with_people().where(
        (Relationship.mentor == user.id) | (Relationship.mentee == user.id),
        Relationship.status != "draft"))
    ids = [r.id for r in relationships] or [0]
    agreements = {a.relationship_id: a
                  for a in Agreement.select().where(Agreement.relationship.in_(ids))}
    sessions = list(MentoringSession.select().where(MentoringSession.relationship.in_(ids))
                    .order_by(MentoringSession.starts_at, MentoringSession.id))
    notes = list(Note.select().where(Note.relationship.in_(ids), Note.author == user.id)
                 .order_by(Note.created_at, Note.id))
    goals = list(Goal.select().where(Goal.owner == user.id).order_by(Goal.created_at, Goal.id))
    checkins = list(CheckIn.select().where(CheckIn.person == user.id)
                    .order_by(CheckIn.sent_at, CheckIn.id))
    closing = list(ClosingAnswer.select().where(ClosingAnswer.person == user.id))
    surveys = list(SurveyResponse.select(SurveyResponse, Survey).join(Survey)
                   .where(SurveyResponse.respondent == user.id)
                   .order_by(SurveyResponse.answered_on, Survey.id))
    questions: dict[int, list] = {}
    for question in (SurveyQuestion.select()
                     .where(SurveyQuestion.survey.in_([r.survey_id for r in surveys] or [0]))
                     .order_by(SurveyQuestion.position, SurveyQuestion.id)):
        questions.setdefault(question.survey_id, []).append(question)
    return {"relationships": [_relationship(r, user, agreements.get(r.id)) for r in relationships],
            "sessions": [_session(s) for s in sessions],
            "notes": [{"relationship": n.relationship_id, "body": n.body,
                       "shared": n.shared, "created_at": n.created_at,
                       "updated_at": n.updated_at} for n in notes],
            "goals": [{"relationship": g.relationship_id} | {f: getattr(g, f) for f in (
                "title", "success_criteria", "target_date", "status", "shared",
                "signed_off_at", "learned", "created_at")} for g in goals],
            "check_ins": [{"relationship": c.relationship_id, "sent_at": c.sent_at,
                           "answer": c.answer, "answered_at": c.answered_at}
                          for c in checkins],
            "closing_answers": [{"relationship": c.relationship_id,
                                 "answers": json.loads(c.answers or "{}"),
                                 "created_at": c.created_at} for c in closing],
            "survey_answers": [{"survey": r.survey.title, "answered_on": r.answered_on,
                                "answers": {q.text: r.answer_map.get(str(q.id), "")
                                            for q in questions.get(r.survey_id, [])}}
                               for r in surveys]}


def _relationship(rel: Relationship, user: User, agreement: Agreement | None) -> dict:
    return {"id": rel.id, "programme": rel.programme.name, "your_role": rel.role_of(user),
            "partner": rel.partner_of(user).name, "status": rel.status,
            "released_at": rel.released_at, "started_at": rel.started_at,
            "ends_on": rel.ends_on, "closed_at": rel.closed_at,
            "close_reason": rel.close_reason, "leave_starts": rel.leave_starts,
            "leave_returns": rel.leave_returns, "keep_in_touch": rel.keep_in_touch,
            "agreement": None if agreement is None else {
                f: getattr(agreement, f) for f in ("expectations", "confidentiality",
                                                   "frequency", "channel", "ending",
                                                   "mentor_confirmed_at",
                                                   "mentee_confirmed_at")}}


def _session(session: MentoringSession) -> dict:
    return {"relationship": session.relationship_id, "starts_at": session.starts_at,
            "minutes": session.minutes, "channel": session.channel, "status": session.status,
            "held_on": session.held_on, "summary": session.summary}


def _uploads(user: User) -> dict:
    files = (ResourceFile.select(ResourceFile, Resource).join(Resource)
             .where(ResourceFile.uploaded_by == user.id)
             .order_by(ResourceFile.uploaded_at, ResourceFile.id))
    return {"files": [{"resource": f.resource.title, "version": f.version,
                       "original_name": f.original_name, "type": f.type_label, "size": f.size,
                       "sha256": f.sha256, "uploaded_at": f.uploaded_at,
                       "path_in_archive": f"uploads/{f.id}-{f.original_name}",
                       "stored_name": f.stored_name} for f in files]}


def _notifications(user: User) -> dict:
    items = (UserNotification.select().where(UserNotification.user == user.id)
             .order_by(UserNotification.created_at, UserNotification.id))
    chosen = (NotificationPreference.select().where(NotificationPreference.user == user.id)
              .order_by(NotificationPreference.kind))
    changes = (PreferenceChange.select().where(PreferenceChange.user == user.id)
               .order_by(PreferenceChange.created_at, PreferenceChange.id))
    newsletters = (NewsletterDelivery.received_by(user)
                   .order_by(NewsletterIssue.started_at, NewsletterIssue.id))
    return {"notifications": _rows(items, "kind", "text", "url", "created_at", "read_at"),
            "preferences": _rows(chosen, "kind", "channel", "updated_at"),
            "preference_changes": _rows(changes, "kind", "channel", "previous", "source",
                                        "created_at"),
            "newsletters_received": [{"subject": d.issue.subject, "sent_at": d.issue.started_at,
                                      "how": d.status} for d in newsletters]}


def _activity(user: User) -> dict:
    emails = (OutboxMessage.select(OutboxMessage.subject, OutboxMessage.created_at,
                                   OutboxMessage.sent_at, OutboxMessage.status)
              .where(OutboxMessage.to_addr == user.email)
              .order_by(OutboxMessage.created_at, OutboxMessage.id))
    reports = Report.select().where(Report.reporter == user.id).order_by(Report.created_at)
    audit = (AuditEntry.select(AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
                               AuditEntry.created_at)
             .where((AuditEntry.actor == user.id)
                    | ((AuditEntry.object_type == "user") & (AuditEntry.object_id == user.id)))
             .order_by(AuditEntry.created_at, AuditEntry.id))
    return {"emails_sent_to_you": _rows(emails, "subject", "created_at", "sent_at", "status"),
            "reports_you_made": _rows(reports, "object_type", "reason", "note", "status",
                                      "created_at"),
            "audit_log_entries": _rows(audit, "action", "object_type", "object_id",
                                       "created_at")}
