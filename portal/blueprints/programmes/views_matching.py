"""Matching in the browser: the programme's criteria weights, the coordinator's cohort page
(a whole-cohort run, then drafts to swap, lock, remove, re-run and release), suggestions
for one mentee with two candidates side by side, and the participant's own match with
its decline.

Who sees what: as on the review pages, members never learn the coordinator's pages exist
(404) and staff who do not coordinate the programme get 403. A match is seen only by its
two people, and only once it is released (404 for anyone else, staff included: the
coordinator's pages show it to them). The services check no permissions: the loaders
here do. Every action is a real form that works without JavaScript; with htmx each
answers in place (the board, or the one row).
"""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import (
    ACTIVE,
    DECLINED,
    DRAFT,
    RELEASED,
    Relationship,
)
from portal.blueprints.programmes import matching
from portal.blueprints.programmes import services_matching as svc
from portal.blueprints.programmes.forms_matching import (
    CompareForm,
    DeclineMatchForm,
    PickForm,
    RunMatchingForm,
    SwapForm,
    WeightsForm,
)
from portal.blueprints.programmes.models import MENTEE, Application, Cohort
from portal.blueprints.programmes.views import bp
from portal.blueprints.programmes.views_manage import get_programme_or_404
from portal.blueprints.programmes.views_review import get_cohort_for_review_or_404
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes

SHOWN = (DRAFT, RELEASED, ACTIVE, DECLINED)


def get_coordinated_cohort_or_404(cohort_id: int) -> Cohort:
    cohort = get_cohort_for_review_or_404(cohort_id)
    permissions.require(permissions.can_coordinate, current_user, cohort.programme)
    return cohort


def get_draft_or_404(relationship_id: int) -> Relationship:
    """A cohort's match with both people, for the programme's coordinators."""
    if not permissions.is_staff(current_user):
        abort(404)
    rel = (Relationship.with_people().where(Relationship.id == relationship_id,
                                            Relationship.cohort.is_null(False))
           .first()) or abort(404)
    rel.programme.load_coordinator_ids()
    permissions.require(permissions.can_coordinate, current_user, rel.programme)
    return rel


def get_mentee_application_or_404(cohort: Cohort, application_id: int) -> Application:
    return (Application.select(Application, User)
            .join(User, on=(Application.applicant == User.id))
            .where(Application.id == application_id, Application.cohort == cohort.id,
                   Application.role == MENTEE).first()) or abort(404)


def get_match_or_404(relationship_id: int) -> Relationship:
    """A released (or later) match, for its two people only."""
    rel = (Relationship.with_people().where(Relationship.id == relationship_id,
                                            Relationship.status != DRAFT)
           .first()) or abort(404)
    if not rel.involves(current_user):
        abort(404)
    return rel


# Criteria weights --------------------------------------------------------------------------

@bp.route("/manage/<int:programme_id>/matching", methods=["GET", "POST"])
@login_required
def matching_weights(programme_id):
    permissions.require(permissions.can_manage_programmes, current_user)
    programme = get_programme_or_404(programme_id)
    form = WeightsForm(data=matching.weights_for(programme) if request.method == "GET"
                       else None)
    if form.validate_on_submit():
        svc.set_weights(current_user, programme, form.weights())
        flash("Matching weights saved.", "success")
        return redirect(url_for("programmes.setup", programme_id=programme.id,
                                _anchor="matching"), 303)
    return render_template("programmes/matching/weights.html", form=form,
                           programme=programme), 422 if form.errors else 200


# The cohort's board ------------------------------------------------------------------------

def _last_run(cohort: Cohort) -> dict | None:
    return session.get("matching_runs", {}).get(str(cohort.id))


def _remember_run(cohort: Cohort, result: svc.RunResult) -> None:
    """The run's numbers next to a greedy pass, kept to show on the page after the redirect
    (a run is not stored: its drafts are)."""
    runs = dict(session.get("matching_runs", {}))
    runs[str(cohort.id)] = {
        "mode": matching.MODES[result.assignment.mode],
        "matched": result.assignment.matched, "total": result.assignment.total_score,
        "greedy_matched": result.greedy.matched, "greedy_total": result.greedy.total_score}
    session["matching_runs"] = runs


def _board_context(cohort: Cohort, **forms) -> dict:
    """Everything the board shows, in a fixed number of queries whatever the cohort's size."""
    pool = matching.load_pool(cohort)
    relationships = list(Relationship.for_cohort(cohort, SHOWN))
    drafts = [r for r in relationships if r.status == DRAFT]
    mentors = matching.occupy(pool.mentors, (r.mentor_id for r in drafts))
    minimum = pool.programme.mentor_capacity_min or 0
    return {
        "cohort": cohort, "programme": cohort.programme, "mentors": mentors,
        "mentees": pool.mentees, "draft_of": {r.mentee_id: r for r in drafts},
        "drafts": drafts, "others": [r for r in relationships if r.status != DRAFT],
        "under_min": [m for m in mentors if minimum and m.taken < minimum],
        "minimum": minimum, "last_run": _last_run(cohort), "empty_form": EmptyForm(),
        "run_form": forms.get("run_form") or RunMatchingForm(),
        "swap_form": forms.get("swap_form") or SwapForm(prefix="swap", drafts=drafts)}


