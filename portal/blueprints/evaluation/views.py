"""Evaluation: a programme's surveys, building one, and opening and closing it. The
results, reports and answering pages live in views_results, views_reports and
views_respond, on this blueprint. Every form posts and redirects; a refused one comes back
with 422, the input kept and an error summary."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.evaluation import services_surveys as surveys
from portal.blueprints.evaluation.forms import QuestionForm, SurveyForm
from portal.blueprints.evaluation.loaders import get_programme_or_404, get_survey_or_404
from portal.blueprints.evaluation.models import (
    ANONYMITY,
    STATUS_LABELS,
    Survey,
    SurveyQuestion,
)
from portal.forms import EmptyForm

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


def _role_names(programme) -> dict[str, str]:
    return {r.key: r.name for r in programme.role_rows()}


def _details(form: SurveyForm) -> surveys.SurveyDetails:
    return surveys.SurveyDetails(title=form.title.data, moment=form.moment.data,
                                 anonymity=form.anonymity.data, intro=form.intro.data or "",
                                 role=form.role.data or "",
                                 follow_up_months=form.follow_up_months.data)


def _question(form: QuestionForm) -> surveys.QuestionDetails:
    return surveys.QuestionDetails(text=form.text.data, kind=form.kind.data,
                                   required=form.required.data, options=form.options.data or "")


@bp.get("/programmes/<int:programme_id>")
@login_required
def programme(programme_id: int):
    programme = get_programme_or_404(programme_id)
    cohorts = [] if programme.is_open else list(programme.cohort_list())
    return render_template("evaluation/programme.html", programme=programme,
                           surveys=list(Survey.of_programme(programme.id)), cohorts=cohorts,
                           status_labels=STATUS_LABELS, anonymity=ANONYMITY)


@bp.route("/programmes/<int:programme_id>/surveys/new", methods=["GET", "POST"])
@login_required
def new_survey(programme_id: int):
    programme = get_programme_or_404(programme_id)
    form = SurveyForm(role_names=_role_names(programme))
    if form.validate_on_submit():
        try:
            survey = surveys.create_survey(current_user, programme.id, _details(form))
        except surveys.SurveyRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Survey “{survey.title}” created. Add its questions.", "success")
            return redirect(url_for("evaluation.survey", survey_id=survey.id), 303)
    return render_template("evaluation/survey_form.html", form=form, programme=programme,
                           survey=None), 422 if form.errors or form.form_errors else 200


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit_survey(survey_id: int):
    survey = get_survey_or_404(survey_id)
    form = SurveyForm(obj=survey if request.method == "GET" else None,
                      role_names=_role_names(survey.programme))
    if form.validate_on_submit():
        try:
            surveys.update_survey(current_user, survey.id, _details(form))
        except surveys.SurveyRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("evaluation.survey", survey_id=survey.id), 303)
    return render_template("evaluation/survey_form.html", form=form, programme=survey.programme,
                           survey=survey), 422 if form.errors or form.form_errors else 200


def _survey_page(survey, question_form=None, status: int = 200):
    programme = survey.programme
    return render_template(
        "evaluation/survey.html", survey=survey, programme=programme,
        questions=list(survey.question_rows()), form=question_form or QuestionForm(),
        empty_form=EmptyForm(), anonymity=ANONYMITY, status_labels=STATUS_LABELS,
        role_names=_role_names(programme),
        cohorts=[] if programme.is_open else list(programme.cohort_list())), status


@bp.get("/surveys/<int:survey_id>")
@login_required
def survey(survey_id: int):
    return _survey_page(get_survey_or_404(survey_id))


@bp.post("/surveys/<int:survey_id>/questions")
@login_required
def add_question(survey_id: int):
    survey = get_survey_or_404(survey_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            surveys.add_question(current_user, survey.id, _question(form))
        except surveys.SurveyRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Question added.", "success")
            return redirect(url_for("evaluation.survey", survey_id=survey.id,
                                    _anchor="questions"), 303)
    return _survey_page(survey, form, 422)


def _question_or_404(survey, question_id: int) -> SurveyQuestion:
    return SurveyQuestion.get_or_none(SurveyQuestion.id == question_id,
                                      SurveyQuestion.survey == survey.id) or abort(404)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(survey_id: int, question_id: int):
    survey = get_survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    form = QuestionForm(obj=question if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            surveys.update_question(current_user, question.id, _question(form))
        except surveys.SurveyRefused as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Question saved.", "success")
            return redirect(url_for("evaluation.survey", survey_id=survey.id,
                                    _anchor="questions"), 303)
    return render_template("evaluation/question_form.html", form=form, survey=survey,
                           question=question), 422 if form.errors or form.form_errors else 200


def _question_action(survey_id: int, question_id: int, action, done: str):
    survey = get_survey_or_404(survey_id)
    question = _question_or_404(survey, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(question)
    except surveys.SurveyRefused as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("evaluation.survey", survey_id=survey.id, _anchor="questions"), 303)


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(survey_id: int, question_id: int):
    return _question_action(survey_id, question_id,
                            lambda q: surveys.delete_question(current_user, q.id),
                            "Question removed.")


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/up")
@login_required
def move_up(survey_id: int, question_id: int):
    return _question_action(survey_id, question_id,
                            lambda q: surveys.move_question(current_user, q.id, -1),
                            "Question moved up.")


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/down")
@login_required
def move_down(survey_id: int, question_id: int):
    return _question_action(survey_id, question_id,
                            lambda q: surveys.move_question(current_user, q.id, 1),
                            "Question moved down.")


def _status_change(survey_id: int, change, done: str):
    survey = get_survey_or_404(survey_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        change(current_user, survey.id)
    except surveys.SurveyRefused as exc:
        flash(str(exc), "error")
    else:
        flash(done.format(title=survey.title), "success")
    return redirect(url_for("evaluation.survey", survey_id=survey.id), 303)


@bp.post("/surveys/<int:survey_id>/open")
@login_required
def open_survey(survey_id: int):
    return _status_change(survey_id, surveys.open_survey,
                          "“{title}” is open: invitations go out at its moment.")


@bp.post("/surveys/<int:survey_id>/close")
@login_required
def close_survey(survey_id: int):
    return _status_change(survey_id, surveys.close_survey,
                          "“{title}” is closed: no more invitations or answers.")

