"""Matching's writes: whole-cohort runs, picks, swaps, locks, release and decline.

Coordinator actions (`run_matching`, `pick`, `swap_mentees`, `set_locked`, `remove_draft`,
`release`) take the acting staff member, who the views have already authorised as the
programme's coordinator, and write an audit row in the same transaction. Each takes the
cohort's row lock first (SQLite's BEGIN IMMEDIATE, or SELECT ... FOR UPDATE on PostgreSQL),
so two coordinators working on one cohort queue behind each other rather than both filling
one mentor's last place. Every rule comes from matching.py, read fresh inside that
transaction; a refused action raises MatchingRefused with the reason in words.

Emails go into the outbox inside the same transaction (notices below), under keys that make
each one message however often the action runs.
"""
import datetime as dt
import json
from dataclasses import dataclass

from flask import render_template

from portal import mail_preferences, notifications
from portal.audit import AuditEntry
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import DECLINED, DRAFT, RELEASED, Relationship
from portal.blueprints.programmes import matching
from portal.blueprints.programmes.models import (
    ALL_ROLES,
    MENTEE,
    MENTOR,
    TRAINING,
    Application,
    Cohort,
    CohortWebinar,
    Programme,
)
from portal.blueprints.programmes.notices import page
from portal.db import db, is_sqlite, utcnow

DEFAULT_DECLINE_DAYS = 7
DASHBOARD_PATH = "/dashboard"


class MatchingRefused(ValueError):
    """An action that would break a matching rule; the message says which, in words."""


@dataclass(frozen=True)
class RunResult:
    """What a whole-cohort run made: the drafts (locked ones included), the assignment the
    solver chose, and the greedy pass on the same pool for the page to compare."""

    drafts: list[Relationship]
    assignment: matching.Assignment
    greedy: matching.Assignment


def _lock_cohort(cohort: Cohort) -> Cohort:
    query = Cohort.select().where(Cohort.id == cohort.id)
    return query.get() if is_sqlite() else query.for_update().get()


def _draft(pool: matching.Pool, cohort: Cohort, pair: matching.Pair) -> dict:
    mentors = {p.user_id: p for p in pool.mentors}
    mentees = {p.user_id: p for p in pool.mentees}
    return {"programme": pool.programme.id, "cohort": cohort.id, "mentor": pair.mentor_id,
            "mentee": pair.mentee_id, "status": DRAFT, "score": pair.score,
            "reasons": json.dumps(list(pair.reasons)), "locked": pair.locked,
            "mentor_application": mentors[pair.mentor_id].application_id,
            "mentee_application": mentees[pair.mentee_id].application_id,
            "created_at": utcnow()}


def _drafts(cohort: Cohort) -> list[Relationship]:
    return list(Relationship.for_cohort(cohort, statuses=(DRAFT,)))


def run_matching(actor, cohort: Cohort, mode: str = matching.BEST_TOTAL) -> RunResult:
    """Replace the cohort's unlocked drafts with the optimal assignment of everyone ready
    and not yet matched; locked drafts stay and keep their places. One transaction."""
    if mode not in matching.MODES:
        raise MatchingRefused("Choose how to match: best total score, or as many people as "
                              "possible")
    with db.atomic():
        cohort = _lock_cohort(cohort)
        pool = matching.load_pool(cohort)
        unlocked = [d[0] for d in pool.drafts if not d[3]]
        if unlocked:
            Relationship.delete().where(Relationship.id.in_(unlocked)).execute()
        locked = [(mentor_id, mentee_id) for _, mentor_id, mentee_id, lock in pool.drafts
                  if lock]
        # The unlocked drafts just removed must not count as "paired before".
        removed = {(m, e) for rid, m, e, lock in pool.drafts if not lock}
        paired = frozenset(pool.paired - removed)
        args = dict(weights=pool.weights, locked_pairs=locked, paired=paired,
                    two_way=pool.two_way,
                    min_places=pool.programme.mentor_capacity_min or 0)
        result = matching.assign(pool.mentors, pool.mentees, mode=mode, **args)
        baseline = matching.greedy(pool.mentors, pool.mentees, **args)
        new = [_draft(pool, cohort, p) for p in result.pairs if not p.locked]
        if new:
            Relationship.insert_many(new).execute()
        AuditEntry.record(actor, "matching.run", cohort, {"drafts_replaced": len(unlocked)},
                          {"mode": mode, "matched": result.matched,
                           "total_score": result.total_score, "locked": len(locked)})
        return RunResult(_drafts(cohort), result, baseline)


