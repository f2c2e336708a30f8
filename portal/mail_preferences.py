"""Whether an email goes to a person, and how they stop it: the one place every area asks.

`queue_email(person, kind, ...)` is the outbox's queue_email for emails about a kind of
notification: it reads the person's choice (portal.notifications), queues the email only if
they want it by email, and gives every email that can be stopped a visible unsubscribe
link and the RFC 8058 one-click headers (`List-Unsubscribe` with a signed https link,
`List-Unsubscribe-Post`). Locked kinds (security, bookings) always go, without them.

An unsubscribe link is signed (portal.signed_links) with the person's id, the kinds it
stops and a tag of the address it was sent to, so it works signed out, cannot be turned
against anyone else, and stops working if the account's address changes. It never expires:
a person may find an old email. Stopping an email leaves the kind on the site only.
"""
import datetime as dt
import hashlib

from portal import notifications
from portal.blueprints.accounts.models import User
from portal.links import absolute_url
from portal.notifications import DIGEST, EMAIL, NOTIFICATION_TYPES, SITE
from portal.outbox import queue_email as queue_outbox_email
from portal.signed_links import LinkProblem, load, sign

PURPOSE = "unsubscribe"
ONE_CLICK = "List-Unsubscribe=One-Click"


def _address_tag(email: str) -> str:
    """Binds a link to the address it was sent to, without putting the address in it."""
    return hashlib.sha256(User.normalise_email(email).encode()).hexdigest()[:16]


def make_token(person, kinds: list[str]) -> str:
    return sign(PURPOSE, {"u": person.id, "k": sorted(kinds), "a": _address_tag(person.email)})


def links(person, kinds: list[str]) -> tuple[str, str]:
    """The visible unsubscribe page, and the one-click address for the headers."""
    token = make_token(person, kinds)
    return (absolute_url("notifications.unsubscribe", token=token),
            absolute_url("notifications.one_click", token=token))


def with_unsubscribe(person, kinds: list[str], body: str) -> tuple[str, dict[str, str]]:
    """The body with its unsubscribe footer, and the headers that let a mail program
    unsubscribe in one click."""
    page, one_click = links(person, kinds)
    footer = (f"\n\n--\nThis email is about {describe(kinds)}. You can stop these emails "
              f"without logging in.\nStop these emails: {page}\nChoose which emails you get: "
              f"{absolute_url('notifications.preferences')}\n")
    return body.rstrip("\n") + footer, {"List-Unsubscribe": f"<{one_click}>",
                                        "List-Unsubscribe-Post": ONE_CLICK}


def wants_email(person_id: int, kind: str) -> bool:
    return notifications.channel_for(person_id, kind) == EMAIL


def queue_email(person, kind: str, key: str, subject: str, body: str,
                attachment: tuple[str, str, str] | None = None) -> bool:
    """Queue an email about `kind` to `person` if they want it by email (always, for a
    locked kind). Call inside the transaction of the change, as the outbox's queue_email.
    Returns whether it was queued."""
    if NOTIFICATION_TYPES[kind].locked:
        queue_outbox_email(key, person.email, subject, body, attachment)
        return True
    if not wants_email(person.id, kind):
        return False
    body, headers = with_unsubscribe(person, [kind], body)
    queue_outbox_email(key, person.email, subject, body, attachment, headers=headers)
    return True


# Following a link -------------------------------------------------------------------------

def person_for_token(token: str) -> tuple[User, list[str]]:
    """The person and the kinds an unsubscribe link names. Raises LinkProblem("invalid")
    for a link that was altered, made for another purpose, names kinds that cannot be
    stopped, or was sent to an address the account no longer has."""
    data = load(PURPOSE, token, "u", None)
    kinds = data.get("k")
    if (not isinstance(kinds, list) or not kinds
            or any(k not in NOTIFICATION_TYPES or NOTIFICATION_TYPES[k].locked for k in kinds)):
        raise LinkProblem("invalid")
    person = User.get_or_none(User.id == data["u"])
    if person is None or person.erased_at is not None or data.get("a") != _address_tag(
            person.email):
        raise LinkProblem("invalid")
    return person, kinds


def emailed_kinds(person, kinds: list[str]) -> list[str]:
    """Of these kinds, those the person still gets by email (or in the daily summary)."""
    channels = notifications.channels_for([person.id], kinds)
    return [k for k in kinds if channels[(person.id, k)] in (EMAIL, DIGEST)]


def unsubscribe(person, kinds: list[str], source: str, now: dt.datetime | None = None
                ) -> list[str]:
    """Stop the emails about these kinds: each goes to "on the site only". Returns the
    kinds that changed. Call inside a transaction."""
    return notifications.set_channels(
        person.id, {k: SITE for k in emailed_kinds(person, kinds)}, source, now)


def undo_unsubscribe(person, kinds: list[str], now: dt.datetime | None = None) -> list[str]:
    """Put back what the person had before the last unsubscribe from each kind (email, or
    the daily summary); a kind they have changed since is left alone."""
    choices = {}
    for kind in kinds:
        change = notifications.last_change(person.id, kind)
        current = notifications.channel_for(person.id, kind)
        if current != SITE:
            continue
        if change is not None and change.channel == SITE and change.previous in (EMAIL, DIGEST):
            choices[kind] = change.previous
        else:
            choices[kind] = EMAIL
    return notifications.set_channels(person.id, choices, "undo", now)


def describe(kinds: list[str]) -> str:
    """"board mentions and board posts you watch", for the pages."""
    return " and ".join(NOTIFICATION_TYPES[k].label.lower() for k in kinds)
