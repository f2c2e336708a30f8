"""Programme jobs: "it is open" emails when a cohort opens, and the pay-it-forward
invitation when a mentee's mentoring ends.

huey delivers at most once, so each periodic job only selects what is due from the database
and fans out one task per item; each task re-checks and writes its emails to the outbox
under unique keys, so a lost task is picked up on the next run and a repeated one sends
nothing twice."""
from huey import crontab

from portal.blueprints.programmes import services_alerts, services_pay_it_forward
from portal.blueprints.programmes.models import Cohort
from tasks.queue import flask_periodic_task, flask_task


@flask_periodic_task(crontab(minute="*/5"))
def find_opening_cohorts() -> int:
    due = [c.id for c in Cohort.opening_due().select(Cohort.id)]
    for cohort_id in due:
        notify_cohort_opening(cohort_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def notify_cohort_opening(cohort_id: int) -> int:
    """One email per confirmed address (outbox key per cohort and address)."""
    cohort = Cohort.get_or_none(Cohort.id == cohort_id)
    if cohort is None:
        return 0
    return services_alerts.notify_opening(cohort)


@flask_periodic_task(crontab(minute="*/5"))
def find_mentees_to_invite() -> int:
    due = [a.id for a in services_pay_it_forward.due()]
    for application_id in due:
        invite_to_pay_it_forward(application_id)
    return len(due)


@flask_task(retries=3, retry_delay=60)
def invite_to_pay_it_forward(application_id: int) -> bool:
    return services_pay_it_forward.invite(application_id) is not None
