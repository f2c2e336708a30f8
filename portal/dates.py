"""Calendar arithmetic that several areas share."""
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier, if negative), clamped to the month's end:
    31 August + 3 months is 30 November, 29 February - 12 months is 28 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))
