"""An anonymous answer leaves nothing that leads back to the person: after one is sent
through a real web server, every table, the server's log and the outbox are read, and
nothing links the answer to whoever gave it. A second answer from the same link is still
refused."""
import datetime as dt
import http.cookiejar
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from portal.blueprints.evaluation import invitations
from portal.blueprints.evaluation.models import ANONYMOUS, CHOOSE, SurveyResponse
from portal.db import db, is_sqlite, utcnow
from portal.outbox import OutboxMessage
from portal.people_data import export
from tests.conftest import link_in
from tests.evaluation_factories import ADVICE, CONFIDENT, FORMAT, answer, by_text, make_survey
from tests.mentoring_factories import make_programme
from tests.pages import Page

MARKER = "The supervision sessions saved me — zebra-quartz-7781"


@pytest.fixture
def server(app):
    """The app behind a real werkzeug server that logs every request, as servers do."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def browser():
    """A signed-out visitor: cookies kept, redirects followed."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch(visitor, url: str, data: dict | None = None) -> tuple[int, Page]:
    try:
        response = visitor.open(url, urllib.parse.urlencode(data).encode() if data else None)
    except urllib.error.HTTPError as refused:
        return refused.code, Page(refused.read().decode())
    return response.status, Page(response.read().decode())


