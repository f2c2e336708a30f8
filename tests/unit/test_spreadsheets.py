"""The one CSV helper: formulas neutralised, the file named, and never cached."""
import csv
import io

from portal import spreadsheets


def test_csv_response_names_the_file_keeps_it_out_of_caches_and_defuses_formulas(app):
    with app.test_request_context():
        response = spreadsheets.csv_response(
            ["Name", "Note"], [("=HYPERLINK(\"x\")", None), ("Ana", "-1"), ("Bo", 3)],
            "people.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert "no-store" in response.headers["Cache-Control"]
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["Name", "Note"], ["'=HYPERLINK(\"x\")", ""], ["Ana", "'-1"], ["Bo", "3"]]
