"""Results per cohort (each question's answers as an SVG chart with the same numbers in a
table beside it, the change since the baseline, free-text answers staff can hide or quote,
the previous cohort beside this one), equality reporting with its CSV file, and the
outcome summary, printable and published to the hub in one step. Every count below 5 shows
as "fewer than 5", and no total or difference gives one away."""
import csv
import io

import pytest
from playhouse.test_utils import count_queries

from portal import markup, settings, suppression
from portal.blueprints.evaluation import equality
from portal.blueprints.evaluation.models import BASELINE, CLOSING, SurveyResponse
from portal.blueprints.evaluation.summary import escape
from portal.blueprints.hub.models import PUBLISHED, REVIEW, Article
from portal.blueprints.mentoring.models import ACTIVE, CLOSED, Relationship
from portal.blueprints.programmes import services as programme_services
from portal.blueprints.programmes.models import (
    ACCEPTED,
    DECLINED,
    MENTEE,
    SUBMITTED,
    Application,
    EqualityAnswer,
)
from portal.db import db, utcnow
from tests.evaluation_factories import ADVICE, CONFIDENT, FORMAT, answer, by_text, make_survey
from tests.mentoring_factories import make_programme
from tests.pages import Page
from tests.programme_factories import cohort_details
from tests.unit.test_suppression import assert_nothing_small_can_be_worked_out

HX = {"HX-Request": "true"}
ADVICE_TEXTS = ["Go for it.", "Book the sessions early.", "Say what you need.",
                "Bring one question each time.", "Keep notes.", "Ask for feedback."]


@pytest.fixture
def world(app, make_user):
    """Return to Work with this cohort and the one before. This cohort: twelve closing
    answers (named), seven of them from people who answered the baseline too; six wrote
    advice. The previous cohort: three closing answers."""
    with app.app_context(), db.connection_context():
        coordinator = make_user(role="staff", name="Cora Coordinator")
        programme, cohort = make_programme(coordinator, "return_to_work")
        earlier = programme_services.create_cohort(coordinator, programme, cohort_details(
            cohort.recruitment_opens.replace(year=cohort.recruitment_opens.year - 1),
            name="Last year"))
        baseline = make_survey(coordinator, programme, BASELINE, title="Before you start",
                               questions=[(CONFIDENT, "likert", True, "")])
        closing = make_survey(coordinator, programme, CLOSING, title="Closing questions")
        people = [make_user(name=f"Participant {n}") for n in range(12)]
        for n, person in enumerate(people):
            if n < 7:
                answer(baseline, person, cohort, {CONFIDENT: "2"})
            values = {CONFIDENT: "5" if n < 6 else "4",
                      FORMAT: "Telephone" if n < 8 else ("Video call" if n < 11
                                                         else "In person")}
            if n < 6:
                values[ADVICE] = ADVICE_TEXTS[n]
            answer(closing, person, cohort, values)
        for n in range(3):
            answer(closing, make_user(name=f"Last year {n}"), earlier,
                   {CONFIDENT: "3", FORMAT: "Telephone"})
        return {"coordinator": coordinator, "programme": programme, "cohort": cohort,
                "earlier": earlier, "closing": closing, "baseline": baseline}


def results_page(client, world, cohort=None, **headers):
    cohort = cohort or world["cohort"]
    return client.get(f"/evaluation/surveys/{world['closing'].id}/results?cohort={cohort.id}",
                      headers=headers)


def rows_of(page: Page, question_id: int) -> dict[str, list[str]]:
    table = page.soup.select_one(f"#question-{question_id} table")
    return {tr.select_one("th").get_text(strip=True): [td.get_text(strip=True)
                                                       for td in tr.select("td")]
            for tr in table.select("tbody tr")}


