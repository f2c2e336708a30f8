"""Pay it forward: once a mentee's mentoring has ended, they are invited to come back as a
mentor in the programme's next cohort, by one notification (by email or on the site only,
as they choose; the key per application makes a job that runs every few minutes tell them
once) and on their dashboard until they apply.

The application they then make records the mentee place it follows (`was_mentee_in`, set
by services_applications.save_draft)."""
import dataclasses
import datetime as dt

from flask import render_template
from peewee import Value, fn

from portal import mail_preferences, notifications
from portal.blueprints.programmes.models import (
    ACCEPTED,
    MENTEE,
    MENTOR,
    Application,
    Cohort,
    Programme,
)
from portal.db import db
from portal.links import absolute_url, path_for
from portal.notifications import OFF, UserNotification
from portal.outbox import OutboxMessage

KEY_PREFIX = "pay-it-forward:"


@dataclasses.dataclass
class Invitation:
    mentee_application: Application
    programme: Programme
    next_cohort: Cohort | None  # recruiting or opening later; None: not set up yet

    @property
    def recruiting(self) -> bool:
        return self.next_cohort is not None and self.next_cohort.is_recruiting()


def _has_ended(application: Application, today: dt.date) -> bool:
    cohort = application.cohort
    return (application.role == MENTEE and application.status == ACCEPTED
            and cohort is not None and cohort.mentoring_ends < today)


def _next_cohorts(programme_ids, today: dt.date) -> dict[int, Cohort]:
    """Each programme's cohort still to recruit or recruiting now, in one query."""
    return {c.programme_id: c for c in Cohort.current_for(programme_ids, today)
            if c.recruitment_closes >= today}


def invitations_for(applications: list[Application],
                    today: dt.date | None = None) -> list[Invitation]:
    """From a person's own applications (Application.of_applicant rows, with programme and
    cohort): an invitation per programme where their mentee place has ended and they have
    not applied as a mentor since. At most one more query, whatever the number."""
    today = today or dt.date.today()
    ended = [a for a in applications if _has_ended(a, today)]
    mentoring = {a.programme_id for a in applications if a.role == MENTOR}
    ended = [a for a in ended if a.programme_id not in mentoring]
    if not ended:
        return []
    upcoming = _next_cohorts({a.programme_id for a in ended}, today)
    seen, invitations = set(), []
    for application in ended:
        if application.programme_id not in seen:
            seen.add(application.programme_id)
            invitations.append(Invitation(application, application.programme,
                                          upcoming.get(application.programme_id)))
    return invitations


def _key(application_id: int) -> str:
    return f"{KEY_PREFIX}{application_id}"


def due(today: dt.date | None = None):
    """Ids of accepted mentee places whose mentoring has ended and whose invitation has not
    been given (no outbox row or notification under its key), leaving out people who
    switched invitations off: an unexecuted select."""
    today = today or dt.date.today()
    key = Value(KEY_PREFIX).concat(Application.id.cast("text"))
    queued = OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.key == key)
    told = UserNotification.select(UserNotification.id).where(UserNotification.key == key)
    wanted = notifications.channel_expression("invitation", Application.applicant) != OFF
    return (Application.select(Application.id).join(Cohort)
            .where(Application.role == MENTEE, Application.status == ACCEPTED,
                   Cohort.mentoring_ends < today, ~fn.EXISTS(queued), ~fn.EXISTS(told),
                   wanted)
            .order_by(Application.id))


def invite(application_id: int, today: dt.date | None = None) -> str | None:
    """Queue the invitation email for one ended mentee place; None if it is not due (any
    more). Running it twice queues one email."""
    today = today or dt.date.today()
    application = (Application.select(Application, Programme, Cohort)
                   .join(Programme).switch(Application).join(Cohort)
                   .where(Application.id == application_id).first())
    if application is None or not _has_ended(application, today):
        return None
    programme = application.programme
    next_cohort = _next_cohorts([programme.id], today).get(programme.id)
    recruiting = next_cohort is not None and next_cohort.is_recruiting(today)
    endpoint, values = (("programmes.apply", {"slug": programme.slug, "role": MENTOR})
                        if recruiting else ("programmes.show", {"slug": programme.slug}))
    link = absolute_url(endpoint, **values)
    role = programme.role(MENTOR)
    body = render_template("emails/pay_it_forward.txt", person=application.applicant,
                           programme=programme, cohort=application.cohort,
                           next_cohort=next_cohort, recruiting=recruiting, link=link,
                           mentor_name=role.name if role else "mentor")
    key = _key(application.id)
    subject = f"Pay it forward: be a {role.name if role else 'mentor'} on {programme.name}"
    with db.atomic():
        notifications.notify(application.applicant_id, "invitation", subject,
                             path_for(endpoint, **values), key)
        mail_preferences.queue_email(application.applicant, "invitation", key, subject, body)
    return key
