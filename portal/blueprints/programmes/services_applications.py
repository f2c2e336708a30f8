"""An application's life: draft, submitted, under review, then accepted, waitlisted or
declined; the applicant may withdraw. Each change is one transaction that writes the
status, an ApplicationEvent, the cohort's group memberships, the audit row (for staff
actions) and the applicant's email (outbox), so a failure anywhere leaves none of them.

Concurrency: on SQLite `db.atomic()` begins IMMEDIATE, which serialises writers; on
PostgreSQL the application row (and, for an accept, the cohort row, to count places) is
taken FOR UPDATE first. So two coordinators clicking at once cannot both move one
application, nor fill more places than the cohort has.

Staff functions take the acting user but do not check permissions: the view's loader has
already checked permissions.can_coordinate.
"""
import dataclasses
import datetime as dt
import json

from portal.audit import AuditEntry
from portal.blueprints.programmes import notices, rules
from portal.blueprints.programmes.models import (
    ACCEPTED,
    DECLINED,
    DISABILITIES,
    DRAFT,
    ETHNICITIES,
    FEE_LABELS,
    LIVE,
    MENTEE,
    MENTOR,
    ROLE_KEYS,
    SEXES,
    SUBMITTED,
    UNDER_REVIEW,
    WAITLISTED,
    WITHDRAWN,
    Application,
    ApplicationEvent,
    ApplicationTopic,
    Cohort,
    CoordinatorNote,
    EqualityAnswer,
    Programme,
    ProgrammeRole,
)
from portal.blueprints.programmes.services import role_group_ids
from portal.db import db, is_sqlite, utcnow
from portal.groups import GroupMembership

# The statuses each status may be reached from.
ALLOWED_FROM = {
    SUBMITTED: (DRAFT,),
    UNDER_REVIEW: (SUBMITTED,),
    ACCEPTED: (SUBMITTED, UNDER_REVIEW, WAITLISTED),
    WAITLISTED: (SUBMITTED, UNDER_REVIEW, ACCEPTED),
    DECLINED: (SUBMITTED, UNDER_REVIEW, WAITLISTED, ACCEPTED),
    WITHDRAWN: (SUBMITTED, UNDER_REVIEW, WAITLISTED, ACCEPTED),
}


class ApplicationRefused(Exception):
    """The action is not possible; the message is for the person."""


class NotEligible(ApplicationRefused):
    """Submission refused. `problems`: one message per failed rule or missing answer,
    each naming the rule, to show in the form's error summary."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclasses.dataclass
class Answers:
    """What an applicant fills in. Dates are dates; `commitment_ids` are the ids of the
    role's Commitment rows they ticked; `topic_ids` are taxonomy Topic ids."""

    motivation: str = ""
    learning_goals: str = ""
    availability: str = ""
    topic_ids: list[int] = dataclasses.field(default_factory=list)
    leave_type: str = ""
    leave_starts: dt.date | None = None
    leave_months: int | None = None
    leave_experience_on: dt.date | None = None
    background: str = ""
    preferred_channel: str = ""
    access_requirements: str = ""
    commitment_ids: list[int] = dataclasses.field(default_factory=list)
    evaluation_consent: bool = False
    cannot_fund: bool = False
    cannot_fund_reason: str = ""


@dataclasses.dataclass
class Equality:
    """Optional equality monitoring; each value a key of ETHNICITIES, SEXES or
    DISABILITIES (all offer "prefer_not_to_say"), or "" for no answer."""

    ethnicity: str = ""
    sex: str = ""
    disability: str = ""


# Drafts (the applicant) ------------------------------------------------------------------

def _check_place(programme: Programme, cohort: Cohort | None, role: str,
                 today: dt.date) -> None:
    if not programme.published:
        raise ApplicationRefused("This programme is not taking applications")
    if role not in ROLE_KEYS:
        raise ApplicationRefused("Choose whether you are applying as a mentor or a mentee")
    if programme.is_open:
        if cohort is not None:
            raise ApplicationRefused("This programme is always open and has no cohorts")
        return
    if cohort is None or cohort.programme_id != programme.id:
        raise ApplicationRefused("Choose a cohort of this programme")
    if not cohort.is_recruiting(today):
        raise ApplicationRefused(f"{cohort.name} is not recruiting now")


def live_application(applicant, programme: Programme, cohort: Cohort | None, role: str):
    """The person's application still in play for this place (a draft included), if any."""
    return Application.get_or_none(
        Application.applicant == applicant.id, Application.programme == programme,
        Application.cohort.is_null() if cohort is None else Application.cohort == cohort,
        Application.role == role, Application.status.in_(LIVE))


def previous_mentee_application(applicant, programme: Programme):
    """Pay it forward: the person's latest accepted mentee place on this programme."""
    return (Application.select().where(Application.applicant == applicant.id,
                                       Application.programme == programme,
                                       Application.role == MENTEE,
                                       Application.status == ACCEPTED)
            .order_by(Application.created_at.desc(), Application.id.desc()).first())


