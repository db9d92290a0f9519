"""A writer process for the power-cut tests: mixed writes through the product's services until it is killed.

Run as ``python -m tests.support.crash_writer DATA_DIR SEED [--ops N]`` (one writer), or as
``python -m tests.support.crash_writer DATA_DIR --fork-server`` (one writer per seed read from stdin, forked
from a process that has done the imports once: see `fork_server`). ``--synchronous OFF|NORMAL`` weakens the
product's pragma, only for the tests that show what the checks catch when durability is missing.

The data folder must already hold a migrated demo village (services A-D, counters "Loket 1" and "Loket 2",
the built-in letter types); the test prepares it once, in its own process.

The writer opens the database exactly as `kiosk.app.prepare_database` does (`migrate`, then
`open_database` with `kiosk.db.PRAGMAS`) without importing `kiosk.app` itself: that pulls in NiceGUI,
FastAPI and the printing stack (2.5 s on the test machine against 0.7 s for the services alone).

Everything it does is written to stdout as one line per event, with one `os.write` each (atomic on a pipe
and a file, never buffered in Python, so whatever a SIGKILL interrupts, every line before it is complete):

    READY                          imports done; the test starts its kill timer here
    OPEN                           migrated and connected (a kill before this hits the open / WAL recovery)
    BEGIN <kind>                   a service call starts
    SQL BEGIN|COMMIT|ROLLBACK      SQLite is asked to start, commit or roll back a transaction
    ACK <kind> <key...>            the service call returned: its transaction is committed (acknowledged)
    SKIP <kind> <reason>           the service refused (nobody waiting, nothing called): nothing was written
    DONE                           only with --ops: the writer finished on its own

Kinds and their keys (what the test checks after the kill):

    ticket  <uuid> <number> <seq> <print_job_id>   queue.issue_ticket (with its print job, as the demo server)
    call    <uuid> <counter>                       queue.call_next: the ticket is no longer waiting
    finish  <uuid> <done|skipped>                  queue.finish_current
    resident <nik> <id>                            resident_edit.create_person (a valid NIK of the demo region)
    letter  <tracking_code> <id>                   letter_requests.create_request (SKD, for a resident)

The SQL lines come from SQLite's trace callback, so the test can tell a kill inside an open write
transaction (BEGIN IMMEDIATE seen, no COMMIT) from one during or after the commit (COMMIT seen, no ACK).
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

DEMO_REGION = "320412"  # kode wilayah of the demo village 32.04.12.2001: a NIK from elsewhere is refused
COUNTERS = ("Loket 1", "Loket 2")
PREFIXES = ("A", "B", "C", "D")
ACTOR = "crash-writer"
MAX_OPS_PER_SEED = 10_000  # NIK serials are seed * MAX_OPS_PER_SEED + n: unique across every writer
# How often each kind is chosen: tickets dominate, as in a real office morning.
WEIGHTS = {"ticket": 40, "call": 20, "finish": 10, "resident": 20, "letter": 10}


def emit(line: str) -> None:
    """One line, one write(2): complete on the pipe or file even if SIGKILL arrives right after."""
    os.write(1, (line + "\n").encode())


def resident_nik(seed: int, n: int) -> tuple[str, date, int]:
    """A valid, never-repeating NIK for the n-th resident of writer `seed`: (nik, birth date, sex).

    The serial (4 digits, never 0000) and the birth date together encode `seed * MAX_OPS_PER_SEED + n`,
    so two writers never propose the same NIK and a retry after a crash never collides with a survivor. (Birth
    dates wrap after 50 years: keys of one run lie within 164 million of each other, so they never meet.)
    """
    key = seed * MAX_OPS_PER_SEED + n
    born = date(1950, 1, 1) + timedelta(days=(key // 9000) % (50 * 365))
    sex = 1 + key % 2
    day = born.day + (40 if sex == 2 else 0)
    nik = f"{DEMO_REGION}{day:02d}{born.month:02d}{born.year % 100:02d}{key % 9000 + 1:04d}"
    return nik, born, sex


class Writer:
    """The loop of service calls; each method is one service call, i.e. one transaction."""

    def __init__(self, seed: int) -> None:
        from kiosk.services import letter_requests, queue, resident_edit
        from kiosk.services.errors import ServiceError

        self.queue, self.residents, self.letters = queue, resident_edit, letter_requests
        self.refused: type[Exception] = ServiceError
        self.seed = seed
        self.rng = random.Random(seed)
        self.people: list[int] = []
        self.made = 0

    def ticket(self) -> str | None:
        issued = self.queue.issue_ticket(self.rng.choice(PREFIXES), status_url_base="http://balai.test/t/",
                                         print_ticket=True)
        t = issued.ticket
        return f"{t.id} {t.number} {t.seq} {issued.print_job_id}"

    def call(self) -> str | None:
        counter = self.rng.choice(COUNTERS)
        called = self.queue.call_next(counter, actor=ACTOR)
        return None if called is None else f"{called.id} {counter.replace(' ', '_')}"

    def finish(self) -> str | None:
        status = self.rng.choice(("done", "done", "skipped"))
        finished = self.queue.finish_current(self.rng.choice(COUNTERS), status, actor=ACTOR)
        return f"{finished.id} {status}"

    def resident(self) -> str | None:
        nik, born, sex = resident_nik(self.seed, self.made)
        self.made += 1
        person = self.residents.PersonInput(nik=nik, nama=f"Warga Uji {self.seed} {self.made}", sex=sex,
                                            tanggallahir=born, alamat="Jl. Percobaan No. 1")
        person_id, _warnings = self.residents.create_person(person, family_id=None, first_event="datang",
                                                            event_date=date.today(), actor=ACTOR)
        self.people.append(person_id)
        return f"{nik} {person_id}"

    def letter(self) -> str | None:
        if not self.people:
            return None
        request = self.letters.create_request("SKD", self.rng.choice(self.people),
                                              {"keperluan": "uji mati listrik"}, channel="api", actor=ACTOR)
        return f"{request.tracking_code.replace('-', '')} {request.id}"

    def run(self, ops: int | None) -> None:
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        actions: dict[str, Callable[[], str | None]] = {k: getattr(self, k) for k in kinds}
        done = 0
        while ops is None or done < ops:
            kind = self.rng.choices(kinds, weights)[0]
            done += 1
            emit(f"BEGIN {kind}")
            try:
                key = actions[kind]()
            except self.refused as refused:
                emit(f"SKIP {kind} {refused.key}")
                continue
            emit(f"ACK {kind} {key}" if key is not None else f"SKIP {kind} nothing")


def _trace(statement: str) -> None:
    """SQLite's trace callback: report the transaction boundaries (not every statement: too many lines)."""
    word = statement.lstrip()[:8].upper()
    if word.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        emit("SQL " + " ".join(statement.split()[:2]).upper())


