"""What a crashed writer acknowledged, and the checks that it all survived, for the power-cut tests.

A write counts as acknowledged once the service call that made it returned (the writer's `ACK` line, or a
201/200 from the HTTP API): from then on a resident holds a ticket number or a tracking code, so losing it is
the failure this whole suite is about. The checks run on a database opened the way the next start opens it
(`migrate`, then `open_database`), so SQLite's WAL recovery runs exactly as it would after a real crash.

Beyond "every acknowledged record is there", the checks look for the signs of a half-applied transaction:
a ticket without its print job, a resident without their first event, a record the sync journal never saw,
a gap or a repeat in a day's numbers, and (for the writer, which makes one call at a time) any row more than
what was acknowledged, except the one write whose COMMIT had already been sent when the kill came.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.db import close_database, open_database
from kiosk.migrations import migrate
from kiosk.settings import Settings

# kind of write -> the table that gains exactly one row per acknowledged call of that kind
ROWS_PER_KIND = {"ticket": "ticket", "call": "ticket_call", "resident": "penduduk", "letter": "letter_request"}

# Where a writer was when it died (see tests/support/crash_writer.py for the lines it prints).
STARTING, OPENING, IDLE, BEFORE_TX, IN_TX, COMMITTING, FINISHED = (
    "starting", "opening", "idle", "before-transaction", "in-transaction", "committing", "finished")


@dataclass
class Cycle:
    """What one writer process said before it died: its acknowledgements and where the kill caught it."""

    acks: list[tuple[str, list[str]]] = field(default_factory=list)
    state: str = STARTING
    inflight: str | None = None   # the kind of service call under way at the kill
    skips: int = 0


def read_cycle(text: str) -> Cycle:
    """Parse a writer's stdout. A last line without its newline (impossible with one write(2) per line,
    but cheap to guard) is ignored, so a half-written ACK never counts."""
    cycle = Cycle()
    lines = text.split("\n")
    for line in lines[:-1]:
        word, _, rest = line.partition(" ")
        if word == "READY":
            cycle.state = OPENING
        elif word == "OPEN":
            cycle.state = IDLE
        elif word == "BEGIN":
            cycle.state, cycle.inflight = BEFORE_TX, rest
        elif word == "SQL":
            if rest == "BEGIN IMMEDIATE":      # a write transaction (peewee's default lock type here)
                cycle.state = IN_TX
            elif rest == "COMMIT" and cycle.state == IN_TX:
                cycle.state = COMMITTING
            elif rest == "ROLLBACK" and cycle.state == IN_TX:
                cycle.state = BEFORE_TX
        elif word in ("ACK", "SKIP"):
            kind, *key = rest.split()
            if word == "ACK":
                cycle.acks.append((kind, key))
            else:
                cycle.skips += 1
            cycle.state, cycle.inflight = IDLE, None
        elif word == "DONE":
            cycle.state = FINISHED
    return cycle


@dataclass(frozen=True)
class AckedTicket:
    uuid: str
    number: str
    seq: int
    print_job: int | None


@dataclass
class Ledger:
    """Every acknowledged write across all cycles, and the high-water marks that must never go down."""

    baseline: dict[str, int] = field(default_factory=dict)   # rows per kind before the first writer
    tickets: dict[str, AckedTicket] = field(default_factory=dict)   # in acknowledgement order
    called: set[str] = field(default_factory=set)
    finished: dict[str, str] = field(default_factory=dict)
    residents: dict[str, int] = field(default_factory=dict)
    letters: dict[str, int] = field(default_factory=dict)
    acked: Counter[str] = field(default_factory=Counter)
    survivors: Counter[str] = field(default_factory=Counter)   # committed but killed before the ACK
    kills: Counter[str] = field(default_factory=Counter)
    high_water: dict[str, int] = field(default_factory=dict)
    checks: int = 0

    def add(self, kind: str, key: list[str]) -> None:
        self.acked[kind] += 1
        if kind == "ticket":
            uuid, number, seq, job = key
            self.tickets[uuid] = AckedTicket(uuid, number, int(seq), None if job == "None" else int(job))
        elif kind == "call":
            self.called.add(key[0])
        elif kind == "finish":
            self.finished[key[0]] = key[1]
        elif kind == "resident":
            self.residents[key[0]] = int(key[1])
        elif kind == "letter":
            self.letters[key[0]] = int(key[1])
        else:
            raise ValueError(f"unknown kind of write {kind!r}")

    def record(self, cycle: Cycle) -> None:
        for kind, key in cycle.acks:
            self.add(kind, key)
        self.kills[cycle.state] += 1

    @property
    def total_acked(self) -> int:
        return sum(self.acked.values())


def database_path(data_dir: Path) -> Path:
    return Settings(data_dir=data_dir).database_path


def open_like_next_start(data_dir: Path) -> sqlite3.Connection:
    """Migrate and open as `kiosk.app.prepare_database` does; the caller closes with `close_database()`."""
    settings = Settings(data_dir=data_dir)
    migrate(settings.database_path, settings.backup_dir, settings.backup_keep)
    return open_database(settings.database_path).connection()


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    return {kind: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for kind, table in ROWS_PER_KIND.items()}


def check_database(data_dir: Path, ledger: Ledger, *, committing: str | None = None,
                   exact_counts: bool = True) -> list[str]:
    """Open the database as the next start would and list every problem (an empty list: all is well).

    `committing` names the kind of write whose COMMIT was under way at the kill: that one row may or may not
    be there. With `exact_counts` (one writer, one call at a time) any other extra or missing row is a
    problem; the HTTP variant, with requests in flight, only checks what was acknowledged. On success the
    ledger's high-water marks and survivor counts move forward.
    """
    ledger.checks += 1
    try:
        connection = open_like_next_start(data_dir)
    except sqlite3.DatabaseError as error:
        close_database()
        return [f"the database does not open as the next start would: {error}"]
    try:
        return _check(connection, ledger, committing, exact_counts)
    except sqlite3.DatabaseError as error:
        return [f"the database fails while being read: {error}"]
    finally:
        close_database()


def _check(connection: sqlite3.Connection, ledger: Ledger, committing: str | None,
           exact_counts: bool) -> list[str]:
    problems: list[str] = []
    integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:10]}")
    foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    if foreign:
        problems.append(f"foreign_key_check: {foreign[:10]}")
    try:  # integrity_check reads every b-tree but not what FTS5 keeps inside them
        connection.execute("INSERT INTO penduduk_fts (penduduk_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as error:
        problems.append(f"FTS5 integrity-check of penduduk_fts: {error}")
    problems += _acknowledged_present(connection, ledger)
    problems += _numbers_sound(connection, ledger)
    problems += _transactions_whole(connection)
    if exact_counts:
        problems += _counts(connection, ledger, committing)
    return problems


def _acknowledged_present(connection: sqlite3.Connection, ledger: Ledger) -> list[str]:
    problems: list[str] = []
    tickets = {uuid: (tid, number, seq, status) for tid, uuid, number, seq, status in
               connection.execute("SELECT id, uuid, number, seq, status FROM ticket")}
    jobs = dict(connection.execute("SELECT id, ticket_id FROM print_job WHERE ticket_id IS NOT NULL"))
    calls = {row[0] for row in connection.execute("SELECT DISTINCT ticket_id FROM ticket_call")}
    for acked in ledger.tickets.values():
        found = tickets.get(acked.uuid)
        if found is None:
            problems.append(f"acknowledged ticket {acked.number} ({acked.uuid}) is lost")
            continue
        if (found[1], found[2]) != (acked.number, acked.seq):
            problems.append(f"ticket {acked.uuid} was acknowledged as {acked.number}/{acked.seq}, is {found[1:3]}")
        if acked.print_job is not None and jobs.get(acked.print_job) != found[0]:
            problems.append(f"the print job {acked.print_job} of acknowledged ticket {acked.number} is lost")
    for uuid in ledger.called:
        found = tickets.get(uuid)
        if found is None or found[3] == "waiting" or found[0] not in calls:
            problems.append(f"acknowledged call of ticket {uuid} is lost (now {found and found[3]})")
    for uuid, status in ledger.finished.items():
        found = tickets.get(uuid)
        if found is None or found[3] != status:
            problems.append(f"ticket {uuid} was acknowledged {status}, is {found and found[3]}")
    people = dict(connection.execute("SELECT nik, id FROM penduduk"))
    for nik, person_id in ledger.residents.items():
        if people.get(nik) != person_id:
            problems.append(f"acknowledged resident {nik} (id {person_id}) is lost (found {people.get(nik)})")
    letters = dict(connection.execute("SELECT tracking_code, id FROM letter_request"))
    for code, letter_id in ledger.letters.items():
        if letters.get(code) != letter_id:
            problems.append(f"acknowledged letter request {code} (id {letter_id}) is lost")
    return problems


def _numbers_sound(connection: sqlite3.Connection, ledger: Ledger) -> list[str]:
    """No number twice, none skipped, no day's counter lower than before, acknowledged order kept."""
    problems: list[str] = []
    twice = connection.execute(
        "SELECT day, number, COUNT(*) FROM ticket GROUP BY day, number HAVING COUNT(*) > 1").fetchall()
    if twice:
        problems.append(f"ticket numbers issued twice: {twice[:10]}")
    marks: dict[str, int] = {}
    for prefix, day, low, high, count in connection.execute(
            "SELECT s.prefix, t.day, MIN(t.seq), MAX(t.seq), COUNT(*) FROM ticket t "
            "JOIN service s ON s.id = t.issued_service_id GROUP BY s.prefix, t.day"):
        if (low, count) != (1, high):
            problems.append(f"{prefix} on {day}: numbers 1..{high} expected, {count} tickets from {low}")
        marks[f"seq {prefix} {day}"] = high
    marks["journal"] = connection.execute("SELECT COALESCE(MAX(seq), 0) FROM sync_journal").fetchone()[0]
    for name, before in ledger.high_water.items():
        if marks.get(name, 0) < before:
            problems.append(f"{name} went backwards: {before} -> {marks.get(name, 0)}")
    day_seq = {uuid: (day, prefix, seq) for uuid, day, prefix, seq in connection.execute(
        "SELECT t.uuid, t.day, s.prefix, t.seq FROM ticket t JOIN service s ON s.id = t.issued_service_id")}
    last: dict[str, tuple[str, int]] = {}
    for uuid in ledger.tickets:  # acknowledgement order: a later ticket never has a smaller number
        if uuid not in day_seq:
            continue
        day, prefix, seq = day_seq[uuid]
        if prefix in last and (day, seq) <= last[prefix]:
            problems.append(f"{prefix}-{seq:03d} on {day} was acknowledged after {last[prefix]}")
        last[prefix] = (day, seq)
    if not problems:
        ledger.high_water.update(marks)
    return problems


