"""The nightly backup: one copy on the device, and an encrypted copy on a USB stick when one is plugged in.

The copy on the device (`<data>/backups/nightly/`) is not encrypted: it sits on the same SD card as the
live database, readable only by the balai user (files 0600, folder 0700); encrypting it would protect
nothing the database itself does not already expose. What it guards against is a damaged database or a
mistaken deletion, not a lost card.

The USB copy is encrypted because a stick gets lost. The admin sets a passphrase on /operator/backup; the
nightly run must encrypt without anyone present, so something that encrypts has to live on the device. We
keep the argon2id *key* derived from the passphrase (with its salt and parameters) in a private file
(`usb-backup.key`, 0600, written atomically), never the passphrase itself, never in the database, never in
a log: a lost stick reveals nothing without the passphrase, and a stolen SD card does not reveal the
passphrase (which people reuse) - but a stolen SD card holds the live data anyway, so this is protection for
the stick, not for the card. Restoring a USB copy asks for the passphrase; the key file is not needed there
and is not part of any backup (set the passphrase again after a restore).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.private_file import write_private
from kiosk.services.backup import (BackupInfo, check_passphrase, nightly_dir, prune, record, take_snapshot,
                                   work_folder, write_snapshot)
from kiosk.services.backup_archive import SealKey, derive
from kiosk.services.errors import ServiceError
from kiosk.settings import Settings
from sync.usb import Stick, find_sticks

log = logging.getLogger(__name__)

USB_FOLDER = "balai-backup"
STATUS_FILE = "last-run.json"
KEY_FORMAT = "balai-usb-backup-key/1"
# One run at a time in this process: a second click on "Cadangkan sekarang" is told to wait.
_running = threading.Lock()


def usb_key_file(settings: Settings) -> Path:
    return settings.data_dir / "usb-backup.key"


@dataclass(frozen=True)
class NightlyResult:
    """What one run did: the device copy, and the USB copy with its state in one word."""

    at: str
    actor: str
    local: BackupInfo | None
    local_error: str
    usb: str  # written | no_stick | no_passphrase | failed | skipped (no device copy to send)
    usb_copies: list[BackupInfo] = field(default_factory=list)
    usb_error: str = ""
    pruned: int = 0

    @property
    def ok(self) -> bool:
        return self.local is not None and self.usb != "failed"

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "at": self.at, "actor": self.actor,
                "local": self.local.as_json() if self.local else None, "local_error": self.local_error,
                "usb": self.usb, "usb_copies": [copy.as_json() for copy in self.usb_copies],
                "usb_error": self.usb_error, "pruned": self.pruned}


# --- the USB key --------------------------------------------------------------------------------------------

def set_usb_passphrase(settings: Settings, passphrase: str, repeat: str, *, actor: str, client: str = "") -> None:
    """Check the passphrase (12+ characters, typed twice the same) and keep the key made from it. Blocking
    (about a second of argon2id on a Pi)."""
    check_passphrase(passphrase, repeat)
    seal = derive(passphrase)
    stored = {"format": KEY_FORMAT, "key": seal.key.hex(), "salt": seal.salt.hex(), "time_cost": seal.time_cost,
              "memory_cost": seal.memory_cost, "parallelism": seal.parallelism,
              "set_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    write_private(usb_key_file(settings), json.dumps(stored).encode("ascii"))
    record(actor, "backup.usb_passphrase_set", "usb-backup.key", "", client)


def remove_usb_passphrase(settings: Settings, *, actor: str, client: str = "") -> None:
    """No more USB copies until a passphrase is set again."""
    usb_key_file(settings).unlink(missing_ok=True)
    record(actor, "backup.usb_passphrase_removed", "usb-backup.key", "", client)


def usb_key(settings: Settings) -> SealKey | None:
    """The stored key, or None when no passphrase is set (or the file is unreadable: then it is set again)."""
    try:
        stored = json.loads(usb_key_file(settings).read_text(encoding="ascii"))
        if stored.get("format") != KEY_FORMAT:
            raise ValueError("unknown format")
        return SealKey(bytes.fromhex(stored["key"]), bytes.fromhex(stored["salt"]), int(stored["time_cost"]),
                       int(stored["memory_cost"]), int(stored["parallelism"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.error("the USB backup key file is unreadable (%s); set the passphrase again", type(error).__name__)
        return None


def sticks(settings: Settings) -> list[Stick]:
    """Writable USB sticks mounted right now under the configured roots."""
    return find_sticks(tuple(settings.usb_mount_roots), Path(settings.usb_mounts_file))


def usb_state(settings: Settings) -> dict[str, Any]:
    """For the admin page: the sticks plugged in, and whether a passphrase is set."""
    return {"sticks": sticks(settings), "passphrase_set": usb_key(settings) is not None}


# --- the run ------------------------------------------------------------------------------------------------

def _write_usb(settings: Settings, snapshot: Any, seal: SealKey, found: list[Stick],
               needed: int) -> tuple[list[BackupInfo], str]:
    """The encrypted copy on every stick plugged in; the first failure's key (the other sticks still get one)."""
    copies, error_key = [], ""
    for stick in found:
        folder = stick.path / USB_FOLDER
        try:
            free = os.statvfs(stick.path)
            if free.f_bavail * free.f_frsize < needed + (1 << 20):
                raise ServiceError("backup.no_space")
            copies.append(write_snapshot(snapshot, folder, seal, settings.data_dir))
            prune(folder, settings.backup_keep)
        except (ServiceError, OSError) as error:
            log.error("nightly backup onto the stick %s failed: %s", stick.label, error)
            error_key = error_key or (error.key if isinstance(error, ServiceError) else "backup.write_failed")
    return copies, error_key


