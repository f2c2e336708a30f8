"""Backups that restore: a consistent copy of the database and the uploads, with a manifest
of checksums and row counts, and a restore into an empty database and upload folder that
checks both before it says it is done.

- SQLite: the online backup API copies the database page by page while the portal keeps
  running; the copy is a consistent snapshot, made a single file (no WAL beside it).
- PostgreSQL: `pg_dump --format=custom` inside a snapshot exported from a repeatable-read
  transaction, and the row counts are read in that same snapshot, so they describe exactly
  what was dumped. `pg_restore` puts it back in one transaction.

A backup folder holds `database.sqlite3` or `database.pgdump`, `uploads/` (everything under
UPLOAD_DIR except data exports, which are temporary and personal, and half-received files)
and `manifest.json`.
"""
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
UPLOADS = "uploads"
LEFT_OUT = ("exports",)  # top-level folders of UPLOAD_DIR that a backup leaves out
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The message says what is wrong, for the operator."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def engine_of(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql"
    raise BackupError(f"Cannot back up DATABASE_URL {url!r}: only SQLite and PostgreSQL")


def sqlite_path(url: str) -> Path:
    """sqlite:///relative/path or sqlite:////absolute/path, as playhouse.db_url reads it."""
    path = url.split("?", 1)[0].removeprefix("sqlite:///")
    if not path or path == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored")
    return Path(path)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


# --- row counts ------------------------------------------------------------------------

def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _postgres_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                   "ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts(url: str) -> dict[str, int]:
    """Every table's row count, straight from the database `url` names."""
    if engine_of(url) == "sqlite":
        with sqlite3.connect(sqlite_path(url)) as connection:
            return _sqlite_counts(connection)
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            return _postgres_counts(cursor)
    finally:
        connection.close()


# --- uploads -----------------------------------------------------------------------------

def _upload_files(root: Path):
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (path.is_file() and relative.parts[0] not in LEFT_OUT
                and not path.name.startswith(".incoming-")):
            yield path, relative


def upload_checksums(upload_dir: str) -> dict[str, str]:
    return {str(relative): _sha256(path) for path, relative in _upload_files(Path(upload_dir))}


def _copy_uploads(source: Path, target: Path) -> dict[str, str]:
    sums = {}
    for path, relative in _upload_files(source):
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        sums[str(relative)] = _sha256(destination)
    return sums


# --- backup ------------------------------------------------------------------------------

def backup(target: Path, database_url: str, upload_dir: str) -> dict:
    """Write a backup into `target`, a new or empty folder; returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    engine = engine_of(database_url)
    if engine == "sqlite":
        database_file, counts = SQLITE_FILE, _backup_sqlite(database_url, target / SQLITE_FILE)
    else:
        database_file, counts = POSTGRES_FILE, _backup_postgres(database_url,
                                                                target / POSTGRES_FILE)
    files = _copy_uploads(Path(upload_dir), target / UPLOADS)
    manifest = {
        "format": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "database": {"file": database_file, "sha256": _sha256(target / database_file)},
        "tables": counts,
        "uploads": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _backup_sqlite(url: str, destination: Path) -> dict[str, int]:
    source = sqlite3.connect(sqlite_path(url))
    copy = sqlite3.connect(destination)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        return _sqlite_counts(copy)
    finally:
        copy.close()
        source.close()


def _backup_postgres(url: str, destination: Path) -> dict[str, int]:
    connection = psycopg2.connect(url)
    try:
        connection.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _postgres_counts(cursor)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={destination}", f"--dbname={url}"])
        connection.rollback()
    finally:
        connection.close()
    return counts


# --- restore -----------------------------------------------------------------------------

def verify(source: Path) -> dict:
    """The manifest, once every file it lists is present with its checksum."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} has no readable {MANIFEST}: is it a Tandem backup?") \
            from exc
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected |= {f"{UPLOADS}/{name}": digest for name, digest in manifest["uploads"].items()}
    problems = []
    for name, digest in expected.items():
        path = source / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif _sha256(path) != digest:
            problems.append(f"checksum differs: {name}")
    if problems:
        raise BackupError("The backup is damaged:\n- " + "\n- ".join(problems))
    return manifest


def _refuse_unless_empty(database_url: str, upload_dir: str) -> None:
    if any(True for _ in _upload_files(Path(upload_dir))):
        raise BackupError(f"The upload folder {upload_dir} is not empty: restore into an "
                          f"empty one")
    if table_counts_or_none(database_url):
        raise BackupError("The database already has tables: restore into an empty database")


def table_counts_or_none(url: str) -> dict[str, int]:
    if engine_of(url) == "sqlite" and not sqlite_path(url).exists():
        return {}
    return table_counts(url)


def restore(source: Path, database_url: str, upload_dir: str) -> dict:
    """Restore a backup into an empty database and upload folder, then check every row count
    and checksum against the manifest. Returns the manifest."""
    source = Path(source)
    manifest = verify(source)
    engine = engine_of(database_url)
    if manifest["engine"] != engine:
        raise BackupError(f"This is a {manifest['engine']} backup; DATABASE_URL is {engine}")
    _refuse_unless_empty(database_url, upload_dir)
    database_file = source / manifest["database"]["file"]
    if engine == "sqlite":
        _restore_sqlite(database_file, sqlite_path(database_url))
    else:
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={database_url}", str(database_file)])
    copied = _copy_uploads(source / UPLOADS, Path(upload_dir))
    restored = table_counts(database_url)
    problems = [f"{table}: {manifest['tables'].get(table)} rows in the backup, "
                f"{restored.get(table)} restored"
                for table in sorted(set(restored) | set(manifest["tables"]))
                if manifest["tables"].get(table) != restored.get(table)]
    problems += [f"upload differs after copying: {name}" for name, digest in
                 manifest["uploads"].items() if copied.get(name) != digest]
    if problems:
        raise BackupError("The restore does not match the backup:\n- " + "\n- ".join(problems))
    return manifest


def _restore_sqlite(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(source)
    target = sqlite3.connect(destination)
    try:
        backup_copy.backup(target)
        target.execute("PRAGMA journal_mode = WAL")
    finally:
        target.close()
        backup_copy.close()
