"""The one place the expert views find an expert, an introduction, a request or a programme
and check who may see it (rules in portal.permissions).

A learner's introduction and an expert's requests are private to them: anyone else gets
404. An expert's page is for anyone signed in while the expert is on the list (or was
listed and is paused or full); once off the list it is theirs and the organiser's alone.
"""
from flask import abort
from flask_login import current_user

from portal import permissions
from portal.blueprints.experts.availability import OFF, availability
from portal.blueprints.experts.models import (
    Expert,
    Introduction,
    IntroductionRequest,
    Specialism,
    SpecialismArea,
    WorkbookItem,
)
from portal.blueprints.programmes.models import OPEN, Programme
from portal.db import utcnow


def standing_of(expert: Expert, now=None) -> str:
    """The availability of a row of Expert.with_standing()."""
    now = now or utcnow()
    return availability(expert, expert.learners, bool(expert.is_silent), expert.is_ready,
                        now.date())


def get_expert_or_404(expert_id: int) -> Expert:
    """An expert with their standing, for their public page."""
    now = utcnow()
    expert = Expert.with_standing(now).where(Expert.id == expert_id).first() or abort(404)
    expert.programme.load_coordinator_ids()
    expert.state = standing_of(expert, now)
    public = expert.is_ready and expert.state != OFF and expert.programme.published
    if not (public or permissions.can_edit_expert_profile(current_user, expert)
            or permissions.can_oversee_experts(current_user, expert.programme)):
        abort(404)
    return expert


def get_open_programme_or_404(programme_id: int) -> Programme:
    programme = (Programme.get_or_none(Programme.id == programme_id, Programme.kind == OPEN)
                 or abort(404))
    programme.load_coordinator_ids()
    return programme


def get_overseen_programme_or_404(programme_id: int) -> Programme:
    """An open programme, for whoever oversees its experts (403 for anyone else)."""
    programme = get_open_programme_or_404(programme_id)
    permissions.require(permissions.can_oversee_experts, current_user, programme)
    return programme


def get_introduction_or_404(introduction_id: int) -> Introduction:
    introduction = (Introduction.select(Introduction, Programme).join(Programme)
                    .where(Introduction.id == introduction_id).first()) or abort(404)
    permissions.reveal(permissions.can_view_introduction, current_user, introduction)
    return introduction


def get_request_for_expert_or_404(request_id: int) -> IntroductionRequest:
    """A request with its people, for the expert it was sent to."""
    row = (IntroductionRequest.with_people().where(IntroductionRequest.id == request_id)
           .first()) or abort(404)
    permissions.reveal(permissions.can_answer_introduction, current_user, row)
    return row


def get_learner_request_or_404(request_id: int) -> IntroductionRequest:
    row = (IntroductionRequest.with_people().where(IntroductionRequest.id == request_id)
           .first()) or abort(404)
    permissions.reveal(permissions.can_view_introduction, current_user, row.introduction)
    return row


def _manager() -> None:
    permissions.require(permissions.can_manage_specialisms, current_user)


def get_area_or_404(area_id: int) -> SpecialismArea:
    _manager()
    return SpecialismArea.get_or_none(SpecialismArea.id == area_id) or abort(404)


def get_specialism_or_404(specialism_id: int) -> Specialism:
    _manager()
    return (Specialism.select(Specialism, SpecialismArea).join(SpecialismArea)
            .where(Specialism.id == specialism_id).first()) or abort(404)


def get_item_or_404(item_id: int) -> WorkbookItem:
    _manager()
    return (WorkbookItem.select(WorkbookItem, Specialism).join(Specialism)
            .where(WorkbookItem.id == item_id).first()) or abort(404)
