"""Eligibility rules at their edges: pure functions, no database."""
import datetime as dt
from types import SimpleNamespace

import pytest

from portal.blueprints.programmes import rules
from portal.dates import add_months

TODAY = dt.date(2026, 3, 15)
RTW_MENTEE = ("leave_ahead", {"types": ["maternity", "paternity", "adoption", "carers",
                                        "fostering"],
                              "min_months_ahead": 3, "max_months_ahead": 6,
                              "min_length_months": 3})
RTW_MENTOR = ("leave_experience", {"types": ["maternity", "paternity", "adoption", "carers",
                                             "fostering"], "within_years": 5})


def profile(band="", group=""):
    return SimpleNamespace(pay_band=band, staff_group=group)


def leave(kind="maternity", starts=None, months=6, experienced=None, background=""):
    return {"leave_type": kind, "leave_starts": starts, "leave_months": months,
            "leave_experience_on": experienced, "background": background}


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2026, 8, 31), 3, dt.date(2026, 11, 30)),
    (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    (dt.date(2024, 2, 29), -12, dt.date(2023, 2, 28)),
    (dt.date(2026, 3, 15), -60, dt.date(2021, 3, 15)),
    (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
])
def test_month_arithmetic_keeps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("starts", "ok"), [
    (dt.date(2026, 6, 14), False),   # a day short of 3 months
    (dt.date(2026, 6, 15), True),    # exactly 3 months ahead
    (dt.date(2026, 9, 15), True),    # exactly 6 months ahead
    (dt.date(2026, 9, 16), False),   # a day past 6 months
    (dt.date(2026, 11, 15), False),  # 8 months away
    (None, False),
])
def test_leave_must_start_3_to_6_months_ahead_both_ends_included(starts, ok):
    failed = rules.check([RTW_MENTEE], profile(), leave(starts=starts), TODAY)
    assert (failed == []) is ok
    if not ok:
        assert failed[0].startswith("Leave: ")
        assert "15 June 2026 and 15 September 2026" in failed[0]


def test_the_window_is_measured_in_calendar_months_from_a_month_end():
    end_of_august = dt.date(2026, 8, 31)
    ok = rules.check([RTW_MENTEE], profile(), leave(starts=dt.date(2026, 11, 30)),
                     end_of_august)
    too_early = rules.check([RTW_MENTEE], profile(), leave(starts=dt.date(2026, 11, 29)),
                            end_of_august)
    assert ok == [] and too_early


@pytest.mark.parametrize(("months", "ok"), [(2, False), (3, True), (12, True), (None, False)])
def test_leave_must_last_at_least_3_months(months, ok):
    failed = rules.check([RTW_MENTEE], profile(),
                         leave(starts=dt.date(2026, 7, 1), months=months), TODAY)
    assert (failed == []) is ok
    if not ok:
        assert failed == ["Leave: your leave must last at least 3 months"]


def test_leave_of_another_type_fails_and_names_the_types():
    failed = rules.check([RTW_MENTEE], profile(),
                         leave(kind="shared_parental", starts=dt.date(2026, 7, 1)), TODAY)
    assert failed == ["Leave: this role is for people about to take maternity leave, "
                      "paternity leave, adoption leave, carers leave or fostering leave"]


@pytest.mark.parametrize(("experienced", "ok"), [
    (dt.date(2021, 3, 15), True),    # exactly 5 years ago
    (dt.date(2021, 3, 14), False),   # a day more
    (dt.date(2025, 1, 1), True),
    (dt.date(2026, 3, 16), False),   # in the future
    (None, False),
])
def test_leave_experience_within_the_last_5_years_inclusive(experienced, ok):
    failed = rules.check([RTW_MENTOR], profile(), leave(experienced=experienced), TODAY)
    assert (failed == []) is ok
    if not ok:
        assert failed[0].startswith("Experience of leave: ")


def test_five_years_before_29_february_is_28_february():
    rule = [RTW_MENTOR]
    leap_day = dt.date(2028, 2, 29)
    assert rules.check(rule, profile(), leave(experienced=dt.date(2023, 2, 28)), leap_day) == []
    assert rules.check(rule, profile(), leave(experienced=dt.date(2023, 2, 27)), leap_day)


@pytest.mark.parametrize(("band", "ok"), [
    ("Band 5", False), ("Band 6", True), ("Band 7", True), ("Band 8a", True),
    ("Band 9", True), ("Board level", True), ("Medical and dental", False), ("", False),
    ("6", True), ("band 8A", True),
])
def test_band_6_and_above(band, ok):
    failed = rules.check([("min_band", {"band": "6"})], profile(band), {}, TODAY)
    assert (failed == []) is ok
    if not ok:
        assert failed == ["Pay band: this role is for Band 6 and above (the pay band in "
                          "your profile decides)"]


@pytest.mark.parametrize(("band", "ok"), [("Band 9", False), ("Band 8d", False),
                                          ("Board level", True)])
def test_board_level_is_above_every_band(band, ok):
    assert (rules.check([("min_band", {"band": "board"})], profile(band), {}, TODAY) == []) is ok


def test_bands_order_8a_to_8d_between_7_and_9():
    ranks = [rules.band_rank(b) for b in ("Band 7", "Band 8a", "Band 8b", "Band 8c",
                                          "Band 8d", "Band 9", "Board level")]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


def test_staff_group_in_a_list():
    rule = [("staff_group", {"groups": ["Nursing and midwifery",
                                        "Allied health professionals"]})]
    assert rules.check(rule, profile(group="Nursing and midwifery"), {}, TODAY) == []
    failed = rules.check(rule, profile(group="Medical and dental"), {}, TODAY)
    assert failed[0].startswith("Staff group: this role is for Nursing and midwifery or "
                                "Allied health professionals staff")


def test_positive_action_background_and_band_both_checked():
    transcultural_mentee = [("background", {"backgrounds": rules.MINORITY_ETHNIC}),
                            ("min_band", {"band": "6"})]
    assert rules.check(transcultural_mentee, profile("Band 6"),
                       {"background": "black"}, TODAY) == []
    failed = rules.check(transcultural_mentee, profile("Band 5"), {"background": "white"},
                         TODAY)
    assert [f.split(":")[0] for f in failed] == ["Background", "Pay band"]


def test_rules_are_accepted_as_dicts_and_described_in_words():
    rule = {"kind": RTW_MENTEE[0], "params": RTW_MENTEE[1]}
    assert rules.check([rule], profile(), leave(starts=dt.date(2026, 7, 1)), TODAY) == []
    assert rules.describe(*RTW_MENTEE) == (
        "About to take maternity leave, paternity leave, adoption leave, carers leave or "
        "fostering leave in the next 3 to 6 months, for at least 3 months")
    assert rules.describe("min_band", {"band": "board"}) == "Board level"


@pytest.mark.parametrize(("kind", "params"), [
    ("min_band", {"band": "10"}),
    ("leave_ahead", {"types": ["maternity"], "min_months_ahead": 6, "max_months_ahead": 3,
                     "min_length_months": 3}),
    ("leave_ahead", {"types": [], "min_months_ahead": 3, "max_months_ahead": 6,
                     "min_length_months": 3}),
    ("leave_experience", {"types": ["holiday"], "within_years": 5}),
    ("background", {"backgrounds": ["martian"]}),
    ("staff_group", {"groups": ["Astronauts"]}),
    ("nonsense", {}),
])
def test_bad_params_are_refused_for_staff(kind, params):
    with pytest.raises(ValueError):
        rules.validate_params(kind, params, staff_groups=["Nursing and midwifery"])
