"""Finding USB sticks and writing the village's pending batches onto one.

A stick is a removable filesystem mounted under one of the usual automount roots (/media/<user>/<LABEL>,
/run/media/..., /mnt/...). The mount table is read from a file (normally /proc/mounts), which is also the
seam tests use: they list a temporary folder as a mounted vfat stick.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peewee import Database

from sync import journal
from sync.bundle import write_bundle

REMOVABLE_TYPES = {"vfat", "exfat", "ntfs", "ntfs3", "fuseblk", "ext4", "ext3", "ext2", "btrfs", "f2fs"}
DEFAULT_ROOTS = ("/media", "/run/media", "/mnt")


class ExportError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Stick:
    path: Path
    label: str
    free_bytes: int


@dataclass(frozen=True)
class Exported:
    folder: Path
    batches: int
    changes: int


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces and tabs in paths as octal escapes (\\040)."""
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")


def find_sticks(roots: tuple[str, ...] = DEFAULT_ROOTS, mounts_file: Path = Path("/proc/mounts")) -> list[Stick]:
    """Writable removable filesystems mounted below `roots`."""
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[2] not in REMOVABLE_TYPES:
            continue
        mount = Path(_unescape(parts[1]))
        if not any(mount.is_relative_to(root) and mount != Path(root) for root in roots):
            continue
        if "ro" in parts[3].split(",") or not mount.is_dir() or not os.access(mount, os.W_OK):
            continue
        stats = os.statvfs(mount)
        found.append(Stick(mount, mount.name, stats.f_bavail * stats.f_frsize))
    return found


def export_pending(database: Database, key: Ed25519PrivateKey, out_dir: Path) -> Exported:
    """Seal what is waiting and write every unacknowledged batch as a bundle into `out_dir`."""
    row = database.execute_sql("SELECT hub_box_key FROM sync_state WHERE id = 1").fetchone()
    if not row or not row[0]:
        raise ExportError("not_enrolled")
    journal.seal(database)
    batches = journal.pending(database, limit=100_000)
    if not batches:
        raise ExportError("nothing_pending")
    needed = sum(len(b.body) for b in batches) + 64 * 1024
    if out_dir.exists():
        stats = os.statvfs(out_dir)
        if stats.f_bavail * stats.f_frsize < needed:
            raise ExportError("no_space")
    try:
        folder = write_bundle(out_dir, journal.village_code(database),
                              [(b.batch_id, b.sha256, b.body) for b in batches], key, row[0])
    except OSError as error:
        raise ExportError("write_failed") from error
    return Exported(folder, len(batches), sum(b.changes for b in batches))
