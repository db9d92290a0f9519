"""Writing a file so that a power cut leaves either the old content or the new, never half, readable only by
us: keys, secrets, signed letters, the logo, audio clips. One implementation for every such file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_private(target: Path, data: bytes) -> None:
    """Write `data` to a hidden temporary file beside `target` (0600), fsync it, rename it over `target`, and
    fsync the folder so the rename itself survives a power cut."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_or_create_secret(path: Path, minimum: int = 32) -> str:
    """A random hex secret kept in `path`, made on this machine the first time (or when a power cut during the
    first start left the file empty). Never shipped, never the same on two machines."""
    if path.exists():
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if len(text) >= minimum:
            return text
    write_private(path, secrets.token_hex(32).encode("ascii"))
    return path.read_text(encoding="ascii").strip()
