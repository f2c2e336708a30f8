"""Keyset pagination on (timestamp, id), newest first: each page is an index range scan,
however deep, and a bad cursor from the URL just means the first page."""
import datetime as dt
from dataclasses import dataclass


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def _parse(cursor: str | None):
    try:
        stamp, _, row_id = (cursor or "").partition("_")
        return dt.datetime.fromisoformat(stamp), int(row_id)
    except ValueError:
        return None


def newest_first(query, time_field, id_field, cursor: str | None, size: int) -> Page:
    position = _parse(cursor)
    if position is not None:
        stamp, row_id = position
        query = query.where((time_field < stamp) | ((time_field == stamp) & (id_field < row_id)))
    rows = list(query.order_by(time_field.desc(), id_field.desc()).limit(size + 1))
    if len(rows) <= size:
        return Page(rows, None)
    last = rows[size - 1]
    stamp = getattr(last, time_field.name)
    return Page(rows[:size], f"{stamp.isoformat()}_{getattr(last, id_field.name)}")
