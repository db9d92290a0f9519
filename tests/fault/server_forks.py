"""`balai serve` forked from a process that has imported it once, for the server SIGKILL cycles.

A fresh `balai serve` spends ~1.6 s of its ~2.5 s start importing NiceGUI, FastAPI and the printing stack on
the test machine; 200 kill cycles would take 13 minutes. Forked from a parent that has done those imports
and the page and API modules (which register nothing at import), but nothing else (no database, no event
loop, no thread of its own), the child runs exactly what
`balai serve` runs from `kiosk.cli.main` on, in a process of its own that the test SIGKILLs by PID.

Run as ``python -m tests.fault.server_forks`` with the server's environment; the protocol on stdin/stdout
is the crash writer's (tests/support/crash_writer.py): the parent answers `READY`, then for each line
`LOG_PATH ARG...` forks a server with those `balai` arguments and answers `PID <pid>`; the caller kills it and
writes `KILLED` (or `STOPPED` after a SIGTERM); only then is it reaped (its PID cannot be reused before the
kill), and the parent answers `EXIT <pid> <signal or minus the exit code>`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping

import httpx

from tests.support.server import ROOT, free_port


def fork_server() -> int:
    """Import once, then fork one `balai serve` per command line."""
    import importlib
    import pkgutil

    import kiosk.api
    import kiosk.app  # noqa: F401 - the expensive imports, done once
    import kiosk.cli
    import kiosk.pages

    # build_app imports the pages and API routers inside functions (they register nothing at import)
    for package in (kiosk.pages, kiosk.api):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)

    control = sys.stdout
    control.write("READY\n")
    control.flush()
    while command := sys.stdin.readline():
        log_path, *args = command.split()
        pid = os.fork()
        if pid == 0:  # the server
            status = 0
            try:
                os.setsid()
                log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.close(log)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                status = kiosk.cli.main(args) or 0
            except BaseException:  # noqa: BLE001 - report and leave without the parent's cleanup
                import traceback

                traceback.print_exc()
                status = 1
            finally:
                os._exit(status)
        control.write(f"PID {pid}\n")
        control.flush()
        sys.stdin.readline()  # KILLED or STOPPED
        _, wait_status = os.waitpid(pid, 0)
        code = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else -os.WEXITSTATUS(wait_status)
        control.write(f"EXIT {pid} {code}\n")
        control.flush()
    return 0


class ForkedServers:
    """The fork parent, and the one server it runs at a time (same data folder and port every cycle)."""

    def __init__(self, data_dir: Path, env: Mapping[str, str], log_path: Path, port: int | None = None) -> None:
        self.data_dir, self.log_path = data_dir, log_path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(env)
        self.env["BALAI_PUBLIC_URL"] = self.url
        self.parent: subprocess.Popen[str] | None = None
        self.pid: int | None = None

    def __enter__(self) -> "ForkedServers":
        with open(self.log_path, "a") as log:
            self.parent = subprocess.Popen([sys.executable, "-m", "tests.fault.server_forks"], cwd=ROOT,
                                           env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                           text=True, bufsize=1, start_new_session=True)
        assert self._answer() == "READY", self.log_text()[-3000:]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pid is not None:
            self.kill()
        assert self.parent is not None and self.parent.stdin is not None
        self.parent.stdin.close()
        try:
            self.parent.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(self.parent.pid, signal.SIGKILL)
            self.parent.wait(10)

    def _answer(self) -> str:
        assert self.parent is not None and self.parent.stdout is not None
        line = self.parent.stdout.readline()
        if not line:
            raise AssertionError(f"the server fork parent died: {self.log_text()[-3000:]}")
        return line.strip()

    def _tell(self, line: str) -> None:
        assert self.parent is not None and self.parent.stdin is not None
        self.parent.stdin.write(line + "\n")
        self.parent.stdin.flush()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, timeout: float = 60.0) -> "ForkedServers":
        """Fork `balai serve --demo` on the data folder and wait until /api/v1/health answers."""
        args = ["serve", "--data", str(self.data_dir), "--host", "127.0.0.1", "--port", str(self.port), "--demo"]
        self._tell(" ".join([str(self.log_path), *args]))
        word, pid = self._answer().split()
        assert word == "PID", word
        self.pid = int(pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if not Path(f"/proc/{self.pid}").exists() or _is_zombie(self.pid):
                break
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the forked server did not answer: {self.log_text()[-3000:]}")

    def kill(self) -> int:
        """SIGKILL by PID (no handler runs), then let the parent reap it; returns how it ended."""
        assert self.pid is not None
        pid, self.pid = self.pid, None
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._tell("KILLED")
        word, reaped, code = self._answer().split()
        assert word == "EXIT" and int(reaped) == pid, (word, reaped)
        return int(code)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True


if __name__ == "__main__":
    raise SystemExit(fork_server())
