"""Eligibility rules: data, not code. A programme role holds a list of rules, each a `kind`
and its `params` (stored as JSON on EligibilityRule); one small, pure check per kind.

    check(rules, profile, answers, today) -> list[str]

returns one message per failed rule, each naming the rule ("Pay band: ..."), so a form can
show exactly what stopped the application. Nothing here reads the database or the clock:
`profile` is the applicant (anything with `staff_group` and `pay_band`, e.g. a User),
`answers` a mapping of the application's answers (see `Application.rule_answers()`), and
`today` a date. `describe(kind, params)` says the same rule in words for public pages, and
`validate_params(kind, params)` checks what staff enter.

Rule kinds and their params:
- `staff_group`       {"groups": [...]}: the profile's staff group is one of these.
- `min_band`          {"band": "6"}: the profile's pay band is at least this. Bands run
                      1..7, 8a..8d, 9, then "board" (board level) above them all.
- `leave_ahead`       {"types": [...], "min_months_ahead": 3, "max_months_ahead": 6,
                      "min_length_months": 3}: leave of one of these types, starting between
                      the two distances from today (both ends included), lasting at least N
                      months.
- `leave_experience`  {"types": [...], "within_years": 5}: took leave of one of these types
                      within the last N years (exactly N years ago still counts).
- `background`        {"backgrounds": [...]}: a self-declared background in this list, for
                      positive-action programmes.
"""
import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from portal.dates import add_months

STAFF_GROUP, MIN_BAND, LEAVE_AHEAD, LEAVE_EXPERIENCE, BACKGROUND = (
    "staff_group", "min_band", "leave_ahead", "leave_experience", "background")
KIND_LABELS = {
    STAFF_GROUP: "Staff group",
    MIN_BAND: "Pay band",
    LEAVE_AHEAD: "Leave",
    LEAVE_EXPERIENCE: "Experience of leave",
    BACKGROUND: "Background",
}

# NHS Agenda for Change bands in order, then board level above them all.
BANDS = ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "board"]
BAND_LABELS = {b: ("Board level" if b == "board" else f"Band {b}") for b in BANDS}

LEAVE_TYPES = {
    "maternity": "Maternity leave",
    "paternity": "Paternity leave",
    "adoption": "Adoption leave",
    "shared_parental": "Shared parental leave",
    "carers": "Carers leave",
    "fostering": "Fostering leave",
}
# Self-declared background, asked where a positive-action rule needs it. Equality
# monitoring is separate (EqualityAnswer) and never feeds a rule.
BACKGROUNDS = {
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups",
    "other_ethnic": "Another ethnic group",
    "white": "White",
}
MINORITY_ETHNIC = ["asian", "black", "mixed", "other_ethnic"]