def test_each_question_as_a_chart_and_a_table_with_small_numbers_protected(client, login,
                                                                           world):
    login(world["coordinator"])
    page = Page(results_page(client, world))
    ids = by_text(world["closing"])
    assert page.text("#answer-counts") == ("Answers 12 Previous cohort (Last year) "
                                           "fewer than 5")
    assert rows_of(page, ids[CONFIDENT]) == {
        "Strongly disagree": ["fewer than 5", "not shown", "fewer than 5", "not shown"],
        "Disagree": ["fewer than 5", "not shown", "fewer than 5", "not shown"],
        "Neither agree nor disagree": ["fewer than 5", "not shown", "fewer than 5",
                                       "not shown"],
        "Agree": ["6", "50%", "fewer than 5", "not shown"],
        "Strongly agree": ["6", "50%", "fewer than 5", "not shown"],
        "All answers": ["12", "", "fewer than 5", ""]}
    # 3 and 1 are small; with the 8 shown, 12 minus 8 would say 4 between them
    assert rows_of(page, ids[FORMAT]) == {
        "Telephone": ["withheld", "not shown", "fewer than 5", "not shown"],
        "Video call": ["fewer than 5", "not shown", "fewer than 5", "not shown"],
        "In person": ["fewer than 5", "not shown", "fewer than 5", "not shown"],
        "All answers": ["12", "", "fewer than 5", ""]}
    chart = page.soup.select_one(f"#chart-{ids[CONFIDENT]}")
    assert chart.name == "svg" and chart["role"] == "img"
    assert chart.select_one("title").get_text() == f"Chart of the answers to “{CONFIDENT}”"
    bars = [(rect["width"]) for rect in chart.select("rect")]
    assert bars == ["100.0", "100.0"]  # a bar for each shown share, and for nothing else
    values = [text.get_text() for text in chart.select(".tandem-chart__value")]
    assert values[6:] == ["50% (6)", "fewer than 5", "50% (6)", "fewer than 5"]
    assert page.soup.find("script", src=None) is None


def test_the_change_since_the_baseline_for_people_who_answered_both(client, login, world):
    login(world["coordinator"])
    page = Page(results_page(client, world))
    headers = page.texts("#changes thead th")
    row = page.soup.select_one("#changes tbody tr")
    assert dict(zip(headers, [row.select_one("th").get_text()]
                    + [td.get_text() for td in row.select("td")], strict=True)) == {
        "Question": CONFIDENT, "Answered both": "7", "Average before": "2.0",
        "Average after": "4.9", "Change": "+2.9", "Agree more": "7",
        "The same": "fewer than 5", "Agree less": "fewer than 5"}


def test_the_previous_cohort_with_fewer_than_5_answers_shows_fewer_than_5_everywhere(
        client, login, world):
    login(world["coordinator"])
    page = Page(results_page(client, world, world["earlier"]))
    cells = [td.get_text(strip=True) for td in page.soup.select(".tandem-result-table td")
             if td.get_text(strip=True) not in ("", "not shown")]
    assert cells and set(cells) == {"fewer than 5"}
    assert page.text("#answer-counts").startswith("Answers fewer than 5")
    assert page.soup.select(".tandem-chart rect") == []
    assert "Written answers are shown once 5 or more people have written one." in page.text(
        "main")


def test_staff_hide_and_quote_free_text_answers_with_and_without_htmx(client, login,
                                                                      csrf_token, world):
    login(world["coordinator"])
    question = by_text(world["closing"])[ADVICE]
    page = Page(results_page(client, world))
    assert page.text(f"#text-{question} + p") == "Written answers: 6."
    items = page.soup.select(f"#texts-{question} li")
    assert sorted(li.select_one("p").get_text() for li in items) == sorted(ADVICE_TEXTS)
    item_of = {li.select_one("p").get_text(): li for li in items}
    hide = item_of["Keep notes."].select_one("form")["action"]
    assert hide.endswith("/hide")
    hidden = client.post(hide, data={"csrf_token": csrf_token}, headers=HX)
    fragment = Page(hidden)
    assert not fragment.is_full_page
    assert fragment.text("li") .startswith("Keep notes. Hidden: not shared")
    assert "Hidden: it will not be shared." in hidden.text  # the message, out of band
    quote = item_of["Say what you need."].select("form")[1]["action"]
    assert quote.endswith("/quote")
    done = client.post(quote, data={"csrf_token": csrf_token})
    assert done.status_code == 303 and f"#text-{question}" in done.location
    summary = Page(client.get(f"/evaluation/cohorts/{world['cohort'].id}/summary"))
    assert summary.texts("#quotes blockquote p.tandem-pre-line") == ["Say what you need."]
    refused = client.post(hide.replace("/hide", "/nonsense"), data={"csrf_token": csrf_token})
    assert refused.status_code == 404


