"""The disk a power cut leaves behind, built from what powerloss_shim.c recorded while a writer ran.

A process killed by SIGKILL leaves every byte it wrote in the kernel's page cache, which reaches the disk
later; a power cut loses whatever had not been fsynced. Here a writer runs with the shim preloaded, is
SIGKILLed, and the test builds the disk as the power cut would have left it:

- `careful`: each file exactly as at its last completed fsync/fdatasync (nothing unsynced survives);
- `torn`: that, plus a random subset of the writes made since (in their order), one of them torn at a
  512-byte sector boundary: what a disk that flushed some of its cache before the lights went out holds.

Both are legitimate outcomes of a power cut, so with synchronous=FULL both must keep every acknowledged
write; with NORMAL or OFF the careful disk loses them, which is how the tests show the checks can fail.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

SHIM_SOURCE = Path(__file__).with_name("powerloss_shim.c")
DB_FILES = ("balai.sqlite3", "balai.sqlite3-wal")   # the -shm wal-index is rebuilt after a crash
TRUNCATE = 0xFFFFFFFF
SECTOR = 512


def build_shim(out_dir: Path) -> Path | None:
    """Compile the shim with the system C compiler; None when there is none (the tests then skip)."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        return None
    library = out_dir / "powerloss_shim.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-Wall", "-o", str(library), str(SHIM_SOURCE), "-ldl"],
                   check=True, capture_output=True)
    return library


def shim_env(library: Path, data_dir: Path, shadow_dir: Path) -> dict[str, str]:
    return {"LD_PRELOAD": str(library), "POWERLOSS_WATCH": str(data_dir.resolve()),
            "POWERLOSS_SHADOW": str(shadow_dir.resolve())}


@dataclass(frozen=True)
class Write:
    offset: int
    data: bytes | None   # None: the file was truncated to `offset`


def read_pending(path: Path) -> list[Write]:
    if not path.exists():
        return []
    raw = path.read_bytes()
    writes, at = [], 0
    while at + 12 <= len(raw):
        offset, length = struct.unpack_from("<QI", raw, at)
        at += 12
        if length == TRUNCATE:
            writes.append(Write(offset, None))
            continue
        if at + length > len(raw):
            break  # a record cut off by the SIGKILL itself: that write was never logged as done
        writes.append(Write(offset, raw[at:at + length]))
        at += length
    return writes


def start_durable(data_dir: Path, shadow_dir: Path) -> None:
    """Declare the data folder's files durable as they are (a cleanly closed database), pending nothing."""
    if shadow_dir.exists():
        shutil.rmtree(shadow_dir)
    shadow_dir.mkdir(parents=True)
    for name in DB_FILES:
        if (data_dir / name).exists():
            shutil.copyfile(data_dir / name, shadow_dir / name)


def disk_after_cut(shadow_dir: Path, name: str, rng: random.Random | None) -> bytes | None:
    """One file as the power cut left it: None if it never reached the disk. `rng` None: the careful disk."""
    durable_path = shadow_dir / name
    durable = durable_path.read_bytes() if durable_path.exists() else None
    pending = read_pending(shadow_dir / f"{name}.pending")
    if rng is None or not pending:
        return durable
    chosen = [write for write in pending if rng.random() < 0.5]
    if not chosen:
        return durable
    torn = rng.randrange(len(chosen))
    content = bytearray(durable or b"")
    for index, write in enumerate(chosen):
        if write.data is None:
            del content[write.offset:]
            content.extend(b"\0" * (write.offset - len(content)))
            continue
        data = write.data
        if index == torn:
            data = data[:SECTOR * rng.randrange(max(1, len(data) // SECTOR))]
        if len(content) < write.offset:
            content.extend(b"\0" * (write.offset - len(content)))
        content[write.offset:write.offset + len(data)] = data
    return bytes(content)


def restore(target_dir: Path, shadow_dir: Path, rng: random.Random | None) -> None:
    """Put the power cut's disk into `target_dir` (the stale -shm, if any, stays: SQLite must cope)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in DB_FILES:
        content = disk_after_cut(shadow_dir, name, rng)
        if content is None:
            (target_dir / name).unlink(missing_ok=True)
        else:
            (target_dir / name).write_bytes(content)
