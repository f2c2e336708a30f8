"""Where a pair stands, from its dates and counts: the coordinator list's status, the
check-in period, and when a nudge or the end-date offer is due. No database, no clock."""
import datetime as dt
from types import SimpleNamespace

import pytest

from portal.blueprints.mentoring import status

TODAY = dt.date(2027, 6, 15)


def pair(**fields):
    values = {"status": "active", "started_at": None,
              "released_at": dt.datetime(2027, 1, 4, 9, 30), "last_session_on": None,
              "leave_starts": None, "leave_returns": None, "keep_in_touch": False,
              "nudged_at": None, "ends_on": None, "end_offered_at": None}
    values.update(fields)
    return SimpleNamespace(**values)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(14, 0))


ON_LEAVE = {"leave_starts": days_ago(60), "leave_returns": TODAY + dt.timedelta(days=120)}


@pytest.mark.parametrize(("fields", "flags", "expected"), [
    ({"status": "closed", "last_session_on": days_ago(200)}, 2, status.CLOSED),
    ({"last_session_on": days_ago(3)}, 1, status.NEEDS_CHECKIN),
    ({"last_session_on": days_ago(30)}, 0, status.INACTIVE),
    ({"last_session_on": days_ago(29)}, 0, status.ON_TRACK),
    ({"released_at": at(days_ago(30))}, 0, status.INACTIVE),  # never met, 30 days in
    ({"released_at": at(days_ago(29))}, 0, status.TOO_EARLY),
    ({"released_at": at(days_ago(90)), "started_at": at(days_ago(5))}, 0, status.TOO_EARLY),
    ({"last_session_on": days_ago(90), **ON_LEAVE}, 0, status.ON_LEAVE),
    ({"last_session_on": days_ago(90), **ON_LEAVE, "keep_in_touch": True}, 0,
     status.INACTIVE),
    ({"last_session_on": days_ago(2), **ON_LEAVE, "keep_in_touch": True}, 0, status.ON_LEAVE),
    ({"last_session_on": days_ago(90), **ON_LEAVE}, 1, status.NEEDS_CHECKIN),
    # leave ahead or behind is not "on leave"
    ({"last_session_on": days_ago(2), "leave_starts": TODAY + dt.timedelta(days=5),
      "leave_returns": TODAY + dt.timedelta(days=200)}, 0, status.ON_TRACK),
])
def test_pair_status_with_a_30_day_inactivity_rule(fields, flags, expected):
    assert status.pair_status(pair(**fields), TODAY, 30, flags) == expected


def test_without_an_inactivity_rule_no_pair_is_inactive_and_new_pairs_settle_for_30_days():
    assert status.pair_status(pair(last_session_on=days_ago(400)), TODAY, None, 0) \
        == status.ON_TRACK
    assert status.pair_status(pair(released_at=at(days_ago(29))), TODAY, None, 0) \
        == status.TOO_EARLY
    assert status.pair_status(pair(released_at=at(days_ago(30))), TODAY, None, 0) \
        == status.ON_TRACK


def test_every_status_has_a_label_a_meaning_and_a_place_in_the_order():
    assert set(status.ORDER) == set(status.LABELS) == set(status.MEANINGS)


@pytest.mark.parametrize(("weeks_in", "checkin_weeks", "period"), [
    (0, 4, 0), (3, 4, 0), (4, 4, 1), (7, 4, 1), (8, 4, 2), (13, 6, 2), (5, None, 0)])
def test_the_check_in_period_counts_whole_periods_from_the_start(weeks_in, checkin_weeks,
                                                                  period):
    rel = pair(released_at=at(TODAY - dt.timedelta(weeks=weeks_in)))
    assert status.checkin_period(rel, checkin_weeks, TODAY) == period


def test_the_period_counts_from_the_agreed_start_once_there_is_one():
    rel = pair(released_at=at(days_ago(70)), started_at=at(days_ago(27)))
    assert status.checkin_period(rel, 4, TODAY) == 0
    assert status.checkin_period(rel, 4, TODAY + dt.timedelta(days=1)) == 1


def test_a_check_in_is_due_once_per_period_and_waits_during_paused_leave():
    rel = pair(released_at=at(days_ago(30)))
    assert status.checkin_due(rel, 4, None, TODAY)
    assert not status.checkin_due(rel, 4, 1, TODAY)  # this period's went out
    assert status.checkin_due(rel, 4, 1, TODAY + dt.timedelta(weeks=4))
    assert not status.checkin_due(pair(released_at=at(days_ago(30)), **ON_LEAVE), 4, None,
                                  TODAY)
    assert status.checkin_due(pair(released_at=at(days_ago(30)), keep_in_touch=True,
                                   **ON_LEAVE), 4, None, TODAY)
    assert not status.checkin_due(pair(released_at=at(days_ago(30)), status="closed"), 4,
                                  None, TODAY)


def test_a_nudge_is_due_once_per_quiet_stretch():
    quiet = pair(last_session_on=days_ago(30))
    assert status.nudge_due(quiet, 30, TODAY)
    nudged = pair(last_session_on=days_ago(30), nudged_at=at(TODAY))
    assert not status.nudge_due(nudged, 30, TODAY + dt.timedelta(days=60))
    # a session after the nudge starts a new stretch, which earns its own nudge
    met_again = pair(last_session_on=TODAY + dt.timedelta(days=1), nudged_at=at(TODAY))
    assert not status.nudge_due(met_again, 30, TODAY + dt.timedelta(days=30))
    assert status.nudge_due(met_again, 30, TODAY + dt.timedelta(days=31))


def test_no_nudge_while_the_mentee_is_on_paused_leave_or_without_a_rule():
    assert not status.nudge_due(pair(last_session_on=days_ago(90), **ON_LEAVE), 30, TODAY)
    assert status.nudge_due(pair(last_session_on=days_ago(90), keep_in_touch=True, **ON_LEAVE),
                            30, TODAY)
    assert not status.nudge_due(pair(last_session_on=days_ago(900)), None, TODAY)
    assert not status.nudge_due(pair(last_session_on=days_ago(90), status="closed"), 30, TODAY)


def test_the_end_offer_is_due_from_the_end_date_once():
    assert not status.end_offer_due(pair(ends_on=TODAY + dt.timedelta(days=1)), TODAY)
    assert status.end_offer_due(pair(ends_on=TODAY), TODAY)
    assert not status.end_offer_due(pair(ends_on=TODAY, end_offered_at=at(TODAY)), TODAY)
    assert not status.end_offer_due(pair(ends_on=days_ago(3), status="closed"), TODAY)
    assert not status.end_offer_due(pair(), TODAY)


@pytest.mark.parametrize(("held", "max_sessions", "target", "words"), [
    (2, 3, None, "2 of 3"), (4, None, 6, "4 of about 6"), (4, None, None, "4"),
    (0, 3, 6, "0 of 3")])
def test_sessions_are_counted_against_the_programme_rule(held, max_sessions, target, words):
    assert status.sessions_against_rule(held, max_sessions, target) == words
