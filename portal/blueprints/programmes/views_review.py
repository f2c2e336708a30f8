"""Coordinators review a programme's applications: the list with counts and filters, an
applicant's page (eligibility, answers, history, notes, equality answers, fee) with
decisions in place, the CSV export and who is not yet trained.

Who sees what: members never learn that the review pages exist (404); staff know
programmes and applications exist, so a staff member who does not coordinate the
programme gets 403, as does the applicant on their own application's review page.
Equality answers are shown only where permissions.can_see_equality holds; neither they
nor the notes go into the CSV.
"""
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.accounts.models import User
from portal.blueprints.programmes import rules
from portal.blueprints.programmes import services_applications as applications
from portal.blueprints.programmes.forms_review import (
    DecisionForm,
    FeeForm,
    NoteForm,
    ReviewFilterForm,
)
from portal.blueprints.programmes.models import (
    DISABILITIES,
    ETHNICITIES,
    FEE_LABELS,
    SEXES,
    STATUS_LABELS,
    TRAINING,
    Application,
    Cohort,
    CohortWebinar,
    CoordinatorNote,
    EligibilityRule,
    EqualityAnswer,
    Programme,
    ProgrammeRole,
)
from portal.blueprints.programmes.views import bp
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes
from portal.pagination import ordered_by
from portal.spreadsheets import csv_response

PAGE_SIZE = 50


def get_programme_for_review_or_404(programme_id: int) -> Programme:
    """A programme as staff see it (members: 404), its coordinators loaded."""
    if not permissions.is_staff(current_user):
        abort(404)
    programme = Programme.get_or_none(Programme.id == programme_id) or abort(404)
    programme.load_coordinator_ids()
    return programme


def get_application_or_404(application_id: int) -> Application:
    """An application with its programme and applicant, for staff and its applicant."""
    application = (Application.select(Application, Programme, User).join(Programme)
                   .switch(Application).join(User, on=(Application.applicant == User.id))
                   .where(Application.id == application_id).first()) or abort(404)
    if not (permissions.is_staff(current_user) or application.applicant_id == current_user.id):
        abort(404)
    application.programme.load_coordinator_ids()
    return application


def get_cohort_for_review_or_404(cohort_id: int) -> Cohort:
    if not permissions.is_staff(current_user):
        abort(404)
    cohort = (Cohort.select(Cohort, Programme).join(Programme)
              .where(Cohort.id == cohort_id).first()) or abort(404)
    cohort.programme.load_coordinator_ids()
    return cohort


def _roles(programme: Programme) -> dict:
    """{key: (role, [rules])}: both roles and their rules, in two queries."""
    roles = {r.key: (r, []) for r in programme.role_rows()}
    by_id = {r.id: key for key, (r, _) in roles.items()}
    for rule in (EligibilityRule.select().join(ProgrammeRole)
                 .where(ProgrammeRole.programme == programme)
                 .order_by(EligibilityRule.position, EligibilityRule.id)):
        roles[by_id[rule.role_id]][1].append(rule)
    return roles


@bp.get("/review/<int:programme_id>")
@login_required
def review(programme_id):
    programme = get_programme_for_review_or_404(programme_id)
    permissions.require(permissions.can_coordinate, current_user, programme)
    cohorts = [] if programme.is_open else list(programme.cohort_list())
    roles = _roles(programme)
    form = ReviewFilterForm(request.args, cohorts=cohorts,
                            role_names={k: r.name for k, (r, _) in roles.items()})
    form.validate()
    cohort, role, status = form.chosen(cohorts)
    page = ordered_by(Application.for_review(programme, cohort, role, status),
                      Application.submitted_at, Application.id, False,
                      request.args.get("after"), PAGE_SIZE)
    today = dt.date.today()
    problems = {a.id: rules.check(roles[a.role][1], a.applicant, a.rule_answers(), today)
                for a in page.rows if a.role in roles}
    return render_page_or_fragment(
        "programmes/review/index.html", "programmes/review/_results.html",
        programme=programme, form=form, cohort=cohort, applications=page.rows,
        problems=problems, next_cursor=page.next_cursor, role=role, status_filter=status,
        counts=Application.counts_by_status(programme, cohort), status_labels=STATUS_LABELS,
        role_names={k: r.name for k, (r, _) in roles.items()})


