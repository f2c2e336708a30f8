"""What the pair's care tells people: check-ins, calls for help to the coordinators,
inactivity nudges, the return-from-leave prompt, the end-date offer and the closing notice.

Each is an item in the person's notification centre and, as they choose, an email, written
inside the transaction of the change that causes it, under a key that makes it one message
however often a job or a person repeats the change. Links are absolute (BASE_URL), because
jobs queue most of these without a request. None of them carries a pair's words: notes,
summaries and goals stay in the pair's space.
"""
from flask import render_template

from portal import mail_preferences, notifications
from portal.blueprints.mentoring.models import CHECKIN_ANSWERS
from portal.links import absolute_url, path_for


def _queue(key: str, to, subject: str, template: str, kind: str, path: str,
           **context) -> str:
    notifications.notify(to.id, kind, subject, path, key)
    mail_preferences.queue_email(to, kind, key, subject,
                                 render_template(f"emails/{template}", person=to, **context))
    return key


def _pair_path(rel, anchor: str = "") -> str:
    return path_for("mentoring.show", relationship_id=rel.id) + anchor


def checkin(rel, person, partner, programme, period: int, links: dict[str, str]) -> str:
    """"How is it going?" with one link per answer (`links`: answer -> URL)."""
    return _queue(f"mentoring-checkin:{rel.id}:{person.id}:{period}", person,
                  f"How is your mentoring with {partner.name} going?", "mentoring_checkin.txt",
                  "checkin", _pair_path(rel, "#care"), partner=partner, programme=programme,
                  links=links, answers=CHECKIN_ANSWERS,
                  pair_link=absolute_url("mentoring.show", relationship_id=rel.id))


def checkin_flag(checkin_row, rel, person, coordinator, programme) -> str:
    """A coordinator is told someone asked for help (or said they have stopped)."""
    where = (("mentoring.pairs", {"cohort_id": rel.cohort_id}) if rel.cohort_id
             else ("home.dashboard", {}))
    return _queue(f"mentoring-checkin-flag:{checkin_row.id}:{coordinator.id}", coordinator,
                  f"{programme.name}: a pair's check-in needs you", "mentoring_checkin_flag.txt",
                  "coordinator_alert", path_for(where[0], **where[1]), rel=rel,
                  answerer=person, answer=CHECKIN_ANSWERS[checkin_row.answer],
                  programme=programme, link=absolute_url(where[0], **where[1]))


def nudge(rel, person, partner, programme, since) -> str:
    return _queue(f"mentoring-nudge:{rel.id}:{person.id}:{since.isoformat()}", person,
                  f"Time to meet {partner.name}?", "mentoring_nudge.txt", "checkin",
                  _pair_path(rel), partner=partner, programme=programme, since=since,
                  link=absolute_url("mentoring.show", relationship_id=rel.id))


def return_prompt(rel, person, partner, programme) -> str:
    return _queue(f"mentoring-return:{rel.id}:{person.id}:{rel.leave_returns.isoformat()}",
                  person, "Book a session before the return to work",
                  "mentoring_return_prompt.txt", "checkin", _pair_path(rel), rel=rel,
                  partner=partner, programme=programme, is_mentee=person.id == rel.mentee_id,
                  link=absolute_url("mentoring.show", relationship_id=rel.id))


def end_offer(rel, person, partner, programme) -> str:
    return _queue(f"mentoring-end-offer:{rel.id}:{person.id}:{rel.ends_on.isoformat()}",
                  person, f"Your mentoring with {partner.name} has reached its end date",
                  "mentoring_end_offer.txt", "checkin", _pair_path(rel, "#close"), rel=rel,
                  partner=partner, programme=programme,
                  link=absolute_url("mentoring.show", relationship_id=rel.id) + "#close")


def closed(rel, person, closer, programme, reason: str, by_coordinator: bool) -> str:
    return _queue(f"mentoring-closed:{rel.id}:{person.id}", person,
                  f"Your mentoring on {programme.name} has been closed", "mentoring_closed.txt",
                  "match", path_for("mentoring.closing", relationship_id=rel.id),
                  partner=rel.partner_of(person), closer=closer, programme=programme,
                  reason=reason, by_coordinator=by_coordinator,
                  link=absolute_url("mentoring.closing", relationship_id=rel.id))
