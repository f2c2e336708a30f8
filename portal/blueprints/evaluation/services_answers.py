"""Answering a survey from its invitation, and staff hiding or quoting free-text answers.

An answer is taken once: the invitation's `answered` flag is set by a conditional UPDATE
(only while unset) in the transaction that stores the answer, so a second press, a second
tab or a replayed form is refused.

Anonymous answers leave nothing that leads back to the person:
- the SurveyResponse row has no person, no invitation, no time finer than the day and no
  address; its id is random, so ids do not follow the order answers came in;
- the invitation says only that it was answered, with no date, so its day cannot be
  matched with an answer's;
- nothing is written to the audit log, the rate limiter or the app's log, and no email is
  sent about the answer; peewee's query log (on at DEBUG level) is silenced while the
  answer is written, or it would print the invitation's update next to the answer;
- the form is posted to one address for everyone, with the link's token in the body, so a
  web server's access log shows who opened their link (as their invitation does) but not
  which request carried an answer;
- the order rows sit in: PostgreSQL keeps rows in the order they were written and stamps
  each with the transaction that wrote it (xmin), which the invitation's update shares.
  So each anonymous answer rewrites all the anonymous answers of its survey and cohort in
  a random order in the same transaction: every one then carries that transaction's stamp
  and no row is "the newest". (SQLite keeps a table with an integer key in key order,
  which is random here.) What this cannot hide is older row versions a database
  administrator could dig out of the write-ahead log or dead rows before they are
  vacuumed; the people who read results never see those.
"""
import contextlib
import contextvars
import datetime as dt
import json
import logging
import random

from portal.audit import AuditEntry
from portal.blueprints.evaluation.models import (
    ANONYMOUS,
    CHOOSE,
    OPEN,
    TEXT,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    new_response_id,
)
from portal.db import db, is_sqlite
from portal.signed_links import LinkProblem

MAX_TEXT = 2000
_WRITING_ANONYMOUSLY = contextvars.ContextVar("writing_anonymously", default=False)