def set_weights(actor, programme: Programme, weights: dict[str, int]) -> Programme:
    """Save the programme's matching weights (each 0 or more; 0 turns a criterion off).
    Only known criteria are kept; the audit row holds the weights before and after."""
    chosen = {name: max(0, int(weights[name])) for name in matching.DEFAULT_WEIGHTS
              if name in weights}
    with db.atomic():
        before = matching.weights_for(programme)
        Programme.update(matching_weights=json.dumps(chosen), updated_at=utcnow()).where(
            Programme.id == programme.id).execute()
        programme.matching_weights = json.dumps(chosen)
        AuditEntry.record(actor, "matching.weights", programme, before,
                          matching.weights_for(programme))
    return programme


def _pool_person(people: list[matching.Person], user_id: int, role: str) -> matching.Person:
    for person in people:
        if person.user_id == user_id:
            return person
    raise MatchingRefused(f"This {role} is not ready to be matched (accepted and trained), "
                          "or is already matched")


def suggestions_for(cohort: Cohort, mentee, limit: int | None = None):
    """Ranked mentors for one mentee, with scores and reasons (reads only: a fixed number
    of queries, whatever the cohort's size). Drafts hold their mentors' places."""
    pool = matching.load_pool(cohort)
    person = _pool_person(pool.mentees, mentee.id, "mentee")
    mentors = matching.occupy(pool.mentors, (d[1] for d in pool.drafts))
    return matching.suggestions(person, mentors, pool.weights, pool.paired, pool.two_way,
                                limit)


def pick(actor, cohort: Cohort, mentor, mentee) -> Relationship:
    """The coordinator picks a mentor for a mentee: one draft, if every rule allows it."""
    with db.atomic():
        cohort = _lock_cohort(cohort)
        pool = matching.load_pool(cohort)
        mentor_p = _pool_person(pool.mentors, mentor.id, "mentor")
        mentee_p = _pool_person(pool.mentees, mentee.id, "mentee")
        if any(d[2] == mentee.id for d in pool.drafts):
            raise MatchingRefused(f"{mentee_p.name} already has a draft match: remove it first")
        [mentor_p] = matching.occupy([mentor_p], (d[1] for d in pool.drafts))
        if mentor_p.places_left <= 0:
            raise MatchingRefused(f"{mentor_p.name} has no place left")
        why = matching.exclusion(mentor_p, mentee_p, pool.paired)
        if why:
            raise MatchingRefused(f"{mentor_p.name} and {mentee_p.name} cannot be paired: {why}")
        value, reasons = matching.score(mentor_p, mentee_p, pool.weights, pool.two_way)
        pair = matching.Pair(mentor_p.user_id, mentee_p.user_id, value, tuple(reasons))
        relationship = Relationship.create(**_draft(pool, cohort, pair))
        AuditEntry.record(actor, "matching.pick", relationship, after={
            "mentor": mentor.id, "mentee": mentee.id, "score": value})
        return relationship


def _locked_draft(rel: Relationship) -> Relationship:
    query = Relationship.select().where(Relationship.id == rel.id)
    row = (query if is_sqlite() else query.for_update()).first()
    if row is None or row.status != DRAFT:
        raise MatchingRefused("Only a draft match can be changed")
    return row