def save_draft(applicant, programme: Programme, role: str, cohort: Cohort | None,
               answers: Answers, application: Application | None = None,
               equality: Equality | None = None, today: dt.date | None = None) -> Application:
    """Create the applicant's draft (application None) or save over it. A second live
    application for the same programme, cohort and role is refused, as is editing after
    submission. `equality` None leaves the equality answers as they are."""
    today = today or dt.date.today()
    _check_place(programme, cohort, role, today)
    with db.atomic():
        if application is None:
            if live_application(applicant, programme, cohort, role) is not None:
                raise ApplicationRefused("You have already applied for this place")
            application = Application(applicant=applicant.id, programme=programme,
                                      cohort=cohort, role=role)
            if role == MENTOR:
                application.was_mentee_in = previous_mentee_application(applicant, programme)
        elif application.applicant_id != applicant.id or application.status != DRAFT:
            raise ApplicationRefused("This application can no longer be changed")
        _apply_answers(application, programme, role, answers)
        application.updated_at = utcnow()
        application.save()
        ApplicationTopic.delete().where(ApplicationTopic.application == application).execute()
        if answers.topic_ids:
            ApplicationTopic.insert_many(
                [{"application": application.id, "topic": tid}
                 for tid in sorted(set(answers.topic_ids))]).execute()
        if equality is not None:
            save_equality(application, equality)
    return application


def _apply_answers(application: Application, programme: Programme, role: str,
                   answers: Answers) -> None:
    for field in dataclasses.fields(answers):
        if field.name not in ("topic_ids", "commitment_ids"):
            setattr(application, field.name, getattr(answers, field.name))
    commitments = {c.id: c.text for c in programme.role(role).commitment_rows()}
    application.commitments_ticked = json.dumps(
        [text for cid, text in commitments.items() if cid in set(answers.commitment_ids)])


def save_equality(application: Application, equality: Equality) -> None:
    """Replace the application's equality answers; all empty deletes them."""
    for value, choices in ((equality.ethnicity, ETHNICITIES), (equality.sex, SEXES),
                           (equality.disability, DISABILITIES)):
        if value and value not in choices:
            raise ApplicationRefused("Choose an equality answer from the list")
    with db.atomic():
        EqualityAnswer.delete().where(EqualityAnswer.application == application).execute()
        if equality.ethnicity or equality.sex or equality.disability:
            EqualityAnswer.create(application=application, **dataclasses.asdict(equality))


def delete_equality(application: Application) -> None:
    EqualityAnswer.delete().where(EqualityAnswer.application == application).execute()


# Submitting --------------------------------------------------------------------------------

def eligibility(application: Application, today: dt.date | None = None,
                applicant=None) -> list[str]:
    """Every reason the application cannot be submitted: failed rules (named), then
    unticked commitments and a missing evaluation consent. [] when it may go."""
    today = today or dt.date.today()
    role = application.programme.role(application.role)
    problems = rules.check(list(role.rule_rows()), applicant or application.applicant,
                           application.rule_answers(), today)
    missing = [c.text for c in role.commitment_rows()
               if c.text not in set(application.commitment_texts)]
    problems += [f"Commitments: tick “{text}”" for text in missing]
    if not application.evaluation_consent:
        problems.append("Evaluation: agree to take part in the programme's evaluation")
    return problems


def submit(applicant, application: Application, today: dt.date | None = None) -> Application:
    """Send the draft to the programme team. Raises NotEligible listing every failed rule,
    or ApplicationRefused when recruitment has closed."""
    today = today or dt.date.today()
    if application.applicant_id != applicant.id or application.status != DRAFT:
        raise ApplicationRefused("This application has already been sent")
    _check_place(application.programme, application.cohort, application.role, today)
    problems = eligibility(application, today, applicant)
    if problems:
        raise NotEligible(problems)
    return _change(applicant, application, SUBMITTED, audited=False,
                   stamp={"submitted_at": utcnow()})


# Decisions (coordinators) and withdrawal (the applicant) -----------------------------------

def start_review(actor, application: Application) -> Application:
    return _change(actor, application, UNDER_REVIEW)


def accept(actor, application: Application, note: str = "") -> Application:
    """Accept and add the person to the cohort's everyone group and role group, in the
    same transaction. Refused when the cohort's places for the role are all taken."""
    return _change(actor, application, ACCEPTED, note=note,
                   stamp={"decided_at": utcnow()})


def waitlist(actor, application: Application, note: str = "") -> Application:
    return _change(actor, application, WAITLISTED, note=note,
                   stamp={"decided_at": utcnow()})


