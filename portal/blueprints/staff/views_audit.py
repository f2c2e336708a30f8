"""The audit log: every staff and moderator action, searchable and exportable, read-only."""
import csv
import io

from flask import Response, request
from flask_login import current_user
from peewee import JOIN

from portal import permissions
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.staff.forms import AuditSearchForm
from portal.blueprints.staff.views import bp
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


def _cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: make them text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/audit.csv")
def audit_csv():
    permissions.require(permissions.can_view_audit_log, current_user)
    rows = _entries(_search_form()).order_by(AuditEntry.created_at.desc(),
                                             AuditEntry.id.desc()).limit(EXPORT_LIMIT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["when (UTC)", "who", "email", "action", "object type", "object id",
                     "before", "after"])
    for entry in rows:
        actor = entry.actor if entry.actor_id else None
        writer.writerow([_cell(v) for v in (
            entry.created_at.isoformat(sep=" ", timespec="seconds"),
            actor.name if actor else "", actor.email if actor else "", entry.action,
            entry.object_type, entry.object_id, entry.before, entry.after)])
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=tandem-audit-log.csv",
        "Cache-Control": "private, no-store"})
