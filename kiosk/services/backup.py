"""Backups of the office: the database, the village's keys and its logo, in one file that is checked twice.

What a backup holds and why: the SQLite database (every ticket, resident, letter and the sync journal), the
village's Ed25519 `signing.key` (it seals letters and is the village's identity at the district: without it
a restored office must re-enrol and its old letters no longer verify against its own key), `secret.key`
(cookie signing: sessions survive a restore) and `logo.png` (letters look the same). Not the signed letter
PDFs, attachments or announcement pictures: they grow without bound and are kept beside the database.

How: SQLite's online backup API copies the live database into a private work folder (consistent while the
server writes: under WAL the copy is one read transaction), `PRAGMA integrity_check` on the copy, then one
archive (kiosk.services.backup_archive) written to a hidden temporary name, fsynced, read back and checked
in full (decryption, every hash, integrity_check of the extracted database) and only then renamed into
place. A backup that is not reported as written does not exist; a partial file is always removed.

Restores (`restore_backup`, kiosk.services.backup_restore) and the nightly run with its USB copy
(`nightly`, kiosk.services.backup_nightly) live beside this file; they are re-exported here so callers
import one module.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from kiosk import balai_version
from kiosk.db import database
from kiosk.services import audit
from kiosk.services.backup_archive import (FORMAT, ArchiveError, SealKey, derive, file_sha256, read_archive,
                                           write_archive)
from kiosk.services.errors import ServiceError, is_disk_full
from kiosk.settings import Settings

log = logging.getLogger(__name__)

SUFFIX = ".balai-backup"
NAME = re.compile(r"^balai-(?P<village>[0-9A-Za-z]+)-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.balai-backup$")
KEY_FILES = ("signing.key", "secret.key", "logo.png")


@dataclass(frozen=True)
class BackupInfo:
    """One verified backup file: where, how big, of which village and schema, when, encrypted or not."""

    path: Path
    village: str
    village_name: str
    schema_version: int
    created_at: str
    size: int
    encrypted: bool
    members: tuple[str, ...]
    balai_version: str

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "file": self.path.name, "village": self.village,
                "village_name": self.village_name, "schema_version": self.schema_version,
                "created_at": self.created_at, "size": self.size, "encrypted": self.encrypted,
                "members": list(self.members), "balai_version": self.balai_version}


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of the office in a private work folder, ready to be archived (once or several times)."""

    files: list[tuple[str, Path]]
    manifest: dict[str, Any]


def nightly_dir(settings: Settings) -> Path:
    """Where the nightly backups (and `balai backup` without --to) go: on the device, beside the database."""
    return settings.backup_dir / "nightly"


@contextmanager
def work_folder(parent: Path | None, prefix: str) -> Iterator[Path]:
    """A private (0700) temporary folder, removed afterwards: a decrypted database never lands anywhere else.

    Inside the data folder when there is one (the same partition and privacy as the live database)."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut (some USB filesystems cannot: then best effort)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def read_only(path: Path) -> str:
    """A read-only SQLite URI for `path` (quoted: a folder name with a space or '#' must not break it)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def integrity_ok(path: Path) -> bool:
    """SQLite's full integrity check of a database file that nobody else uses."""
    try:
        connection = sqlite3.connect(read_only(path), uri=True)
        try:
            return connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False