def every_row() -> dict[str, list[dict]]:
    """Every row of every table, column by column."""
    found = {}
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        names = [c[0] for c in cursor.description]
        found[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return found


def person_columns() -> dict[str, set[str]]:
    """Per table, the columns that point at a person (foreign keys to the user table)."""
    return {table: {fk.column for fk in db.get_foreign_keys(table) if fk.dest_table == "user"}
            for table in db.get_tables()}


def mentions(row: dict, table: str, person, pointers: dict[str, set[str]]) -> bool:
    text = " ".join(str(v) for v in row.values() if isinstance(v, str)).lower()
    return (any(row.get(column) == person.id for column in pointers[table])
            or person.email.lower() in text or person.name.lower() in text)


@pytest.mark.parametrize("anonymity", [ANONYMOUS, CHOOSE])
def test_nothing_links_an_anonymous_answer_to_the_person(app, server, make_user, caplog,
                                                         anonymity):
    with app.app_context(), db.connection_context():
        coordinator = make_user(role="staff", name="Cora Coordinator")
        programme, cohort = make_programme(coordinator, "return_to_work")
        survey = make_survey(coordinator, programme, anonymity=anonymity)
        for n in range(2):  # others answered before
            answer(survey, make_user(name=f"Earlier {n}"), cohort,
                   {CONFIDENT: "3", FORMAT: "Telephone"}, anonymous=True)
        person = make_user(name="Priya Private", email="priya.private@example.org")
        invitations.invite(survey.id, person.id, cohort.id, "relationship:99")
        email = OutboxMessage.get(OutboxMessage.to_addr == person.email)
        ids = by_text(survey)
        before = {table: len(rows) for table, rows in every_row().items()}

    visitor = browser()
    caplog.set_level(logging.DEBUG)
    _, form = fetch(visitor, server + link_in(email.body_text))
    fields = {"csrf_token": form.soup.select_one("input[name=csrf_token]")["value"],
              "token": form.soup.select_one("input[name=token]")["value"],
              f"q{ids[CONFIDENT]}": "5", f"q{ids[FORMAT]}": "In person",
              f"q{ids[ADVICE]}": MARKER}
    if anonymity == CHOOSE:
        fields["anonymous"] = "y"
    status, sent = fetch(visitor, server + "/evaluation/answer", fields)
    assert (status, sent.heading()) == (200, "Thank you")
    records = [r.getMessage() for r in caplog.records]
    caplog.set_level(logging.WARNING)

    with app.app_context(), db.connection_context():
        rows, pointers = every_row(), person_columns()
        # Each table grew by what an answer should add, and no more: the answer itself;
        # no audit entry, rate-limit event, email or session.
        grown = {table: len(found) - before[table] for table, found in rows.items()
                 if len(found) != before[table]}
        assert grown == {"survey_response": 1}

        holding = [(table, row) for table, found in rows.items() for row in found
                   if any(isinstance(v, str) and MARKER in v for v in row.values())]
        assert [table for table, _ in holding] == ["survey_response"]
        answer_row = holding[0][1]
        assert answer_row["respondent_id"] is None
        assert str(answer_row["answered_on"])[:10] == dt.date.today().isoformat()
        times = {c.name: c.data_type.lower() for c in db.get_columns("survey_response")}
        assert [name for name, kind in times.items()
                if "time" in kind] == []  # no column finer than the day

        # Nothing that names or points at the person holds the answer or its id.
        for table, found in rows.items():
            for row in found:
                if mentions(row, table, person, pointers):
                    values = {str(v) for v in row.values()}
                    assert str(answer_row["id"]) not in values, (table, row)
                    assert not any(MARKER in v for v in values), (table, row)
        # The answer's id is a random number, not its place in a queue.
        anonymous = list(SurveyResponse.select().where(SurveyResponse.respondent.is_null()))
        assert len(anonymous) == 3 and min(r.id for r in anonymous) > 2 ** 32
        if is_sqlite():  # rows are kept in the order of their (random) ids
            pairs = db.execute_sql("SELECT rowid, id FROM survey_response").fetchall()
            assert all(rowid == row_id for rowid, row_id in pairs)
        else:  # every anonymous row was rewritten by the latest answer's transaction
            stamps = db.execute_sql("SELECT DISTINCT xmin FROM survey_response "
                                    "WHERE respondent_id IS NULL").fetchall()
            assert len(stamps) == 1

        # The outbox holds the invitation (person and survey) and nothing of the answer.
        assert not any(MARKER in m.body_text for m in OutboxMessage.select())

    # The server's log: the answer's request carries no token, and no line holds the
    # answer, the person's name or email.
    answer_lines = [line for line in records if "/evaluation/answer" in line]
    assert answer_lines and all(fields["token"] not in line for line in answer_lines)
    for line in records:
        assert MARKER not in line and "zebra-quartz" not in line
        assert person.email not in line and person.name not in line

    for again in (fetch(visitor, server + link_in(email.body_text)),
                  fetch(visitor, server + "/evaluation/answer", fields)):
        assert (again[0], again[1].heading()) == (400, "This link has already been used.")
    with app.app_context(), db.connection_context():
        assert SurveyResponse.select().where(SurveyResponse.survey == survey.id).count() == 3


def test_a_named_answer_is_kept_with_the_person(app, make_user):
    """The other side: a named survey's answer carries its respondent, for before/after."""
    with app.app_context(), db.connection_context():
        coordinator = make_user(role="staff")
        programme, cohort = make_programme(coordinator, "return_to_work")
        survey = make_survey(coordinator, programme)
        person = make_user()
        answer(survey, person, cohort, {CONFIDENT: "4", FORMAT: "Telephone"})
        assert [r.respondent_id for r in SurveyResponse.select()] == [person.id]
        assert re.fullmatch(r"\d+", str(SurveyResponse.get().id))


def test_a_persons_data_export_holds_their_named_answers_and_no_anonymous_one(app, make_user):
    with app.app_context(), db.connection_context():
        coordinator = make_user(role="staff")
        programme, cohort = make_programme(coordinator, "return_to_work")
        named = make_survey(coordinator, programme, title="Named one")
        anonymous = make_survey(coordinator, programme, "follow_up", anonymity=ANONYMOUS,
                                title="Anonymous one", follow_up_months=3)
        person = make_user()
        answer(named, person, cohort, {CONFIDENT: "4", FORMAT: "Telephone", ADVICE: "Named"})
        answer(anonymous, person, cohort, {CONFIDENT: "2", FORMAT: "In person",
                                           ADVICE: MARKER})
        mentoring = export.collect(person, utcnow())["mentoring.json"]
    assert mentoring["survey_answers"] == [{
        "survey": "Named one", "answered_on": dt.date.today(),
        "answers": {CONFIDENT: "4", FORMAT: "Telephone", ADVICE: "Named"}}]
    assert MARKER not in str(mentoring)
