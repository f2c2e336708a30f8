"""Staff scheduling: the sessions overview, series, one-off sessions, edit, move, cancel."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import audience, permissions
from portal.blueprints.webinars import services_staff, times
from portal.blueprints.webinars.forms import CancelSessionForm, SeriesForm, SessionForm
from portal.blueprints.webinars.models import (
    CANCELLED,
    SESSION_STATUS_LABELS,
    WebinarSeries,
    WebinarSession,
)
from portal.blueprints.webinars.views import bp
from portal.db import utcnow
from portal.groups import Group
from portal.pagination import ordered_by

MANAGE_PAGE_SIZE = 50


def get_managed_session_or_404(session_id: int) -> WebinarSession:
    """Any session, whatever its audience or state, for the people who schedule them."""
    return WebinarSession.get_or_none(WebinarSession.id == session_id) or abort(404)


def _with_groups(form: SessionForm) -> SessionForm:
    form.groups.choices = [SelectChoice(g.id, g.name) for g in Group.select().order_by(Group.name)]
    return form


@bp.get("/manage")
def manage():
    permissions.require(permissions.can_manage_webinars, current_user)
    past = request.args.get("show") == "past"
    now = utcnow()
    query = WebinarSession.for_staff().where(
        (WebinarSession.ends_at <= now) if past else (WebinarSession.ends_at > now))
    page = ordered_by(query, WebinarSession.starts_at, WebinarSession.id, past,
                      request.args.get("after"), MANAGE_PAGE_SIZE)
    return render_template("webinars/manage.html", sessions=page.rows, past=past,
                           next_cursor=page.next_cursor, status_labels=SESSION_STATUS_LABELS,
                           series=list(WebinarSeries.select().order_by(
                               WebinarSeries.created_at.desc()).limit(20)))


@bp.route("/manage/series/new", methods=["GET", "POST"])
def new_series():
    permissions.require(permissions.can_manage_webinars, current_user)
    form = _with_groups(SeriesForm())
    if form.validate_on_submit():
        series = services_staff.create_series(current_user, form.details(),
                                              cadence_weeks=form.cadence_weeks.data,
                                              months=form.months.data)
        count = WebinarSession.select().where(WebinarSession.series == series).count()
        flash(f"Series scheduled: {count} sessions.", "success")
        return redirect(url_for("webinars.series", series_id=series.id), 303)
    return render_template("webinars/series_form.html", form=form, zone_name=times.zone().key), \
        422 if form.errors else 200


@bp.get("/manage/series/<int:series_id>")
def series(series_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    found = WebinarSeries.get_or_none(WebinarSeries.id == series_id) or abort(404)
    sessions = WebinarSession.for_staff().where(WebinarSession.series == found).order_by(
        WebinarSession.starts_at, WebinarSession.id)
    return render_template("webinars/series.html", series=found, sessions=list(sessions),
                           status_labels=SESSION_STATUS_LABELS)


@bp.route("/manage/sessions/new", methods=["GET", "POST"])
def new():
    permissions.require(permissions.can_manage_webinars, current_user)
    form = _with_groups(SessionForm())
    if form.validate_on_submit():
        session = services_staff.create_session(current_user, form.details())
        flash("Session scheduled.", "success")
        return redirect(url_for("webinars.show", session_id=session.id), 303)
    return render_template("webinars/session_form.html", form=form, session=None,
                           zone_name=times.zone().key), \
        422 if form.errors else 200


def _edit_form(session: WebinarSession) -> SessionForm:
    form = _with_groups(SessionForm(obj=session, original_start=session.starts_at))
    if request.method == "GET":
        start, end = times.to_local(session.starts_at), times.to_local(session.ends_at)
        form.day.data, form.start_time.data = start.date(), start.time().replace(tzinfo=None)
        form.end_time.data = end.time().replace(tzinfo=None)
        form.groups.data = audience.group_ids(session)
    return form


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit(session_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    session = get_managed_session_or_404(session_id)
    if session.status == CANCELLED:
        flash("A cancelled session cannot be changed.", "error")
        return redirect(url_for("webinars.show", session_id=session.id), 303)
    form = _edit_form(session)
    if form.validate_on_submit():
        moved = form.starts_at() != session.starts_at or form.ends_at() != session.ends_at
        services_staff.update_session(current_user, session.id, form.details())
        flash("Session moved: everyone booked or waiting has been emailed the new time."
              if moved else "Changes saved.", "success")
        return redirect(url_for("webinars.show", session_id=session.id), 303)
    return render_template("webinars/session_form.html", form=form, session=session,
                           zone_name=times.zone().key), \
        422 if form.errors else 200


@bp.route("/manage/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
def cancel_session(session_id):
    permissions.require(permissions.can_manage_webinars, current_user)
    session = get_managed_session_or_404(session_id)
    form = CancelSessionForm()
    if session.status != CANCELLED and form.validate_on_submit():
        services_staff.cancel_session(current_user, session.id, form.reason.data)
        flash("Session cancelled: everyone booked or waiting has been emailed the reason.",
              "success")
        return redirect(url_for("webinars.show", session_id=session.id), 303)
    return render_template("webinars/cancel.html", form=form, session=session), \
        422 if form.errors else 200
