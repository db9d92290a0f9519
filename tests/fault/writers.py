"""Running crash writers (tests/support/crash_writer.py) from a test: a demo database to write into, and
the fork server that starts one writer per cycle and kills it by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

from kiosk.db import close_database
from tests.fault.crash_checks import open_like_next_start, row_counts
from tests.support.server import ROOT

WRITER = [sys.executable, "-m", "tests.support.crash_writer"]


def prepare_demo_database(data_dir: Path) -> dict[str, int]:
    """Migrate and seed a demo village (no population: quick) with its letter types; the rows it starts with.

    Closing the connection checkpoints the WAL into the database file and removes it, so afterwards the
    data folder holds one self-contained file."""
    from kiosk.services.demo import seed_demo
    from kiosk.services.letter_types import install_builtins

    connection = open_like_next_start(data_dir)
    try:
        seed_demo(population=False)
        install_builtins()
        return row_counts(connection)
    finally:
        close_database()


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The writer needs no BALAI_* from the caller, and not pytest's marker (nothing of NiceGUI runs, still)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALAI_") and k != "PYTEST_CURRENT_TEST"}
    env.update(extra or {})
    return env


def run_to_completion(data_dir: Path, seed: int, ops: int) -> str:
    """One writer the way the module's docstring runs it (a fresh interpreter), `ops` calls, then a clean exit."""
    done = subprocess.run([*WRITER, str(data_dir), str(seed), "--ops", str(ops)], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Writers:
    """The writer fork server (crash_writer --fork-server): one writer per cycle, SIGKILLed by PID.

    Each writer's stdout goes to a file rather than a pipe: a pipe the test did not drain in time would block
    the writer and move every kill to the same harmless spot.
    """

    def __init__(self, data_dir: Path, log_dir: Path, *, args: Sequence[str] = (),
                 env: Mapping[str, str] | None = None) -> None:
        self.data_dir, self.log_dir = data_dir, log_dir
        self.args, self.env = list(args), dict(env or {})
        self.err_path = log_dir / "writers.err"
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> "Writers":
        with open(self.err_path, "wb") as err:
            self.process = subprocess.Popen(
                [*WRITER, str(self.data_dir), "--fork-server", *self.args], cwd=ROOT, env=child_env(self.env),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1,
                start_new_session=True)
        assert self._answer() == "READY", self._stderr()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()  # the server leaves at the end of its input
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def _answer(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the writer fork server died: {self._stderr()}")
        return line.strip()

    def _stderr(self) -> str:
        return self.err_path.read_text(errors="replace")[-3000:]

    def run(self, seed: int, kill_after: float) -> str:
        """Fork a writer, SIGKILL it `kill_after` seconds after its READY, return everything it printed."""
        assert self.process is not None and self.process.stdin is not None
        out_path = self.log_dir / "writer.out"
        out_path.unlink(missing_ok=True)  # or the last writer's READY would start the clock before this one runs
        self.process.stdin.write(f"{seed} {out_path}\n")
        self.process.stdin.flush()
        word, pid_text = self._answer().split()
        assert word == "PID", word
        pid = int(pid_text)
        try:
            deadline = time.monotonic() + 10.0
            while not out_path.exists() or not out_path.read_bytes().startswith(b"READY\n"):
                assert time.monotonic() < deadline, f"writer {seed} never got ready: {self._stderr()}"
                time.sleep(0.001)
            time.sleep(kill_after)
        finally:
            # By PID, and safe: the fork server reaps the writer only after KILLED, so the PID is still its own.
            os.kill(pid, signal.SIGKILL)
            self.process.stdin.write("KILLED\n")
            self.process.stdin.flush()
        exit_line = self._answer()
        assert exit_line == f"EXIT {pid} {int(signal.SIGKILL)}", f"{exit_line}: {self._stderr()}"
        return out_path.read_text()