@bp.get("/review/<int:programme_id>/applications.csv")
@login_required
def review_csv(programme_id):
    programme = get_programme_for_review_or_404(programme_id)
    permissions.require(permissions.can_coordinate, current_user, programme)
    cohorts = [] if programme.is_open else list(programme.cohort_list())
    form = ReviewFilterForm(request.args, cohorts=cohorts)
    form.validate()
    cohort, _, _ = form.chosen(cohorts)
    names = {r.key: r.name for r in programme.role_rows()}
    rows = ([a.applicant.name, a.applicant.email, a.applicant.organisation,
             a.applicant.staff_group, a.applicant.pay_band, names.get(a.role, a.role),
             STATUS_LABELS[a.status],
             a.submitted_at.strftime("%Y-%m-%d") if a.submitted_at else "",
             a.leave_type, a.leave_starts or "", a.leave_months or "", a.preferred_channel,
             a.availability, a.access_requirements, a.motivation, a.learning_goals,
             "Yes" if a.cannot_fund else "No", FEE_LABELS[a.fee_status]]
            for a in Application.for_review(programme, cohort))
    name = f"{programme.slug}-{cohort.name if cohort else 'applications'}.csv"
    return csv_response([
        "Name", "Email", "Organisation", "Staff group", "Pay band", "Role", "Status",
        "Submitted", "Leave type", "Leave starts", "Leave months", "Preferred channel",
        "Availability", "Access requirements", "Motivation", "What they want to learn",
        "Cannot fund the full fee", "Fee"], rows, name)


# An applicant's page ---------------------------------------------------------------------

def _application_page(application: Application, status: int = 200, **forms):
    programme = application.programme
    role = programme.role(application.role)
    equality = (EqualityAnswer.get_or_none(EqualityAnswer.application == application)
                if permissions.can_see_equality(current_user, programme) else None)
    notes = (CoordinatorNote.select(CoordinatorNote, User)
             .join(User, on=(CoordinatorNote.author == User.id))
             .where(CoordinatorNote.application == application)
             .order_by(CoordinatorNote.created_at, CoordinatorNote.id))
    return render_template(
        "programmes/review/application.html", programme=programme,
        cohort=application.cohort, role=role,
        problems=rules.check(list(role.rule_rows()), application.applicant,
                             application.rule_answers(), dt.date.today()),
        topics=list(application.topics()), history=list(application.history()),
        notes=list(notes), equality=equality, ethnicities=ETHNICITIES, sexes=SEXES,
        disabilities=DISABILITIES, leave_types=rules.LEAVE_TYPES,
        backgrounds=rules.BACKGROUNDS, fee_labels=FEE_LABELS,
        **_panel(application), note_form=forms.get("note_form") or NoteForm(),
        fee_form=forms.get("fee_form") or FeeForm(fee_status=application.fee_status,
                                                   fee_note=application.fee_note)), status


def _panel(application: Application) -> dict:
    """What the status panel shows: the status and the decisions open from it."""
    open_from = [action for action, (target, _, _) in DECISIONS.items()
                 if application.status in applications.ALLOWED_FROM[target]]
    return {"application": application, "decision_form": DecisionForm(),
            "status_labels": STATUS_LABELS, "decisions": open_from, "labels": DECISIONS}


@bp.get("/review/applications/<int:application_id>")
@login_required
def review_application(application_id):
    application = get_application_or_404(application_id)
    permissions.require(permissions.can_coordinate, current_user, application.programme)
    return _application_page(application)


