"""Setting programmes up (staff): programmes with their two roles, rules and commitments,
coordinators, and cohorts with their groups. Each function is one transaction with its
audit row. They take validated primitives (the dataclasses below), never a form; the
caller has already checked permissions.can_manage_programmes.

Applications: services_applications.py. "Tell me when it opens": services_alerts.py.
"""
import dataclasses
import datetime as dt
import json

from portal import markup, slugs
from portal.audit import AuditEntry
from portal.blueprints.programmes import phases, rules
from portal.blueprints.programmes.models import (
    CHANNELS,
    COHORT,
    KINDS,
    MENTOR,
    OPEN,
    RELATIONSHIPS,
    ROLE_KEYS,
    Cohort,
    Commitment,
    EligibilityRule,
    Programme,
    ProgrammeCoordinator,
    ProgrammeRole,
)
from portal.db import db, utcnow
from portal.groups import Group

# The addresses of the area's own pages, which a programme's slug must not shadow.
RESERVED_SLUGS = frozenset({"manage", "applications", "alerts", "cohorts", "review"})


class SetupError(ValueError):
    """The details do not make a valid programme or cohort; the message is for staff."""


@dataclasses.dataclass
class RoleDetails:
    """One side of a programme. `rules`: [(kind, params)] in order (see rules.py);
    `commitments`: the texts an applicant ticks, in order."""

    key: str  # MENTOR or MENTEE
    name: str  # as the programme calls it: "mentor", "expert", "learner"...
    description: str = ""
    training_description: str = ""
    training_days: int = 0
    rules: list[tuple[str, dict]] = dataclasses.field(default_factory=list)
    commitments: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ProgrammeDetails:
    name: str
    summary: str
    description: str  # Markdown
    kind: str = COHORT
    relationship: str = "one_way"
    max_sessions: int | None = None
    max_session_minutes: int | None = None
    allowed_channels: list[str] = dataclasses.field(default_factory=list)  # [] = any
    target_meetings: int | None = None
    target_months: int | None = None
    length_min_months: int | None = None
    length_max_months: int | None = None
    mentor_capacity_min: int | None = None
    mentor_capacity_max: int | None = None
    fee_pence: int = 0
    fee_wording: str = ""
    checkin_weeks: int | None = None
    inactivity_days: int | None = None
    published: bool = False


@dataclasses.dataclass
class CohortDetails:
    name: str
    recruitment_opens: dt.date
    recruitment_closes: dt.date
    training_starts: dt.date
    training_ends: dt.date
    mentoring_starts: dt.date
    mentoring_ends: dt.date
    evaluation_starts: dt.date
    evaluation_ends: dt.date
    mentor_capacity: int | None = None
    mentee_capacity: int | None = None


def _check_programme(details: ProgrammeDetails, roles: list[RoleDetails],
                     staff_groups) -> None:
    if not details.name.strip():
        raise SetupError("Enter the programme's name")
    if details.kind not in KINDS or details.relationship not in RELATIONSHIPS:
        raise SetupError("Choose the programme's kind and relationship")
    if any(c not in CHANNELS for c in details.allowed_channels):
        raise SetupError(f"Channels must be chosen from: {', '.join(CHANNELS)}")
    for low, high, what in ((details.length_min_months, details.length_max_months,
                             "relationship length"),
                            (details.mentor_capacity_min, details.mentor_capacity_max,
                             "mentor capacity")):
        if low is not None and high is not None and low > high:
            raise SetupError(f"The shortest {what} must not be more than the longest")
    if details.fee_pence < 0:
        raise SetupError("The fee must not be negative")
    if sorted(r.key for r in roles) != sorted(ROLE_KEYS):
        raise SetupError("A programme has two roles: one mentor side and one mentee side")
    for role in roles:
        for kind, params in role.rules:
            try:
                rules.validate_params(kind, params, staff_groups)
            except ValueError as exc:
                raise SetupError(f"{role.name}: {rules.KIND_LABELS.get(kind, kind)}: "
                                 f"{exc}") from exc


def _group(name: str, description: str) -> Group:
    """A new group; a number is added if the name is taken (group names are unique)."""
    taken = {g.name for g in Group.select(Group.name).where(Group.name.startswith(name))}
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return Group.create(name=candidate[:120], description=description)


def _three_groups(title: str) -> dict[str, Group]:
    return {"everyone_group": _group(title, f"Everyone accepted into {title}."),
            "mentors_group": _group(f"{title}: mentors", f"Mentors accepted into {title}."),
            "mentees_group": _group(f"{title}: mentees", f"Mentees accepted into {title}.")}


def _save_roles(programme: Programme, roles: list[RoleDetails]) -> None:
    """Roles are kept by key; their rules and commitments are replaced. Applications keep
    the commitment texts they ticked, so replacing the rows loses nothing."""
    existing = {r.key: r for r in programme.role_rows()}
    for role in roles:
        row = existing.get(role.key) or ProgrammeRole(programme=programme, key=role.key)
        row.name, row.description = role.name.strip(), role.description.strip()
        row.training_description = role.training_description.strip()
        row.training_days, row.position = role.training_days, ROLE_KEYS.index(role.key)
        row.save()
        EligibilityRule.delete().where(EligibilityRule.role == row).execute()
        Commitment.delete().where(Commitment.role == row).execute()
        if role.rules:
            EligibilityRule.insert_many(
                [{"role": row.id, "kind": kind, "params": json.dumps(params, sort_keys=True),
                  "position": i} for i, (kind, params) in enumerate(role.rules)]).execute()
        texts = [t.strip() for t in role.commitments if t.strip()]
        if texts:
            Commitment.insert_many([{"role": row.id, "text": text, "position": i}
                                    for i, text in enumerate(texts)]).execute()


