"""The care section's pages: the mentee's leave details, closing the relationship (either
person, or a programme coordinator from the pair list), and each person's closing
questions (the programme's closing survey when it has an open one, else the built-in
questions). Each is a plain form page: POST, then a redirect; a refused form comes back
with 422, the person's input and an error summary."""
import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.evaluation import invitations
from portal.blueprints.mentoring import care, services_closing, services_leave
from portal.blueprints.mentoring.forms_care import CloseForm, ClosingQuestionsForm, LeaveForm
from portal.blueprints.mentoring.loaders import (
    get_closable_pair_or_404,
    get_open_pair_or_404,
    get_pair_or_404,
)
from portal.blueprints.mentoring.models import CLOSED, ClosingAnswer
from portal.blueprints.mentoring.views import bp


def render_care(rel, status: int = 200):
    """The care section alone, for htmx swaps after an action in it."""
    today = dt.date.today()
    return render_template("mentoring/_care.html", rel=rel, partner=rel.partner_of(current_user),
                           today=today, **care.section_context(rel, current_user, today)), status


def _pair_page(rel, anchor: str):
    return redirect(url_for("mentoring.show", relationship_id=rel.id, _anchor=anchor), 303)


@bp.route("/<int:relationship_id>/leave", methods=["GET", "POST"])
@login_required
def leave(relationship_id: int):
    rel = get_open_pair_or_404(relationship_id)
    permissions.require(permissions.can_edit_leave, current_user, rel)
    form = LeaveForm(obj=rel if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services_leave.save_leave(current_user.id, rel.id, form.leave_starts.data,
                                      form.leave_returns.data, form.keep_in_touch.data)
        except services_leave.LeaveRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Your leave details are saved.", "success")
            return _pair_page(rel, "leave-phase")
    return render_template("mentoring/care_leave.html", rel=rel, form=form,
                           partner=rel.partner_of(current_user)), 422 if form.errors else 200


@bp.route("/<int:relationship_id>/close", methods=["GET", "POST"])
@login_required
def close(relationship_id: int):
    rel = get_closable_pair_or_404(relationship_id)
    in_pair = rel.involves(current_user)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services_closing.close(current_user, rel.id, form.reason.data)
        except services_closing.ClosingRefused as exc:
            form.form_errors.append(str(exc))
        else:
            told = rel.partner_of(current_user).name if in_pair else "both of them"
            flash(f"The mentoring of {rel.mentor.name} and {rel.mentee.name} is closed. "
                  f"We have told {told} by email.", "success")
            if in_pair:
                return redirect(url_for("mentoring.closing", relationship_id=rel.id), 303)
            return redirect(url_for("mentoring.pairs", cohort_id=rel.cohort_id)
                            if rel.cohort_id else url_for("home.dashboard"), 303)
    return render_template("mentoring/close.html", rel=rel, form=form, in_pair=in_pair,
                           partner=rel.partner_of(current_user) if in_pair else None
                           ), 422 if form.errors or form.form_errors else 200


@bp.route("/<int:relationship_id>/closing", methods=["GET", "POST"])
@login_required
def closing(relationship_id: int):
    rel = get_pair_or_404(relationship_id)
    if rel.status != CLOSED:
        return _pair_page(rel, "close")
    survey_link = invitations.closing_link(rel.id, current_user.id)
    if survey_link:
        return redirect(survey_link, 303)
    answered = invitations.closing_invitation_answered(rel.id, current_user.id) or (
        ClosingAnswer.select().where(ClosingAnswer.relationship == rel.id,
                                     ClosingAnswer.person == current_user.id).exists())
    form = ClosingQuestionsForm()
    if answered and request.method == "POST":
        flash("You have already answered the closing questions.", "success")
        return _pair_page(rel, "close")
    if not answered and form.validate_on_submit():
        try:
            services_closing.answer_closing(current_user.id, rel.id, form.usefulness.data,
                                            form.goals_met.data, form.advice.data)
        except services_closing.ClosingRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Thank you: your answers help us improve the programme.", "success")
            return _pair_page(rel, "close")
    return render_template("mentoring/closing.html", rel=rel, form=form, answered=answered,
                           partner=rel.partner_of(current_user)
                           ), 422 if form.errors or form.form_errors else 200