# action: (status it leads to, button, what the coordinator is told)
DECISIONS = {
    "start_review": ("under_review", "Start review", "{name}'s application is under review."),
    "accept": ("accepted", "Accept", "{name} is accepted and added to the cohort's groups."),
    "waitlist": ("waitlisted", "Waitlist", "{name} is on the waiting list."),
    "decline": ("declined", "Decline", "{name}'s application is declined."),
}


def _start_review(actor, application, note):
    return applications.start_review(actor, application)


SERVICES = {"start_review": _start_review, "accept": applications.accept,
            "waitlist": applications.waitlist, "decline": applications.decline}


@bp.post("/review/applications/<int:application_id>/start-review")
@login_required
def start_review(application_id):
    return _decide(application_id, "start_review")


@bp.post("/review/applications/<int:application_id>/accept")
@login_required
def accept(application_id):
    return _decide(application_id, "accept")


@bp.post("/review/applications/<int:application_id>/waitlist")
@login_required
def waitlist(application_id):
    return _decide(application_id, "waitlist")


@bp.post("/review/applications/<int:application_id>/decline")
@login_required
def decline(application_id):
    return _decide(application_id, "decline")


def _decide(application_id: int, action: str):
    """One decision: the status panel swapped in place (with the message out of band)
    for htmx, or back to the applicant's page without JavaScript."""
    application = get_application_or_404(application_id)
    permissions.require(permissions.can_coordinate, current_user, application.programme)
    form = DecisionForm()
    status = 200
    if not form.validate_on_submit():
        flash(form.note.errors[0] if form.note.errors else "Try again.", "error")
        status = 422
    else:
        try:
            SERVICES[action](current_user, application, form.note.data or "")
        except applications.ApplicationRefused as exc:
            flash(str(exc), "error")
            status = 422
        else:
            flash(DECISIONS[action][2].format(name=application.applicant.name), "success")
    if wants_fragment():
        return with_flashes(render_template("programmes/review/_status.html",
                                            **_panel(application))), status
    return redirect(url_for("programmes.review_application", application_id=application.id),
                    303)


@bp.post("/review/applications/<int:application_id>/notes")
@login_required
def add_note(application_id):
    application = get_application_or_404(application_id)
    permissions.require(permissions.can_coordinate, current_user, application.programme)
    form = NoteForm()
    if not form.validate_on_submit():
        return _application_page(application, 422, note_form=form)
    applications.add_note(current_user, application, form.body.data)
    flash("Note added.", "success")
    return redirect(url_for("programmes.review_application", application_id=application.id,
                            _anchor="notes"), 303)


@bp.post("/review/applications/<int:application_id>/fee")
@login_required
def set_fee(application_id):
    application = get_application_or_404(application_id)
    permissions.require(permissions.can_coordinate, current_user, application.programme)
    form = FeeForm()
    if not form.validate_on_submit():
        return _application_page(application, 422, fee_form=form)
    applications.set_fee_status(current_user, application, form.fee_status.data,
                                form.fee_note.data or "")
    flash(f"Fee: {FEE_LABELS[form.fee_status.data].lower()}.", "success")
    return redirect(url_for("programmes.review_application", application_id=application.id,
                            _anchor="fee"), 303)


# Training readiness ------------------------------------------------------------------------

@bp.get("/review/cohorts/<int:cohort_id>/training")
@login_required
def training(cohort_id):
    cohort = get_cohort_for_review_or_404(cohort_id)
    permissions.require(permissions.can_coordinate, current_user, cohort.programme)
    sessions = CohortWebinar.for_cohort(cohort).where(CohortWebinar.purpose == TRAINING)
    return render_template(
        "programmes/review/training.html", cohort=cohort, programme=cohort.programme,
        people=list(Application.not_yet_trained(cohort)), sessions=list(sessions),
        role_names={r.key: r.name for r in cohort.programme.role_rows()})