def _board(cohort: Cohort, status: int = 200, **forms):
    context = _board_context(cohort, **forms)
    if wants_fragment():
        return with_flashes(render_template("programmes/matching/_board.html", **context)), \
            status
    return render_template("programmes/matching/cohort.html", **context), status


def _done(cohort: Cohort):
    """After a successful action: the board in place, or the page again."""
    if wants_fragment():
        return _board(cohort)
    return redirect(url_for("programmes.cohort_matching", cohort_id=cohort.id,
                            _anchor="drafts"), 303)


@bp.get("/review/cohorts/<int:cohort_id>/matching")
@login_required
def cohort_matching(cohort_id):
    return _board(get_coordinated_cohort_or_404(cohort_id))


@bp.post("/review/cohorts/<int:cohort_id>/matching/run")
@login_required
def run_matching(cohort_id):
    cohort = get_coordinated_cohort_or_404(cohort_id)
    form = RunMatchingForm()
    if not form.validate_on_submit():
        return _board(cohort, 422, run_form=form)
    try:
        result = svc.run_matching(current_user, cohort, form.mode.data)
    except svc.MatchingRefused as exc:
        form.form_errors.append(str(exc))
        return _board(cohort, 422, run_form=form)
    _remember_run(cohort, result)
    flash(f"Matching done: {result.assignment.matched} draft match"
          f"{'es' if result.assignment.matched != 1 else ''}. Nobody is told until you "
          "release them.", "success")
    return _done(cohort)


@bp.post("/review/cohorts/<int:cohort_id>/matching/swap")
@login_required
def swap_mentees(cohort_id):
    cohort = get_coordinated_cohort_or_404(cohort_id)
    drafts = {r.id: r for r in Relationship.for_cohort(cohort, (DRAFT,))}
    form = SwapForm(prefix="swap", drafts=drafts.values())
    if not form.validate_on_submit():
        return _board(cohort, 422, swap_form=form)
    try:
        svc.swap_mentees(current_user, drafts[form.first.data], drafts[form.second.data])
    except svc.MatchingRefused as exc:
        form.form_errors.append(str(exc))
        return _board(cohort, 422, swap_form=form)
    first, second = drafts[form.first.data], drafts[form.second.data]
    flash(f"Swapped: {first.mentor.name} now mentors {second.mentee.name}, and "
          f"{second.mentor.name} mentors {first.mentee.name}.", "success")
    return _done(cohort)


# One draft: lock, unlock, remove (htmx: the row in place) -----------------------------------

def _row(rel: Relationship, status: int = 200):
    if wants_fragment():
        return with_flashes(render_template(
            "programmes/matching/_draft_row.html", rel=rel, empty_form=EmptyForm(),
            cohort_id=rel.cohort_id)), status
    return redirect(url_for("programmes.cohort_matching", cohort_id=rel.cohort_id,
                            _anchor="drafts"), 303)


