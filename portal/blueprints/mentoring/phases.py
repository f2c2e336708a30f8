"""Where a relationship stands in the mentee's leave, from its dates alone (no queries).

Programmes with leave rules support a mentee "from the weeks leading up to leave until they
have fully transitioned back". The phases, in order:

- preparing: before the leave starts;
- on leave: from the start until RETURNING_WEEKS before the expected return;
- returning: from then until SETTLED_WEEKS after the return;
- back at work: afterwards.

While the mentee is on leave, reminders and inactivity nudges pause unless they chose
keep-in-touch contact. Relationships without leave dates have no phase.
"""
import datetime as dt

PREPARING, ON_LEAVE, RETURNING, BACK = "preparing", "on_leave", "returning", "back"
PHASE_LABELS = {PREPARING: "Preparing for leave", ON_LEAVE: "On leave",
                RETURNING: "Returning to work", BACK: "Back at work"}
RETURNING_WEEKS = 4  # the return prompt goes out at the start of "returning"
SETTLED_WEEKS = 8


def leave_phase(rel, today: dt.date) -> str | None:
    if rel.leave_starts is None or rel.leave_returns is None:
        return None
    if today < rel.leave_starts:
        return PREPARING
    if today < rel.leave_returns - dt.timedelta(weeks=RETURNING_WEEKS):
        return ON_LEAVE
    if today < rel.leave_returns + dt.timedelta(weeks=SETTLED_WEEKS):
        return RETURNING
    return BACK


def is_paused(rel, today: dt.date) -> bool:
    """Reminders and nudges wait: the mentee is on leave and did not ask for contact."""
    return leave_phase(rel, today) == ON_LEAVE and not rel.keep_in_touch


def return_prompt_due(rel, today: dt.date) -> bool:
    """Both people should be asked to book a session: the return is near, and they have not
    been asked yet."""
    return (rel.return_prompted_at is None and rel.leave_returns is not None
            and leave_phase(rel, today) == RETURNING and today <= rel.leave_returns)

