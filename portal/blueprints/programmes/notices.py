"""The emails the programmes area sends. Each is written to the outbox inside the
transaction of the change that causes it (portal.outbox.queue_email), under a key that
makes it one message however often it is queued.

Links are built from BASE_URL and the paths below, because the emails are queued by
services and jobs that have no request. The programmes views must serve these paths.
"""
from flask import current_app, render_template

from portal import mail_preferences, notifications
from portal.blueprints.programmes.models import STATUS_LABELS
from portal.outbox import queue_email

APPLICATION_PATH = "/programmes/applications/{application_id}"
PROGRAMME_PATH = "/programmes/{slug}"
ALERT_CONFIRM_PATH = "/programmes/alerts/confirm/{token}"
ALERT_UNSUBSCRIBE_PATH = "/programmes/alerts/unsubscribe/{token}"
ALERT_ONE_CLICK_PATH = "/programmes/alerts/one-click/{token}"

SUBJECTS = {
    "submitted": "We have your application to {programme}",
    "under_review": "Your application to {programme} is being reviewed",
    "accepted": "You have a place on {programme}",
    "waitlisted": "You are on the waiting list for {programme}",
    "declined": "Your application to {programme}",
    "withdrawn": "You have withdrawn your application to {programme}",
}


# What the notification centre says: the subjects, with a declined one made plain.
CENTRE_TEXT = SUBJECTS | {
    "declined": "Your application to {programme} was not successful this time"}


def page(path: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path.format(**values)


def status_changed(application, event, programme, cohort, role_name: str) -> str:
    """The applicant is told of every status change, in their notification centre and (as
    they choose) by email; the key is the event's."""
    key = f"application:{application.id}:{event.id}"
    subject = SUBJECTS[event.status].format(programme=programme.name)
    notifications.notify(application.applicant_id, "application",
                         CENTRE_TEXT[event.status].format(programme=programme.name),
                         APPLICATION_PATH.format(application_id=application.id), key)
    body = render_template(
        "emails/application_status.txt", person=application.applicant,
        application=application, programme=programme, cohort=cohort, role_name=role_name,
        status=event.status, status_label=STATUS_LABELS[event.status], note=event.note,
        link=page(APPLICATION_PATH, application_id=application.id))
    mail_preferences.queue_email(application.applicant, "application", key, subject, body)
    return key


def confirm_alert(alert, programme, token: str, day) -> str:
    """At most one a day per alert: asking again the same day sends nothing new."""
    key = f"opening-alert-confirm:{alert.id}:{alert.nonce}:{day.isoformat()}"
    body = render_template("emails/opening_alert_confirm.txt", programme=programme,
                           link=page(ALERT_CONFIRM_PATH, token=token))
    queue_email(key, alert.email, f"Confirm: tell me when {programme.name} opens", body)
    return key


def cohort_open(alert, cohort, programme, unsubscribe_token: str) -> str:
    key = f"cohort-open:{cohort.id}:{alert.id}"
    body = render_template("emails/cohort_open.txt", programme=programme, cohort=cohort,
                           link=page(PROGRAMME_PATH, slug=programme.slug),
                           unsubscribe=page(ALERT_UNSUBSCRIBE_PATH, token=unsubscribe_token))
    headers = {"List-Unsubscribe": f"<{page(ALERT_ONE_CLICK_PATH, token=unsubscribe_token)}>",
               "List-Unsubscribe-Post": mail_preferences.ONE_CLICK}
    queue_email(key, alert.email, f"{programme.name} is open for applications", body,
                headers=headers)
    return key
