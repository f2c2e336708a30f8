"""Staff set programmes up in the browser: the list, create and edit with both roles'
rules and commitments, publish, coordinators, cohorts and the cohort's webinars.

Every page first checks can_manage_programmes (a member gets 403 whether or not the id
exists), then loads through get_programme_or_404 / get_cohort_or_404.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.accounts.models import STAFF_GROUPS, User
from portal.blueprints.programmes import matching, phases, rules, services, services_webinars
from portal.blueprints.programmes.forms_manage import (
    CohortForm,
    CoordinatorForm,
    NetworkForm,
    ProgrammeForm,
    SupervisionForm,
    TrainingForm,
    programme_data,
)
from portal.blueprints.programmes.models import (
    KINDS,
    RELATIONSHIPS,
    STATUS_LABELS,
    Application,
    Cohort,
    CohortWebinar,
    Programme,
    ProgrammeCoordinator,
)
from portal.blueprints.programmes.views import bp
from portal.blueprints.webinars import times
from portal.forms import EmptyForm


def get_programme_or_404(programme_id: int) -> Programme:
    """Any programme, published or not, for the staff who set them up; its coordinators
    are loaded for the permission rules."""
    programme = Programme.get_or_none(Programme.id == programme_id) or abort(404)
    programme.load_coordinator_ids()
    return programme


def get_cohort_or_404(cohort_id: int) -> Cohort:
    cohort = (Cohort.select(Cohort, Programme).join(Programme)
              .where(Cohort.id == cohort_id).first()) or abort(404)
    cohort.programme.load_coordinator_ids()
    return cohort


def _manager() -> None:
    permissions.require(permissions.can_manage_programmes, current_user)


@bp.get("/manage")
@login_required
def manage():
    _manager()
    coordinating = {p.id for p in Programme.coordinated_by(current_user)}
    return render_template("programmes/manage/index.html", kinds=KINDS,
                           programmes=list(Programme.select().order_by(Programme.name,
                                                                       Programme.id)),
                           coordinating=coordinating)


@bp.route("/manage/new", methods=["GET", "POST"])
@login_required
def new_programme():
    _manager()
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = services.save_programme(current_user, None, form.details(),
                                                form.roles(), staff_groups=STAFF_GROUPS)
        except services.SetupError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"{programme.name} created. It is not published yet.", "success")
            return redirect(url_for("programmes.setup", programme_id=programme.id), 303)
    return _programme_form(form, None)


@bp.route("/manage/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit_programme(programme_id):
    _manager()
    programme = get_programme_or_404(programme_id)
    form = ProgrammeForm(data=programme_data(programme) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_programme(current_user, programme, form.details(programme),
                                    form.roles(), staff_groups=STAFF_GROUPS)
        except services.SetupError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("programmes.setup", programme_id=programme.id), 303)
    return _programme_form(form, programme)


def _programme_form(form: ProgrammeForm, programme):
    return render_template("programmes/manage/programme_form.html", form=form,
                           programme=programme, rule_labels=rules.KIND_LABELS), \
        422 if form.errors or form.form_errors else 200


@bp.get("/manage/<int:programme_id>")
@login_required
def setup(programme_id):
    _manager()
    programme = get_programme_or_404(programme_id)
    roles = list(programme.role_rows())
    return render_template(
        "programmes/manage/show.html", programme=programme, roles=roles,
        rules_of={r.key: [rules.describe(x.kind, x.params_dict) for x in r.rule_rows()]
                  for r in roles},
        commitments_of={r.key: [c.text for c in r.commitment_rows()] for r in roles},
        coordinators=list(programme.coordinators()), cohorts=list(programme.cohort_list()),
        kinds=KINDS, relationships=RELATIONSHIPS, phase_labels=phases.LABELS,
        coordinator_form=CoordinatorForm(), empty_form=EmptyForm(),
        weights=matching.weights_for(programme), criteria=matching.CRITERIA)


@bp.post("/manage/<int:programme_id>/publish")
@login_required
def publish(programme_id):
    return _set_published(programme_id, True)


@bp.post("/manage/<int:programme_id>/unpublish")
@login_required
def unpublish(programme_id):
    return _set_published(programme_id, False)


def _set_published(programme_id: int, published: bool):
    _manager()
    programme = get_programme_or_404(programme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_published(current_user, programme, published)
    flash(f"{programme.name} is {'published' if published else 'no longer published'}.",
          "success")
    return redirect(url_for("programmes.setup", programme_id=programme.id), 303)


@bp.post("/manage/<int:programme_id>/coordinators")
@login_required
def add_coordinator(programme_id):
    _manager()
    programme = get_programme_or_404(programme_id)
    form = CoordinatorForm()
    if not form.validate_on_submit():
        flash(form.email.errors[0] if form.email.errors else "Try again.", "error")
        return redirect(url_for("programmes.setup", programme_id=programme.id,
                                _anchor="coordinators"), 303)
    services.add_coordinator(current_user, programme, form.person)
    flash(f"{form.person.name} now coordinates {programme.name}.", "success")
    return redirect(url_for("programmes.setup", programme_id=programme.id,
                            _anchor="coordinators"), 303)


@bp.post("/manage/<int:programme_id>/coordinators/<int:person_id>/remove")
@login_required
def remove_coordinator(programme_id, person_id):
    _manager()
    programme = get_programme_or_404(programme_id)
    person = (User.select().join(ProgrammeCoordinator, on=(ProgrammeCoordinator.user == User.id))
              .where(ProgrammeCoordinator.programme == programme, User.id == person_id)
              .first()) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_coordinator(current_user, programme, person)
    flash(f"{person.name} no longer coordinates {programme.name}.", "success")
    return redirect(url_for("programmes.setup", programme_id=programme.id,
                            _anchor="coordinators"), 303)


@bp.route("/manage/<int:programme_id>/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort(programme_id):
    _manager()
    programme = get_programme_or_404(programme_id)
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(current_user, programme, form.details())
        except services.SetupError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Cohort {cohort.name} created, with its groups.", "success")
            return redirect(url_for("programmes.cohort", cohort_id=cohort.id), 303)
    return _cohort_form(form, programme, None)


@bp.route("/manage/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cohort(cohort_id):
    _manager()
    cohort = get_cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        try:
            services.update_cohort(current_user, cohort, form.details())
        except services.SetupError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("programmes.cohort", cohort_id=cohort.id), 303)
    return _cohort_form(form, cohort.programme, cohort)


def _cohort_form(form: CohortForm, programme, cohort):
    return render_template("programmes/manage/cohort_form.html", form=form,
                           programme=programme, cohort=cohort), \
        422 if form.errors or form.form_errors else 200


@bp.get("/manage/cohorts/<int:cohort_id>")
@login_required
def cohort(cohort_id):
    _manager()
    cohort = get_cohort_or_404(cohort_id)
    counts = Application.counts_by_status(cohort.programme, cohort)
    return render_template(
        "programmes/manage/cohort.html", cohort=cohort, programme=cohort.programme,
        phase_label=phases.LABELS[cohort.phase()], counts=counts, status_labels=STATUS_LABELS,
        roles={r.key: r.name for r in cohort.programme.role_rows()},
        webinars=list(CohortWebinar.for_cohort(cohort)))


# The cohort's webinars, one step each ------------------------------------------------------

STEPS = {
    "supervision": (SupervisionForm, "Schedule supervision",
                    lambda actor, cohort, form: services_webinars.create_supervision(
                        actor, cohort, form.details(), role=form.role.data,
                        cadence_weeks=form.cadence_weeks.data, months=form.months.data)),
    "training": (TrainingForm, "Schedule training",
                 lambda actor, cohort, form: services_webinars.create_training(
                     actor, cohort, form.details(), role=form.role.data, days=form.days.data)),
    "network": (NetworkForm, "Schedule network meetings",
                lambda actor, cohort, form: services_webinars.create_network_meetings(
                    actor, cohort, form.details(), meetings=form.meetings.data,
                    weeks_apart=form.weeks_apart.data)),
}


@bp.route("/manage/cohorts/<int:cohort_id>/supervision", methods=["GET", "POST"])
@login_required
def new_supervision(cohort_id):
    return _webinar_step(cohort_id, "supervision")


@bp.route("/manage/cohorts/<int:cohort_id>/training", methods=["GET", "POST"])
@login_required
def new_training(cohort_id):
    return _webinar_step(cohort_id, "training")


@bp.route("/manage/cohorts/<int:cohort_id>/network", methods=["GET", "POST"])
@login_required
def new_network(cohort_id):
    return _webinar_step(cohort_id, "network")


def _webinar_step(cohort_id: int, step: str):
    _manager()
    cohort = get_cohort_or_404(cohort_id)
    form_class, title, create = STEPS[step]
    form = form_class()
    if form.validate_on_submit():
        sessions = create(current_user, cohort, form)
        flash(f"{title.removeprefix('Schedule ').capitalize()}: {len(sessions)} "
              f"session{'s' if len(sessions) != 1 else ''} scheduled for {cohort.name}.",
              "success")
        return redirect(url_for("programmes.cohort", cohort_id=cohort.id), 303)
    return render_template("programmes/manage/webinar_form.html", form=form, step=step,
                           title=title, cohort=cohort, programme=cohort.programme,
                           zone_name=times.zone().key), 422 if form.errors else 200
