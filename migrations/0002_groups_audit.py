"""groups, audiences and the audit log"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Group(Model):
        name = CharField(unique=True, max_length=120)
        description = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'group'
    db.create_tables([Group])

    class AudienceGroup(Model):
        object_type = CharField(max_length=40)
        object_id = IntegerField()
        group = ForeignKeyField(Group, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'audience_group'
            indexes = ((('object_type', 'object_id', 'group'), True),)
    db.create_tables([AudienceGroup])

    class AuditEntry(Model):
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(index=True, max_length=60)
        object_type = CharField(max_length=40)
        object_id = IntegerField(null=True)
        before = TextField(default='{}')
        after = TextField(default='{}')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'audit_entry'
            indexes = ((('object_type', 'object_id'), False),)
    db.create_tables([AuditEntry])

    class GroupMembership(Model):
        group = ForeignKeyField(Group, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        added_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'group_membership'
            indexes = ((('group', 'user'), True), (('user', 'group'), False))
    db.create_tables([GroupMembership])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('group_membership'))
    migrator.migrate(migrator.drop_table('audit_entry'))
    migrator.migrate(migrator.drop_table('audience_group'))
    migrator.migrate(migrator.drop_table('group'))