def _set_locked(relationship_id: int, locked: bool):
    rel = get_draft_or_404(relationship_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        rel.locked = svc.set_locked(current_user, rel, locked).locked
    except svc.MatchingRefused as exc:
        flash(str(exc), "error")
        return _row(rel, 422)
    flash(f"{rel.mentor.name} and {rel.mentee.name}: "
          f"{'locked, so a re-run keeps them' if locked else 'unlocked'}.", "success")
    return _row(rel)


@bp.post("/review/matching/drafts/<int:relationship_id>/lock")
@login_required
def lock_draft(relationship_id):
    return _set_locked(relationship_id, True)


@bp.post("/review/matching/drafts/<int:relationship_id>/unlock")
@login_required
def unlock_draft(relationship_id):
    return _set_locked(relationship_id, False)


@bp.post("/review/matching/drafts/<int:relationship_id>/remove")
@login_required
def remove_draft(relationship_id):
    rel = get_draft_or_404(relationship_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.remove_draft(current_user, rel)
    except svc.MatchingRefused as exc:
        flash(str(exc), "error")
        return _row(rel, 422)
    flash(f"Removed the draft match of {rel.mentor.name} and {rel.mentee.name}.", "success")
    if wants_fragment():  # the row goes: an empty 200 is swapped, a 204 would not be
        return with_flashes(""), 200
    return redirect(url_for("programmes.cohort_matching", cohort_id=rel.cohort_id,
                            _anchor="drafts"), 303)


# Release, after a confirm step ----------------------------------------------------------------

@bp.get("/review/cohorts/<int:cohort_id>/matching/release")
@login_required
def confirm_release(cohort_id):
    cohort = get_coordinated_cohort_or_404(cohort_id)
    drafts = list(Relationship.for_cohort(cohort, (DRAFT,)))
    return render_page_or_fragment(
        "programmes/matching/release.html", "programmes/matching/_release_confirm.html",
        cohort=cohort, programme=cohort.programme, drafts=drafts, empty_form=EmptyForm())


@bp.post("/review/cohorts/<int:cohort_id>/matching/release")
@login_required
def release(cohort_id):
    cohort = get_coordinated_cohort_or_404(cohort_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        released = svc.release(current_user, cohort)
    except svc.MatchingRefused as exc:
        flash(str(exc), "error")
        return _board(cohort, 422)
    flash(f"Released {len(released)} match{'es' if len(released) != 1 else ''}: each "
          "person has been sent an introduction email.", "success")
    return _done(cohort)


# Suggestions for one mentee ---------------------------------------------------------------------

def _suggestions_page(cohort: Cohort, application: Application, status: int = 200,
                      pick_form: PickForm | None = None):
    try:
        found, refused = svc.suggestions_for(cohort, application.applicant), ""
    except svc.MatchingRefused as exc:
        found, refused = [], str(exc)
    form = CompareForm(request.args, mentors=[s.mentor for s in found])
    form.validate()
    by_id = {s.mentor.user_id: s for s in found}
    compared = [by_id[i] for i in dict.fromkeys((form.first.data, form.second.data))
                if i in by_id]
    draft = (Relationship.with_people().where(
        Relationship.cohort == cohort.id, Relationship.mentee == application.applicant_id,
        Relationship.status == DRAFT).first())
    return render_template(
        "programmes/matching/suggestions.html", cohort=cohort, programme=cohort.programme,
        application=application, suggestions=found, refused=refused, compare_form=form,
        compared=compared, draft=draft, pick_form=pick_form or PickForm()), status


@bp.get("/review/cohorts/<int:cohort_id>/matching/mentees/<int:application_id>")
@login_required
def suggestions(cohort_id, application_id):
    cohort = get_coordinated_cohort_or_404(cohort_id)
    return _suggestions_page(cohort, get_mentee_application_or_404(cohort, application_id))


@bp.post("/review/cohorts/<int:cohort_id>/matching/mentees/<int:application_id>/pick")
@login_required
def pick(cohort_id, application_id):
    cohort = get_coordinated_cohort_or_404(cohort_id)
    application = get_mentee_application_or_404(cohort, application_id)
    form = PickForm()
    mentor = (User.get_or_none(User.id == form.mentor_id)
              if form.validate_on_submit() and form.mentor_id else None)
    if mentor is None:
        form.form_errors.append("Choose a mentor from the list")
        return _suggestions_page(cohort, application, 422, form)
    try:
        svc.pick(current_user, cohort, mentor, application.applicant)
    except svc.MatchingRefused as exc:
        form.form_errors.append(str(exc))
        return _suggestions_page(cohort, application, 422, form)
    flash(f"Draft match made: {mentor.name} with {application.applicant.name}.", "success")
    return redirect(url_for("programmes.cohort_matching", cohort_id=cohort.id,
                            _anchor="drafts"), 303)


# The participant's match ------------------------------------------------------------------------

def _may_decline(rel: Relationship) -> bool:
    return rel.status == RELEASED and (rel.respond_by is None or utcnow() <= rel.respond_by)


@bp.get("/matches/<int:relationship_id>")
@login_required
def match(relationship_id):
    rel = get_match_or_404(relationship_id)
    return render_template("programmes/matching/match.html", rel=rel,
                           partner=rel.partner_of(current_user),
                           may_decline=_may_decline(rel))


@bp.route("/matches/<int:relationship_id>/decline", methods=["GET", "POST"])
@login_required
def decline_match(relationship_id):
    rel = get_match_or_404(relationship_id)
    form = DeclineMatchForm()
    if _may_decline(rel) and form.validate_on_submit():
        try:
            svc.decline(current_user, rel, form.reason.data)
        except svc.MatchingRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"You have declined your match with {rel.partner_of(current_user).name}. "
                  "We have told them, kindly, and will look for a new match for you.",
                  "success")
            return redirect(url_for("home.dashboard"), 303)
    return render_template("programmes/matching/decline.html", rel=rel, form=form,
                           partner=rel.partner_of(current_user),
                           may_decline=_may_decline(rel)), \
        422 if form.errors or form.form_errors or (request.method == "POST"
                                                   and not _may_decline(rel)) else 200