def open_like_the_server(data_dir: Path) -> None:
    """What `kiosk.app.prepare_database` does, minus the chmod: migrate (backup first), then connect."""
    from kiosk.db import database, open_database
    from kiosk.migrations import migrate
    from kiosk.settings import Settings

    settings = Settings(data_dir=data_dir)
    migrate(settings.database_path, settings.backup_dir, settings.backup_keep)
    open_database(settings.database_path)
    database.connection().set_trace_callback(_trace)


SYNCHRONOUS = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}


def run_writer(data_dir: Path, seed: int, ops: int | None, writer: Writer | None = None) -> None:
    writer = writer or Writer(seed)  # the imports happen here (a forked writer has them already)
    emit("READY")
    open_like_the_server(data_dir)
    emit("OPEN")
    writer.run(ops)
    emit("DONE")


def fork_server(data_dir: Path) -> int:
    """Import once, then fork one writer per line `SEED OUT_PATH` read from stdin.

    Python and the services take ~0.6 s to import on the test machine, more than a cycle's kill window;
    forking from a process that has imported them (and never opened the database) runs 200 cycles in the
    time of 60. The child is the same code from `open_like_the_server` on: it opens its own connection
    after the fork, as SQLite requires. On stdout (the control channel) the server answers `PID <pid>` as
    soon as the writer runs; the caller kills the writer by that PID and says `KILLED`; only then does the
    server reap it (so the PID cannot go to another process before the kill) and answer
    `EXIT <pid> <signal, or minus the exit code>`.
    """
    Writer(0)  # import everything now
    control = sys.stdout
    control.write("READY\n")
    control.flush()
    while command := sys.stdin.readline():
        seed_text, out_path = command.split(maxsplit=1)
        pid = os.fork()
        if pid == 0:  # the writer
            status = 0
            try:
                out = os.open(out_path.strip(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(out, 1)
                os.close(out)
                run_writer(data_dir, int(seed_text), None)
            except BaseException:  # noqa: BLE001 - report and leave without the parent's cleanup
                import traceback

                traceback.print_exc()
                status = 1
            finally:
                os._exit(status)
        control.write(f"PID {pid}\n")
        control.flush()
        sys.stdin.readline()  # "KILLED": until then the writer, even one that died by itself, keeps its PID
        _, wait_status = os.waitpid(pid, 0)
        code = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else -os.WEXITSTATUS(wait_status)
        control.write(f"EXIT {pid} {code}\n")
        control.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.support.crash_writer", description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("seed", type=int, nargs="?", help="one writer with this seed (without --fork-server)")
    parser.add_argument("--fork-server", action="store_true", help="fork a writer per 'SEED OUT_PATH' stdin line")
    parser.add_argument("--ops", type=int, help="stop after this many service calls (default: until killed)")
    parser.add_argument("--synchronous", choices=SYNCHRONOUS, default=None,
                        help="TEST ONLY: override kiosk.db's synchronous pragma, to show what a weaker one loses")
    args = parser.parse_args(argv)
    if args.synchronous is not None:
        from kiosk import db

        db.PRAGMAS["synchronous"] = SYNCHRONOUS[args.synchronous]
    if args.fork_server:
        return fork_server(args.data_dir)
    if args.seed is None:
        parser.error("a seed is needed without --fork-server")
    run_writer(args.data_dir, args.seed, args.ops)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
