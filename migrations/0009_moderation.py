"""Moderation: threads held for approval, and a moderator's note when they edit a post or
a comment."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("thread", "held", BooleanField(default=False)),
        migrator.add_column("post", "edit_note", CharField(max_length=300, default="")),
        migrator.add_column("comment", "edit_note", CharField(max_length=300, default="")),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("thread", "held"),
        migrator.drop_column("post", "edit_note"),
        migrator.drop_column("comment", "edit_note"),
    )
