"""A survey's results per cohort, and hiding or quoting its free-text answers.

The page shows each question's answers as a chart (SVG drawn here, no script) with the same
numbers in a table beside it, the previous cohort's beside this one's, the change since the
baseline, and the free-text answers with their buttons. Every count on it is protected
(results.py). A free-text answer's buttons post and come back to the page; with htmx the
answer's item alone is swapped."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.blueprints.evaluation import results, services_answers
from portal.blueprints.evaluation.loaders import get_cohort_or_404, get_survey_or_404
from portal.blueprints.evaluation.models import SurveyQuestion, SurveyResponse
from portal.blueprints.evaluation.views import bp
from portal.forms import EmptyForm
from portal.htmx import wants_fragment, with_flashes


def _cohort(survey, cohort_id: int | None):
    """The cohort asked for, else the programme's latest; None for an open programme."""
    if survey.programme.is_open:
        return None
    if cohort_id is not None:
        return get_cohort_or_404(cohort_id, survey.programme)
    latest = survey.programme.cohort_list().first()
    return get_cohort_or_404(latest.id) if latest else None


@bp.get("/surveys/<int:survey_id>/results")
@login_required
def survey_results(survey_id: int):
    survey = get_survey_or_404(survey_id)
    cohort = _cohort(survey, request.args.get("cohort", type=int))
    if cohort is None and not survey.programme.is_open:
        abort(404)
    return render_template(
        "evaluation/results.html", survey=survey, programme=survey.programme,
        results=results.survey_results(survey, cohort), empty_form=EmptyForm(),
        cohorts=[] if survey.programme.is_open else list(survey.programme.cohort_list()))


TOGGLES = {"hide": ("hidden", True, "Hidden: it will not be shared."),
           "show": ("hidden", False, "Shown again."),
           "quote": ("quoted", True, "Quoted in the outcome summary."),
           "unquote": ("quoted", False, "No longer quoted.")}


@bp.post("/surveys/<int:survey_id>/answers/<int:response_id>/<int:question_id>/<action>")
@login_required
def toggle_answer(survey_id: int, response_id: int, question_id: int, action: str):
    survey = get_survey_or_404(survey_id)
    if action not in TOGGLES or not EmptyForm().validate_on_submit():
        abort(400 if action in TOGGLES else 404)
    column, on, done = TOGGLES[action]
    change = services_answers.set_hidden if column == "hidden" else services_answers.set_quoted
    if not change(current_user, survey.id, response_id, question_id, on):
        abort(404)
    flash(done, "success")
    response = SurveyResponse.get_by_id(response_id)
    if wants_fragment():
        question = SurveyQuestion.get_by_id(question_id)
        item = results.TextItem(response.id, response.answer_map[str(question.id)],
                                question.id in response.hidden_ids,
                                question.id in response.quoted_ids)
        return with_flashes(render_template("evaluation/_text_item.html", survey=survey,
                                            question=question, item=item,
                                            empty_form=EmptyForm()))
    return redirect(url_for("evaluation.survey_results", survey_id=survey.id,
                            cohort=response.cohort_id, _anchor=f"text-{question_id}"), 303)
