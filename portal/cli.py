"""Operator commands: `flask --app wsgi db upgrade`, `create-user`, `seed-demo`, `backup`,
`restore`."""
from pathlib import Path

import click
from flask import Flask, current_app
from playhouse.migrations import Runner

from portal import backup, demo, scale, search
from portal.blueprints.accounts.passwords import TOO_COMMON, is_common
from portal.db import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def migrate(target: str | None = None) -> list[str]:
    return Runner(db.obj, str(MIGRATIONS_DIR)).up(target)


def register_commands(app: Flask) -> None:
    @app.cli.group("db")
    def db_group():
        """Database schema."""

    @db_group.command("upgrade")
    @click.option("--target", default=None, help="Stop after this migration.")
    def upgrade(target):
        """Apply pending migrations, keeping existing data."""
        with db.connection_context():
            applied = migrate(target)
        click.echo("\n".join(f"applied: {name}" for name in applied) or "up to date")

    @db_group.command("status")
    def status():
        """List migrations and whether each is applied."""
        with db.connection_context():
            for m in Runner(db.obj, str(MIGRATIONS_DIR)).status():
                click.echo(f"[{'x' if m.applied else ' '}] {m.name}")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(path):
        """Write a consistent copy of the database and uploads, with checksums, to PATH."""
        config = current_app.config
        try:
            manifest = backup.backup(path, config["DATABASE_URL"], config["UPLOAD_DIR"])
        except backup.BackupError as problem:
            raise click.ClickException(str(problem)) from problem
        click.echo(f"backed up {sum(manifest['tables'].values())} rows in "
                   f"{len(manifest['tables'])} tables and {len(manifest['uploads'])} uploads "
                   f"to {path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore_command(path):
        """Restore the backup in PATH into an empty database and upload folder."""
        config = current_app.config
        try:
            manifest = backup.restore(path, config["DATABASE_URL"], config["UPLOAD_DIR"])
        except backup.BackupError as problem:
            raise click.ClickException(str(problem)) from problem
        click.echo(f"restored {sum(manifest['tables'].values())} rows in "
                   f"{len(manifest['tables'])} tables and {len(manifest['uploads'])} uploads "
                   f"from {path}; every row count and checksum matches")

    @app.cli.command("search-rebuild")
    def search_rebuild():
        """Rebuild the full-text index from the stored documents."""
        with db.connection_context(), db.atomic():
            click.echo(f"indexed {search.rebuild()} documents")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(["member", "moderator", "staff", "admin"]),
                  default="member")
    @click.option("--password", required=True)
    def create_user(email, name, role, password):
        """Create a confirmed account with a role."""
        if len(password) < 10:
            raise click.BadParameter("must be at least 10 characters", param_hint="--password")
        if is_common(password):
            raise click.BadParameter(TOO_COMMON, param_hint="--password")
        with db.connection_context():
            user, created = demo.ensure_user(email, name, role, password,
                                             current_app.config["PASSWORD_HASH_METHOD"])
        click.echo(f"{'created' if created else 'updated'}: {user.email} ({user.role})")

    @app.cli.command("seed-scale")
    @click.option("--people", default=5000, show_default=True)
    @click.option("--articles", default=10000, show_default=True)
    @click.option("--posts", default=100000, show_default=True,
                  help="Board posts: one thread of 200, the rest in threads of 20.")
    def seed_scale(people, articles, posts):
        """Fill the demo database to a large organisation's size (for make bench)."""
        with db.connection_context():
            added = scale.seed(people, articles, posts)
        click.echo(f"added {added['people']} people, {added['articles']} articles, "
                   f"{added['posts']} posts")
        if added["long_thread"]:
            click.echo(f"long thread: /boards/threads/{added['long_thread']}")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Add demo content and one account per role. Safe to run again."""
        with db.connection_context():
            accounts = demo.seed(upload_dir=current_app.config["UPLOAD_DIR"])
        click.echo(f"Demo accounts (password for each: {demo.DEMO_PASSWORD}):")
        for email, role in accounts:
            click.echo(f"  {role:<10} {email}")