def swap_mentees(actor, rel_a: Relationship, rel_b: Relationship) -> tuple[Relationship, ...]:
    """Swap the mentees of two unlocked drafts of one cohort, refused if either new pair
    breaks an exclusion. Places do not change: each mentor keeps one mentee."""
    with db.atomic():
        cohort = _lock_cohort(Cohort.get_by_id(rel_a.cohort_id))
        a, b = _locked_draft(rel_a), _locked_draft(rel_b)
        if a.cohort_id != b.cohort_id or a.id == b.id:
            raise MatchingRefused("Choose two different draft matches of the same cohort")
        if a.locked or b.locked:
            raise MatchingRefused("Unlock a match before swapping it")
        pool = matching.load_pool(cohort)
        people = {p.user_id: p for p in pool.mentors + pool.mentees}
        # The two drafts being changed are not "paired before".
        paired = pool.paired - {(a.mentor_id, a.mentee_id), (b.mentor_id, b.mentee_id)}
        updates = []
        for rel, new_mentee in ((a, b.mentee_id), (b, a.mentee_id)):
            mentor_p, mentee_p = people.get(rel.mentor_id), people.get(new_mentee)
            if mentor_p is None or mentee_p is None:
                raise MatchingRefused("One of these people is no longer ready to be matched")
            why = matching.exclusion(mentor_p, mentee_p, paired)
            if why:
                raise MatchingRefused(f"{mentor_p.name} and {mentee_p.name} cannot be "
                                      f"paired: {why}")
            value, reasons = matching.score(mentor_p, mentee_p, pool.weights, pool.two_way)
            updates.append((rel, mentee_p, value, reasons))
        for rel, mentee_p, value, reasons in updates:
            Relationship.update(mentee=mentee_p.user_id,
                                mentee_application=mentee_p.application_id, score=value,
                                reasons=json.dumps(reasons)).where(
                Relationship.id == rel.id).execute()
        AuditEntry.record(actor, "matching.swap", a, {"mentee": a.mentee_id},
                          {"mentee": b.mentee_id, "other_relationship": b.id})
        return tuple(Relationship.get_by_id(r.id) for r in (a, b))


def set_locked(actor, rel: Relationship, locked: bool) -> Relationship:
    """Lock a draft the coordinator likes (re-runs keep it), or unlock it."""
    with db.atomic():
        row = _locked_draft(rel)
        Relationship.update(locked=locked).where(Relationship.id == row.id).execute()
        AuditEntry.record(actor, "matching.lock" if locked else "matching.unlock", row,
                          {"locked": row.locked}, {"locked": locked})
        row.locked = locked
        return row


def remove_draft(actor, rel: Relationship) -> None:
    """Throw a draft away (locked or not): its mentee goes back into the pool."""
    with db.atomic():
        row = _locked_draft(rel)
        AuditEntry.record(actor, "matching.remove", row,
                          {"mentor": row.mentor_id, "mentee": row.mentee_id})
        row.delete_instance()


# Release and decline --------------------------------------------------------------------------

def release(actor, cohort: Cohort, now: dt.datetime | None = None) -> list[Relationship]:
    """Turn every draft of the cohort into a released relationship, which either person may
    decline until `respond_by` (now + the programme's decline_days, else 7 days), and queue
    one introduction email per person: who, why, and what comes next."""
    now = now or utcnow()
    with db.atomic():
        cohort = _lock_cohort(cohort)
        programme = Programme.get_by_id(cohort.programme_id)
        drafts = _drafts(cohort)
        if not drafts:
            raise MatchingRefused("There are no draft matches to release")
        respond_by = now + dt.timedelta(days=programme.decline_days or DEFAULT_DECLINE_DAYS)
        (Relationship.update(status=RELEASED, released_at=now, respond_by=respond_by,
                             locked=False)
         .where(Relationship.id.in_([d.id for d in drafts])).execute())
        for rel in drafts:
            rel.status, rel.released_at, rel.respond_by = RELEASED, now, respond_by
        _introduce(programme, cohort, drafts)
        AuditEntry.record(actor, "matching.release", cohort, after={
            "released": len(drafts), "respond_by": respond_by})
        return drafts


