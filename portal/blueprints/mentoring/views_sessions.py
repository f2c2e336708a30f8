"""The sessions' actions: propose a time and log a session (pages of their own, re-shown
with 422 and the person's input when a rule refuses them), accept, decline and cancel
(buttons on the pair page, answered in place with htmx), each booked session's calendar
file, and the list of every held session. Only the pair reach any of it (404 for anyone
else, coordinators included: they never read summaries)."""
import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.mentoring import services_sessions as svc
from portal.blueprints.mentoring import sessions
from portal.blueprints.mentoring.allowance import channels_for, rule_summary
from portal.blueprints.mentoring.forms_sessions import LogSessionForm, ProposeSessionForm
from portal.blueprints.mentoring.loaders import get_open_pair_or_404, get_pair_or_404
from portal.blueprints.mentoring.models import ACCEPTED, Agreement, MentoringSession
from portal.blueprints.mentoring.views import bp
from portal.blueprints.webinars import calendar, times
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.htmx import wants_fragment, with_flashes

DEFAULT_MINUTES = 60


def _pair_page(rel) -> str:
    return url_for("mentoring.show", relationship_id=rel.id, _anchor="sessions")


def _get_session_or_404(rel, session_id: int) -> MentoringSession:
    return MentoringSession.get_or_none(MentoringSession.id == session_id,
                                        MentoringSession.relationship == rel.id) or abort(404)


def _show_refusal(form, refused: svc.SessionRefused) -> None:
    for about, message in refused.errors.items():
        if about and about in form:
            form[about].errors = [*form[about].errors, message]
        else:
            form.form_errors.append(message)


def _form_page(template: str, rel, form, **context):
    return render_template(f"mentoring/{template}.html", rel=rel, form=form,
                           partner=rel.partner_of(current_user),
                           rule=rule_summary(rel.programme), **context), \
        422 if form.errors or form.form_errors else 200


def _defaults(rel) -> dict:
    """A new proposal starts from the agreed way of meeting and an hour, within the rules."""
    channels = channels_for(rel.programme)
    agreed = Agreement.select(Agreement.channel).where(Agreement.relationship == rel.id).scalar()
    limit = rel.programme.max_session_minutes
    return {"channel": agreed if agreed in channels else next(iter(channels), None),
            "minutes": min(DEFAULT_MINUTES, limit) if limit else DEFAULT_MINUTES}


@bp.route("/<int:relationship_id>/sessions/new", methods=["GET", "POST"])
@login_required
def propose_session(relationship_id: int):
    rel = get_open_pair_or_404(relationship_id)
    form = ProposeSessionForm(data=_defaults(rel) if request.method == "GET" else None,
                              channels=channels_for(rel.programme))
    if form.validate_on_submit():
        try:
            svc.propose(rel, current_user, form.day.data, form.start_time.data,
                        form.minutes.data, form.channel.data, utcnow())
        except svc.SessionRefused as refused:
            _show_refusal(form, refused)
        else:
            flash(f"Session proposed. We have asked {rel.partner_of(current_user).name} to "
                  "accept it.", "success")
            return redirect(_pair_page(rel), 303)
    return _form_page("session_new", rel, form)


@bp.route("/<int:relationship_id>/sessions/log", methods=["GET", "POST"])
@login_required
def log_session(relationship_id: int):
    rel = get_open_pair_or_404(relationship_id)
    form = LogSessionForm(data=_defaults(rel) if request.method == "GET" else None,
                          channels=channels_for(rel.programme))
    if form.validate_on_submit():
        try:
            svc.log_unplanned(rel, current_user, form.held_on.data, form.minutes.data,
                              form.channel.data, form.summary.data.strip(), utcnow())
        except svc.SessionRefused as refused:
            _show_refusal(form, refused)
        else:
            flash("Session logged.", "success")
            return redirect(_pair_page(rel), 303)
    return _form_page("session_log", rel, form, session=None,
                      heading="Log a session you have had")


@bp.route("/<int:relationship_id>/sessions/<int:session_id>/held", methods=["GET", "POST"])
@login_required
def log_held_session(relationship_id: int, session_id: int):
    rel = get_open_pair_or_404(relationship_id)
    session = _get_session_or_404(rel, session_id)
    if session.status != ACCEPTED:
        flash(svc.NOT_OPEN.get(session.status, "This session has not been accepted yet."),
              "error")
        return redirect(_pair_page(rel), 303)
    planned = {"held_on": times.to_local(session.starts_at).date(),
               "minutes": session.minutes, "channel": session.channel}
    form = LogSessionForm(data=planned if request.method == "GET" else None,
                          channels=channels_for(rel.programme))
    if form.validate_on_submit():
        try:
            svc.log_held(rel, current_user, session.id, form.held_on.data, form.minutes.data,
                         form.channel.data, form.summary.data.strip(), utcnow())
        except svc.SessionRefused as refused:
            _show_refusal(form, refused)
        else:
            flash("Session logged as held.", "success")
            return redirect(_pair_page(rel), 303)
    return _form_page("session_log", rel, form, session=session,
                      heading=f"Log the session on {sessions.when(session)}")


# Buttons on the pair page ----------------------------------------------------------------------

def _section(rel, status: int = 200):
    """After a button: the sessions section in place, or the pair page again."""
    if not wants_fragment():
        return redirect(_pair_page(rel), 303)
    return with_flashes(render_template(
        "mentoring/_sessions.html", rel=rel, today=dt.date.today(),
        **sessions.section_context(rel, current_user, dt.date.today()))), status


def _act(relationship_id: int, session_id: int, action, done: str):
    rel = get_open_pair_or_404(relationship_id)
    session = _get_session_or_404(rel, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(rel, current_user, session.id, utcnow())
    except svc.SessionRefused as refused:
        flash(str(refused), "error")
        return _section(rel, 422)
    flash(done.format(partner=rel.partner_of(current_user).name), "success")
    return _section(rel)


@bp.post("/<int:relationship_id>/sessions/<int:session_id>/accept")
@login_required
def accept_session(relationship_id: int, session_id: int):
    return _act(relationship_id, session_id, svc.accept,
                "Session booked. We have sent {partner} the calendar file; yours is in the "
                "list below.")


@bp.post("/<int:relationship_id>/sessions/<int:session_id>/decline")
@login_required
def decline_session(relationship_id: int, session_id: int):
    return _act(relationship_id, session_id, svc.decline,
                "Session declined. We have told {partner}, who can propose another time.")


@bp.post("/<int:relationship_id>/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(relationship_id: int, session_id: int):
    return _act(relationship_id, session_id, svc.cancel,
                "Session cancelled: it no longer counts towards your sessions.")


# Reading -----------------------------------------------------------------------------------------

@bp.get("/<int:relationship_id>/sessions/<int:session_id>/calendar.ics")
@login_required
def session_ics(relationship_id: int, session_id: int):
    rel = get_pair_or_404(relationship_id)
    session = _get_session_or_404(rel, session_id)
    if not sessions.was_booked(session):
        abort(404)
    response = Response(sessions.calendar_file(rel, session), content_type=calendar.CONTENT_TYPE)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="mentoring-session-{session.id}.ics"'
    return response


@bp.get("/<int:relationship_id>/sessions/held")
@login_required
def held_sessions(relationship_id: int):
    rel = get_pair_or_404(relationship_id)
    held = list(sessions.held_sessions(rel))
    for session in held:
        sessions.describe_held(session)
    return render_template("mentoring/session_list.html", rel=rel, held=held,
                           partner=rel.partner_of(current_user))
