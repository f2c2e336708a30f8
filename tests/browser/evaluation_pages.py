"""Page objects for evaluation: building a survey, answering one, and its results (see
tests/browser/pages.py for the base)."""
import re

from playwright.sync_api import Locator, expect

from tests.browser.pages import PageObject


class EvaluationPage(PageObject):
    heading = "Evaluation"

    def build_survey(self, title: str, when: str, names: str) -> "SurveyPage":
        self.follow("Build a survey")
        form = PageObject(self.page, self.axe, heading="Build a survey")
        form.fill("Title", title)
        form.main.get_by_label(when, exact=True).check()
        form.main.get_by_label(names, exact=True).check()
        form.press("Create the survey")
        return SurveyPage(self.page, self.axe, heading=title)


class SurveyPage(PageObject):
    def add_question(self, text: str, kind: str, options: str = "") -> "SurveyPage":
        form = self.main.locator("form", has=self.page.get_by_role("button",
                                                                   name="Add the question"))
        form.get_by_label("Question", exact=True).fill(text)
        form.get_by_label(kind, exact=True).check()
        if options:
            form.get_by_label("Options (single choice only)").fill(options)
        self.press("Add the question")
        page = SurveyPage(self.page, self.axe, heading=self.title())
        expect(page.main.locator("#question-list")).to_contain_text(text)
        return page

    def title(self) -> str:
        return self.main.get_by_role("heading", level=1).inner_text()

    def open_survey(self) -> "SurveyPage":
        self.press("Open the survey")
        page = SurveyPage(self.page, self.axe, heading=self.title())
        expect(page.main.locator("#survey-status")).to_have_text("Open")
        return page

    def results(self, cohort: str) -> "ResultsPage":
        self.follow(f"Results for cohort {cohort}")
        return ResultsPage(self.page, self.axe)


class AnswerPage(PageObject):
    def answer(self, choices: dict[str, str], anonymously: bool = False) -> PageObject:
        for question, option in choices.items():
            self.main.get_by_role("group", name=question).get_by_label(
                option, exact=True).check()
        if anonymously:
            self.tick("Answer anonymously")
        self.press("Send my answers")
        return PageObject(self.page, self.axe, heading="Thank you")


class ResultsPage(PageObject):
    heading = re.compile(r"^Results: ")

    def answers_to(self, question: str) -> dict[str, list[str]]:
        """Each answer's row of the table beside the chart: number, share, and the
        previous cohort's."""
        table = self.main.get_by_role("table", name=question, exact=True)
        return {row.locator("th").inner_text().strip():
                [c.strip() for c in row.locator("td").all_inner_texts()]
                for row in table.locator("tbody tr").all()}

    def chart(self, question: str) -> Locator:
        return self.main.get_by_role("img", name=f"Chart of the answers to “{question}”")

    def change(self) -> dict[str, str]:
        table = self.main.locator("#changes")
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        cells = [table.locator("tbody tr th").inner_text().strip()] + [
            c.strip() for c in table.locator("tbody tr td").all_inner_texts()]
        return dict(zip(headers, cells, strict=True))

    def cohort(self, name: str) -> "ResultsPage":
        self.page.get_by_role("navigation", name="Cohorts").get_by_role(
            "link", name=name, exact=True).click()
        return ResultsPage(self.page, self.axe)

    def counts(self) -> list[str]:
        """Every count in the results tables, leaving out shares."""
        return [c.strip() for c in self.main.locator(
            ".tandem-result-table tbody td:nth-of-type(1), "
            ".tandem-result-table tbody td:nth-of-type(3)").all_inner_texts() if c.strip()]
