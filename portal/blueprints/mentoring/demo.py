"""Demo pairs, so `make run` shows the pair's space: mentor@ and mentee@ are an active pair in
Transcultural reverse mentoring (agreement confirmed, sessions held and booked, goals, one
signed off and countersigned, notes), written through the real services. A pair that already
exists is left alone, so running it again adds nothing."""
import datetime as dt

from portal.blueprints.mentoring import services_agreement, services_goals, services_notes
from portal.blueprints.mentoring import services_sessions as sessions
from portal.blueprints.mentoring.models import RELEASED, Relationship
from portal.blueprints.programmes.models import Programme
from portal.db import db, utcnow

PROGRAMME = "Transcultural reverse mentoring"
MENTOR, MENTEE = "mentor@tandem.example", "mentee@tandem.example"


def ensure_pairs(people: dict, now: dt.datetime | None = None) -> int:
    """Returns how many pairs were added (0 or 1)."""
    now = now or utcnow()
    programme = Programme.get_or_none(Programme.name == PROGRAMME)
    mentor, mentee = people.get(MENTOR), people.get(MENTEE)
    if programme is None or mentor is None or mentee is None:
        return 0
    if Relationship.select().where(Relationship.programme == programme,
                                   Relationship.mentor == mentor.id).exists():
        return 0
    cohort = programme.cohort_list().first()
    with db.atomic():
        rel = Relationship.create(programme=programme, cohort=cohort, mentor=mentor,
                                  mentee=mentee, status=RELEASED, score=82,
                                  released_at=now - dt.timedelta(days=70),
                                  respond_by=now - dt.timedelta(days=63))
        rel = Relationship.with_people().where(Relationship.id == rel.id).get()
        started = now - dt.timedelta(days=60)
        for person in (mentor, mentee):
            services_agreement.confirm(rel, person, 0 if person is mentor else 1, started)
        rel = Relationship.with_people().where(Relationship.id == rel.id).get()
        _sessions(rel, mentor, mentee, now)
        _goals(rel, mentor, mentee, now)
        services_notes.add_note(rel, mentee, "Ask about the board's inclusion plan next time.",
                                shared=False, now=now)
        services_notes.add_note(rel, mentor, "Reading list: the NHS workforce race equality "
                                "standard report, and the staff network's minutes.",
                                shared=True, now=now)
    return 1


def _sessions(rel, mentor, mentee, now: dt.datetime) -> None:
    today = now.date()
    for days_ago, summary in ((45, "We talked about how each of us came into the NHS."),
                              (14, "Shadowing plan for the next board meeting.")):
        sessions.log_unplanned(rel, mentee, today - dt.timedelta(days=days_ago), 60,
                               "video", summary, now)
    booked = sessions.propose(rel, mentor, today + dt.timedelta(days=10), dt.time(9, 30), 60,
                              "in_person", now)
    sessions.accept(rel, mentee, booked.id, now)


def _goals(rel, mentor, mentee, now: dt.datetime) -> None:
    for person, title, criteria in (
            (mentee, "Understand how the board sets priorities",
             "I can explain last quarter's three priorities and how they were chosen"),
            (mentor, "Hear what our staff networks ask of the board",
             "I have met two network chairs and written up what they said")):
        services_goals.add_goal(rel, person, title, criteria,
                                now.date() + dt.timedelta(days=60), now=now)
    first = services_goals.add_goal(rel, mentee, "Chair a team meeting with confidence",
                                    "Chaired two meetings and asked for feedback", now=now)
    services_goals.sign_off_goal(first, mentee, "I learned to agree the agenda beforehand and "
                                 "to close each item with who does what.", now=now)
    services_goals.countersign_goal(first, mentor, now=now)
