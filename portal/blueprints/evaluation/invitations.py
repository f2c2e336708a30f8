"""Who is asked to answer a survey, and when: the invitations and the one reminder.

Each open survey asks people at its moment, for occasions from when it was opened on:
- baseline: everyone who submits an application to the programme;
- training: everyone who held a seat at a training session of one of its cohorts (and was
  not marked absent), once the session has ended;
- closing: both people of a relationship when it closes (mentoring's close() calls
  `invite_on_close` in its own transaction, so the person who closes it can answer at once);
- follow-up: both people, the survey's number of months after their relationship closed.
A survey for one role asks only the people in that role.

The jobs (tasks/evaluation.py) find what is due and fan out one task per invitation; a task
writes the SurveyInvitation row and its email together, and the unique index on (survey,
person, occasion) with the email's outbox key make it one invitation however often it runs.
The reminder goes once, a week later, to those who have not answered, while the link works.
"""
import datetime as dt

from flask import render_template, url_for
from peewee import JOIN, Value, fn

from portal import mail_preferences, notifications
from portal.blueprints.accounts.models import User
from portal.blueprints.evaluation.models import (
    ANONYMOUS,
    BASELINE,
    CLOSING,
    EVERYONE,
    FOLLOW_UP,
    OPEN,
    TRAINING,
    Survey,
    SurveyInvitation,
)
from portal.blueprints.mentoring.models import CLOSED, Relationship
from portal.blueprints.programmes.models import (
    ALL_ROLES,
    DRAFT,
    MENTEE,
    MENTOR,
    WITHDRAWN,
    Application,
    Cohort,
    CohortWebinar,
    Programme,
)
from portal.blueprints.programmes.models import TRAINING as TRAINING_PURPOSE
from portal.blueprints.webinars.models import BOOKED, CANCELLED, WebinarBooking, WebinarSession
from portal.dates import add_months
from portal.db import db, utcnow
from portal.links import absolute_url, path_for
from portal.signed_links import LinkProblem, load, sign

PURPOSE = "survey-invitation"
ANSWER_DAYS = 28  # a link works this long after it was sent
REMINDER_DAYS = 7
TRAINING_LOOKBACK_DAYS = 30  # sessions that ended longer ago than this are not asked about


def make_token(invitation_id: int) -> str:
    return sign(PURPOSE, {"i": invitation_id})


def invitation_for_token(token: str) -> SurveyInvitation:
    """The unanswered invitation a link names, with its survey and programme. Raises
    LinkProblem: "expired" after ANSWER_DAYS (or once the survey is closed), "used" once
    answered, "invalid" otherwise."""
    data = load(PURPOSE, token, "i", ANSWER_DAYS * 24 * 3600)
    invitation = (SurveyInvitation.select(SurveyInvitation, Survey, Programme)
                  .join(Survey).join(Programme)
                  .where(SurveyInvitation.id == data["i"]).first())
    if invitation is None:
        raise LinkProblem("invalid")
    if invitation.answered:
        raise LinkProblem("used")
    if invitation.survey.status != OPEN:
        raise LinkProblem("expired")
    return invitation


def link_for(invitation_id: int) -> str:
    return absolute_url("evaluation.respond", token=make_token(invitation_id))


# Finding who is due -----------------------------------------------------------------------

Due = tuple[int, int, int | None, str]  # survey id, person id, cohort id, occasion


def _not_invited(survey, person, occasion):
    return ~fn.EXISTS(SurveyInvitation.select(SurveyInvitation.id).where(
        SurveyInvitation.survey == survey, SurveyInvitation.person == person,
        SurveyInvitation.occasion == occasion))


def _baseline_due(survey: Survey) -> list[Due]:
    occasion = Value("application:").concat(Application.id)
    query = (Application.select(Application.applicant, Application.cohort, occasion)
             .where(Application.programme == survey.programme_id,
                    Application.status.not_in([DRAFT, WITHDRAWN]),
                    Application.submitted_at >= survey.opened_at,
                    _not_invited(survey.id, Application.applicant, occasion)))
    if survey.role != EVERYONE:
        query = query.where(Application.role == survey.role)
    return [(survey.id, person, cohort, str(key)) for person, cohort, key in query.tuples()]


