"""The SQLite database: one deferred peewee handle, opened with the pragmas that keep data safe.

`synchronous=FULL` because a power cut must not roll back an issued ticket; WAL so the kiosk, the
operator pages and the print worker read while one of them writes; `busy_timeout` so a writer waits for
another instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from typing import Any

from peewee import OperationalError, SqliteDatabase

from kiosk.services.errors import DiskFull, is_disk_full


class BalaiDatabase(SqliteDatabase):
    """SqliteDatabase whose "database or disk is full" is a DiskFull (a ServiceError) rather than a crash.

    The one place for it: every write of every service passes here, so the API answers a JSON error, a page
    shows a notification and the transaction rolls back as for any refused request, and nothing catches it
    by hand. SQLite leaves the database as it was (the failed transaction is undone)."""

    def execute_sql(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute_sql(sql, params, *args, **kwargs)
        except OperationalError as error:
            if is_disk_full(error):
                raise DiskFull() from error
            raise

    def rollback(self) -> Any:
        """SQLite undoes a transaction by itself on some errors (SQLITE_FULL among them); a ROLLBACK then
        fails with "no transaction is active" and would hide the error that matters."""
        if not self.is_closed() and not self.connection().in_transaction:
            return None
        return super().rollback()

    def commit(self) -> Any:
        try:
            return super().commit()
        except OperationalError as error:
            if is_disk_full(error):
                raise DiskFull() from error
            raise


# Deferred: models bind to this handle, `open_database` points it at a file. Nothing opens at import.
database = BalaiDatabase(None, lock_type="IMMEDIATE")

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
