"""The one place the evaluation views find a programme, survey or cohort and check who may
see it. Members never learn the staff pages exist (404); staff know programmes exist, so a
staff member who does not coordinate the programme gets 403, as on the review pages."""
from flask import abort
from flask_login import current_user

from portal import permissions
from portal.blueprints.evaluation.models import Survey
from portal.blueprints.programmes.models import Cohort, Programme


def _staff_only() -> None:
    if not permissions.is_staff(current_user):
        abort(404)


def get_programme_or_404(programme_id: int, rule=permissions.can_evaluate) -> Programme:
    _staff_only()
    programme = Programme.get_or_none(Programme.id == programme_id) or abort(404)
    programme.load_coordinator_ids()
    permissions.require(rule, current_user, programme)
    return programme


def get_survey_or_404(survey_id: int) -> Survey:
    """A survey with its programme, for the people who evaluate the programme."""
    _staff_only()
    survey = (Survey.select(Survey, Programme).join(Programme)
              .where(Survey.id == survey_id).first()) or abort(404)
    survey.programme.load_coordinator_ids()
    permissions.require(permissions.can_evaluate, current_user, survey.programme)
    return survey


def get_cohort_or_404(cohort_id: int, programme: Programme | None = None) -> Cohort:
    """A cohort with its programme (of `programme`, when given), for its evaluators."""
    _staff_only()
    cohort = (Cohort.select(Cohort, Programme).join(Programme)
              .where(Cohort.id == cohort_id).first()) or abort(404)
    if programme is not None and cohort.programme_id != programme.id:
        abort(404)
    cohort.programme.load_coordinator_ids()
    permissions.require(permissions.can_evaluate, current_user, cohort.programme)
    return cohort
