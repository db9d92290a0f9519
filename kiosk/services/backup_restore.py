"""Restoring a backup: only with the office server stopped, with the current state kept, as a new sync epoch.

Why the server must be stopped (and why restore is a command, not a button): the server and the sync
uploader hold the database open; a file replaced underneath them keeps them writing into the old one, and a
page that stays open keeps its sessions and caches of a world that no longer exists. Two signals tell that
the office is still running, checked before anything changes:

* something answers on the server's port on this machine (`GET /api/v1/health` on 127.0.0.1, or the
  configured address): refused unless `force` (for when another program happens to use the port);
* another process has the database open: SQLite itself says so. In WAL mode every open connection holds a
  shared lock on the database file, so an exclusive lock (exclusive locking mode) is refused while anyone
  else is connected. This one is never overridden: restoring under an open connection is never right.

Then, in this order: the backup is read and checked in full into a private folder; its database is
migrated to this release's schema and starts a new sync epoch there (sync.journal.start_new_epoch: a new
generation and a full snapshot, so the district converges on the restored state and no sequence number the
hub already holds is reused); the current database and keys are kept in `backups/pre-restore-<stamp>/`;
then the keys and the database are renamed into place (each rename atomic; the database last).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from peewee import SqliteDatabase

from kiosk.db import PRAGMAS
from kiosk.migrations import available_migrations, migrate
from kiosk.models import AuditLog
from kiosk.private_file import write_private
from kiosk.services import audit
from kiosk.services.backup import KEY_FILES, BackupInfo, fsync_folder, verify_backup, work_folder
from kiosk.services.errors import ServiceError
from kiosk.settings import Settings
from sync import journal

log = logging.getLogger(__name__)

LOCAL_HOSTS = {"", "0.0.0.0", "::", "127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class RestoreInfo:
    backup: BackupInfo
    epoch: str
    kept: Path | None  # where the state before the restore was kept (None: there was none)
    migrated_from: int

    def as_json(self) -> dict[str, Any]:
        return {"backup": self.backup.as_json(), "epoch": self.epoch, "kept": str(self.kept) if self.kept else None,
                "migrated_from": self.migrated_from}


def server_answers(settings: Settings, timeout: float = 2.0) -> bool:
    """Whether a program answers on the server's port on this machine (any HTTP answer counts)."""
    hosts = ["127.0.0.1"] + ([settings.host] if settings.host not in LOCAL_HOSTS else [])
    for host in hosts:
        url = f"http://{'[' + host + ']' if ':' in host else host}:{settings.port}/api/v1/health"
        try:
            httpx.get(url, timeout=timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            continue
        except httpx.HTTPError:
            return True  # it accepted the connection and then said nothing sensible: still something running
        return True
    return False


def database_in_use(path: Path) -> bool:
    """Whether another process has the database open (see the module docstring). Changes nothing: an
    exclusive lock is asked for (exclusive locking mode, so WAL takes the file lock too) and let go."""
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(path, timeout=0.5, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        return "locked" in text or "busy" in text
    except sqlite3.DatabaseError:
        return False  # damaged beyond reading: nobody can be using it; it is kept aside as it is
    finally:
        connection.close()


def _refuse_if_running(settings: Settings, force: bool) -> None:
    if not force and server_answers(settings):
        raise ServiceError("backup.restore_server_running", port=settings.port)
    if database_in_use(settings.database_path):
        raise ServiceError("backup.restore_database_in_use")


def _keep_current(settings: Settings) -> Path | None:
    """Copy the current database (with any -wal left by a crash) and key files aside, private. A failure
    here removes the partial copy and changes nothing else."""
    present = [settings.database_path, settings.database_path.with_name(settings.database_path.name + "-wal"),
               *(settings.data_dir / name for name in KEY_FILES)]
    present = [path for path in present if path.is_file()]
    if not present:
        return None
    kept = settings.backup_dir / f"pre-restore-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}"
    try:
        kept.mkdir(parents=True, exist_ok=False)
        os.chmod(kept, 0o700)
        for path in present:
            target = kept / path.name
            shutil.copyfile(path, target)
            os.chmod(target, 0o600)
            with open(target, "rb") as handle:
                os.fsync(handle.fileno())
        fsync_folder(kept)
    except OSError as error:
        shutil.rmtree(kept, ignore_errors=True)
        log.error("restore: could not keep the current state aside: %s", error)
        raise ServiceError("backup.no_space" if error.errno == errno.ENOSPC else "backup.restore_failed") from error
    return kept


def _swap(settings: Settings, staging: Path, staged: Path, kept: Path | None) -> None:
    """Keys first, then the database (each an atomic rename). Failing half-way is named, with where the state
    before the restore is kept."""
    live = settings.database_path
    try:
        for name in KEY_FILES:
            if (staging / name).is_file():
                write_private(settings.data_dir / name, (staging / name).read_bytes())
        for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
            leftover.unlink(missing_ok=True)  # another database's WAL must never be applied to this one
        os.chmod(staged, 0o600)
        os.replace(staged, live)
        fsync_folder(settings.data_dir)
    except OSError as error:
        log.error("restore stopped half-way: %s; the state before is in %s", error, kept)
        raise ServiceError("backup.restore_incomplete", kept=str(kept or "-")) from error


def _prepare(staged: Path, settings: Settings, backup: BackupInfo, actor: str) -> tuple[str, int]:
    """Bring the staged database to this release's schema and start its new sync epoch; before it is live."""
    migrated_from = backup.schema_version
    migrate(staged, settings.backup_dir, settings.backup_keep)
    handle = SqliteDatabase(str(staged), pragmas=PRAGMAS)
    handle.connect()
    try:
        new_epoch = journal.start_new_epoch(handle, f"restored from the backup {backup.path.name}")
        with handle.bind_ctx([AuditLog]), handle.atomic():
            audit.record(actor, "backup.restore", backup.path.name,
                         f"taken {backup.created_at}, schema {migrated_from}, new sync epoch {new_epoch}")
    finally:
        handle.close()
    connection = sqlite3.connect(staged, isolation_level=None)
    try:  # one self-contained file: no -wal of the staged copy may be left behind when it is renamed
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    return new_epoch, migrated_from


def restore(settings: Settings, path: Path, passphrase: str | None = None, *, force: bool = False,
            actor: str = "cli") -> RestoreInfo:
    """Replace the office's database and keys with a verified backup; see the module docstring."""
    _refuse_if_running(settings, force)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(settings.data_dir, 0o700)
        with work_folder(settings.data_dir, ".restore-") as staging:
            backup = verify_backup(path, passphrase, keep=staging)
            newest = available_migrations()[-1].version
            if backup.schema_version > newest:
                raise ServiceError("backup.restore_too_new", schema=backup.schema_version, newest=newest)
            staged = staging / "balai.sqlite3"
            new_epoch, migrated_from = _prepare(staged, settings, backup, actor)
            _refuse_if_running(settings, force)  # again: the checks above took a while
            kept = _keep_current(settings)
            _swap(settings, staging, staged, kept)
    except (OSError, sqlite3.Error, RuntimeError) as error:  # before the swap: nothing has changed
        log.error("restore of %s failed before anything changed: %s", path, error)
        raise ServiceError("backup.restore_failed") from error
    log.warning("restored %s (taken %s); the state before is kept in %s", backup.path.name, backup.created_at, kept)
    return RestoreInfo(backup, new_epoch, kept, migrated_from)
