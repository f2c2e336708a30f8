"""The one place the mentoring views find a relationship or cohort and check who may see it.

A pair's space is private: anyone who may not see a relationship gets 404, never 403, so
nobody learns which pairs exist. Its two people read it once released (and keep it as their
record after closing); only the programme's named coordinators see the pair list, and that
list shows dates, counts and status, never words.
"""
from flask import abort
from flask_login import current_user

from portal import permissions
from portal.blueprints.mentoring.models import DRAFT, Relationship
from portal.blueprints.programmes.models import Cohort, Programme


def _relationship_or_404(relationship_id: int) -> Relationship:
    rel = (Relationship.with_people().where(Relationship.id == relationship_id,
                                            Relationship.status != DRAFT)
           .first()) or abort(404)
    rel.programme.load_coordinator_ids()
    return rel


def get_pair_or_404(relationship_id: int) -> Relationship:
    """A relationship with both people and its programme, for the pair to read."""
    rel = _relationship_or_404(relationship_id)
    permissions.reveal(permissions.can_view_pair, current_user, rel)
    return rel


def get_open_pair_or_404(relationship_id: int) -> Relationship:
    """A relationship the pair may still write in (released or active)."""
    rel = _relationship_or_404(relationship_id)
    permissions.reveal(permissions.can_view_pair, current_user, rel)
    if not permissions.can_work_in_pair(current_user, rel):
        abort(409)
    return rel


def get_closable_pair_or_404(relationship_id: int) -> Relationship:
    """A relationship its people or its coordinators may close."""
    rel = _relationship_or_404(relationship_id)
    if not (permissions.can_view_pair(current_user, rel)
            or permissions.can_oversee_pairs(current_user, rel.programme)):
        abort(404)
    permissions.require(permissions.can_close_pair, current_user, rel)
    return rel


def get_overseen_cohort_or_404(cohort_id: int) -> Cohort:
    """A cohort with its programme, for the programme's coordinators."""
    cohort = (Cohort.select(Cohort, Programme).join(Programme)
              .where(Cohort.id == cohort_id).first()) or abort(404)
    cohort.programme.load_coordinator_ids()
    permissions.reveal(permissions.can_oversee_pairs, current_user, cohort.programme)
    return cohort
