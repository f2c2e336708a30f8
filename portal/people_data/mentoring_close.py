"""Closing a person's relationships when their account is erased.

Not the mentoring area's close service: that one tells the partner who closed the
relationship and why, and here the email must not name the person being erased."""
import datetime as dt

from flask import render_template

from portal import mail_preferences, notifications
from portal.blueprints.accounts.models import User
from portal.blueprints.mentoring.models import DRAFT, STARTED, Relationship
from portal.blueprints.programmes.models import Programme
from portal.links import absolute_url, path_for

CLOSE_REASON = "The other person's account was closed"


def close_relationships_of(person: User, now: dt.datetime) -> int:
    """Close the person's open relationships and tell each partner (the notice does not
    name the person). Drafts nobody was told about are deleted. Call inside the erasure's
    transaction. Returns how many were closed."""
    involves = (Relationship.mentor == person.id) | (Relationship.mentee == person.id)
    Relationship.delete().where(involves, Relationship.status == DRAFT).execute()
    mentor, mentee = User.alias("mentor_user"), User.alias("mentee_user")
    open_ones = list(Relationship.select(Relationship, mentor, mentee, Programme)
                     .join(mentor, on=(Relationship.mentor == mentor.id)).switch(Relationship)
                     .join(mentee, on=(Relationship.mentee == mentee.id)).switch(Relationship)
                     .join(Programme)
                     .where(involves, Relationship.status.in_(list(STARTED))))
    if not open_ones:
        return 0
    (Relationship.update(status="closed", closed_at=now, closed_by=None,
                         close_reason=CLOSE_REASON)
     .where(Relationship.id.in_([r.id for r in open_ones])).execute())
    for rel in open_ones:
        partner = rel.partner_of(person)
        key, subject = f"mentoring-closed-erased:{rel.id}", "Your mentoring relationship has ended"
        notifications.notify(partner.id, "match", subject, path_for("mentoring.index"), key)
        mail_preferences.queue_email(
            partner, "match", key, subject,
            render_template("emails/relationship_closed_erased.txt", partner=partner,
                            programme=rel.programme, link=absolute_url("mentoring.index")))
    return len(open_ones)
