"""A private PostgreSQL server for tests of the district hub, which keeps its data in PostgreSQL.

The server is a child `postgres` with its own data directory (made by `initdb`) and socket directory in a
temporary folder, listening only on 127.0.0.1:<free port>, so it never meets a cluster the machine may run
(Debian's package creates one, which the system-deps policy-rc.d keeps stopped in containers). Authentication
is `trust` for the superuser `balai`; the DSN is postgresql://balai@127.0.0.1:<port>/<db>.

fsync stays on: the sync tests kill the server with SIGKILL (kill()) in the middle of work, start it again on
the same data directory and port (start()), and check that what was committed survived: a durability claim
only means something with the real fsync path.

PostgreSQL refuses to run as root, and CI runs as root; then initdb and postgres run as the `postgres` system
user (Debian's postgresql-common makes it; `nobody` otherwise) and the temporary folder belongs to that user.
Processes are only ever signalled by PID. Under CI=true a missing PostgreSQL is a failure, never a skip.

    python -m tests.support.postgres    # starts one and prints its DSN, until Ctrl-C
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pytest

PG_LIB = Path("/usr/lib/postgresql")
SUPERUSER = "balai"
DEBIAN_PACKAGES = "postgresql"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def pg_bin_dir() -> Path | None:
    """The bin folder of the highest PostgreSQL major version installed (/usr/lib/postgresql/<N>/bin)."""
    if not PG_LIB.is_dir():
        return None
    versions = sorted((int(p.name), p / "bin") for p in PG_LIB.iterdir() if p.name.isdigit() and (p / "bin").is_dir())
    return versions[-1][1] if versions else None


def _service_user() -> pwd.struct_passwd | None:
    """Who runs PostgreSQL when we are root: `postgres` if it exists, else `nobody` (None if neither)."""
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def missing_reason() -> str | None:
    """Why a private PostgreSQL cannot run here, or None when it can."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        return f"no PostgreSQL under {PG_LIB} (Debian: {DEBIAN_PACKAGES}; scripts/system-deps.sh test installs it)"
    for tool in ("initdb", "postgres", "pg_isready"):
        if not (bin_dir / tool).exists():
            return f"{bin_dir / tool} is missing (Debian: {DEBIAN_PACKAGES})"
    if importlib.util.find_spec("psycopg") is None:
        return "the psycopg module is missing (pip install 'psycopg[binary]>=3.1', in the test extras)"
    if os.geteuid() == 0 and _service_user() is None:
        return "running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as"
    return None


