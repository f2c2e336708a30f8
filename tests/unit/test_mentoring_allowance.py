"""The session allowance and target as rules in words: no database, no clock."""
import pytest

from portal.blueprints.mentoring import allowance
from portal.blueprints.programmes.models import Programme


def short_virtual(**overrides) -> Programme:
    return Programme(**{"name": "Short virtual mentoring", "max_sessions": 3,
                        "max_session_minutes": 90, "allowed_channels": "telephone",
                        **overrides})


def transcultural(**overrides) -> Programme:
    return Programme(**{"name": "Transcultural reverse mentoring", "target_meetings": 6,
                        "target_months": 12, **overrides})


def test_a_fourth_session_is_refused_with_the_rule_in_words():
    programme = short_virtual()
    assert allowance.refusals(programme, counted=2, minutes=60, channel="telephone") == {}
    assert allowance.refusals(programme, counted=3, minutes=60, channel="telephone") == {
        allowance.COUNT: "Short virtual mentoring allows at most 3 sessions, and you have 3 "
                         "planned or held."}


def test_one_session_allowed_reads_in_the_singular():
    assert allowance.count_rule(short_virtual(max_sessions=1), 1) == (
        "Short virtual mentoring allows at most 1 session, and you have 1 planned or held.")


def test_a_session_already_counted_does_not_count_twice():
    """An accepted session logged as held is one of the three already."""
    assert allowance.refusals(short_virtual(), counted=3, minutes=90, channel="telephone",
                              adds_one=False) == {}


def test_length_is_capped_and_the_cap_itself_is_allowed():
    programme = short_virtual()
    assert allowance.minutes_rule(programme, 90) is None
    assert allowance.refusals(programme, counted=0, minutes=100, channel="telephone") == {
        allowance.MINUTES: "Sessions in Short virtual mentoring last at most 90 minutes."}


@pytest.mark.parametrize("allowed, message", [
    ("telephone", "Sessions in Short virtual mentoring are held by telephone only."),
    ("telephone,in_person",
     "Sessions in Short virtual mentoring are held by telephone or in person only."),
])
def test_channels_outside_the_programmes_are_refused(allowed, message):
    programme = short_virtual(allowed_channels=allowed)
    assert allowance.refusals(programme, counted=0, minutes=60, channel="video") == {
        allowance.CHANNEL: message}
    assert allowance.channel_rule(programme, "telephone") is None


def test_every_rule_broken_is_reported_at_once():
    found = allowance.refusals(short_virtual(), counted=3, minutes=120, channel="video")
    assert set(found) == {allowance.COUNT, allowance.MINUTES, allowance.CHANNEL}


def test_a_programme_without_an_allowance_refuses_nothing():
    programme = transcultural()
    assert allowance.refusals(programme, counted=500, minutes=480, channel="in_person") == {}
    assert allowance.sessions_left(programme, 500) is None
    assert allowance.rule_summary(programme) == ""
    assert list(allowance.channels_for(programme)) == ["telephone", "video", "in_person"]


def test_sessions_left_never_goes_below_none_left():
    programme = short_virtual()
    assert [allowance.sessions_left(programme, n) for n in (0, 2, 3, 4)] == [3, 1, 0, 0]


def test_the_rule_is_summed_up_in_one_sentence():
    assert allowance.rule_summary(short_virtual()) == (
        "Short virtual mentoring allows up to 3 sessions of at most 90 minutes, by telephone.")
    assert allowance.rule_summary(short_virtual(max_sessions=None, allowed_channels="")) == (
        "Short virtual mentoring allows sessions of at most 90 minutes.")
    assert allowance.rule_summary(short_virtual(max_sessions=None, max_session_minutes=None,
                                                allowed_channels="video,telephone")) == (
        "Short virtual mentoring allows sessions by telephone or by video call.")


def test_the_target_is_progress_and_may_be_passed():
    programme = transcultural()
    assert allowance.target_progress(programme, 4) == "4 of about 6 this year"
    assert allowance.target_progress(programme, 7) == "7 of about 6 this year"
    assert allowance.target_progress(transcultural(target_months=6), 1) == \
        "1 of about 6 over 6 months"
    assert allowance.target_progress(transcultural(target_months=None), 2) == "2 of about 6"
    assert allowance.target_progress(short_virtual(), 2) is None
