"""The demo programmes: five schemes, cohorts in four phases plus the open scheme,
applications in every status, and a second seed adds nothing."""
from peewee import fn

from portal.blueprints.programmes import phases
from portal.blueprints.programmes.models import (
    STATUS_LABELS,
    Application,
    Cohort,
    Programme,
)
from portal.db import db
from portal.demo import seed
from portal.groups import GroupMembership
from tests.conftest import FAST_HASH


def test_demo_programmes_cover_every_phase_and_status_once(app):
    with app.app_context(), db.connection_context():
        seed(FAST_HASH)
        seed(FAST_HASH)
        assert Programme.select().count() == 5
        assert {c.phase() for c in Cohort.select()} == {
            phases.RECRUITING, phases.TRAINING, phases.MENTORING, phases.EVALUATION}
        statuses = dict(Application.select(Application.status, fn.COUNT(Application.id))
                        .group_by(Application.status).tuples())
        assert set(statuses) == set(STATUS_LABELS)
        # 15 from the programmes' demo, and three more experts from the experts' demo
        assert Application.select().count() == 18
        aces = Programme.get(Programme.kind == "open")
        assert GroupMembership.select().where(
            GroupMembership.group == aces.mentors_group_id).count() == 4
