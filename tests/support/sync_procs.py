"""`balai hub serve` and `balai sync run|once|status` as child processes, for the sync fault tests.

The in-thread hub (tests/support/hub.py) is enough for most sync tests; the fault tests also need the real
thing: a hub or an uploader that can be SIGKILLed in the middle of a batch, as a power cut or the OOM killer
would, and started again on the same data folder. Every child:

- is the venv's `balai` console script (next to sys.executable), in its own session (a Ctrl-C in the test
  run reaches only pytest), on loopback (127.0.0.1) only;
- gets an environment without BALAI_* (the test decides), PG* and pytest's PYTEST_CURRENT_TEST (NiceGUI's
  ui.run() would take the hub for one of its own screen tests and die at start);
- writes stdout and stderr to files under the test's tmp dir (`<name>-<n>.out` / `<name>-<n>.log`, one pair
  per start), so a failing test shows what the child said;
- is stopped by PID only: SIGTERM, then SIGKILL if it does not leave in time; `kill()` is SIGKILL at once.

A village child (`balai sync ...`) needs a data folder that already holds a migrated, seeded, enrolled
database: prepare it in-process and call `kiosk.db.close_database()` before starting the child.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[2]
BALAI = Path(sys.executable).with_name("balai")
LOOPBACK = "127.0.0.1"
HEALTH_PATH = "/api/hub/v1/health"
STOP_TIMEOUT = 15.0

T = TypeVar("T")


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment minus BALAI_*, PG* and PYTEST_CURRENT_TEST, plus `extra`."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BALAI_", "PG")) and key != "PYTEST_CURRENT_TEST"}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def wait_until(condition: Callable[[], T], *, timeout: float, interval: float = 0.05,
               what: str = "condition") -> T:
    """Poll `condition` until it returns something truthy (returned); AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class Child:
    """One `balai ...` child process; may be started again (a new pair of log files each time)."""

    def __init__(self, args: Sequence[str], log_dir: Path, name: str,
                 env: Mapping[str, str] | None = None) -> None:
        self.args = [str(BALAI), *map(str, args)]
        self.log_dir = log_dir
        self.name = name
        self.env = child_environment(env)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.out_path = log_dir / f"{name}-0.out"
        self.log_path = log_dir / f"{name}-0.log"

    # -- life cycle -----------------------------------------------------------------------------------

    def start(self) -> "Child":
        if self.running:
            raise RuntimeError(f"{self.name} already runs as PID {self.pid}")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.out_path = self.log_dir / f"{self.name}-{self.starts}.out"
        self.log_path = self.log_dir / f"{self.name}-{self.starts}.log"
        with open(self.out_path, "wb") as out, open(self.log_path, "wb") as err:
            err.write(("$ " + " ".join(self.args) + "\n").encode())
            err.flush()
            self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def wait(self, timeout: float) -> int:
        """Wait for the child to exit by itself; its exit code (SIGKILL after `timeout`, then AssertionError)."""
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not finish within {timeout:g} s:\n{self.tail()}") from None

    def kill(self) -> None:
        """SIGKILL by PID, as a power cut or the OOM killer would (no handler runs), and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM by PID (the orderly way out), SIGKILL if still there after `timeout` s; the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    # -- output ---------------------------------------------------------------------------------------

    def stdout_text(self) -> str:
        try:
            return self.out_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.log_path.name} ---\n{self.log_text()[-chars:]}\n" \
               f"--- {self.out_path.name} ---\n{self.stdout_text()[-chars:]}"

    def json_output(self) -> dict[str, Any]:
        """The last line of stdout that is a JSON object (what `--json` commands print)."""
        for line in reversed(self.stdout_text().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        raise AssertionError(f"{self.name} printed no JSON:\n{self.tail()}")


class HubProcess(Child):
    """`balai hub serve --data DIR [--db URL] --host 127.0.0.1 --port N`: API and dashboard, restartable on
    the same data folder and port."""

    def __init__(self, data_dir: Path, log_dir: Path, *, db_url: str = "", port: int | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.db_url = db_url
        self.port = port or free_port()
        args = ["hub", "serve", "--data", data_dir, "--host", LOOPBACK, "--port", self.port]
        if db_url:
            args += ["--db", db_url]
        super().__init__(args, log_dir, "hub", env)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def database_path(self) -> Path:
        """The hub's SQLite file (when no --db was given)."""
        return self.data_dir / "hub.sqlite3"

    def health(self) -> dict[str, Any] | None:
        try:
            response = httpx.get(self.url + HEALTH_PATH, timeout=1.0)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        document = response.json()
        return document if document.get("role") == "hub" else None

    def start(self, timeout: float = 60.0) -> "HubProcess":
        """Start and wait until /api/hub/v1/health answers; a child that exits first fails with its log."""
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"balai hub serve exited with {self.returncode}:\n{self.tail()}")
            if self.health() is not None:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"balai hub serve did not answer within {timeout:g} s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL by PID; returns once the port no longer answers."""
        super().kill()
        wait_until(lambda: self.health() is None, timeout=10, what="the killed hub to stop answering")


class VillageSync:
    """The `balai sync ...` commands of one village data folder, as child processes."""

    def __init__(self, data_dir: Path, log_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.env = dict(env or {})
        self._uploader: Child | None = None

    def _child(self, name: str, *args: object) -> Child:
        return Child(["sync", *args, "--data", self.data_dir], self.log_dir, name, self.env)

    def start_run(self, interval: float = 1.0) -> Child:
        """`balai sync run`: the uploader service, until stopped (restarting the same Child keeps its logs)."""
        if self._uploader is None:
            self._uploader = self._child("sync-run", "run", "--interval", interval)
        return self._uploader.start()

    def start_once(self) -> Child:
        """`balai sync once --json`, started and not waited for (the caller may kill things meanwhile)."""
        return self._child("sync-once", "once", "--json").start()

    def once(self, timeout: float = 120.0) -> tuple[int, dict[str, Any]]:
        """`balai sync once --json` to the end: (exit code, its JSON answer)."""
        child = self.start_once()
        code = child.wait(timeout)
        return code, child.json_output()

    def status(self, timeout: float = 60.0) -> dict[str, Any]:
        """`balai sync status --json`."""
        child = self._child("sync-status", "status", "--json").start()
        code = child.wait(timeout)
        assert code == 0, child.tail()
        return child.json_output()


def run_balai(args: Sequence[object], log_dir: Path, name: str, *, stdin: str = "", timeout: float = 120.0,
              env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run one `balai` command to the end; stdout is returned (and kept with stderr under `log_dir`)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    command = [str(BALAI), *map(str, args)]
    result = subprocess.run(command, cwd=ROOT, env=child_environment(env), input=stdin, capture_output=True,
                            text=True, timeout=timeout, start_new_session=True)
    number = len(list(log_dir.glob(f"{name}-*.log"))) + 1
    (log_dir / f"{name}-{number}.log").write_text(
        f"$ {' '.join(command)}\n[exit {result.returncode}]\n--- stdout ---\n{result.stdout}\n"
        f"--- stderr ---\n{result.stderr}")
    return result