def _village(connection: sqlite3.Connection) -> tuple[str, str]:
    try:
        row = connection.execute("SELECT code, name FROM village WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None or not row[0]:
        return "unset", ""
    return str(row[0]).replace(".", ""), str(row[1] or "")


def take_snapshot(settings: Settings, folder: Path) -> Snapshot:
    """Copy the live database (online backup API) and the key files into `folder`; check the copy."""
    if not settings.database_path.is_file():
        raise ServiceError("backup.no_database")
    copy = folder / "balai.sqlite3"
    try:
        source = sqlite3.connect(read_only(settings.database_path), uri=True, timeout=30)
        try:
            destination = sqlite3.connect(copy)
            try:
                source.backup(destination)  # one step: a single read transaction, never restarted by writers
                destination.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
                if destination.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                    raise ServiceError("backup.source_damaged")
                schema = int(destination.execute("PRAGMA user_version").fetchone()[0])
                village, village_name = _village(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        log.error("backup: could not copy the database: %s", error)
        # a copy that does not fit is not a damaged database: say what the operator can fix
        raise ServiceError("backup.no_space" if is_disk_full(error) else "backup.source_damaged") from error
    files = [("balai.sqlite3", copy)]
    for name in KEY_FILES:
        original = settings.data_dir / name
        if original.is_file():
            target = folder / name
            shutil.copyfile(original, target)
            os.chmod(target, 0o600)
            files.append((name, target))
    manifest = {
        "format": FORMAT, "balai_version": balai_version(), "village": village, "village_name": village_name,
        "schema_version": schema, "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": {name: {"sha256": file_sha256(path), "size": path.stat().st_size} for name, path in files},
    }
    return Snapshot(files, manifest)


def _free_name(target_dir: Path, village: str, created_at: str) -> str:
    stamp = created_at.replace("-", "").replace(":", "")
    name = f"balai-{village}-{stamp}{SUFFIX}"
    number = 1
    while (target_dir / name).exists():
        number += 1
        name = f"balai-{village}-{stamp}-{number}{SUFFIX}"
    return name


def _error_key(error: BaseException) -> str:
    if isinstance(error, ServiceError):
        return error.key
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "backup.no_space"
    if isinstance(error, OSError):
        return "backup.write_failed"
    return "backup.verify_failed"


def write_snapshot(snapshot: Snapshot, target_dir: Path, seal: SealKey | None, work_parent: Path | None) -> BackupInfo:
    """Archive `snapshot` into `target_dir` (encrypted with `seal`), read it back and check every byte, then
    rename it into place. Any failure removes the partial file and raises a ServiceError."""
    temporary: Path | None = None
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        name = _free_name(target_dir, snapshot.manifest["village"], snapshot.manifest["created_at"])
        temporary = target_dir / f".{name}.tmp"
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            write_archive(raw, snapshot.files, snapshot.manifest, seal)
            os.fsync(raw.fileno())
        try:
            info = _check(temporary, seal, work_parent)
        except ServiceError as error:  # what was just written does not read back: say so, not "damaged"
            raise ServiceError("backup.no_space" if error.key == "backup.no_space" else "backup.verify_failed") \
                from error
        if info.members != tuple(sorted(snapshot.manifest["files"])):
            raise ServiceError("backup.verify_failed")
        final = target_dir / name
        os.replace(temporary, final)
        fsync_folder(target_dir)
        return _with_path(info, final)
    except BaseException as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if isinstance(error, (ServiceError, OSError, ArchiveError)):
            log.error("backup into %s failed: %s", target_dir, error)
            key = _error_key(error)
            raise ServiceError(key, **(error.params if isinstance(error, ServiceError) else {})) from error
        raise


def _with_path(info: BackupInfo, path: Path) -> BackupInfo:
    return BackupInfo(path, info.village, info.village_name, info.schema_version, info.created_at, info.size,
                      info.encrypted, info.members, info.balai_version)


def _check(path: Path, seal: SealKey | None, work_parent: Path | None) -> BackupInfo:
    """Read back what was just written, with the key that wrote it (no second passphrase derivation)."""
    with work_folder(work_parent, ".backup-check-") as folder:
        try:
            extracted = read_archive(path, None, folder, known=seal)
        except ArchiveError as error:
            raise archive_error(error) from error
        return _inspect(path, extracted)


ARCHIVE_KEYS = {"no_space": "backup.no_space", "not_a_backup": "backup.not_a_backup",
                "unknown_version": "backup.unknown_version", "passphrase_needed": "backup.passphrase_needed",
                "wrong_passphrase": "backup.wrong_passphrase", "damaged": "backup.damaged",
                "unreadable": "backup.unreadable"}


def archive_error(error: ArchiveError) -> ServiceError:
    return ServiceError(ARCHIVE_KEYS.get(error.code, "backup.damaged"))


def verify_backup(path: Path, passphrase: str | None = None, *, work_dir: Path | None = None,
                  keep: Path | None = None) -> BackupInfo:
    """Read every byte of a backup: decrypt, every member's hash, integrity_check of its database.

    `work_dir`: where the database is extracted to be checked (default: the system's temporary folder, in a
    private folder removed afterwards). `keep`: extract into this folder instead and leave the files there
    (the restore uses it)."""
    path = Path(path)
    if not path.is_file():
        raise ServiceError("backup.file_missing")
    if keep is not None:
        return _verify_into(path, passphrase, keep)
    with work_folder(work_dir, ".backup-check-") as folder:
        return _verify_into(path, passphrase, folder)


def _verify_into(path: Path, passphrase: str | None, folder: Path) -> BackupInfo:
    try:
        extracted = read_archive(path, passphrase, folder)
    except ArchiveError as error:
        log.warning("backup %s refused: %s", path, error)
        raise archive_error(error) from error
    return _inspect(path, extracted)


def _inspect(path: Path, extracted: Any) -> BackupInfo:
    """The facts of an extracted archive, after the database copy passed SQLite's integrity check."""
    manifest = extracted.manifest
    database_file = extracted.files.get("balai.sqlite3")
    if database_file is None or not integrity_ok(database_file):
        raise ServiceError("backup.damaged")
    connection = sqlite3.connect(read_only(database_file), uri=True)
    try:
        schema = int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()
    if schema != manifest.get("schema_version"):
        raise ServiceError("backup.damaged")
    return BackupInfo(path, str(manifest.get("village", "")), str(manifest.get("village_name", "")), schema,
                      str(manifest.get("created_at", "")), path.stat().st_size, extracted.encrypted,
                      tuple(sorted(extracted.files)), str(manifest.get("balai_version", "")))


def record(actor: str, action: str, target: str, detail: str, client: str = "") -> None:
    """An audit entry in the live database when it is open (a backup from the CLI of an office whose database
    cannot open is still worth having: then only the log has it). Never a passphrase."""
    if database.database is None:
        log.info("%s %s %s %s", actor, action, target, detail)
        return
    try:
        with database.atomic():
            audit.record(actor, action, target, detail, client)
    except Exception as error:  # noqa: BLE001 - the backup itself is what counts
        if is_disk_full(error):  # expected when the backup failed for want of space: one line, no traceback
            log.error("could not write the audit entry for %s: the disk is full", action)
        else:
            log.exception("could not write the audit entry for %s", action)


def create_backup(settings: Settings, target_dir: Path, passphrase: str | None = None, *, actor: str = "cli",
                  client: str = "") -> BackupInfo:
    """Back the office up into `target_dir` as one checked archive (encrypted when a passphrase is given)."""
    if passphrase is not None:
        check_passphrase(passphrase)
    seal = derive(passphrase) if passphrase is not None else None
    try:
        with work_folder(settings.data_dir, ".backup-") as folder:
            info = write_snapshot(take_snapshot(settings, folder), Path(target_dir), seal, settings.data_dir)
    except (ServiceError, OSError) as error:
        key = _error_key(error)
        record(actor, "backup.failed", str(target_dir), key, client)
        if isinstance(error, ServiceError):
            raise
        log.error("backup into %s failed: %s", target_dir, error)
        raise ServiceError(key) from error
    record(actor, "backup.create", info.path.name,
           f"{info.size} bytes, schema {info.schema_version}{', encrypted' if info.encrypted else ''}, "
           f"in {info.path.parent}", client)
    return info


PASSPHRASE_MIN = 12
PASSPHRASE_MAX = 1024


def check_passphrase(passphrase: str, repeat: str | None = None) -> None:
    """At least 12 characters (a sentence is easier to remember than a password), typed the same twice."""
    if len(passphrase) < PASSPHRASE_MIN:
        raise ServiceError("backup.passphrase_short", minimum=PASSPHRASE_MIN)
    if len(passphrase) > PASSPHRASE_MAX:
        raise ServiceError("backup.passphrase_long")
    if repeat is not None and repeat != passphrase:
        raise ServiceError("backup.passphrase_mismatch")


def backup_files(folder: Path) -> list[Path]:
    """Backup files in `folder`, oldest first (by the time in their names, then their counter)."""
    if not folder.is_dir():
        return []
    found = [(match.group("stamp"), int(match.group("n") or 1), path) for path in folder.iterdir()
             if (match := NAME.match(path.name)) and path.is_file()]
    return [path for _, _, path in sorted(found)]


def prune(target_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` (at least 1) backups in `target_dir`; returns what was deleted.

    Only files named like our backups are touched: pre-migration copies, pre-restore folders and anything
    else on a USB stick stay."""
    files = backup_files(Path(target_dir))
    doomed = files[: max(0, len(files) - max(1, keep))]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def list_backups(settings: Settings, limit: int = 30) -> list[dict[str, Any]]:
    """The backups on the device, newest first: file name, size, when (from the name; not opened)."""
    rows = []
    for path in reversed(backup_files(nightly_dir(settings))[-limit:]):
        stamp = NAME.match(path.name).group("stamp")  # type: ignore[union-attr]
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # pruned by a run at this very moment
            continue
        rows.append({"file": path.name, "size": size, "at": datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")})
    return rows


def restore_backup(settings: Settings, path: Path, passphrase: str | None = None, *, force: bool = False,
                   actor: str = "cli") -> Any:
    """See kiosk.services.backup_restore.restore (the server must be stopped)."""
    from kiosk.services.backup_restore import restore

    return restore(settings, Path(path), passphrase, force=force, actor=actor)


def nightly(settings: Settings, *, actor: str = "nightly", client: str = "") -> Any:
    """See kiosk.services.backup_nightly.nightly."""
    from kiosk.services.roles import require_role

    require_role(actor, "admin")  # the page's "back up now"; the timer runs as "nightly"
    from kiosk.services.backup_nightly import nightly as run_nightly

    return run_nightly(settings, actor=actor, client=client)