def _training(cohort: Cohort, relationships: list[Relationship]):
    """Who is trained, and each role's training sessions (two queries)."""
    ids = {r.mentor_id for r in relationships} | {r.mentee_id for r in relationships}
    trained = {(a.applicant_id, a.role) for a in Application.with_training(cohort)
               .where(Application.applicant.in_(list(ids))) if a.is_trained}
    sessions = {MENTOR: [], MENTEE: []}
    for link in CohortWebinar.for_cohort(cohort).where(CohortWebinar.purpose == TRAINING):
        for role in (MENTOR, MENTEE):
            if link.role in (ALL_ROLES, role):
                sessions[role].append(link.session)
    return trained, sessions


def _introduce(programme: Programme, cohort: Cohort, relationships: list[Relationship]):
    trained, sessions = _training(cohort, relationships)
    by_person: dict[int, tuple[User, str, list]] = {}
    for rel in relationships:
        for person, role, partner in ((rel.mentor, MENTOR, rel.mentee),
                                      (rel.mentee, MENTEE, rel.mentor)):
            by_person.setdefault(person.id, (person, role, []))[2].append((partner, rel))
    for person, role, matches in by_person.values():
        ids = ",".join(str(rel.id) for _, rel in matches)
        body = render_template(
            "emails/match_introduction.txt", person=person, role=role, matches=matches,
            programme=programme, cohort=cohort, trained=(person.id, role) in trained,
            training=sessions[role], respond_by=matches[0][1].respond_by,
            link=page(DASHBOARD_PATH))
        key = f"match-introduction:{person.id}:{ids}"
        names = ", ".join(partner.name for partner, _ in matches)
        notifications.notify(person.id, "match", f"Your {programme.name} match: {names}",
                             DASHBOARD_PATH, key)
        mail_preferences.queue_email(person, "match", key, f"Your {programme.name} match",
                                     body)


def decline(person, rel: Relationship, reason: str, now: dt.datetime | None = None
            ) -> Relationship:
    """Either person declines a released match before `respond_by`, with a reason (kept for
    the coordinators, never sent to the other person). The mentor's place is free again,
    the other person goes back into the pool, the pair is never suggested again, and both
    are told kindly by email."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise MatchingRefused("Tell us briefly why you are declining this match")
    with db.atomic():
        query = Relationship.select().where(Relationship.id == rel.id)
        row = (query if is_sqlite() else query.for_update()).first()
        if row is None or not row.involves(person):
            raise MatchingRefused("This match is not yours")
        if row.status != RELEASED:
            raise MatchingRefused("Only a new match can be declined")
        if row.respond_by is not None and now > row.respond_by:
            raise MatchingRefused("The time to decline this match has passed: please talk "
                                  "to the programme team")
        Relationship.update(status=DECLINED, declined_by=person.id, decline_reason=reason,
                            declined_at=now).where(Relationship.id == row.id).execute()
        row.status, row.declined_by, row.decline_reason, row.declined_at = (
            DECLINED, person.id, reason, now)
        programme = Programme.get_by_id(row.programme_id)
        other = row.partner_of(person)
        for to, template in ((person, "emails/match_declined_you.txt"),
                             (other, "emails/match_declined_other.txt")):
            body = render_template(template, person=to, partner=row.partner_of(to),
                                   programme=programme, link=page(DASHBOARD_PATH))
            key = f"match-declined:{row.id}:{to.id}"
            notifications.notify(to.id, "match", f"Your {programme.name} match with "
                                 f"{row.partner_of(to).name} will not go ahead",
                                 DASHBOARD_PATH, key)
            mail_preferences.queue_email(to, "match", key, f"Your {programme.name} match",
                                         body)
        return row