def test_the_outcome_summary_is_printable_and_published_to_the_hub_in_one_step(
        app, client, login, csrf_token, world):
    login(world["coordinator"])
    url = f"/evaluation/cohorts/{world['cohort'].id}/summary"
    client.post(url + "/intro", data={"csrf_token": csrf_token,
                                      "intro": "Twelve people finished this year."})
    page = Page(client.get(url))
    assert page.heading() == "Outcome summary"
    assert page.text("#summary-intro") == "Twelve people finished this year."
    assert "css/print.css" in str(page.soup.select('link[rel="stylesheet"]'))
    assert page.soup.select(".tandem-no-print form")  # the forms do not print
    assert page.soup.select_one(f"#chart-{by_text(world['closing'])[CONFIDENT]}")

    published = client.post(url + "/publish", data={"csrf_token": csrf_token,
                                                     "audience": "signed_in"})
    assert published.status_code == 303
    assert Page(client.get(published.location)).flashes() == [
        "The summary is published in the hub."]
    with app.app_context(), db.connection_context():
        article = Article.get()
        assert article.status == PUBLISHED and article.kind == "story"
        assert "| Agree | 6 | 50% |" in article.body
        assert "| Telephone | withheld | not shown |" in article.body
        assert "Twelve people finished this year\\." in article.body
        assert "<table>" in article.body_html
    again = client.post(url + "/publish", data={"csrf_token": csrf_token,
                                                "audience": "groups"})
    assert Page(client.get(again.location)).flashes() == [
        "The hub article is updated with the summary as it stands."]
    with app.app_context(), db.connection_context():
        assert Article.select().count() == 1
        assert Article.get().audience == "groups"


def test_publishing_waits_for_approval_when_the_hub_asks_for_it(app, client, login,
                                                                csrf_token, world):
    with app.app_context(), db.connection_context():
        settings.save({"hub_requires_approval": True})
    login(world["coordinator"])
    url = f"/evaluation/cohorts/{world['cohort'].id}/summary/publish"
    done = client.post(url, data={"csrf_token": csrf_token, "audience": "signed_in"})
    assert Page(client.get(done.location)).flashes()[0].startswith(
        "The summary is in the hub as an article waiting for another member of staff")
    with app.app_context(), db.connection_context():
        assert Article.get().status == REVIEW


def equality_world(app, make_user):
    """Applicants to one cohort with their equality answers, some matched, some finished.
    white: 20 applied, 15 accepted and matched, 10 completed; asian: 2 applied, 1
    accepted, matched and completed; 3 gave no answers (2 declined)."""
    with app.app_context(), db.connection_context():
        coordinator = make_user(role="staff", name="Cora Coordinator")
        programme, cohort = make_programme(coordinator, "return_to_work")
        mentor = make_user(name="The mentor")
        plan = ([("white", ACCEPTED, True, n < 10) for n in range(15)]
                + [("white", DECLINED, False, False)] * 5
                + [("asian", ACCEPTED, True, True), ("asian", SUBMITTED, False, False)]
                + [(None, DECLINED, False, False)] * 2 + [(None, SUBMITTED, False, False)])
        for n, (ethnicity, status, matched, completed) in enumerate(plan):
            person = make_user(name=f"Applicant {n}")
            application = Application.create(
                applicant=person, programme=programme, cohort=cohort, role=MENTEE,
                status=status, submitted_at=utcnow())
            if ethnicity:
                EqualityAnswer.create(application=application, ethnicity=ethnicity,
                                      sex="female", disability="no")
            if matched:
                Relationship.create(
                    programme=programme, cohort=cohort, mentor=mentor, mentee=person,
                    mentee_application=application, status=CLOSED if completed else ACTIVE,
                    released_at=utcnow(), closed_at=utcnow() if completed else None,
                    ends_on=utcnow().date())
        return coordinator, programme, cohort


