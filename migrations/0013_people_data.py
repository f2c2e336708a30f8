"""People's data and staff accounts: two-factor sign-in (a TOTP secret, the last time step
used, recovery codes), erased accounts, data exports, and the address an audited action
came from."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    migrator.migrate(
        migrator.add_column("user", "totp_secret", CharField(max_length=64, default="")),
        migrator.add_column("user", "totp_enabled_at", DateTimeField(null=True)),
        migrator.add_column("user", "totp_last_step", IntegerField(null=True)),
        migrator.add_column("user", "erased_at", DateTimeField(null=True)),
        migrator.add_column("audit_entry", "ip_address", CharField(max_length=45, default="")),
    )

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete="CASCADE")
        code_hash = CharField(max_length=64)
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "recovery_code"
            indexes = ((("user", "code_hash"), True),)

    class DataExport(Model):
        user = ForeignKeyField(User, on_delete="CASCADE")
        status = CharField(max_length=10, default="pending")
        requested_at = DateTimeField()
        ready_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True, index=True)
        stored_name = CharField(max_length=64, default="")
        size = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "data_export"
            indexes = ((("user", "requested_at"), False), (("status", "requested_at"), False))

    db.create_tables([RecoveryCode, DataExport])


def down(migrator, db):
    for table in ("data_export", "recovery_code"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    migrator.migrate(
        migrator.drop_column("audit_entry", "ip_address"),
        *[migrator.drop_column("user", column) for column in (
            "erased_at", "totp_last_step", "totp_enabled_at", "totp_secret")],
    )
