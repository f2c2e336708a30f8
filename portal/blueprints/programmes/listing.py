"""What the public pages read, in a fixed number of queries whatever the number of
programmes, cohorts or applications: the published programmes with their roles and current
cohort (the list and the landing page), and one programme with both roles' rules and
commitments (its page)."""
import dataclasses
import datetime as dt

from peewee import prefetch

from portal.blueprints.programmes import rules
from portal.blueprints.programmes.models import (
    Cohort,
    Commitment,
    EligibilityRule,
    Programme,
    ProgrammeRole,
)


@dataclasses.dataclass
class Card:
    programme: Programme
    roles: list[ProgrammeRole]
    cohort: Cohort | None  # the current one (Cohort.current_for), if any

    @property
    def recruiting(self) -> bool:
        return self.programme.is_open or (self.cohort is not None
                                          and self.cohort.is_recruiting())


def published_cards(today: dt.date | None = None) -> list[Card]:
    """Published programmes by name, each with its roles and current cohort: 3 queries."""
    roles = ProgrammeRole.select().order_by(ProgrammeRole.position, ProgrammeRole.id)
    programmes = prefetch(Programme.published_list(), roles)
    current = {c.programme_id: c for c in Cohort.current_for([p.id for p in programmes],
                                                              today)}
    return [Card(p, list(p.roles), current.get(p.id)) for p in programmes]


@dataclasses.dataclass
class RoleDetails:
    role: ProgrammeRole
    eligibility: list[str]  # each rule in words (rules.describe)
    commitments: list[str]


def role_details(programme: Programme) -> list[RoleDetails]:
    """Both roles, mentor first, with their rules in words and commitments: 3 queries."""
    roles = prefetch(programme.role_rows(),
                     EligibilityRule.select().order_by(EligibilityRule.position,
                                                       EligibilityRule.id),
                     Commitment.select().order_by(Commitment.position, Commitment.id))
    return [RoleDetails(role, [rules.describe(r.kind, r.params_dict) for r in role.rules],
                        [c.text for c in role.commitments]) for role in roles]


def current_cohort(programme: Programme, today: dt.date | None = None) -> Cohort | None:
    return Cohort.current_for([programme.id], today).first()