def save_programme(actor, programme: Programme | None, details: ProgrammeDetails,
                   roles: list[RoleDetails], staff_groups=()) -> Programme:
    """Create (programme None) or update a programme with both roles, their rules and
    commitments. An open programme gets its three groups the first time it is open.
    Raises SetupError. `staff_groups`: allowed names for staff_group rules."""
    _check_programme(details, roles, staff_groups)
    creating = programme is None
    with db.atomic():
        programme = programme or Programme()
        before = {} if creating else {"name": programme.name, "published": programme.published}
        for field in dataclasses.fields(details):
            if field.name != "allowed_channels":
                setattr(programme, field.name, getattr(details, field.name))
        programme.name = details.name.strip()
        programme.allowed_channels = ",".join(c for c in CHANNELS
                                              if c in details.allowed_channels)
        programme.description_html = markup.render(details.description).html
        programme.updated_at = utcnow()
        if programme.kind == OPEN and programme.everyone_group_id is None:
            for field, group in _three_groups(programme.name).items():
                setattr(programme, field, group)
        slugs.save_with_unique_slug(programme, programme.name, RESERVED_SLUGS)
        _save_roles(programme, roles)
        AuditEntry.record(actor, "programme.create" if creating else "programme.update",
                          programme, before, {"name": programme.name,
                                              "published": programme.published})
    return programme


def set_published(actor, programme: Programme, published: bool) -> Programme:
    with db.atomic():
        before = programme.published
        programme.published, programme.updated_at = published, utcnow()
        programme.save()
        AuditEntry.record(actor, "programme.publish" if published else "programme.unpublish",
                          programme, {"published": before}, {"published": published})
    return programme


def add_coordinator(actor, programme: Programme, user) -> None:
    """Idempotent: adding someone twice keeps one row (and one audit entry)."""
    with db.atomic():
        added = (ProgrammeCoordinator.insert(programme=programme.id, user=user.id)
                 .on_conflict_ignore().as_rowcount().execute())
        if added:
            AuditEntry.record(actor, "programme.coordinator_add", programme, {},
                              {"user_id": user.id})
    programme.coordinator_ids = None  # stale: load again before checking permissions


def remove_coordinator(actor, programme: Programme, user) -> None:
    with db.atomic():
        removed = (ProgrammeCoordinator.delete()
                   .where(ProgrammeCoordinator.programme == programme,
                          ProgrammeCoordinator.user == user.id).execute())
        if removed:
            AuditEntry.record(actor, "programme.coordinator_remove", programme,
                              {"user_id": user.id}, {})
    programme.coordinator_ids = None


def _check_cohort(programme: Programme, details: CohortDetails) -> None:
    if programme.kind != COHORT:
        raise SetupError("An always-open programme has no cohorts")
    if not details.name.strip():
        raise SetupError("Enter the cohort's name")
    problems = phases.date_problems(details)
    if problems:
        raise SetupError("Check the dates: " + "; ".join(problems))
    for capacity in (details.mentor_capacity, details.mentee_capacity):
        if capacity is not None and capacity < 1:
            raise SetupError("A capacity must be at least 1, or left empty for no limit")


def create_cohort(actor, programme: Programme, details: CohortDetails) -> Cohort:
    """A cohort and its three groups, named after it ("Return to Work 2027", "... :
    mentors", "...: mentees"). Raises SetupError."""
    _check_cohort(programme, details)
    with db.atomic():
        groups = _three_groups(f"{programme.name} {details.name.strip()}")
        cohort = Cohort.create(programme=programme, **_cohort_fields(details), **groups)
        AuditEntry.record(actor, "cohort.create", cohort, {},
                          {"programme_id": programme.id, "name": cohort.name})
    return cohort


def update_cohort(actor, cohort: Cohort, details: CohortDetails) -> Cohort:
    """New name, dates or capacities; the groups keep their names and members."""
    _check_cohort(cohort.programme, details)
    with db.atomic():
        before = {"name": cohort.name, "recruitment_opens": cohort.recruitment_opens}
        for name, value in _cohort_fields(details).items():
            setattr(cohort, name, value)
        cohort.save()
        AuditEntry.record(actor, "cohort.update", cohort, before,
                          {"name": cohort.name, "recruitment_opens": cohort.recruitment_opens})
    return cohort


def _cohort_fields(details: CohortDetails) -> dict:
    fields = dataclasses.asdict(details)
    fields["name"] = details.name.strip()
    return fields


def role_group_ids(programme: Programme, cohort: Cohort | None, role: str) -> list[int]:
    """The groups an accepted person of `role` belongs to: the cohort's (or, for an open
    programme, the programme's) everyone group and role group."""
    owner = cohort if cohort is not None else programme
    role_group = owner.mentors_group_id if role == MENTOR else owner.mentees_group_id
    return [gid for gid in (owner.everyone_group_id, role_group) if gid]

