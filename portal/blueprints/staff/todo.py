"""The staff to-do list: everything waiting for a person, each with a count and a link,
scoped to the programmes the staff member coordinates.

The list is PROVIDERS, in the order the dashboard shows them: each provider takes the
Scope and returns its items from one query (a count grouped by programme or cohort), so
the dashboard runs a fixed number of queries however many people, applications or pairs
there are. A new kind of item is one more provider appended here.

Items that belong to no programme follow the person instead: reports in the moderation
queue (for moderators, site-wide) and articles they own whose review date has come.
"""
import dataclasses
import datetime as dt
from collections import Counter

from flask import url_for
from peewee import JOIN, Case, fn

from portal import permissions
from portal.blueprints.evaluation.invitations import REMINDER_DAYS
from portal.blueprints.evaluation.models import OPEN, Survey, SurveyInvitation
from portal.blueprints.experts.models import ActivityCheck, Expert
from portal.blueprints.hub.models import PUBLISHED, Article
from portal.blueprints.mentoring import status
from portal.blueprints.mentoring.models import CLOSED, DRAFT, STARTED, CheckIn, Relationship
from portal.blueprints.mentoring.services_checkins import FLAGS
from portal.blueprints.programmes.models import (
    ACCEPTED,
    SUBMITTED,
    UNDER_REVIEW,
    Application,
    Cohort,
    CohortWebinar,
    Programme,
    ProgrammeCoordinator,
)
from portal.blueprints.webinars.models import SCHEDULED, WebinarSession
from portal.reports import open_report_count

LOW_RESPONSE = 0.5  # a survey's cohort below this share of answers, a week after asking
NEEDS_ATTENTION = (status.NEEDS_CHECKIN, status.INACTIVE)


@dataclasses.dataclass(frozen=True)
class Item:
    what: str
    where: str
    count: int
    href: str


@dataclasses.dataclass(frozen=True)
class Scope:
    user: object
    today: dt.date
    now: dt.datetime

    @property
    def programmes(self):
        """The ids of the programmes this person coordinates (a subquery)."""
        return ProgrammeCoordinator.select(ProgrammeCoordinator.programme).where(
            ProgrammeCoordinator.user == self.user.id)


def _where(programme_name: str, cohort_name: str | None) -> str:
    return f"{programme_name}, cohort {cohort_name}" if cohort_name else programme_name


def applications_to_review(scope: Scope) -> list[Item]:
    rows = (Application.select(Programme.id, Programme.name, fn.COUNT(Application.id))
            .join(Programme)
            .where(Application.programme.in_(scope.programmes),
                   Application.status.in_([SUBMITTED, UNDER_REVIEW]))
            .group_by(Programme.id, Programme.name).order_by(Programme.name).tuples())
    return [Item("Applications to review", name, n,
                 url_for("programmes.review", programme_id=pid)) for pid, name, n in rows]


def accepted_not_matched(scope: Scope) -> list[Item]:
    matched = Relationship.select(Relationship.id).where(
        (Relationship.mentor_application == Application.id)
        | (Relationship.mentee_application == Application.id),
        Relationship.status.in_([DRAFT, *STARTED, CLOSED]))
    # Only cohorts are matched: in an always-open programme people find each other through
    # the expert directory, so nobody there waits for a coordinator.
    rows = (Application.select(Programme.name, Cohort.id, Cohort.name, fn.COUNT(Application.id))
            .join(Programme).switch(Application).join(Cohort)
            .where(Application.programme.in_(scope.programmes),
                   Application.status == ACCEPTED, ~fn.EXISTS(matched))
            .group_by(Programme.name, Cohort.id, Cohort.name)
            .order_by(Programme.name, Cohort.name).tuples())
    return [Item("Accepted but not matched", _where(name, cohort_name), n,
                 url_for("programmes.cohort_matching", cohort_id=cohort_id))
            for name, cohort_id, cohort_name, n in rows]


def drafts_not_released(scope: Scope) -> list[Item]:
    rows = (Relationship.select(Programme.name, Cohort.id, Cohort.name,
                                fn.COUNT(Relationship.id))
            .join(Programme).switch(Relationship).join(Cohort)
            .where(Relationship.programme.in_(scope.programmes), Relationship.status == DRAFT)
            .group_by(Programme.name, Cohort.id, Cohort.name)
            .order_by(Programme.name, Cohort.name).tuples())
    return [Item("Draft matches not released", _where(name, cohort_name), n,
                 url_for("programmes.cohort_matching", cohort_id=cohort_id))
            for name, cohort_id, cohort_name, n in rows]