def _training_due(survey: Survey, now: dt.datetime) -> list[Due]:
    occasion = Value("session:").concat(WebinarSession.id)
    query = (CohortWebinar.select(WebinarBooking.user, CohortWebinar.cohort, occasion)
             .join(WebinarSession, on=(CohortWebinar.session == WebinarSession.id))
             .join(WebinarBooking, on=(WebinarBooking.session == WebinarSession.id))
             .switch(CohortWebinar).join(Cohort, on=(CohortWebinar.cohort == Cohort.id))
             .where(Cohort.programme == survey.programme_id,
                    CohortWebinar.purpose == TRAINING_PURPOSE,
                    WebinarSession.status != CANCELLED,
                    WebinarSession.ends_at <= now,
                    WebinarSession.ends_at >= max(survey.opened_at, now - dt.timedelta(
                        days=TRAINING_LOOKBACK_DAYS)),
                    WebinarBooking.status == BOOKED,
                    (WebinarBooking.attended.is_null()) | (WebinarBooking.attended == True),  # noqa: E712
                    _not_invited(survey.id, WebinarBooking.user, occasion)))
    if survey.role != EVERYONE:
        query = query.where(CohortWebinar.role.in_([ALL_ROLES, survey.role]))
    return [(survey.id, person, cohort, str(key)) for person, cohort, key in query.tuples()]


def _closed_pairs_due(survey: Survey, closed_from: dt.datetime, closed_to: dt.datetime
                      ) -> list[Due]:
    occasion = Value("relationship:").concat(Relationship.id)
    due = []
    for role, person in ((MENTOR, Relationship.mentor), (MENTEE, Relationship.mentee)):
        if survey.role not in (EVERYONE, role):
            continue
        query = (Relationship.select(person, Relationship.cohort, occasion)
                 .where(Relationship.programme == survey.programme_id,
                        Relationship.status == CLOSED,
                        Relationship.closed_at >= closed_from,
                        Relationship.closed_at <= closed_to,
                        _not_invited(survey.id, person, occasion)))
        due += [(survey.id, p, cohort, str(key)) for p, cohort, key in query.tuples()]
    return due


def invitations_due(now: dt.datetime | None = None) -> list[Due]:
    """Every invitation an open survey should have sent by now and has not: one query per
    open survey."""
    now = now or utcnow()
    due: list[Due] = []
    for survey in Survey.select().where(Survey.status == OPEN).order_by(Survey.id):
        if survey.moment == BASELINE:
            due += _baseline_due(survey)
        elif survey.moment == TRAINING:
            due += _training_due(survey, now)
        elif survey.moment == CLOSING:
            due += _closed_pairs_due(survey, survey.opened_at, now)
        elif survey.moment == FOLLOW_UP:
            months = survey.follow_up_months or 0
            due += _closed_pairs_due(survey, _months_before(survey.opened_at, months),
                                     _months_before(now, months))
    return due


def _months_before(moment: dt.datetime, months: int) -> dt.datetime:
    return dt.datetime.combine(add_months(moment.date(), -months), moment.time())


# Sending ------------------------------------------------------------------------------------

def _email(invitation: SurveyInvitation, survey: Survey, person, key: str, reminder: bool
           ) -> str:
    """The invitation (or its reminder) in the person's notification centre and, if they
    take survey invitations by email, in their inbox."""
    subject = (f"Reminder: {survey.title}" if reminder
               else f"{survey.programme.name}: {survey.title}")
    token = make_token(invitation.id)
    notifications.notify(person.id, "survey_invitation", subject,
                         path_for("evaluation.respond", token=token), key)
    mail_preferences.queue_email(
        person, "survey_invitation", key, subject,
        render_template("emails/survey_invitation.txt", survey=survey,
                        programme=survey.programme, person=person, reminder=reminder,
                        anonymous=survey.anonymity == ANONYMOUS,
                        may_choose=survey.may_be_anonymous, days=ANSWER_DAYS,
                        link=absolute_url("evaluation.respond", token=token)))
    return key


def invite(survey_id: int, person_id: int, cohort_id: int | None, occasion: str,
           now: dt.datetime | None = None) -> str | None:
    """One invitation and its email, once. Returns the email's outbox key, or None when the
    survey is no longer open or the person was invited for this occasion already."""
    now = now or utcnow()
    with db.atomic():
        survey = (Survey.select(Survey, Programme).join(Programme)
                  .where(Survey.id == survey_id).first())
        person = User.get_or_none(User.id == person_id)
        if survey is None or survey.status != OPEN or person is None or person.erased_at:
            return None
        inserted = (SurveyInvitation.insert(survey=survey.id, person=person.id,
                                            cohort=cohort_id, occasion=occasion, sent_at=now)
                    .on_conflict_ignore().as_rowcount().execute())
        if not inserted:
            return None
        invitation = SurveyInvitation.get(SurveyInvitation.survey == survey.id,
                                          SurveyInvitation.person == person.id,
                                          SurveyInvitation.occasion == occasion)
        return _email(invitation, survey, person, f"survey-invitation:{invitation.id}", False)


