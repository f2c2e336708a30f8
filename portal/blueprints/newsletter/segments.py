"""Who an issue goes to: everyone, a programme's mentors (an always-open programme's are its
experts), a cohort, or a group. Each is groups underneath (programmes and cohorts own
their groups, kept in step with accepted applications), so a segment is a condition on
User that asks for membership of those groups.

Only people who could sign in and read the issue are in a segment: a confirmed address,
and an account that has not been erased.
"""
from peewee import SQL

from portal.blueprints.accounts.models import User
from portal.blueprints.programmes.models import MENTOR, Cohort, Programme, ProgrammeRole
from portal.groups import Group, GroupMembership

EVERYONE, MENTORS, COHORT, GROUP = "everyone", "mentors", "cohort", "group"


def _plural(name: str) -> str:
    name = name.strip().lower()
    return name if name.endswith("s") else f"{name}s"


def choices() -> list[tuple[str, str]]:
    """(value, label) for the segment question, four queries whatever the data."""
    options = [(EVERYONE, "Everyone with an account")]
    mentor_names = dict(ProgrammeRole.select(ProgrammeRole.programme, ProgrammeRole.name)
                        .where(ProgrammeRole.key == MENTOR).tuples())
    for programme in Programme.select().order_by(Programme.name, Programme.id):
        role = _plural(mentor_names.get(programme.id, "mentor"))
        options.append((f"{MENTORS}:{programme.id}", f"{programme.name}: all {role}"))
    cohorts = (Cohort.select(Cohort, Programme).join(Programme)
               .order_by(Programme.name, Cohort.recruitment_opens.desc(), Cohort.id))
    options += [(f"{COHORT}:{c.id}", f"{c.programme.name}, {c.name}: everyone in the cohort")
                for c in cohorts]
    options += [(f"{GROUP}:{g.id}", f"Group: {g.name}")
                for g in Group.select().order_by(Group.name, Group.id)]
    return options


def parse(value: str) -> tuple[str, int | None]:
    """("cohort", 3) from "cohort:3"; ValueError for anything else."""
    if value == EVERYONE:
        return EVERYONE, None
    kind, _, number = (value or "").partition(":")
    if kind not in (MENTORS, COHORT, GROUP) or not number.isdigit():
        raise ValueError(f"not a segment: {value!r}")
    return kind, int(number)


def value_of(kind: str, segment_id: int | None) -> str:
    return EVERYONE if kind == EVERYONE else f"{kind}:{segment_id}"


def label(kind: str, segment_id: int | None) -> str:
    return dict(choices()).get(value_of(kind, segment_id), "A segment that no longer exists")


def _group_ids(kind: str, segment_id: int | None) -> list[int]:
    if kind == GROUP:
        return [segment_id]
    if kind == COHORT:
        return [c.everyone_group_id for c in Cohort.select(Cohort.everyone_group)
                .where(Cohort.id == segment_id)]
    # A programme's mentors: its own group (always-open programmes) and each cohort's.
    own = [p.mentors_group_id for p in Programme.select(Programme.mentors_group)
           .where(Programme.id == segment_id) if p.mentors_group_id]
    return own + [c.mentors_group_id for c in Cohort.select(Cohort.mentors_group)
                  .where(Cohort.programme == segment_id)]


def members(kind: str, segment_id: int | None):
    """A WHERE condition on User: the people in the segment who can read an issue."""
    reachable = User.email_verified_at.is_null(False) & User.erased_at.is_null()
    if kind == EVERYONE:
        return reachable
    groups = _group_ids(kind, segment_id)
    if not groups:
        return SQL("1 = 0")
    in_groups = (GroupMembership.select(GroupMembership.user)
                 .where(GroupMembership.group.in_(groups)))
    return reachable & User.id.in_(in_groups)


def includes(kind: str, segment_id: int | None, user_id: int) -> bool:
    return User.select().where(User.id == user_id, members(kind, segment_id)).exists()
