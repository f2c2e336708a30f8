"""CSV downloads of personal data: cells a spreadsheet will not run as formulas, and a
response that names its file and is never kept by a browser or proxy cache."""
import csv
import io
import re
from collections.abc import Iterable

from flask import Response

# A cell starting with one of these is run as a formula by Excel and friends (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(header: list[str], rows: Iterable[Iterable], filename: str) -> Response:
    """A CSV attachment called `filename`: every cell made safe, and Cache-Control
    no-store, because these files hold people's names and email addresses. The file name
    may carry what staff typed (a cohort's name): it keeps letters, digits, dots and
    dashes, so no quote or line break reaches the header."""
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store"})
