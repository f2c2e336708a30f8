"""Applying (signed in): one form per programme role, saved as a draft until submitted;
the applicant's page with status and history; withdrawing.

Submitting checks the role's rules (services_applications.eligibility) and, when one fails,
re-renders the form with 422, the rule named in the error summary and next to the question
it is about, and every answer kept (they are saved in the draft too)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from portal import permissions
from portal.blueprints.programmes import rules
from portal.blueprints.programmes import services_applications as apps
from portal.blueprints.programmes.forms import ApplicationForm
from portal.blueprints.programmes.models import (
    CHANNELS,
    DRAFT,
    MENTOR,
    ROLE_KEYS,
    STATUS_LABELS,
    WITHDRAWN,
    Application,
    ApplicationTopic,
    Cohort,
    EqualityAnswer,
    Programme,
)
from portal.blueprints.programmes.views import bp
from portal.blueprints.programmes.views_public import get_programme_or_404
from portal.forms import EmptyForm
from portal.htmx import wants_fragment, with_flashes
from portal.taxonomy import Topic


def get_application_or_404(application_id: int) -> Application:
    """An application with its programme and cohort, if this person may see it: the
    applicant, or the programme's coordinators (404 for anyone else)."""
    application = (Application.select(Application, Programme, Cohort).join(Programme)
                   .switch(Application).join(Cohort, JOIN.LEFT_OUTER)
                   .where(Application.id == application_id).first())
    if application is None:
        abort(404)
    application.programme.load_coordinator_ids()
    if not permissions.can_view_application(current_user, application,
                                            application.programme):
        abort(404)
    return application


def _build_form(programme: Programme, role_key: str, application=None) -> ApplicationForm:
    role = programme.role(role_key) or abort(404)
    has_equality = application is not None and EqualityAnswer.select().where(
        EqualityAnswer.application == application).exists()
    form = ApplicationForm().fit([r.kind for r in role.rule_rows()], role.commitment_rows(),
                                 Topic.ordered(), programme.channel_list,
                                 programme.fee_pence, has_equality)
    form.role = role
    return form


def _form_page(form, programme, cohort, application=None, status=200):
    earlier = (application.was_mentee_in if application and application.was_mentee_in_id
               else None)
    if application is None and form.role.key == MENTOR:
        earlier = apps.previous_mentee_application(current_user, programme)
    return render_template("programmes/apply.html", form=form, programme=programme,
                           cohort=cohort, application=application,
                           earlier=earlier), status


def _recruiting_cohort(programme: Programme):
    return None if programme.is_open else programme.open_cohort().first()


@bp.route("/<slug>/apply/<role>", methods=["GET", "POST"])
@login_required
def apply(slug, role):
    programme = get_programme_or_404(slug)
    if role not in ROLE_KEYS:
        abort(404)
    cohort = _recruiting_cohort(programme)
    if cohort is None and not programme.is_open:
        flash(f"{programme.name} is not taking applications now.", "info")
        return redirect(url_for("programmes.show", slug=programme.slug), 303)
    existing = apps.live_application(current_user, programme, cohort, role)
    if existing is not None:
        return redirect(url_for("programmes.edit_application" if existing.status == DRAFT
                                else "programmes.application", application_id=existing.id), 303)
    form = _build_form(programme, role)
    if form.validate_on_submit():
        return _save(form, programme, cohort, None)
    return _form_page(form, programme, cohort, status=422 if form.errors else 200)


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit_application(application_id):
    application = get_application_or_404(application_id)
    permissions.require(permissions.can_change_application, current_user, application)
    if application.status != DRAFT:
        flash("This application has been sent, so it can no longer be changed.", "info")
        return redirect(url_for("programmes.application", application_id=application.id), 303)
    programme, cohort = application.programme, application.cohort
    form = _build_form(programme, application.role, application)
    if form.validate_on_submit():
        return _save(form, programme, cohort, application)
    if not form.errors:
        form.fill_from(application, [t.topic_id for t in ApplicationTopic.select().where(
            ApplicationTopic.application == application)])
    return _form_page(form, programme, cohort, application, 422 if form.errors else 200)


def _save(form, programme, cohort, application):
    try:
        application = apps.save_draft(current_user, programme, form.role.key, cohort,
                                      form.answers(), application, form.equality())
    except apps.ApplicationRefused as refused:
        form.form_errors.append(str(refused))
        return _form_page(form, programme, cohort, application, 422)
    if not form.send.data:
        flash("Your draft is saved. You can come back to it from your dashboard.", "success")
        return redirect(url_for("programmes.edit_application",
                                application_id=application.id), 303)
    return _submit(form, programme, cohort, application)


def _submit(form, programme, cohort, application):
    problems = apps.eligibility(application, applicant=current_user)
    if form.require_motivation() and not problems:
        try:
            apps.submit(current_user, application)
        except apps.NotEligible as refused:
            problems = refused.problems
        except apps.ApplicationRefused as refused:
            problems = [str(refused)]
    if problems or form.errors:
        form.show_problems(problems)
        return _form_page(form, programme, cohort, application, 422)
    flash("Your application is sent. We have emailed you a copy of what happens next.",
          "success")
    return redirect(url_for("programmes.application", application_id=application.id), 303)


def _status(application) -> dict:
    """What _application_status.html reads."""
    return {"application": application, "history": list(application.history()),
            "statuses": STATUS_LABELS, "withdrawable": apps.ALLOWED_FROM[WITHDRAWN]}


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id):
    application = get_application_or_404(application_id)
    return render_template("programmes/application.html", programme=application.programme,
                           cohort=application.cohort, topics=list(application.topics()),
                           role=application.programme.role(application.role),
                           leave_types=rules.LEAVE_TYPES, channels=CHANNELS,
                           **_status(application))


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id):
    """GET asks to confirm (without JavaScript); htmx confirms in the browser and posts."""
    application = get_application_or_404(application_id)
    permissions.require(permissions.can_change_application, current_user, application)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("programmes/application_withdraw.html",
                               application=application, form=form)
    status = 200
    try:
        apps.withdraw(current_user, application)
        flash("Your application is withdrawn.", "success")
    except apps.ApplicationRefused as refused:
        flash(str(refused), "error")
        status = 422
    if not wants_fragment():
        return redirect(url_for("programmes.application", application_id=application.id), 303)
    return with_flashes(render_template("programmes/_application_status.html",
                                        **_status(application))), status
