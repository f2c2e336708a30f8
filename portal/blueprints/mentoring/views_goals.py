"""The pair's goals and the workbook: add a goal, change one's own, sign it off as
achieved with what was learned, countersign the other person's, and read (and print) the
workbook of signed-off goals. Every action is a plain form that works without JavaScript
(POST, then back to the pair page; or 422 with the input kept and an error summary); with
htmx it answers in place (the section, or the one goal).

Nobody outside the pair reaches these routes (404, coordinators and admins included);
the other person's private goal is 404 too; a goal one may see but not change is 403."""
import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.mentoring import goals
from portal.blueprints.mentoring import services_goals as svc
from portal.blueprints.mentoring.forms_goals import (
    NEW_PREFIX,
    EditGoalForm,
    GoalForm,
    SignOffForm,
)
from portal.blueprints.mentoring.loaders import get_open_pair_or_404, get_pair_or_404
from portal.blueprints.mentoring.models import Goal
from portal.blueprints.mentoring.views import bp
from portal.forms import EmptyForm
from portal.htmx import render_page_or_fragment, wants_fragment, with_flashes


def get_goal_for_or_404(relationship_id: int, goal_id: int, rule):
    """The pair (open) and one of its goals the current person may see, then `rule`
    (403 when they may see it but not do this)."""
    rel = get_open_pair_or_404(relationship_id)
    goal = goals.get_goal_or_404(rel, current_user, goal_id)
    permissions.require(rule, current_user, rel, goal)
    return rel, goal


def _section(rel, status: int = 200, goal_form: GoalForm | None = None):
    context = goals.section_context(rel, current_user, dt.date.today(), goal_form=goal_form)
    return with_flashes(render_template("mentoring/_goals.html", rel=rel,
                                        partner=rel.partner_of(current_user), **context)), status


def _item(rel, goal_id: int, status: int = 200):
    goal = goals.get_goal_or_404(rel, current_user, goal_id)
    return with_flashes(render_template("mentoring/_goals_item.html", rel=rel,
                                        goal=goal)), status


def _done(rel, goal_id: int):
    """After a change to one goal: the goal in place, or the pair page at the goal."""
    if wants_fragment():
        return _item(rel, goal_id)
    return redirect(url_for("mentoring.show", relationship_id=rel.id,
                            _anchor=f"goal-{goal_id}"), 303)


@bp.post("/<int:relationship_id>/goals")
@login_required
def add_goal(relationship_id):
    rel = get_open_pair_or_404(relationship_id)
    permissions.require(permissions.can_set_goals, current_user, rel)
    form = GoalForm(prefix=NEW_PREFIX, today=dt.date.today())
    if form.validate_on_submit():
        try:
            goal = svc.add_goal(rel, current_user, form.title.data, form.success_criteria.data,
                                form.target_date.data, form.shared)
        except svc.GoalRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Your goal “{goal.title}” has been added.", "success")
            if wants_fragment():
                return _section(rel)
            return redirect(url_for("mentoring.show", relationship_id=rel.id,
                                    _anchor=f"goal-{goal.id}"), 303)
    if wants_fragment():
        return _section(rel, 422, goal_form=form)
    return render_template("mentoring/goals_new.html", rel=rel, form=form,
                           partner=rel.partner_of(current_user)), 422


@bp.get("/<int:relationship_id>/goals/<int:goal_id>")
@login_required
def show_goal(relationship_id, goal_id):
    """One goal: what "Cancel" on an in-place form puts back."""
    rel = get_pair_or_404(relationship_id)
    if not wants_fragment():
        goals.get_goal_or_404(rel, current_user, goal_id)
        return redirect(url_for("mentoring.show", relationship_id=rel.id,
                                _anchor=f"goal-{goal_id}"), 303)
    return _item(rel, goal_id)


@bp.route("/<int:relationship_id>/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_goal(relationship_id, goal_id):
    rel, goal = get_goal_for_or_404(relationship_id, goal_id, permissions.can_edit_goal)
    form = EditGoalForm(prefix=f"goal-{goal.id}", today=dt.date.today(),
                        current=goal.target_date,
                        data=GoalForm.data_of(goal) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            svc.edit_goal(goal, current_user, form.title.data, form.success_criteria.data,
                          form.target_date.data, form.status.data, form.shared)
        except svc.GoalRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Your goal has been saved.", "success")
            return _done(rel, goal.id)
    return render_page_or_fragment("mentoring/goals_edit.html", "mentoring/_goals_edit.html",
                                   422 if form.errors or form.form_errors else 200,
                                   rel=rel, goal=goal, form=form)


@bp.route("/<int:relationship_id>/goals/<int:goal_id>/sign-off", methods=["GET", "POST"])
@login_required
def sign_off_goal(relationship_id, goal_id):
    rel, goal = get_goal_for_or_404(relationship_id, goal_id, permissions.can_edit_goal)
    form = SignOffForm(prefix=f"sign-off-{goal.id}")
    if form.validate_on_submit():
        try:
            svc.sign_off_goal(goal, current_user, form.learned.data)
        except svc.GoalRefused as exc:
            form.learned.errors.append(str(exc))
        else:
            flash(f"Signed off: “{goal.title}” is in your workbook.", "success")
            return _done(rel, goal.id)
    return render_page_or_fragment(
        "mentoring/goals_sign_off.html", "mentoring/_goals_sign_off.html",
        422 if form.errors else 200, rel=rel, goal=goal, form=form)


@bp.post("/<int:relationship_id>/goals/<int:goal_id>/countersign")
@login_required
def countersign_goal(relationship_id, goal_id):
    rel, goal = get_goal_for_or_404(relationship_id, goal_id,
                                    permissions.can_countersign_goal)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.countersign_goal(goal, current_user)
    except svc.GoalRefused as exc:
        flash(str(exc), "error")
        return _item(rel, goal.id, 422) if wants_fragment() else _done(rel, goal.id)
    owner = goal.owner.name if goal.owner else "the learner"
    flash(f"You have countersigned “{goal.title}” for {owner}.", "success")
    return _done(rel, goal.id)


@bp.get("/<int:relationship_id>/workbook")
@login_required
def workbook(relationship_id):
    rel = get_pair_or_404(relationship_id)
    return render_template("mentoring/workbook.html", rel=rel,
                           partner=rel.partner_of(current_user),
                           entries=list(Goal.workbook_for(current_user, rel)),
                           today=dt.date.today())