class _SilentWhileAnonymous(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _WRITING_ANONYMOUSLY.get()


logging.getLogger("peewee").addFilter(_SilentWhileAnonymous())


@contextlib.contextmanager
def _unlogged():
    token = _WRITING_ANONYMOUSLY.set(True)
    try:
        yield
    finally:
        _WRITING_ANONYMOUSLY.reset(token)


class AnswerRefused(ValueError):
    """An answer that cannot be taken. `reason` is "used" or "expired" (as for links), or
    "invalid" with a message for the form."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(message or LinkProblem.MESSAGES[reason])
        self.reason = reason


def clean_answers(questions: list[SurveyQuestion], given: dict[int, str]) -> dict[str, str]:
    """The answers to keep, keyed by question id as text; unanswered optional questions
    are left out. Raises AnswerRefused for a missing required answer or an unknown choice."""
    kept = {}
    for question in questions:
        value = (given.get(question.id) or "").strip()
        if question.kind == TEXT:
            value = value[:MAX_TEXT]
        elif value and value not in question.choices:
            raise AnswerRefused("invalid", f"Choose one of the answers to “{question.text}”")
        if not value:
            if question.required:
                raise AnswerRefused("invalid", f"Answer “{question.text}”")
            continue
        kept[str(question.id)] = value
    return kept


def _locked_survey(survey_id: int) -> Survey:
    """The survey row, locked on PostgreSQL (SQLite's writers already queue), so answers
    and staff changes to the same survey's answers take turns."""
    query = Survey.select().where(Survey.id == survey_id)
    if not is_sqlite():
        query = query.for_update()
    return query.get()


def answer(invitation_id: int, given: dict[int, str], anonymous: bool, today: dt.date
           ) -> None:
    """Store one person's answers for their invitation, once. `anonymous` is the person's
    choice where the survey lets them choose; an anonymous survey is always anonymous and
    a named one never. Raises AnswerRefused."""
    with _unlogged(), db.atomic():
        invitation = SurveyInvitation.get_or_none(SurveyInvitation.id == invitation_id)
        if invitation is None:
            raise AnswerRefused("used")
        survey = _locked_survey(invitation.survey_id)
        if survey.status != OPEN:
            raise AnswerRefused("expired")
        answers = clean_answers(list(survey.question_rows()), given)
        taken = (SurveyInvitation.update(answered=True)
                 .where(SurveyInvitation.id == invitation.id,
                        SurveyInvitation.answered == False)  # noqa: E712
                 .execute())
        if not taken:
            raise AnswerRefused("used")
        hidden_name = survey.anonymity == ANONYMOUS or (survey.anonymity == CHOOSE
                                                        and anonymous)
        row = {"survey": survey.id, "cohort": invitation.cohort_id,
               "respondent": None if hidden_name else invitation.person_id,
               "answered_on": today,
               "answers": json.dumps(answers, sort_keys=True, ensure_ascii=False)}
        if hidden_name:
            _store_anonymously(survey.id, invitation.cohort_id, row)
        else:
            SurveyResponse.insert(id=_free_id(), **row).execute()


def _free_id() -> int:
    while True:
        candidate = new_response_id()
        if not SurveyResponse.select().where(SurveyResponse.id == candidate).exists():
            return candidate


def _store_anonymously(survey_id: int, cohort_id: int | None, row: dict) -> None:
    """Write the new answer among its survey and cohort's anonymous answers, all of them
    rewritten in a random order (see the module's notes)."""
    same = ((SurveyResponse.survey == survey_id) & SurveyResponse.respondent.is_null()
            & (SurveyResponse.cohort.is_null() if cohort_id is None
               else SurveyResponse.cohort == cohort_id))
    rows = list(SurveyResponse.select().where(same).dicts())
    rows.append({"id": _free_id(), "hidden": "[]", "quoted": "[]", **row})
    random.SystemRandom().shuffle(rows)
    SurveyResponse.delete().where(same).execute()
    SurveyResponse.insert_many(rows).execute()


# Staff: free-text answers --------------------------------------------------------------------

def _toggle(actor, survey_id: int, response_id: int, question_id: int, column: str,
            on: bool) -> bool:
    """Add or remove the question from the response's `hidden` or `quoted` list. False if
    the response or question is not the survey's, or the answer is not free text."""
    with db.atomic():
        survey = _locked_survey(survey_id)
        response = SurveyResponse.get_or_none(SurveyResponse.id == response_id,
                                              SurveyResponse.survey == survey.id)
        question = SurveyQuestion.get_or_none(SurveyQuestion.id == question_id,
                                              SurveyQuestion.survey == survey.id)
        if response is None or question is None or question.kind != TEXT \
                or str(question.id) not in response.answer_map:
            return False
        values = {"hidden": response.hidden_ids, "quoted": response.quoted_ids}
        values[column] = (values[column] | {question.id}) if on \
            else (values[column] - {question.id})
        if column == "hidden" and on:
            values["quoted"].discard(question.id)  # a hidden answer is never quoted
        if column == "quoted" and on and question.id in values["hidden"]:
            return False
        (SurveyResponse.update(hidden=json.dumps(sorted(values["hidden"])),
                               quoted=json.dumps(sorted(values["quoted"])))
         .where(SurveyResponse.id == response.id).execute())
        AuditEntry.record(actor, f"survey.answer_{column}" if on else f"survey.answer_un{column}",
                          survey, after={"question": question.id})
    return True


def set_hidden(actor, survey_id: int, response_id: int, question_id: int, hidden: bool
               ) -> bool:
    """Hide a free-text answer from the summary and anything shared (or show it again)."""
    return _toggle(actor, survey_id, response_id, question_id, "hidden", hidden)


def set_quoted(actor, survey_id: int, response_id: int, question_id: int, quoted: bool
               ) -> bool:
    """Choose a free-text answer as a quote for the outcome summary (or stop quoting it)."""
    return _toggle(actor, survey_id, response_id, question_id, "quoted", quoted)
