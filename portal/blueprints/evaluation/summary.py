"""A cohort's outcome summary: the staff's introduction, the cohort's numbers, each survey's
results (charts and tables), the change since the baseline, and the free-text answers staff
chose to quote, on one printable page; and, in one step, the same as a hub article.

Everything shown comes from equality.report (the cohort's numbers) and results.survey_results,
so the summary and the article carry the same protected figures as the staff pages, and
hidden answers never appear. The article is Markdown (the hub renders and cleans it): every
piece of text that is not ours is escaped, and quotes stay inside their block quote.
"""
import dataclasses
import re

from flask import render_template

from portal import audience, settings
from portal.audit import AuditEntry
from portal.blueprints.evaluation import equality, results
from portal.blueprints.evaluation.models import DRAFT, OutcomeSummary, Survey, SurveyResponse
from portal.blueprints.hub import services as hub
from portal.blueprints.hub.models import PUBLISHED, Article
from portal.db import db, utcnow

AUDIENCES = {audience.SIGNED_IN: "Anyone signed in",
             audience.GROUPS: "The cohort's members only", audience.STAFF: "Staff only"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


@dataclasses.dataclass
class Quote:
    question: str
    text: str


@dataclasses.dataclass
class Summary:
    cohort: object
    programme: object
    record: OutcomeSummary | None
    numbers: list  # [(stage label, Cell)]
    surveys: list  # [results.Results]
    quotes: list[Quote]


def surveys_with_answers(cohort) -> list[Survey]:
    answered = SurveyResponse.select(SurveyResponse.survey).where(
        SurveyResponse.cohort == cohort.id)
    return list(Survey.select().where(Survey.programme == cohort.programme_id,
                                      Survey.status != DRAFT, Survey.id.in_(answered))
                .order_by(Survey.opened_at, Survey.id))


def build(cohort) -> Summary:
    record = OutcomeSummary.get_or_none(OutcomeSummary.cohort == cohort.id)
    totals = equality.report(cohort.programme_id, cohort.id)[0].totals
    numbers = list(zip(equality.STAGE_LABELS.values(), totals, strict=True))
    found = [results.survey_results(s, cohort) for s in surveys_with_answers(cohort)]
    quotes = [Quote(t.question.text, item.text) for r in found for t in r.texts
              for item in t.items if item.quoted and not item.hidden]
    return Summary(cohort, cohort.programme, record, numbers, found, quotes)


def save_intro(actor, cohort_id: int, intro: str) -> OutcomeSummary:
    with db.atomic():
        (OutcomeSummary.insert(cohort=cohort_id, intro=intro.strip(), updated_by=actor.id,
                               updated_at=utcnow())
         .on_conflict(conflict_target=[OutcomeSummary.cohort],
                      update={OutcomeSummary.intro: intro.strip(),
                              OutcomeSummary.updated_by: actor.id,
                              OutcomeSummary.updated_at: utcnow()})
         .execute())
        record = OutcomeSummary.get(OutcomeSummary.cohort == cohort_id)
        AuditEntry.record(actor, "outcome_summary.update", record,
                          after={"cohort": cohort_id})
    return record


def escape(text: str) -> str:
    """Text shown as itself in Markdown, on one line: every character Markdown reads is
    escaped, so a quote cannot end its block quote or make a link, heading or table."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def article_body(summary: Summary) -> str:
    return render_template("evaluation/summary_article.txt", summary=summary, escape=escape,
                           intro_lines=(summary.record.intro.splitlines()
                                        if summary.record else []))


def publish(actor, cohort, audience_value: str) -> tuple[Article, str]:
    """Publish the summary to the hub as an article (or update the article it was
    published as). When the hub needs a second person's approval the article goes for
    review instead. Returns the article and what happened: "published", "updated" or
    "submitted"."""
    if audience_value not in AUDIENCES:
        raise ValueError(f"not an audience: {audience_value!r}")
    summary = build(cohort)
    title = f"{cohort.programme.name}, {cohort.name}: what we found"
    groups = [cohort.everyone_group_id] if audience_value == audience.GROUPS else []
    with db.atomic():
        record = summary.record or OutcomeSummary.create(cohort=cohort.id, updated_by=actor.id)
        existing = Article.get_or_none(Article.id == record.article_id) \
            if record.article_id else None
        article = hub.save_article(
            actor, existing, title=title,
            summary=f"The outcomes of {cohort.programme.name}, cohort {cohort.name}: "
                    "the evaluation's numbers and what participants told us.",
            body=article_body(summary), kind="story", topic_ids=[],
            audience_value=audience_value, group_ids=groups, review_by=None,
            note="From the outcome summary")
        article = Article.with_last_editor().where(Article.id == article.id).get()
        outcome = "updated"
        if article.status != PUBLISHED:
            allowed = hub.allowed_actions(actor, article)
            action = "publish" if "publish" in allowed else "submit"
            if action in allowed:
                hub.change_status(actor, article, action)
            outcome = "published" if action == "publish" else "submitted"
        record.article, record.published_at = article.id, utcnow()
        record.save()
        AuditEntry.record(actor, "outcome_summary.publish", record,
                          after={"article": article.id, "outcome": outcome,
                                 "approval_needed": settings.get("hub_requires_approval")})
    return article, outcome
