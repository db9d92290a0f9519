"""The SQLite database: one deferred peewee handle, opened with the pragmas that keep data safe.

`synchronous=FULL` because a power cut must not roll back an issued ticket; WAL so the kiosk, the
operator pages and the print worker read while one of them writes; `busy_timeout` so a writer waits for
another instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from peewee import SqliteDatabase

# Deferred: models bind to this handle, `open_database` points it at a file. Nothing opens at import.
database = SqliteDatabase(None, lock_type="IMMEDIATE")

PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "cache_size": -8000,
    "temp_store": 2,
}


def open_database(path: Path) -> SqliteDatabase:
    """Point the shared handle at `path`, create the folder, and connect with our pragmas."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not database.is_closed():
        database.close()
    database.init(str(path), pragmas=PRAGMAS)
    database.connect(reuse_if_open=True)
    return database


def close_database() -> None:
    """Close this thread's connection; harmless when none is open."""
    if database.database is not None and not database.is_closed():
        database.close()


def reading():  # noqa: ANN201 - peewee's transaction context manager
    """A read-only transaction. DEFERRED rather than our default IMMEDIATE: under WAL a reader then neither
    waits for a writer (a long import) nor holds the write lock from the kiosk."""
    return database.atomic("DEFERRED")
