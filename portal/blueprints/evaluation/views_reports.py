"""Reports: equality figures per cohort (or per open programme) as a page and a CSV file
with the same protected cells, for the programme's coordinators and admins; and a cohort's
printable outcome summary, its introduction, and publishing it to the hub in one step."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import permissions
from portal.blueprints.evaluation import equality, summary
from portal.blueprints.evaluation.forms import EqualityFilterForm, IntroForm, PublishForm
from portal.blueprints.evaluation.loaders import get_cohort_or_404, get_programme_or_404
from portal.blueprints.evaluation.views import bp
from portal.spreadsheets import csv_response

PUBLISHED_MESSAGES = {
    "published": "The summary is published in the hub.",
    "updated": "The hub article is updated with the summary as it stands.",
    "submitted": "The summary is in the hub as an article waiting for another member of "
                 "staff to approve it.",
}


def _equality_context(programme_id: int) -> dict:
    programme = get_programme_or_404(programme_id, permissions.can_see_equality_report)
    cohorts = [] if programme.is_open else list(programme.cohort_list())
    form = EqualityFilterForm(request.args, cohorts=cohorts,
                              role_names={r.key: r.name for r in programme.role_rows()})
    form.validate()
    cohort = next((c for c in cohorts if c.id == form.cohort.data), None) or (
        cohorts[0] if cohorts else None)
    if cohort is not None:
        form.cohort.data = cohort.id
    if not programme.is_open and cohort is None:
        abort(404)
    role = form.role.data or ""
    return {"programme": programme, "cohort": cohort, "form": form, "role": role,
            "breakdowns": equality.report(programme.id, cohort.id if cohort else None, role),
            "stages": equality.STAGE_LABELS}


@bp.get("/programmes/<int:programme_id>/equality")
@login_required
def equality_report(programme_id: int):
    return render_template("evaluation/equality.html", **_equality_context(programme_id))


@bp.get("/programmes/<int:programme_id>/equality.csv")
@login_required
def equality_csv(programme_id: int):
    context = _equality_context(programme_id)
    scope = context["cohort"].name if context["cohort"] else "all"
    return csv_response(["Question", "Answer", *equality.STAGE_LABELS.values()],
                        equality.csv_rows(context["breakdowns"]),
                        f"equality-{context['programme'].name}-{scope}.csv")


def _summary_page(cohort, intro_form=None, publish_form=None, status: int = 200):
    built = summary.build(cohort)
    intro = intro_form or IntroForm(intro=built.record.intro if built.record else "")
    return render_template("evaluation/summary.html", summary=built, cohort=cohort,
                           programme=cohort.programme, intro_form=intro,
                           publish_form=publish_form or PublishForm()), status


@bp.get("/cohorts/<int:cohort_id>/summary")
@login_required
def outcome_summary(cohort_id: int):
    return _summary_page(get_cohort_or_404(cohort_id))


@bp.post("/cohorts/<int:cohort_id>/summary/intro")
@login_required
def summary_intro(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id)
    form = IntroForm()
    if not form.validate_on_submit():
        return _summary_page(cohort, intro_form=form, status=422)
    summary.save_intro(current_user, cohort.id, form.intro.data or "")
    flash("Introduction saved.", "success")
    return redirect(url_for("evaluation.outcome_summary", cohort_id=cohort.id), 303)


@bp.post("/cohorts/<int:cohort_id>/summary/publish")
@login_required
def publish_summary(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _summary_page(cohort, publish_form=form, status=422)
    article, outcome = summary.publish(current_user, cohort, form.audience.data)
    flash(PUBLISHED_MESSAGES[outcome], "success")
    return redirect(url_for("evaluation.outcome_summary", cohort_id=cohort.id,
                            _anchor="publish"), 303)
