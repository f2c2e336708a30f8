"""Where a pair stands, from its dates and counts alone: no queries, no clock (callers pass
`today`). The coordinator's pair list shows `pair_status`; the jobs ask `checkin_period`,
`nudge_due` and `end_offer_due`.

The statuses, and what each means to a coordinator (the list shows MEANINGS on the page):

- closed: the relationship has ended.
- needs a check-in: someone answered a check-in "we need help" or "we have stopped", and
  no coordinator has marked it dealt with yet.
- inactive: no session held for the programme's inactivity days (counted from the last
  held session, else from the start), while the mentee is not on paused leave.
- on leave: the mentee is on leave (reminders and nudges wait unless they chose
  keep-in-touch contact).
- too early: no session held yet, and the pair started recently: too soon to judge.
- on track: none of the above.

The first that applies wins, in that order.
"""
import datetime as dt

from portal.blueprints.mentoring import phases

CLOSED, NEEDS_CHECKIN, INACTIVE, ON_LEAVE, TOO_EARLY, ON_TRACK = (
    "closed", "needs_checkin", "inactive", "on_leave", "too_early", "on_track")
# The order the rules are tried in, which is also the list's order when sorted by status.
ORDER = (NEEDS_CHECKIN, INACTIVE, ON_LEAVE, TOO_EARLY, ON_TRACK, CLOSED)
LABELS = {NEEDS_CHECKIN: "Needs a check-in", INACTIVE: "Inactive", ON_LEAVE: "On leave",
          TOO_EARLY: "Too early", ON_TRACK: "On track", CLOSED: "Closed"}
MEANINGS = {
    NEEDS_CHECKIN: "Someone answered a check-in “we need help” or “we have stopped”, and it "
                   "has not been marked as dealt with.",
    INACTIVE: "No session held for the programme's inactivity period (from the last session, "
              "or from the start), and the mentee is not on leave.",
    ON_LEAVE: "The mentee is on leave. Reminders and nudges wait unless they asked to keep "
              "in touch.",
    TOO_EARLY: "No session held yet, and the pair started too recently to judge.",
    ON_TRACK: "Sessions are being held and nobody has asked for help.",
    CLOSED: "The relationship has ended.",
}
# Without an inactivity rule, a pair with no session is "too early" for this long.
SETTLING_DAYS = 30
OPEN_STATUSES = ("released", "active")


def started_on(rel) -> dt.date | None:
    """The day the pair's clock starts: when both confirmed, else when they were told."""
    moment = rel.started_at or rel.released_at
    return moment.date() if moment else None


def inactive_since(rel) -> dt.date | None:
    """The start of the current stretch without a session."""
    return rel.last_session_on or started_on(rel)


def is_inactive(rel, inactivity_days: int | None, today: dt.date) -> bool:
    """No session for `inactivity_days`, and the mentee is not on paused leave."""
    since = inactive_since(rel)
    return bool(inactivity_days and since is not None
                and since <= today - dt.timedelta(days=inactivity_days)
                and not phases.is_paused(rel, today))


def is_too_early(rel, inactivity_days: int | None, today: dt.date) -> bool:
    start = started_on(rel)
    settle = inactivity_days or SETTLING_DAYS
    return (rel.last_session_on is None and start is not None
            and start > today - dt.timedelta(days=settle))


def pair_status(rel, today: dt.date, inactivity_days: int | None, open_flags: int) -> str:
    """One of ORDER, for a released, active or closed relationship. `open_flags` is how
    many of its check-in calls for help are not yet dealt with."""
    if rel.status not in OPEN_STATUSES:
        return CLOSED
    if open_flags:
        return NEEDS_CHECKIN
    if is_inactive(rel, inactivity_days, today):
        return INACTIVE
    if phases.leave_phase(rel, today) == phases.ON_LEAVE:
        return ON_LEAVE
    if is_too_early(rel, inactivity_days, today):
        return TOO_EARLY
    return ON_TRACK


def checkin_period(rel, checkin_weeks: int | None, today: dt.date) -> int:
    """Whole check-in periods since the start: 0 during the first `checkin_weeks` weeks
    (and for programmes without check-ins), then 1, 2, ..."""
    start = started_on(rel)
    if not checkin_weeks or start is None or today < start:
        return 0
    return (today - start).days // 7 // checkin_weeks


def checkin_due(rel, checkin_weeks: int | None, latest_period: int | None,
                today: dt.date) -> bool:
    """An open pair whose current period has no check-in yet, and not on paused leave."""
    period = checkin_period(rel, checkin_weeks, today)
    return (rel.status in OPEN_STATUSES and period >= 1 and period > (latest_period or 0)
            and not phases.is_paused(rel, today))


def nudge_due(rel, inactivity_days: int | None, today: dt.date) -> bool:
    """An open, inactive pair not yet nudged in this stretch without a session: a nudge
    sent on or before the stretch began belongs to an earlier one."""
    return (rel.status in OPEN_STATUSES and is_inactive(rel, inactivity_days, today)
            and (rel.nudged_at is None or rel.nudged_at.date() <= inactive_since(rel)))


def end_offer_due(rel, today: dt.date) -> bool:
    """An open pair whose end date has come, not yet offered the chance to close."""
    return (rel.status in OPEN_STATUSES and rel.ends_on is not None and rel.ends_on <= today
            and rel.end_offered_at is None)


def sessions_against_rule(held: int, max_sessions: int | None,
                          target_meetings: int | None) -> str:
    """"2 of 3" against a hard allowance, "4 of about 6" against a target, else "4"."""
    if max_sessions:
        return f"{held} of {max_sessions}"
    if target_meetings:
        return f"{held} of about {target_meetings}"
    return str(held)
