"""Rows read through a prepared query hold the same Python values as peewee's own reading:
a remembered session reads as True, not 1, and a time as a datetime, on either database."""
import datetime as dt

from portal.blueprints.accounts.models import User, UserSession
from portal.db import utcnow
from portal.prepared import Prepared, param

FIELDS = [*UserSession._meta.sorted_fields, *User._meta.sorted_fields]


def _both(key):
    return (UserSession.select(*FIELDS).join(User)
            .where(UserSession.key == key).order_by(UserSession.id))


SESSION_AND_PERSON = Prepared(lambda: _both(param("key")))


def test_prepared_rows_match_peewees_own_for_every_kind_of_field(database, make_user):
    person = make_user(name="Ada Okafor", totp_last_step=41, suspension_reason="")
    UserSession.create(key="k" * 40, user=person.id, remember=True,
                       expires_at=utcnow() + dt.timedelta(days=3), user_agent="Firefox")

    prepared = SESSION_AND_PERSON().tuples(key="k" * 40)

    assert prepared == list(_both("k" * 40).tuples())
    row = SESSION_AND_PERSON().first(key="k" * 40)
    assert row["remember"] is True
    assert isinstance(row["expires_at"], dt.datetime)
    assert row["user"] == person.id and row["totp_last_step"] == 41
    assert row["name"] == "Ada Okafor"