def require_postgres() -> None:
    """Skip the calling test when PostgreSQL cannot run here, but fail it under CI=true."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"private PostgreSQL server needed under CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    """A TCP port nobody listens on right now (small race accepted: postgres binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[tuple[int, str]]:
    """(PID, start time) of the live child processes of `pid`, read from /proc (no names involved)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and fields[1] == str(pid) and fields[0] != "Z":
            found.append((int(entry.name), fields[19]))
    return found


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: [state, ppid, pgrp, ..., starttime at index 19]; None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


def _alive(pid: int, started: str) -> bool:
    """Whether the process `pid` that started at `started` still runs (not gone, not a zombie, not reused)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z" and fields[19] == started


class PrivatePostgres:
    """A private PostgreSQL server; use as a context manager. Restartable on the same data and port."""

    def __init__(self) -> None:
        """Choose nothing yet; start() makes the folders, runs initdb once, and starts the server."""
        self.root = Path()
        self.port = 0
        self._bin = pg_bin_dir()
        self._process: subprocess.Popen[bytes] | None = None
        self._initialised = False
        self._as_user: pwd.struct_passwd | None = _service_user() if os.geteuid() == 0 else None

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (PGDATA)."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """Where postgres puts its Unix socket and lock file, instead of /var/run/postgresql."""
        return self.root / "socket"

    @property
    def log_path(self) -> Path:
        """The server's stderr, appended to across restarts."""
        return self.root / "postgres.log"

    @property
    def pid(self) -> int | None:
        """The postmaster's PID while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def dsn(self, dbname: str = "postgres") -> str:
        """postgresql://balai@127.0.0.1:<port>/<dbname>, for psycopg and the hub's settings."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def __enter__(self) -> PrivatePostgres:
        """Start the server; remove everything again if that fails half-way."""
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop the server and remove its folder."""
        self.close()

    def start(self) -> None:
        """Start postgres (running initdb first, the first time) and wait until it accepts connections."""
        if self._bin is None:
            raise RuntimeError(missing_reason() or "no PostgreSQL")
        if self.pid is not None:
            raise RuntimeError(f"postgres already runs as PID {self.pid}")
        if not self._initialised:
            self._initdb()
        log = open(self.log_path, "ab")
        with log:
            self._process = subprocess.Popen(
                [str(self._bin / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                 "-k", str(self.socket_dir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on",
                 "-c", "synchronous_commit=on", "-c", "full_page_writes=on"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env=self._env(), cwd=self.root, **self._user_args())
        self._wait_until_ready(START_TIMEOUT)

    def _initdb(self) -> None:
        """Make the temporary folder (owned by the service user under root) and run initdb in it."""
        assert self._bin is not None
        self.root = Path(tempfile.mkdtemp(prefix="balai-pg-"))
        self.socket_dir.mkdir(mode=0o700)
        self.log_path.touch(mode=0o600)
        if self._as_user is not None:
            for path in (self.root, self.socket_dir, self.log_path):
                os.chown(path, self._as_user.pw_uid, self._as_user.pw_gid)
        self.port = _free_port()
        command = [str(self._bin / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", SUPERUSER,
                   "--encoding=UTF8"]
        result = self._run(command + ["--locale=C.UTF-8"])
        if result.returncode != 0 and "locale" in result.stdout.lower():
            shutil.rmtree(self.data_dir, ignore_errors=True)
            result = self._run(command + ["--no-locale"])
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stdout[-4000:]}")
        self._initialised = True

    def _run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool as the service user, its output captured."""
        return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=120, env=self._env(), cwd=self.root, **self._user_args())

    def _user_args(self) -> dict[str, object]:
        """Popen's user/group arguments under root (PostgreSQL will not run as root), else none."""
        if self._as_user is None:
            return {}
        return {"user": self._as_user.pw_uid, "group": self._as_user.pw_gid, "extra_groups": []}

    def _env(self) -> dict[str, str]:
        """The environment without PG* variables (a developer's PGHOST or PGDATA must not leak in)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        if self._as_user is not None:
            env["HOME"] = str(self.root)
            env["USER"] = env["LOGNAME"] = self._as_user.pw_name
        return env

    def _wait_until_ready(self, seconds: float) -> None:
        """Poll pg_isready until the server accepts connections; fail early if postgres exited."""
        assert self._bin is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise RuntimeError(f"postgres exited with {code}:\n{self.log()}")
            result = subprocess.run(
                [str(self._bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
                 "-d", "postgres", "-t", "1"],
                stdin=subprocess.DEVNULL, capture_output=True, env=self._env(), timeout=10)
            if result.returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"postgres did not accept connections on 127.0.0.1:{self.port} within "
                           f"{seconds:g} s:\n{self.log()}")

    def log(self) -> str:
        """The tail of the server's log, for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` (owned by balai) and return its DSN."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE `name`, disconnecting whoever is still connected to it (WITH (FORCE), PG 13+)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        """Shut the server down cleanly by PID, keeping its data for a later start().

        This sends SIGINT (PostgreSQL's "fast" shutdown: open sessions are rolled back and disconnected, then
        a checkpoint) rather than SIGTERM, whose "smart" shutdown waits for every client to leave on its own
        and so would hang on a connection a test forgot. SIGKILL follows if it takes longer than 15 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._kill(process)

    def kill(self) -> None:
        """Crash the server: SIGKILL the postmaster by PID, as a power cut or OOM kill would.

        Its backends notice their postmaster died and exit on their own; this waits for that (by their PIDs),
        because a new postmaster refuses to start while they still hold the old shared memory."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            self._kill(process)

    def _kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the postmaster, reap it, and wait for its orphaned children (SIGKILL them after 10 s).

        The postmaster is stopped (SIGSTOP) first so that it cannot fork a child between our reading its
        children's PIDs and its death; after the SIGKILL those orphans can no longer be found by parent."""
        process.send_signal(signal.SIGSTOP)
        children = _children(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
        for patience in (10.0, 10.0):
            deadline = time.monotonic() + patience
            while time.monotonic() < deadline:
                children = [(pid, started) for pid, started in children if _alive(pid, started)]
                if not children:
                    return
                time.sleep(0.02)
            for pid, _ in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        raise RuntimeError(f"postgres children {[pid for pid, _ in children]} outlived their postmaster")

    def close(self) -> None:
        """Stop the server and remove its temporary folder, data and all."""
        self.stop()
        if self.root != Path() and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)
        self.root = Path()
        self._initialised = False


if __name__ == "__main__":
    with PrivatePostgres() as server:
        print(f"postgres on 127.0.0.1:{server.port}, data in {server.data_dir}; Ctrl-C stops it")
        print(f"try: psql {server.dsn()}")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
