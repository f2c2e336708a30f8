"""Keyset pagination on an indexed (field, id) pair: each page is an index range scan,
however deep, and a bad cursor from the URL just means the first page."""
import datetime as dt
from dataclasses import dataclass


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def _encode(value) -> str:
    if isinstance(value, dt.datetime):
        return "t" + value.isoformat()
    if isinstance(value, int):
        return f"i{value}"
    return "s" + str(value)


def _decode(text: str):
    kind, raw = text[:1], text[1:]
    if kind == "t":
        return dt.datetime.fromisoformat(raw)
    if kind == "i":
        return int(raw)
    if kind == "s":
        return raw
    raise ValueError(text)


def _position(cursor: str | None):
    try:
        value_text, _, id_text = (cursor or "").rpartition("~")
        return _decode(value_text), int(id_text)
    except (ValueError, IndexError):
        return None


def ordered_by(query, field, id_field, descending: bool, cursor: str | None, size: int) -> Page:
    """One page of `query` ordered by (field, id), after the row the cursor names. The
    cursor is `<value>~<id>` with a one-letter type prefix, safe to put in a URL."""
    position = _position(cursor)
    if position is not None:
        value, row_id = position
        query = query.where(
            (field < value) | ((field == value) & (id_field < row_id)) if descending
            else (field > value) | ((field == value) & (id_field > row_id)))
    order = [field.desc(), id_field.desc()] if descending else [field.asc(), id_field.asc()]
    rows = list(query.order_by(*order).limit(size + 1))
    if len(rows) <= size:
        return Page(rows, None)
    last = rows[size - 1]
    return Page(rows[:size],
                f"{_encode(getattr(last, field.name))}~{getattr(last, id_field.name)}")


def newest_first(query, time_field, id_field, cursor: str | None, size: int) -> Page:
    return ordered_by(query, time_field, id_field, True, cursor, size)