def band_rank(value: str) -> int | None:
    """Where a band sits in BANDS: accepts "6", "Band 6", "8a", "Band 8A", "Board level".
    None for anything else ("Medical and dental", "Other", empty)."""
    text = (value or "").strip().lower()
    if text.startswith("board"):
        return BANDS.index("board")
    text = text.removeprefix("band").strip()
    return BANDS.index(text) if text in BANDS else None


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _listed(values: Iterable[str], labels: Mapping[str, str] | None = None) -> str:
    words = [(labels or {}).get(v, v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


# One check per kind: (params, profile, answers, today) -> None or the reason, without the
# rule's label (check() adds it).

def _staff_group(params, profile, answers, today):
    groups = params["groups"]
    if (getattr(profile, "staff_group", "") or "") in groups:
        return None
    return (f"this role is for {_listed(groups)} staff; set your staff group in your "
            "profile if it is one of these")


def _min_band(params, profile, answers, today):
    needed = BANDS.index(params["band"])
    rank = band_rank(getattr(profile, "pay_band", ""))
    if rank is not None and rank >= needed:
        return None
    band = params["band"]
    wanted = "board level" if band == "board" else f"{BAND_LABELS[band]} and above"
    return f"this role is for {wanted} (the pay band in your profile decides)"


def _leave_ahead(params, profile, answers, today):
    types = params["types"]
    earliest = add_months(today, params["min_months_ahead"])
    latest = add_months(today, params["max_months_ahead"])
    minimum = params["min_length_months"]
    leave_type, starts = answers.get("leave_type") or "", answers.get("leave_starts")
    months = answers.get("leave_months") or 0
    if leave_type not in types:
        return f"this role is for people about to take {_listed(types, LEAVE_TYPES).lower()}"
    if starts is None or not earliest <= starts <= latest:
        return (f"your leave must start between {params['min_months_ahead']} and "
                f"{params['max_months_ahead']} months from now, that is between "
                f"{_fmt(earliest)} and {_fmt(latest)}")
    if months < minimum:
        return f"your leave must last at least {minimum} months"
    return None


def _leave_experience(params, profile, answers, today):
    types, years = params["types"], params["within_years"]
    since = add_months(today, -12 * years)
    taken = answers.get("leave_experience_on")
    if (answers.get("leave_type") or "") not in types:
        return (f"mentors in this role have taken {_listed(types, LEAVE_TYPES).lower()} "
                f"within the last {years} years")
    if taken is None or not since <= taken <= today:
        return f"your leave must have been within the last {years} years, since {_fmt(since)}"
    return None


def _background(params, profile, answers, today):
    if (answers.get("background") or "") in params["backgrounds"]:
        return None
    return ("this role is a positive-action place for people from a "
            f"{_listed(params['backgrounds'], BACKGROUNDS)} background")


CHECKS: dict[str, Callable] = {
    STAFF_GROUP: _staff_group,
    MIN_BAND: _min_band,
    LEAVE_AHEAD: _leave_ahead,
    LEAVE_EXPERIENCE: _leave_experience,
    BACKGROUND: _background,
}


def _kind_and_params(rule) -> tuple[str, dict]:
    """A rule as a (kind, params) pair, a {"kind", "params"} dict, or an EligibilityRule."""
    if isinstance(rule, tuple):
        return rule
    if isinstance(rule, Mapping):
        return rule["kind"], rule["params"]
    return rule.kind, rule.params_dict


def check(rules, profile, answers: Mapping, today: dt.date) -> list[str]:
    """The messages of the rules this applicant fails, in the rules' order; [] if eligible."""
    failed = []
    for rule in rules:
        kind, params = _kind_and_params(rule)
        reason = CHECKS[kind](params, profile, answers, today)
        if reason:
            failed.append(f"{KIND_LABELS[kind]}: {reason}")
    return failed


def describe(kind: str, params: dict) -> str:
    """The rule in words, for the public page's "who it is for"."""
    if kind == STAFF_GROUP:
        return f"{_listed(params['groups'])} staff"
    if kind == MIN_BAND:
        band = params["band"]
        return "Board level" if band == "board" else f"{BAND_LABELS[band]} and above"
    if kind == LEAVE_AHEAD:
        return (f"About to take {_listed(params['types'], LEAVE_TYPES).lower()} in the next "
                f"{params['min_months_ahead']} to {params['max_months_ahead']} months, for "
                f"at least {params['min_length_months']} months")
    if kind == LEAVE_EXPERIENCE:
        return (f"Took {_listed(params['types'], LEAVE_TYPES).lower()} within the last "
                f"{params['within_years']} years")
    if kind == BACKGROUND:
        return f"From a {_listed(params['backgrounds'], BACKGROUNDS)} background"
    raise ValueError(kind)


def _positive_int(params: dict, key: str, allow_zero=False) -> None:
    value = params.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if allow_zero else 1):
        raise ValueError(f"{key} must be a whole number of at least {0 if allow_zero else 1}")


def _subset(params: dict, key: str, allowed) -> None:
    values = params.get(key)
    if not isinstance(values, list) or not values or any(v not in allowed for v in values):
        raise ValueError(f"{key} must be a non-empty list chosen from: {', '.join(allowed)}")


def validate_params(kind: str, params: dict, staff_groups: Iterable[str] = ()) -> dict:
    """Raise ValueError with a message for staff if the params do not fit the kind;
    return them unchanged otherwise. `staff_groups`: the allowed staff group names."""
    if kind == STAFF_GROUP:
        _subset(params, "groups", list(staff_groups) or params.get("groups") or [])
    elif kind == MIN_BAND:
        if params.get("band") not in BANDS:
            raise ValueError(f"band must be one of: {', '.join(BANDS)}")
    elif kind == LEAVE_AHEAD:
        _subset(params, "types", list(LEAVE_TYPES))
        _positive_int(params, "min_months_ahead", allow_zero=True)
        _positive_int(params, "max_months_ahead")
        _positive_int(params, "min_length_months")
        if params["min_months_ahead"] > params["max_months_ahead"]:
            raise ValueError("min_months_ahead must not be after max_months_ahead")
    elif kind == LEAVE_EXPERIENCE:
        _subset(params, "types", list(LEAVE_TYPES))
        _positive_int(params, "within_years")
    elif kind == BACKGROUND:
        _subset(params, "backgrounds", list(BACKGROUNDS))
    else:
        raise ValueError(f"unknown rule kind: {kind}")
    return params
