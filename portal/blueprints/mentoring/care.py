"""What the pair page shows about the care of the relationship: the mentee's leave phase,
this person's unanswered check-in, how to end it, and once ended the closing questions and
(for the mentee) the pay-it-forward invitation. At most three queries, whatever the data."""
import datetime as dt

from portal.blueprints.evaluation import invitations
from portal.blueprints.mentoring import phases, services_checkins
from portal.blueprints.mentoring.forms_care import CheckInForm
from portal.blueprints.mentoring.models import CLOSED, ClosingAnswer
from portal.blueprints.programmes.models import (
    MENTOR,
    Application,
    Cohort,
    EligibilityRule,
    ProgrammeRole,
)
from portal.blueprints.programmes.rules import LEAVE_AHEAD
from portal.db import utcnow


def section_context(rel, user, today) -> dict:
    """The template variables of the pair page's care section: a fixed number of queries."""
    is_mentee = user.id == rel.mentee_id
    context = {"leave": _leave(rel, today), "is_mentee": is_mentee,
               "may_edit_leave": False, "checkin": None, "checkin_form": None,
               "closing_answered": False, "pay_it_forward": None,
               "closed_by_name": _closer_name(rel)}
    if rel.is_open:
        context["may_edit_leave"] = is_mentee and (
            context["leave"] is not None or _has_leave_rule(rel.programme_id))
        context["checkin"] = services_checkins.pending_for(user.id, rel.id, utcnow())
        if context["checkin"] is not None:
            context["checkin_form"] = CheckInForm(formdata=None, prefix="checkin")
    elif rel.status == CLOSED:
        context["closing_answered"] = (ClosingAnswer.select().where(
            ClosingAnswer.relationship == rel.id, ClosingAnswer.person == user.id).exists()
            or invitations.closing_invitation_answered(rel.id, user.id))
        if is_mentee:
            context["pay_it_forward"] = _pay_it_forward(rel, user, today)
    return context


def _leave(rel, today: dt.date) -> dict | None:
    phase = phases.leave_phase(rel, today)
    if phase is None:
        return None
    return {"phase": phase, "label": phases.PHASE_LABELS[phase], "starts": rel.leave_starts,
            "returns": rel.leave_returns, "keep_in_touch": rel.keep_in_touch,
            "paused": phases.is_paused(rel, today)}


def _has_leave_rule(programme_id: int) -> bool:
    """The programme asks its mentees about leave ahead: they may add their dates."""
    return (EligibilityRule.select().join(ProgrammeRole)
            .where(ProgrammeRole.programme == programme_id, EligibilityRule.kind == LEAVE_AHEAD)
            .exists())


def _closer_name(rel) -> str:
    if rel.closed_by_id is None:
        return ""
    if rel.closed_by_id == rel.mentor_id:
        return rel.mentor.name
    if rel.closed_by_id == rel.mentee_id:
        return rel.mentee.name
    return "the programme team"


def _pay_it_forward(rel, user, today: dt.date) -> dict | None:
    """The next cohort to apply to as a mentor, unless this person already has: as the
    dashboard's invitation (services_pay_it_forward) shows it. Two queries."""
    applied = (Application.select().where(Application.applicant == user.id,
                                          Application.programme == rel.programme_id,
                                          Application.role == MENTOR).exists())
    if applied:
        return None
    upcoming = [c for c in Cohort.current_for([rel.programme_id], today)
                if c.recruitment_closes >= today]
    cohort = upcoming[0] if upcoming else None
    return {"next_cohort": cohort,
            "recruiting": cohort is not None and cohort.is_recruiting(today)}
