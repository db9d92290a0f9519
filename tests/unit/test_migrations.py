"""Numbered migrations: a database from the first release upgrades in place, after a backup."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.migrations import available_migrations, migrate


def test_fresh_database_gets_every_migration(tmp_path):
    db = tmp_path / "balai.sqlite3"
    version = migrate(db, tmp_path / "backups")
    assert version == available_migrations()[-1].version
    assert not (tmp_path / "backups").exists()  # nothing to back up on a new database
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"user", "village", "service", "ticket", "print_job", "audit_log"} <= tables


def test_database_from_first_migration_upgrades_with_a_backup(tmp_path):
    db = tmp_path / "balai.sqlite3"
    assert migrate(db, tmp_path / "backups", target=1) == 1
    connection = sqlite3.connect(db)
    connection.execute(
        "INSERT INTO user (uuid, username, role, password_hash, created_at, updated_at) "
        "VALUES ('u1', 'siti', 'admin', 'x', '2026-01-01', '2026-01-01')")
    connection.commit()
    connection.close()

    assert migrate(db, tmp_path / "backups") == available_migrations()[-1].version
    backups = list((tmp_path / "backups").glob("balai-v0001-*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT username FROM user").fetchall() == [("siti",)]
    upgraded = sqlite3.connect(db)
    assert upgraded.execute("SELECT username FROM user").fetchall() == [("siti",)]
    upgraded.execute("SELECT count(*) FROM ticket").fetchone()
    # Running again changes nothing and takes no second backup.
    migrate(db, tmp_path / "backups")
    assert len(list((tmp_path / "backups").glob("*.sqlite3"))) == 1


def test_a_newer_database_is_refused(tmp_path):
    db = tmp_path / "balai.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version=999")
    connection.close()
    with pytest.raises(RuntimeError, match="newer"):
        migrate(db, tmp_path / "backups")


def test_pragmas_of_the_live_connection(db):
    from kiosk.db import database

    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
