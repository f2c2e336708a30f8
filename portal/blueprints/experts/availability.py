"""Where an expert stands, in words, from what has already been read: no queries, no clock
(callers pass `today`). The directory lists only "available" experts; an expert's own page,
their profile and the organiser's list show the others too."""
import datetime as dt

AVAILABLE, FULL, PAUSED, SILENT, OFF, NOT_READY = (
    "available", "full", "paused", "silent", "off", "not_ready")
LABELS = {AVAILABLE: "Available", FULL: "Full", PAUSED: "Paused", SILENT: "Not answering",
          OFF: "Off the list", NOT_READY: "Not listed yet"}


def availability(expert, learners: int, silent: bool, ready: bool, today: dt.date) -> str:
    """One of LABELS. `ready`: accepted, inducted, with a bio and a specialism. The first
    that applies wins: off the list, not ready, silent after a check, paused, full."""
    if expert.withdrawn_at is not None:
        return OFF
    if not ready:
        return NOT_READY
    if silent:
        return SILENT
    if expert.paused_until is not None and expert.paused_until > today:
        return PAUSED
    if learners >= expert.capacity:
        return FULL
    return AVAILABLE


def describe(state: str, expert, learners: int) -> str:
    """The sentence a learner reads under an expert's name."""
    if state == AVAILABLE:
        free, places = expert.capacity - learners, "places" if expert.capacity != 1 else "place"
        return f"Available: {free} of {expert.capacity} {places} free"
    if state == PAUSED:
        return f"Paused until {expert.paused_until.strftime('%-d %B %Y')}"
    if state == FULL:
        return f"Full: {learners} of {expert.capacity} learners"
    if state == OFF:
        return "Off the list"
    return "Not taking requests at the moment"


def response_time(seconds) -> str:
    """The typical time to answer a request, from past introductions, in words."""
    if seconds is None:
        return "No introductions answered yet"
    hours = float(seconds) / 3600
    if hours < 1:
        return "Usually answers within an hour"
    if hours < 24:
        return f"Usually answers within {int(hours) + 1} hours"
    days = int(hours // 24) + 1
    return f"Usually answers within {days} days"


def last_active(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "Not active yet"
    days = (now.date() - moment.date()).days
    if days <= 0:
        return "Active today"
    if days == 1:
        return "Active yesterday"
    if days < 14:
        return f"Active {days} days ago"
    if days < 61:
        return f"Active {days // 7} weeks ago"
    return f"Last active {moment.strftime('%B %Y')}"