def decline(actor, application: Application, note: str = "") -> Application:
    return _change(actor, application, DECLINED, note=note,
                   stamp={"decided_at": utcnow()})


def withdraw(applicant, application: Application, note: str = "") -> Application:
    """The applicant takes their application back, at any point after submitting."""
    if application.applicant_id != applicant.id:
        raise ApplicationRefused("This is not your application")
    return _change(applicant, application, WITHDRAWN, note=note, audited=False)


def _lock(model, row_id: int):
    query = model.select().where(model.id == row_id)
    return (query if is_sqlite() else query.for_update()).first()


def _change(actor, given: Application, status: str, note: str = "", audited: bool = True,
            stamp: dict | None = None) -> Application:
    """Move the application (reloaded under a lock) to `status`; on success the caller's
    instance is brought up to date too, and the fresh row is returned."""
    with db.atomic():
        application = _lock(Application, given.id)
        if application is None:
            raise ApplicationRefused("This application no longer exists")
        before = application.status
        if before not in ALLOWED_FROM[status]:
            raise ApplicationRefused(f"An application that is {before.replace('_', ' ')} "
                                     f"cannot be {status.replace('_', ' ')}")
        programme = Programme.get_by_id(application.programme_id)
        cohort = _lock(Cohort, application.cohort_id) if application.cohort_id else None
        if status == ACCEPTED:
            _check_capacity(cohort, application)
        application.status, application.updated_at = status, utcnow()
        for name, value in (stamp or {}).items():
            setattr(application, name, value)
        application.save()
        _keep_groups_in_step(application, programme, cohort, before, status)
        event = ApplicationEvent.create(application=application, status=status,
                                        actor=actor.id, note=note.strip())
        if audited:
            AuditEntry.record(actor, f"application.{status}", application,
                              {"status": before}, {"status": status})
        role = ProgrammeRole.get(ProgrammeRole.programme == programme,
                                 ProgrammeRole.key == application.role)
        notices.status_changed(application, event, programme, cohort, role.name)
    given.__data__.update(application.__data__)
    return application


def _check_capacity(cohort: Cohort | None, application: Application) -> None:
    capacity = cohort.capacity_for(application.role) if cohort is not None else None
    if capacity is None:
        return
    taken = Application.select().where(Application.cohort == cohort,
                                       Application.role == application.role,
                                       Application.status == ACCEPTED).count()
    if taken >= capacity:
        raise ApplicationRefused(f"All {capacity} {application.role} places in "
                                 f"{cohort.name} are taken")


def _keep_groups_in_step(application, programme, cohort, before: str, after: str) -> None:
    """Accepted people are in the groups; leaving "accepted" takes them out, except from
    the everyone group while they hold the other role's place in the same cohort."""
    if after == ACCEPTED:
        GroupMembership.insert_many(
            [{"group": gid, "user": application.applicant_id}
             for gid in role_group_ids(programme, cohort, application.role)]
        ).on_conflict_ignore().execute()
    elif before == ACCEPTED:
        groups = role_group_ids(programme, cohort, application.role)
        other_place = Application.select().where(
            Application.applicant == application.applicant_id,
            Application.programme == programme,
            (Application.cohort.is_null() if cohort is None
             else Application.cohort == cohort),
            Application.id != application.id, Application.status == ACCEPTED).exists()
        if other_place:
            groups = groups[1:]  # keep the everyone group
        (GroupMembership.delete()
         .where(GroupMembership.user == application.applicant_id,
                GroupMembership.group.in_(groups or [0])).execute())


# Fees and notes ----------------------------------------------------------------------------

def set_fee_status(actor, application: Application, fee_status: str,
                   note: str = "") -> Application:
    if fee_status not in FEE_LABELS:
        raise ApplicationRefused("Choose a fee status from the list")
    with db.atomic():
        before = {"fee_status": application.fee_status}
        application.fee_status, application.fee_note = fee_status, note.strip()
        application.updated_at = utcnow()
        application.save()
        AuditEntry.record(actor, "application.fee", application, before,
                          {"fee_status": fee_status})
    return application


def add_note(author, application: Application, body: str) -> CoordinatorNote:
    """A coordinator-only note. Not audited: the note itself records who and when."""
    if not body.strip():
        raise ApplicationRefused("Write the note first")
    return CoordinatorNote.create(application=application, author=author.id,
                                  body=body.strip())


# Readiness -------------------------------------------------------------------------------

def is_trained(application: Application) -> bool:
    """Attended every training session of the cohort meant for their role (there must be
    at least one). One query; for lists use Application.with_training / not_yet_trained."""
    if application.cohort_id is None:
        return False
    row = (Application.with_training(application.cohort_id)
           .where(Application.id == application.id).first())
    return row is not None and row.is_trained


def is_ready(application: Application) -> bool:
    """Ready to be matched: accepted and trained."""
    return application.status == ACCEPTED and is_trained(application)