def _transactions_whole(connection: sqlite3.Connection) -> list[str]:
    """Rows one service call writes together are all there or all absent."""
    checks = {
        "tickets without their print job":
            "SELECT t.number FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM print_job p WHERE p.ticket_id = t.id)",
        "called tickets without a call":
            "SELECT t.number FROM ticket t WHERE t.status != 'waiting' AND t.counter_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM ticket_call c WHERE c.ticket_id = t.id)",
        "calls of tickets still waiting":
            "SELECT t.number FROM ticket_call c JOIN ticket t ON t.id = c.ticket_id WHERE t.status = 'waiting'",
        "residents without their first event":
            "SELECT p.nik FROM penduduk p WHERE NOT EXISTS (SELECT 1 FROM penduduk_event e WHERE e.penduduk_id = p.id)",
        "residents the sync journal never saw":
            "SELECT p.nik FROM penduduk p WHERE NOT EXISTS "
            "(SELECT 1 FROM sync_journal j WHERE j.entity = 'penduduk' AND j.key = p.uuid)",
        "queue days the sync journal never saw":
            "SELECT DISTINCT t.day FROM ticket t WHERE NOT EXISTS "
            "(SELECT 1 FROM sync_journal j WHERE j.entity = 'queue_day' AND j.key = t.day)",
    }
    problems = []
    for what, sql in checks.items():
        rows = connection.execute(sql).fetchmany(10)
        if rows:
            problems.append(f"{what}: {[r[0] for r in rows]}")
    return problems


def _counts(connection: sqlite3.Connection, ledger: Ledger, committing: str | None) -> list[str]:
    """One writer, one call at a time: rows = baseline + acknowledged + earlier survivors (+1 if committing)."""
    problems: list[str] = []
    found = row_counts(connection)
    extra: dict[str, int] = {}
    for kind, count in found.items():
        expected = ledger.baseline.get(kind, 0) + ledger.acked[kind] + ledger.survivors[kind]
        allowed = (0, 1) if kind == committing else (0,)
        if count - expected not in allowed:
            problems.append(f"{kind}: {count} rows, expected {expected}"
                            f"{' or one more' if kind == committing else ''}")
        extra[kind] = count - expected
    if not problems:
        for kind, more in extra.items():
            ledger.survivors[kind] += more
    return problems
