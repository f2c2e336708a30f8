"""The expert network of an open programme, each part made in one step from the programme:
induction sessions (attending one is what lets an expert be listed), a series of informal
expert meetings, and the experts' board. The webinars and the board are for the
programme's expert group, which accepted applications keep in step.

As the cohort webinars (programmes/services_webinars.py) do: each function is one
transaction holding the webinars, their audience, the ExpertWebinar rows and the audit row.
"""
import dataclasses

from portal import audience
from portal.audit import AuditEntry
from portal.blueprints.boards import services as boards
from portal.blueprints.experts.models import INDUCTION, MEETING, ExpertBoard, ExpertWebinar
from portal.blueprints.programmes.models import Programme
from portal.blueprints.programmes.services_webinars import shifted
from portal.blueprints.webinars import services_staff
from portal.blueprints.webinars.models import WebinarSession
from portal.blueprints.webinars.services_staff import SessionDetails
from portal.db import db

MAX_INDUCTIONS = 6


class NetworkRefused(ValueError):
    """A step that cannot be taken; the message says why, in words."""


def _for_experts(details: SessionDetails, programme: Programme) -> SessionDetails:
    if not programme.is_open or programme.mentors_group_id is None:
        raise NetworkRefused("Only an always-open programme has an expert network")
    return dataclasses.replace(details, audience_value=audience.GROUPS,
                               group_ids=[programme.mentors_group_id])


def _record(actor, programme: Programme, purpose: str, sessions) -> list[WebinarSession]:
    sessions = list(sessions)
    ExpertWebinar.insert_many([{"programme": programme.id, "session": s.id, "purpose": purpose}
                               for s in sessions]).execute()
    AuditEntry.record(actor, f"experts.{purpose}", programme, {},
                      {"sessions": [s.id for s in sessions]})
    return sessions


def create_induction(actor, programme: Programme, details: SessionDetails, *,
                     sessions: int, weeks_apart: int) -> list[WebinarSession]:
    """`sessions` induction sessions, `weeks_apart` weeks apart: an expert attends one."""
    if not 1 <= sessions <= MAX_INDUCTIONS:
        raise NetworkRefused(f"Schedule 1 to {MAX_INDUCTIONS} induction sessions")
    with db.atomic():
        base = _for_experts(details, programme)
        made = [services_staff.create_session(actor, shifted(base, 7 * weeks_apart * n))
                for n in range(sessions)]
        return _record(actor, programme, INDUCTION, made)


def create_meetings(actor, programme: Programme, details: SessionDetails, *,
                    cadence_weeks: int, months: int) -> list[WebinarSession]:
    """Informal expert meetings every `cadence_weeks` weeks for `months` months."""
    with db.atomic():
        series = services_staff.create_series(actor, _for_experts(details, programme),
                                              cadence_weeks=cadence_weeks, months=months)
        made = (WebinarSession.select().where(WebinarSession.series == series)
                .order_by(WebinarSession.starts_at, WebinarSession.id))
        return _record(actor, programme, MEETING, made)


def create_board(actor, programme: Programme):
    """The experts' board, seen by the expert group alone. One per programme."""
    with db.atomic():
        if ExpertBoard.select().where(ExpertBoard.programme == programme.id).exists():
            raise NetworkRefused(f"{programme.name} already has its experts' board")
        if not programme.is_open or programme.mentors_group_id is None:
            raise NetworkRefused("Only an always-open programme has an expert network")
        board = boards.save_board(
            actor, None, name=f"{programme.name}: expert network",
            description=f"For the experts of {programme.name}: ask each other, share what "
                        "works, and hear about the expert meetings.",
            audience_value=audience.GROUPS, group_ids=[programme.mentors_group_id],
            position=0)
        ExpertBoard.create(programme=programme.id, board=board.id)
    return board