def nightly(settings: Settings, *, actor: str = "nightly", client: str = "") -> NightlyResult:
    """One copy into the device's nightly folder (keeping the newest `backup_keep`), then, when a stick is
    plugged in and the admin set a USB passphrase, an encrypted copy of the same snapshot onto each stick
    (`balai-backup/`, the same retention). Records the outcome for the admin page and the audit log."""
    if not _running.acquire(blocking=False):
        raise ServiceError("backup.busy", status=409)
    try:
        return _nightly(settings, actor, client)
    finally:
        _running.release()


def _nightly(settings: Settings, actor: str, client: str) -> NightlyResult:
    at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    folder = nightly_dir(settings)
    local, local_error, usb, copies, usb_error, pruned = None, "", "skipped", [], "", 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        with work_folder(settings.data_dir, ".backup-") as work:
            snapshot = take_snapshot(settings, work)
            local = write_snapshot(snapshot, folder, None, settings.data_dir)
            pruned = len(prune(folder, settings.backup_keep))
            found, seal = sticks(settings), usb_key(settings)
            if not found:
                usb = "no_stick"
            elif seal is None:
                usb = "no_passphrase"
            else:
                copies, usb_error = _write_usb(settings, snapshot, seal, found, local.size)
                usb = "failed" if usb_error else "written"
    except (ServiceError, OSError) as error:
        local_error = error.key if isinstance(error, ServiceError) else "backup.write_failed"
        log.error("nightly backup failed: %s", error)
    result = NightlyResult(at, actor, local, local_error, usb, copies, usb_error, pruned)
    _remember(settings, result)
    if local is not None:
        where = ", ".join(str(copy.path.parent) for copy in copies) or usb
        record(actor, "backup.nightly", local.path.name, f"{local.size} bytes; USB: {where}", client)
    if not result.ok:
        record(actor, "backup.failed", str(folder), local_error or usb_error, client)
    return result


def _remember(settings: Settings, result: NightlyResult) -> None:
    try:
        write_private(nightly_dir(settings) / STATUS_FILE, json.dumps(result.as_json()).encode("utf-8"))
    except OSError as error:
        log.error("could not record the nightly backup's outcome: %s", error)


def last_run(settings: Settings) -> dict[str, Any] | None:
    """The last run's outcome as recorded (NightlyResult.as_json), or None when none ran yet."""
    try:
        return json.loads((nightly_dir(settings) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