def pairs_needing_attention(scope: Scope) -> list[Item]:
    """Open pairs the coordinator's pair list flags: someone asked for help (or said they
    have stopped), or no session for the programme's inactivity period. The rules are
    mentoring's own (status.pair_status), read over one query."""
    flags = (CheckIn.select(CheckIn.relationship, fn.COUNT(CheckIn.id).alias("n"))
             .where(CheckIn.answer.in_(list(FLAGS)), CheckIn.resolved_at.is_null())
             .group_by(CheckIn.relationship).alias("open_flags"))
    R = Relationship
    pairs = (R.select(R.id, R.status, R.cohort, R.programme, R.started_at, R.released_at,
                      R.last_session_on, R.leave_starts, R.leave_returns, R.keep_in_touch,
                      Programme.name.alias("programme_name"), Programme.inactivity_days,
                      Cohort.name.alias("cohort_name"), fn.COALESCE(flags.c.n, 0).alias("flags"))
             .join(Programme).switch(R).join(Cohort, JOIN.LEFT_OUTER).switch(R)
             .join(flags, JOIN.LEFT_OUTER, on=(flags.c.relationship_id == R.id))
             .where(R.programme.in_(scope.programmes), R.status.in_(list(STARTED))).objects())
    counts, names = Counter(), {}
    for pair in pairs:
        if status.pair_status(pair, scope.today, pair.inactivity_days,
                              pair.flags) in NEEDS_ATTENTION:
            key = (pair.programme_id, pair.cohort_id)
            counts[key] += 1
            names[key] = (pair.programme_name, pair.cohort_name)
    return [Item("Pairs needing a check-in or inactive", _where(*names[key]), n,
                 url_for("mentoring.pairs", cohort_id=key[1], sort="status") if key[1]
                 else url_for("programmes.setup", programme_id=key[0]))
            for key, n in sorted(counts.items(), key=lambda kv: names[kv[0]])]


def surveys_with_low_response(scope: Scope) -> list[Item]:
    """Open surveys whose invitations of a week ago or more have had fewer than half
    answered, per cohort; the count is how many have not answered."""
    answered = Case(None, [(SurveyInvitation.answered == True, 1)], 0)  # noqa: E712
    rows = (SurveyInvitation.select(Survey.id, Survey.title, Programme.name, Cohort.id,
                                    Cohort.name, fn.COUNT(SurveyInvitation.id),
                                    fn.SUM(answered))
            .join(Survey).join(Programme).switch(SurveyInvitation)
            .join(Cohort, JOIN.LEFT_OUTER)
            .where(Survey.programme.in_(scope.programmes), Survey.status == OPEN,
                   SurveyInvitation.sent_at <= scope.now - dt.timedelta(days=REMINDER_DAYS))
            .group_by(Survey.id, Survey.title, Programme.name, Cohort.id, Cohort.name)
            .order_by(Programme.name, Survey.title, Cohort.name).tuples())
    return [Item(f"Low response to “{title}” ({int(yes or 0)} of {invited} answered)",
                 _where(name, cohort_name), invited - int(yes or 0),
                 url_for("evaluation.survey_results", survey_id=survey_id, cohort=cohort_id))
            for survey_id, title, name, cohort_id, cohort_name, invited, yes in rows
            if invited and int(yes or 0) < LOW_RESPONSE * invited]


def reports_to_moderate(scope: Scope) -> list[Item]:
    if not permissions.can_moderate(scope.user):
        return []
    n = open_report_count()
    return [Item("Reports in the moderation queue", "Boards and comments", n,
                 url_for("staff.moderation_queue"))] if n else []


def articles_due_for_review(scope: Scope) -> list[Item]:
    n = Article.select().where(Article.owner == scope.user.id, Article.status == PUBLISHED,
                               Article.review_by <= scope.today).count()
    return [Item("Your articles due for review", "Knowledge hub", n,
                 url_for("hub.manage", status=PUBLISHED))] if n else []


def webinars_without_facilitator(scope: Scope) -> list[Item]:
    rows = (WebinarSession.select(Programme.name, Cohort.id, Cohort.name,
                                  fn.COUNT(fn.DISTINCT(WebinarSession.id)))
            .join(CohortWebinar, on=(CohortWebinar.session == WebinarSession.id))
            .join(Cohort, on=(CohortWebinar.cohort == Cohort.id)).join(Programme)
            .where(Cohort.programme.in_(scope.programmes), WebinarSession.status == SCHEDULED,
                   WebinarSession.starts_at > scope.now, WebinarSession.facilitator == "")
            .group_by(Programme.name, Cohort.id, Cohort.name)
            .order_by(Programme.name, Cohort.name).tuples())
    return [Item("Webinars without a facilitator", _where(name, cohort_name), n,
                 url_for("programmes.cohort", cohort_id=cohort_id))
            for name, cohort_id, cohort_name, n in rows]


def experts_not_answering(scope: Scope) -> list[Item]:
    rows = (Expert.unanswered_checks(scope.now)
            .select(Programme.id, Programme.name, fn.COUNT(ActivityCheck.id))
            .where(Expert.programme.in_(scope.programmes))
            .group_by(Programme.id, Programme.name).order_by(Programme.name).tuples())
    return [Item("Experts who did not answer an activity check", name, n,
                 url_for("experts.oversee", programme_id=pid)) for pid, name, n in rows]


PROVIDERS = [applications_to_review, accepted_not_matched, drafts_not_released,
             pairs_needing_attention, experts_not_answering, surveys_with_low_response,
             reports_to_moderate, articles_due_for_review, webinars_without_facilitator]


def items(user, today: dt.date, now: dt.datetime) -> list[Item]:
    scope = Scope(user, today, now)
    return [item for provider in PROVIDERS for item in provider(scope)]
