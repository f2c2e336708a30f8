"""The coordinator's pair list for a cohort: every pair's status, dates and session count,
sortable by each column, as a page or a CSV file, with the calls for help still to deal
with. Only the programme's named coordinators see it (404 for everyone else, admins
included: a pair's space is private). It never shows a pair's words."""
import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.mentoring import overview, services_checkins, status
from portal.blueprints.mentoring.loaders import get_overseen_cohort_or_404
from portal.blueprints.mentoring.views import bp
from portal.forms import EmptyForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.spreadsheets import csv_response


def _context(cohort) -> dict:
    sort, order = overview.sort_args(request.args)
    programme = cohort.programme
    return {"cohort": cohort, "programme": programme, "sort": sort, "order": order,
            "rows": overview.pair_rows(cohort, sort, order, dt.date.today()),
            "columns": overview.COLUMNS, "labels": status.LABELS,
            "meanings": [(status.LABELS[k], status.MEANINGS[k]) for k in status.ORDER],
            "against_rule": lambda held: status.sessions_against_rule(
                held, programme.max_sessions, programme.target_meetings)}


@bp.get("/cohorts/<int:cohort_id>/pairs")
@login_required
def pairs(cohort_id: int):
    cohort = get_overseen_cohort_or_404(cohort_id)
    context = _context(cohort)
    if not wants_fragment():
        context["flags"] = list(services_checkins.open_flags(cohort.id))
    return render_page_or_fragment("mentoring/coordinator_pairs.html",
                                   "mentoring/_pair_rows.html", empty_form=EmptyForm(),
                                   **context)


@bp.get("/cohorts/<int:cohort_id>/pairs.csv")
@login_required
def pairs_csv(cohort_id: int):
    cohort = get_overseen_cohort_or_404(cohort_id)
    context = _context(cohort)
    header = ["Mentor", "Mentee", "Status", "Started", "Last session", "Sessions held",
              "Ends", "Closed"]
    rows = ([r.mentor.name, r.mentee.name, status.LABELS[r.status_key],
             _day(r.started_at or r.released_at), _day(r.last_session_on),
             context["against_rule"](r.held), _day(r.ends_on), _day(r.closed_at)]
            for r in context["rows"])
    return csv_response(header, rows, f"pairs-{cohort.programme.name}-{cohort.name}.csv")


def _day(value) -> str:
    if value is None:
        return ""
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


@bp.post("/cohorts/<int:cohort_id>/checkins/<int:checkin_id>/resolve")
@login_required
def resolve_checkin(cohort_id: int, checkin_id: int):
    cohort = get_overseen_cohort_or_404(cohort_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services_checkins.resolve(current_user, cohort.id, checkin_id):
        flash("Marked as dealt with.", "success")
    else:
        flash("That call for help had already been dealt with.", "success")
    if wants_fragment():  # the item goes: an empty 200 is swapped, a 204 would not be
        return with_flashes(""), 200
    return redirect(url_for("mentoring.pairs", cohort_id=cohort.id, _anchor="flags"), 303)
