"""Numbered schema migrations applied at start, after a backup of the existing database.

Each `NNNN_name.sql` file runs once, inside one transaction, and bumps `PRAGMA user_version` to NNNN.
A database from any earlier release therefore upgrades in place; `create_tables()` is never the path.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with this release, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration numbers must be contiguous: {migration.name}")
    return found


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def backup_database(database_path: Path, backup_dir: Path, version: int, keep: int) -> Path:
    """Copy the live database with SQLite's online backup API (consistent even in WAL mode)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"balai-v{version:04d}-{stamp}.sqlite3"
    source = sqlite3.connect(database_path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    backups = sorted(backup_dir.glob("balai-v*.sqlite3"))
    for old in backups[: max(0, len(backups) - keep)]:
        old.unlink(missing_ok=True)
    return target


def migrate(database_path: Path, backup_dir: Path, keep_backups: int = 10, target: int | None = None) -> int:
    """Bring the database at `database_path` up to `target` (default: newest). Returns the new version."""
    migrations = available_migrations()
    target = migrations[-1].version if target is None else target
    database_path.parent.mkdir(parents=True, exist_ok=True)
    existed = database_path.exists() and database_path.stat().st_size > 0
    connection = sqlite3.connect(database_path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=wal")
        connection.execute("PRAGMA synchronous=FULL")
        current = schema_version(connection)
        if current > migrations[-1].version:
            raise RuntimeError(
                f"database schema {current} is newer than this Balai release knows ({migrations[-1].version})"
            )
        pending = [m for m in migrations if current < m.version <= target]
        if pending and existed and current > 0:
            path = backup_database(database_path, backup_dir, current, keep_backups)
            log.info("backup before migration written to %s", path)
        for migration in pending:
            log.info("applying migration %s", migration.name)
            connection.execute("PRAGMA foreign_keys=OFF")
            try:
                connection.execute("BEGIN IMMEDIATE")
                for statement in _statements(migration.sql):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={migration.version}")
                connection.execute("COMMIT")
            except Exception:
                connection.execute("ROLLBACK")
                raise
            finally:
                connection.execute("PRAGMA foreign_keys=ON")
        return schema_version(connection)
    finally:
        connection.close()


def _statements(sql: str) -> list[str]:
    """Split a migration into complete statements; SQLite itself says when one ends (triggers hold `;`)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines():
        if not buffer and (not line.strip() or line.strip().startswith("--")):
            continue
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise RuntimeError(f"incomplete SQL statement at the end of a migration: {buffer[:80]!r}")
    return statements