def invite_on_close(rel, now: dt.datetime) -> list[str]:
    """Both people of a relationship that has just closed, if its programme has an open
    closing survey. Call inside the closing transaction."""
    survey = (Survey.select().where(Survey.programme == rel.programme_id,
                                    Survey.status == OPEN, Survey.moment == CLOSING)
              .order_by(Survey.id).first())
    if survey is None:
        return []
    keys = []
    for role, person_id in ((MENTOR, rel.mentor_id), (MENTEE, rel.mentee_id)):
        if survey.role in (EVERYONE, role):
            key = invite(survey.id, person_id, rel.cohort_id, f"relationship:{rel.id}", now)
            keys += [key] if key else []
    return keys


def _closing_invitation(relationship_id: int, person_id: int) -> SurveyInvitation | None:
    return (SurveyInvitation.select(SurveyInvitation, Survey).join(Survey)
            .where(SurveyInvitation.occasion == f"relationship:{relationship_id}",
                   SurveyInvitation.person == person_id, Survey.moment == CLOSING)
            .order_by(SurveyInvitation.id.desc()).first())


def closing_link(relationship_id: int, person_id: int) -> str | None:
    """Where this person answers the closing survey for this relationship: a link while
    their invitation is unanswered and the survey open, else None."""
    invitation = _closing_invitation(relationship_id, person_id)
    if invitation is None or invitation.answered or invitation.survey.status != OPEN:
        return None
    return url_for("evaluation.respond", token=make_token(invitation.id))


def closing_invitation_answered(relationship_id: int, person_id: int) -> bool:
    invitation = _closing_invitation(relationship_id, person_id)
    return invitation is not None and invitation.answered


def answered_closing(relationship, person):
    """A condition for queries over relationships: `person` has answered the closing
    survey for the relationship."""
    occasion = Value("relationship:").concat(relationship)
    return fn.EXISTS(SurveyInvitation.select(SurveyInvitation.id).join(Survey).where(
        SurveyInvitation.occasion == occasion, SurveyInvitation.person == person,
        SurveyInvitation.answered == True, Survey.moment == CLOSING))  # noqa: E712


# The reminder -------------------------------------------------------------------------------

def reminders_due(now: dt.datetime | None = None) -> list[int]:
    """Unanswered invitations of open surveys, sent at least REMINDER_DAYS ago and still
    answerable, not yet reminded: their ids."""
    now = now or utcnow()
    return [i for (i,) in SurveyInvitation.select(SurveyInvitation.id).join(Survey).where(
        SurveyInvitation.answered == False,  # noqa: E712
        SurveyInvitation.reminded_at.is_null(),
        SurveyInvitation.sent_at <= now - dt.timedelta(days=REMINDER_DAYS),
        SurveyInvitation.sent_at > now - dt.timedelta(days=ANSWER_DAYS),
        Survey.status == OPEN).order_by(SurveyInvitation.id).tuples()]


def remind(invitation_id: int, now: dt.datetime | None = None) -> str | None:
    """The one reminder, with a fresh link. None when it is no longer due."""
    now = now or utcnow()
    with db.atomic():
        invitation = (SurveyInvitation.select(SurveyInvitation, Survey, Programme, User)
                      .join(Survey).join(Programme).switch(SurveyInvitation)
                      .join(User, JOIN.INNER, on=(SurveyInvitation.person == User.id))
                      .where(SurveyInvitation.id == invitation_id).first())
        if invitation is None or invitation.survey.status != OPEN:
            return None
        marked = (SurveyInvitation.update(reminded_at=now)
                  .where(SurveyInvitation.id == invitation_id,
                         SurveyInvitation.answered == False,  # noqa: E712
                         SurveyInvitation.reminded_at.is_null())
                  .execute())
        if not marked:
            return None
        return _email(invitation, invitation.survey, invitation.person,
                      f"survey-reminder:{invitation.id}", True)
