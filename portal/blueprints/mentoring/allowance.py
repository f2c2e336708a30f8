"""A programme's session allowance and target, as rules in words: no queries, no clock.

The allowance is hard: a session that would break it is refused when it is proposed and
when it is logged, with the rule stated. Sessions count against it while they are planned
or held (proposed, accepted, held); logging an accepted session as held adds nothing. The
target ("about six meetings over a year") is shown as progress and never enforced.
"""
from portal.blueprints.programmes.models import CHANNELS

COUNT, MINUTES, CHANNEL = "count", "minutes", "channel"
_HOW = {"telephone": "by telephone", "video": "by video call", "in_person": "in person"}


def channels_for(programme) -> dict[str, str]:
    """The channels a pair may meet by: the programme's, or all of them if it names none."""
    allowed = programme.channel_list
    return {key: label for key, label in CHANNELS.items() if not allowed or key in allowed}


def how(channel: str) -> str:
    """"by telephone", "in person": a channel in a sentence."""
    return _HOW.get(channel) or f"by {CHANNELS.get(channel, channel).lower()}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _either(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def count_rule(programme, counted: int) -> str | None:
    """The refusal if one more session would pass the programme's maximum."""
    if programme.max_sessions is None or counted < programme.max_sessions:
        return None
    return (f"{programme.name} allows at most {_plural(programme.max_sessions, 'session')}, "
            f"and you have {counted} planned or held.")


def minutes_rule(programme, minutes: int) -> str | None:
    if programme.max_session_minutes is None or minutes <= programme.max_session_minutes:
        return None
    return f"Sessions in {programme.name} last at most {programme.max_session_minutes} minutes."


def channel_rule(programme, channel: str) -> str | None:
    allowed = channels_for(programme)
    if channel in allowed:
        return None
    return f"Sessions in {programme.name} are held {_either([how(c) for c in allowed])} only."


def refusals(programme, *, counted: int, minutes: int, channel: str,
             adds_one: bool = True) -> dict[str, str]:
    """Every rule a session would break, by what it is about (COUNT, MINUTES, CHANNEL).
    `counted` is the relationship's sessions planned or held now; `adds_one` is False when
    the session is one of them already (an accepted session logged as held)."""
    found = {COUNT: count_rule(programme, counted) if adds_one else None,
             MINUTES: minutes_rule(programme, minutes),
             CHANNEL: channel_rule(programme, channel)}
    return {about: message for about, message in found.items() if message}


def sessions_left(programme, counted: int) -> int | None:
    """None when the programme sets no maximum."""
    if programme.max_sessions is None:
        return None
    return max(programme.max_sessions - counted, 0)


def rule_summary(programme) -> str:
    """The allowance in one sentence, for the pair page: "" when there is none."""
    most, longest, ways = (programme.max_sessions, programme.max_session_minutes,
                           programme.channel_list)
    if most is None and longest is None and not ways:
        return ""
    count = f"up to {_plural(most, 'session')}" if most is not None else "sessions"
    length = f" of at most {longest} minutes" if longest is not None else ""
    channel = ""
    if ways:
        channel = (", " if most is not None or longest is not None else " ") + _either(
            [how(c) for c in channels_for(programme)])
    return f"{programme.name} allows {count}{length}{channel}."


def _period(months: int | None) -> str:
    if not months:
        return ""
    if months == 12:
        return " this year"
    return f" over {_plural(months, 'month')}"


def target_progress(programme, held: int) -> str | None:
    """"4 of about 6 this year": held sessions against the programme's target, if any."""
    if not programme.target_meetings:
        return None
    return f"{held} of about {programme.target_meetings}{_period(programme.target_months)}"
