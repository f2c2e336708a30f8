"""Evaluation jobs: survey invitations at each survey's moment, and the one reminder.

As elsewhere, huey is only the doorbell: each finder selects what is due from the database
and fans out one task per invitation or reminder, and each task writes its row and email
together under a unique key, so a lost task is found again on the next run and a repeated
one sends nothing twice."""
from huey import crontab

from portal.blueprints.evaluation import invitations
from tasks.queue import flask_periodic_task, flask_task


@flask_periodic_task(crontab(minute="*/5"))
def find_survey_invitations() -> int:
    due = invitations.invitations_due()
    for survey_id, person_id, cohort_id, occasion in due:
        send_survey_invitation(survey_id, person_id, cohort_id, occasion)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def send_survey_invitation(survey_id: int, person_id: int, cohort_id: int | None,
                           occasion: str) -> bool:
    return invitations.invite(survey_id, person_id, cohort_id, occasion) is not None


@flask_periodic_task(crontab(minute="23", hour="*"))
def find_survey_reminders() -> int:
    due = invitations.reminders_due()
    for invitation_id in due:
        send_survey_reminder(invitation_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def send_survey_reminder(invitation_id: int) -> bool:
    return invitations.remind(invitation_id) is not None
