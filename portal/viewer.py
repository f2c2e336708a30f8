"""Who is asking: the person behind a sign-in session, loaded on every request.

One prepared query reads the session, the few columns of the person that every page uses
(never the password hash: the rest load on first use) and the groups they are in, which
decide what they may see. `audience_key` names the audience those make up: everyone with
the same key sees the same lists, so shared fragments are keyed on it.
"""
from peewee import fn

from portal.blueprints.accounts.models import User, UserSession
from portal.db import is_sqlite, utcnow
from portal.groups import GroupMembership
from portal.permissions import STAFF_ROLES
from portal.prepared import Prepared, param

SESSION_COLUMNS = (User.id, User.name, User.email, User.role, User.suspended_until,
                   User.suspension_reason)


def group_list(column):
    """An aggregate of `column`'s values as text separated by commas (SQLite's
    group_concat, PostgreSQL's string_agg)."""
    if is_sqlite():
        return fn.group_concat(column)
    return fn.string_agg(column.cast("text"), ",")


def _build_lookup():
    groups = (GroupMembership.select(group_list(GroupMembership.group))
              .where(GroupMembership.user == User.id))
    return (UserSession.select(*SESSION_COLUMNS, groups.alias("group_ids"))
            .join(User)
            .where(UserSession.key == param("key"), UserSession.expires_at > param("now")))


SESSION_LOOKUP = Prepared(_build_lookup)


def load_user(key: str) -> User | None:
    """The person behind a live session key, or None."""
    row = SESSION_LOOKUP().first(key=key, now=utcnow())
    if row is None:
        return None
    groups = row.pop("group_ids")
    user = User(__no_default__=True, **row)
    user._dirty.clear()
    user.session_key = key
    user.group_ids = tuple(sorted(int(g) for g in groups.split(","))) if groups else ()
    user.loads_rest_on_read = True
    return user


def audience_key(user) -> str:
    """The audience a person belongs to, as far as any list can tell: signed out; staff
    (who see everything); or a member or moderator in these groups."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    if user.role in STAFF_ROLES:
        return user.role
    groups = user.group_ids
    if groups is None:  # not loaded by load_user
        groups = sorted(m.group_id for m in GroupMembership.select(GroupMembership.group)
                        .where(GroupMembership.user == user.id))
    return f"{user.role}:{','.join(map(str, groups))}"
