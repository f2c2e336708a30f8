"""The audit log: every staff and moderator action, searchable and exportable, read-only."""
from flask import request
from flask_login import current_user
from peewee import JOIN

from portal import permissions
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.staff.forms import AuditSearchForm
from portal.blueprints.staff.views import bp
from portal.csv_export import csv_response
from portal.htmx import render_page_or_fragment
from portal.pagination import newest_first

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def _entries(form: AuditSearchForm):
    query = (AuditEntry.select(AuditEntry, User).join(User, JOIN.LEFT_OUTER,
                                                     on=(AuditEntry.actor == User.id)))
    if form.action.data:
        query = query.where(AuditEntry.action.startswith(form.action.data.strip()))
    if form.actor.data:
        text = form.actor.data.strip()
        query = query.where(User.name.contains(text) | User.email.contains(text))
    if form.object_type.data:
        query = query.where(AuditEntry.object_type == form.object_type.data.strip().lower())
    if form.object_id.data is not None:
        query = query.where(AuditEntry.object_id == form.object_id.data)
    return query


def _search_form() -> AuditSearchForm:
    form = AuditSearchForm(request.args)
    if not form.validate():
        for field in form:
            if field.errors:
                field.data = None
    return form


@bp.get("/audit")
def audit():
    permissions.require(permissions.can_view_audit_log, current_user)
    form = _search_form()
    page = newest_first(_entries(form), AuditEntry.created_at, AuditEntry.id,
                        request.args.get("after"), PAGE_SIZE)
    return render_page_or_fragment("staff/audit.html", "staff/_audit_rows.html", form=form,
                                   entries=page.rows, next_cursor=page.next_cursor)


@bp.get("/audit.csv")
def audit_csv():
    permissions.require(permissions.can_view_audit_log, current_user)
    rows = _entries(_search_form()).order_by(AuditEntry.created_at.desc(),
                                             AuditEntry.id.desc()).limit(EXPORT_LIMIT)
    return csv_response("tandem-audit-log.csv", [
        "when (UTC)", "who", "email", "action", "object type", "object id", "before",
        "after"], (_row(entry) for entry in rows))


def _row(entry: AuditEntry) -> list:
    actor = entry.actor if entry.actor_id else None
    return [entry.created_at.isoformat(sep=" ", timespec="seconds"),
            actor.name if actor else "", actor.email if actor else "", entry.action,
            entry.object_type, entry.object_id, entry.before, entry.after]
