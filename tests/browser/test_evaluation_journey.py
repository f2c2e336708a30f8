"""Evaluation in a real browser, with JavaScript on and off: a coordinator builds a closing
survey; when pairs close, three participants answer it from the emailed link, signed out,
one of them anonymously; the coordinator sees each answer's share as an SVG chart with the
same numbers in a table beside it, and the change since the baseline; the previous cohort,
with fewer than 5 answers, shows "fewer than 5" in every cell. axe-core checks every page;
the Content Security Policy must let the inline SVG through."""
import re

import pytest
from playwright.sync_api import expect

from portal.blueprints.accounts.models import User
from portal.blueprints.evaluation.models import BASELINE, Survey
from portal.blueprints.mentoring import services_closing
from portal.blueprints.programmes import services as programme_services
from portal.db import db
from tests.browser.evaluation_pages import AnswerPage, EvaluationPage
from tests.browser.pages import LoginPage
from tests.conftest import TEST_PASSWORD
from tests.evaluation_factories import CONFIDENT, FORMAT, FORMATS, answer, make_survey
from tests.mentoring_factories import make_programme, release_pair
from tests.programme_factories import cohort_details

pytestmark = pytest.mark.browser

STRONGLY_AGREE, AGREE = "Strongly agree", "Agree"


def seed(app, make_user, coordinator):
    """Return to Work, a baseline survey, last year's cohort and two pairs about to close;
    four of this cohort's people answered the baseline."""
    with app.app_context(), db.connection_context():
        actor = User.get_by_id(coordinator.id)
        programme, cohort = make_programme(actor, "return_to_work")
        earlier = programme_services.create_cohort(actor, programme, cohort_details(
            cohort.recruitment_opens.replace(year=cohort.recruitment_opens.year - 1),
            name="Last year"))
        baseline = make_survey(actor, programme, BASELINE, title="Before you start",
                               questions=[(CONFIDENT, "likert", True, "")])
        pairs = [release_pair(programme, cohort, make_user(name=f"Mentor {n}"),
                              make_user(name=f"Mentee {n}", email=f"mentee{n}@example.org"))
                 for n in range(2)]
        for rel in pairs:
            answer(baseline, User.get_by_id(rel.mentee_id), cohort, {CONFIDENT: "2"})
        return programme, cohort, earlier, baseline, pairs


def more_answers(app, make_user, coordinator, programme, cohort, earlier, baseline):
    """Answers already in: five named (with a baseline), four anonymous, and last year's
    three."""
    with app.app_context(), db.connection_context():
        survey = Survey.get(Survey.programme == programme.id, Survey.moment == "closing")
        for n in range(5):
            person = make_user(name=f"Named {n}")
            answer(baseline, person, cohort, {CONFIDENT: "2"})
            answer(survey, person, cohort, {CONFIDENT: "5", FORMAT: "Telephone"})
        for n in range(4):
            answer(survey, make_user(name=f"Anonymous {n}"), cohort,
                   {CONFIDENT: "4", FORMAT: "Video call"}, anonymous=True)
        for n in range(3):
            answer(survey, make_user(name=f"Last year {n}"), earlier,
                   {CONFIDENT: "3", FORMAT: "Telephone"})


def close_pairs(app, coordinator, pairs):
    with app.app_context(), db.connection_context():
        for rel in pairs:
            services_closing.close(User.get_by_id(coordinator.id), rel.id, "The year is over")


def emailed_link(sent_emails, person_email: str, base_url: str) -> str:
    [message] = [m for m in sent_emails(person_email)
                 if m.subject == "Return to Work: How did it go?"]
    link = re.search(r"https?://\S+", message.body_text).group(0)
    assert link.startswith(base_url + "/")
    return link


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_closing_survey_from_building_to_results(app, new_page, axe, live_server, make_user,
                                                   sent_emails, javascript):
    coordinator = make_user(role="staff", name="Cora Coordinator")
    programme, cohort, earlier, baseline, pairs = seed(app, make_user, coordinator)
    staff = new_page(javascript=javascript)
    LoginPage.open(staff, axe).log_in(coordinator.email, TEST_PASSWORD)
    evaluation = EvaluationPage.open(staff, axe, f"/evaluation/programmes/{programme.id}")
    survey = evaluation.build_survey("How did it go?", "At closing",
                                     "Each person chooses whether to answer anonymously")
    survey = survey.add_question(CONFIDENT, "Agreement scale (1 to 5)")
    survey = survey.add_question(FORMAT, "Single choice", "\n".join(FORMATS))
    survey = survey.open_survey()

    more_answers(app, make_user, coordinator, programme, cohort, earlier, baseline)
    close_pairs(app, coordinator, pairs)
    mentor_email = pairs[0].mentor.email
    for email, choices, anonymously in (
            ("mentee0@example.org", {CONFIDENT: STRONGLY_AGREE, FORMAT: "Telephone"}, False),
            ("mentee1@example.org", {CONFIDENT: STRONGLY_AGREE, FORMAT: "Telephone"}, False),
            (mentor_email, {CONFIDENT: AGREE, FORMAT: "Video call"}, True)):
        participant = new_page(javascript=javascript)
        participant.goto(emailed_link(sent_emails, email, live_server))
        form = AnswerPage(participant, axe, heading="How did it go?")
        thanks = form.answer(choices, anonymously=anonymously)
        expect(thanks.main.locator("#thanks")).to_contain_text("Your answers are in.")

    results = survey.results(cohort.name)
    assert results.answers_to(CONFIDENT) == {
        "Strongly disagree": ["fewer than 5", "not shown", "fewer than 5", "not shown"],
        "Disagree": ["fewer than 5", "not shown", "fewer than 5", "not shown"],
        "Neither agree nor disagree": ["fewer than 5", "not shown", "fewer than 5",
                                       "not shown"],
        "Agree": ["5", "42%", "fewer than 5", "not shown"],
        "Strongly agree": ["7", "58%", "fewer than 5", "not shown"],
        "All answers": ["12", "", "fewer than 5", ""]}
    chart = results.chart(CONFIDENT)
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(2)
    expect(chart).to_contain_text("58% (7)")
    assert results.change() == {
        "Question": CONFIDENT, "Answered both": "7", "Average before": "2.0",
        "Average after": "5.0", "Change": "+3.0", "Agree more": "7",
        "The same": "fewer than 5", "Agree less": "fewer than 5"}

    last_year = results.cohort("Last year")
    counts = last_year.counts()
    assert counts and set(counts) == {"fewer than 5"}
    expect(last_year.main.locator("#answer-counts")).to_contain_text("fewer than 5")
    expect(last_year.chart(CONFIDENT).locator("rect")).to_have_count(0)

