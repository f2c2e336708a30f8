"""The dashboard's content version: the triggers are made again so that writes to what a
kept dashboard shows (groups and memberships, chosen topics, bookmarks, applications,
programmes and cohorts) raise it (portal/fragments.py)."""

from portal.fragments import create_triggers, drop_triggers


def up(migrator, db):
    drop_triggers(db)
    create_triggers(db)


def down(migrator, db):
    drop_triggers(db)
    create_triggers(db)
