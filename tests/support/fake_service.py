"""A stand-in for `systemctl start|stop balai.service` in the update tests (no systemd in a test sandbox).

Like the real unit it starts `<install root>/venv/bin/balai serve` through the `venv` link, so whatever release
the link names is what runs; it remembers the server's PID in a file and stops it by that PID only.

    python fake_service.py start ROOT CONFIG DATA PIDFILE LOG
    python fake_service.py stop PIDFILE
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def start(root: Path, config: Path, data: Path, pidfile: Path, log: Path) -> int:
    if pidfile.exists() and _alive(int(pidfile.read_text())):
        return 0
    with log.open("ab") as handle:
        process = subprocess.Popen([str(root / "venv" / "bin" / "balai"), "serve", "--config", str(config),
                                    "--data", str(data)], stdout=handle, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    pidfile.write_text(str(process.pid))
    return 0


def stop(pidfile: Path) -> int:
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        return 0
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return 0


def _alive(pid: int) -> bool:
    """True while the process runs (a zombie of ours is reaped and counts as gone)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


if __name__ == "__main__":
    action, *rest = sys.argv[1:]
    if action == "start":
        sys.exit(start(*(Path(part) for part in rest)))
    sys.exit(stop(Path(rest[0])))
