"""Between stored times (naive UTC) and the organisation's wall clock, across clock changes."""
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal import settings

DEFAULT_ZONE = "Europe/London"


def zone() -> ZoneInfo:
    try:
        return ZoneInfo(settings.get("organisation_timezone"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_local(moment: dt.datetime, tz: ZoneInfo | None = None) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(tz or zone())


def to_utc(day: dt.date, time: dt.time, tz: ZoneInfo | None = None) -> dt.datetime:
    """The naive UTC instant of a wall-clock time; an hour that occurs twice (autumn) is
    read as the first of the two."""
    local = dt.datetime.combine(day, time, tzinfo=tz or zone())
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def exists(day: dt.date, time: dt.time, tz: ZoneInfo | None = None) -> bool:
    """False for a wall-clock time skipped when the clocks go forward."""
    tz = tz or zone()
    return to_local(to_utc(day, time, tz), tz).replace(tzinfo=None) == \
        dt.datetime.combine(day, time)


def fmt_day(moment: dt.datetime) -> str:
    return to_local(moment).strftime("%A %-d %B %Y")


def fmt_time(moment: dt.datetime) -> str:
    return to_local(moment).strftime("%-I:%M%p").lower().replace(":00", "")


def fmt_when(moment: dt.datetime) -> str:
    """"Saturday 27 March 2027, 10am" in the organisation's zone."""
    return f"{fmt_day(moment)}, {fmt_time(moment)}"


def fmt_span(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """"Saturday 27 March 2027, 10am to 11:30am (GMT)"."""
    end = to_local(ends_at)
    return f"{fmt_when(starts_at)} to {fmt_time(ends_at)} ({end.tzname()})"
