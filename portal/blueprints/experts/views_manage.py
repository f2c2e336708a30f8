"""The organiser's pages for an open programme's experts: everyone's standing and activity,
the experts who have not answered an activity check (put back on the list, or take off),
and the expert network made in one step each: induction sessions, a series of informal
expert meetings, and the experts' board.

The expert list is for the programme's coordinators (and admins); the network's webinars
and board are made by programme staff, as cohort webinars are."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.accounts.models import User
from portal.blueprints.boards.models import Board
from portal.blueprints.experts import overview, services_checks, services_experts
from portal.blueprints.experts import services_network as network
from portal.blueprints.experts.availability import LABELS
from portal.blueprints.experts.forms_manage import InductionForm, MeetingsForm
from portal.blueprints.experts.loaders import (
    get_open_programme_or_404,
    get_overseen_programme_or_404,
)
from portal.blueprints.experts.models import (
    CHECK_ANSWERS,
    INDUCTION,
    MEETING,
    Expert,
    ExpertBoard,
    ExpertWebinar,
)
from portal.blueprints.experts.views import bp
from portal.blueprints.programmes.models import OPEN, Programme
from portal.blueprints.webinars import times
from portal.db import utcnow
from portal.forms import EmptyForm


@bp.get("/manage")
@login_required
def manage():
    permissions.require(permissions.is_staff, current_user)
    programmes = list(Programme.select().where(Programme.kind == OPEN)
                      .order_by(Programme.name, Programme.id))
    return render_template("experts/manage/index.html", programmes=programmes)


@bp.get("/manage/<int:programme_id>")
@login_required
def oversee(programme_id: int):
    programme = get_overseen_programme_or_404(programme_id)
    now = utcnow()
    page = overview.experts_of(programme, now, request.args.get("after"))
    silent = list(Expert.unanswered_checks(now).where(Expert.programme == programme.id))
    board = (ExpertBoard.select(ExpertBoard, Board).join(Board)
             .where(ExpertBoard.programme == programme.id).first())
    webinars = list(ExpertWebinar.for_programme(programme))
    return render_template("experts/manage/programme.html", programme=programme,
                           experts=page.experts, next_cursor=page.next_cursor, silent=silent,
                           labels=LABELS, answers=CHECK_ANSWERS, board=board, now=now,
                           inductions=[w for w in webinars if w.purpose == INDUCTION],
                           meetings=[w for w in webinars if w.purpose == MEETING],
                           empty_form=EmptyForm())


@bp.post("/manage/<int:programme_id>/checks/<int:check_id>/resolve")
@login_required
def resolve_check(programme_id: int, check_id: int):
    programme = get_overseen_programme_or_404(programme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services_checks.resolve(current_user, programme.id, check_id):
        flash("Back on the list: the expert is listed again.", "success")
    else:
        flash("That check has already been answered or dealt with.", "error")
    return redirect(url_for("experts.oversee", programme_id=programme.id,
                            _anchor="not-answering"), 303)


@bp.post("/manage/<int:programme_id>/experts/<int:expert_id>/off")
@login_required
def take_off(programme_id: int, expert_id: int):
    programme = get_overseen_programme_or_404(programme_id)
    expert = (Expert.select(Expert, User).join(User)
              .where(Expert.id == expert_id, Expert.programme == programme.id).first()
              or abort(404))
    if not EmptyForm().validate_on_submit():
        abort(400)
    services_experts.take_off_list(expert, actor=current_user)
    flash(f"{expert.user.name} is off the list.", "success")
    return redirect(url_for("experts.oversee", programme_id=programme.id), 303)


# The expert network, one step each ------------------------------------------------------------

def _network_programme(programme_id: int) -> Programme:
    permissions.require(permissions.can_manage_programmes, current_user)
    return get_open_programme_or_404(programme_id)


STEPS = {
    "induction": (InductionForm, "Schedule induction sessions",
                  lambda actor, programme, form: network.create_induction(
                      actor, programme, form.details(), sessions=form.sessions.data,
                      weeks_apart=form.weeks_apart.data)),
    "meetings": (MeetingsForm, "Schedule expert meetings",
                 lambda actor, programme, form: network.create_meetings(
                     actor, programme, form.details(), cadence_weeks=form.cadence_weeks.data,
                     months=form.months.data)),
}


@bp.route("/manage/<int:programme_id>/induction", methods=["GET", "POST"])
@login_required
def new_induction(programme_id: int):
    return _webinar_step(programme_id, "induction")


@bp.route("/manage/<int:programme_id>/meetings", methods=["GET", "POST"])
@login_required
def new_meetings(programme_id: int):
    return _webinar_step(programme_id, "meetings")


def _webinar_step(programme_id: int, step: str):
    programme = _network_programme(programme_id)
    form_class, title, create = STEPS[step]
    form = form_class()
    if form.validate_on_submit():
        try:
            sessions = create(current_user, programme, form)
        except network.NetworkRefused as refused:
            form.form_errors.append(str(refused))
        else:
            flash(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} scheduled for "
                  f"the experts of {programme.name}.", "success")
            return _after_network(programme)
    return render_template("experts/manage/webinar_form.html", form=form, step=step,
                           title=title, programme=programme, zone_name=times.zone().key), \
        422 if form.errors or form.form_errors else 200


@bp.post("/manage/<int:programme_id>/board")
@login_required
def new_board(programme_id: int):
    programme = _network_programme(programme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        board = network.create_board(current_user, programme)
    except network.NetworkRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"The board “{board.name}” is ready for the experts.", "success")
    return _after_network(programme)


def _after_network(programme: Programme):
    """Back to the experts' page, or for staff who do not coordinate the programme, to
    the programme's set-up page."""
    if permissions.can_oversee_experts(current_user, programme):
        return redirect(url_for("experts.oversee", programme_id=programme.id,
                                _anchor="network"), 303)
    return redirect(url_for("programmes.setup", programme_id=programme.id,
                            _anchor="experts"), 303)
