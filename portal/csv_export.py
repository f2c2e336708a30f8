"""The one way the portal answers with a spreadsheet: every cell is made safe from formula
injection (a spreadsheet runs cells that start with = + - @ as formulas, and a tab or
carriage return can hide one), and the file is never kept in a shared cache."""
import csv
import io
from collections.abc import Iterable

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return Response(buffer.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})