def test_equality_figures_by_group_with_small_numbers_protected_and_the_same_csv(
        app, client, login, make_user):
    coordinator, programme, cohort = equality_world(app, make_user)
    login(coordinator)
    url = f"/evaluation/programmes/{programme.id}/equality?cohort={cohort.id}"
    page = Page(client.get(url))
    assert page.heading() == "Equality report"
    with app.app_context(), db.connection_context():
        counts = equality.stage_counts(programme.id, cohort.id)
    assert counts["ethnicity"]["white"] == [20, 15, 15, 10]
    assert counts["ethnicity"]["asian"] == [2, 1, 1, 1]
    shown_rows = []
    for question, rows in counts.items():
        table = page.soup.select_one(f"#equality-{question}")
        cells = {tr.select_one("th").get_text(strip=True): [td.get_text(strip=True)
                                                            for td in tr.select("td")]
                 for tr in table.select("tbody tr")}
        names = {**equality.QUESTIONS[question][1], equality.NOT_ANSWERED: "Not answered"}
        shown = {}
        for answer_key, true in rows.items():
            for stage, count, text in zip(equality.STAGES, true, cells[names[answer_key]],
                                          strict=True):
                shown["cell", answer_key, stage] = as_cell(text)
                assert text == "fewer than 5" if count < 5 else text in (str(count),
                                                                         "withheld")
        for stage, text in zip(equality.STAGES, cells["All applicants"], strict=True):
            shown["column", stage] = as_cell(text)
        assert_nothing_small_can_be_worked_out(
            suppression.nested_table(rows, equality.STAGES), shown)
        shown_rows += [[equality.QUESTIONS[question][0], name, *texts]
                       for name, texts in cells.items()]
    assert cells["All applicants"][0] == "25"  # shown: larger than any group's
    exported = client.get(url.replace("/equality?", "/equality.csv?"))
    assert exported.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert lines[0] == ["Question", "Answer", "Applied", "Accepted", "Matched", "Completed"]
    assert lines[1:] == shown_rows


def as_cell(text: str) -> suppression.Cell:
    if text == "fewer than 5":
        return suppression.Cell(None, suppression.SMALL)
    if text == "withheld":
        return suppression.Cell(None, suppression.WITHHELD)
    return suppression.Cell(int(text), suppression.PUBLISHED)


def test_admins_see_the_equality_report_too(app, client, login, make_user):
    coordinator, programme, cohort = equality_world(app, make_user)
    login(make_user(role="admin"))
    page = client.get(f"/evaluation/programmes/{programme.id}/equality")
    assert page.status_code == 200
    assert Page(page).text(".nhsuk-caption-l").endswith(f"cohort {cohort.name}")


def test_results_read_a_fixed_number_of_queries(app, client, login, world):
    login(world["coordinator"])
    results_page(client, world)
    with count_queries() as few:
        results_page(client, world)
    with app.app_context(), db.connection_context():
        rows = [{"survey": world["closing"].id, "cohort": world["cohort"].id,
                 "answered_on": utcnow().date(), "answers": "{}", "id": 10 ** 12 + n}
                for n in range(300)]
        SurveyResponse.insert_many(rows).execute()
    with count_queries() as many:
        results_page(client, world)
    assert many.count == few.count


def test_a_quote_in_the_article_stays_words():
    """What participants wrote goes into the article's Markdown escaped: no link, heading,
    table or end of its block quote comes out of it."""
    text = "# Big\n[click](javascript:alert(1)) | a | b |\n> quoted <b>bold</b>"
    html = markup.render(f"> {escape(text)}").html
    assert "<a" not in html and "<h" not in html and "<table" not in html
    assert "<b>" not in html and html.count("<blockquote>") == 1
    assert "[click](javascript:alert(1)) | a | b |" in html
