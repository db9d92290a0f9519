"""The power-cut checks can fail: each way of losing or breaking data they claim to catch, they catch.

A crash test that always passes proves nothing unless its checks are known to bite. Here a writer runs to
completion (the plain `python -m tests.support.crash_writer DATA_DIR SEED --ops N` form), the checks pass,
and then the database is damaged by hand in one way at a time: a lost acknowledged ticket, resident or
print job, a counter that went backwards, a transaction that should have rolled back, a corrupted page,
a search index out of step with its rows. Each must be reported.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.fault.crash_checks import (COMMITTING, FINISHED, IDLE, IN_TX, OPENING, Ledger, check_database,
                                      database_path, read_cycle)
from tests.fault.writers import prepare_demo_database, run_to_completion


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ledger]:
    """One writer run to completion (a second or two), shared: each test damages its own copy."""
    data_dir = tmp_path_factory.mktemp("pristine") / "data"
    ledger = Ledger(baseline=prepare_demo_database(data_dir))
    cycle = read_cycle(run_to_completion(data_dir, seed=1, ops=80))
    assert cycle.state == FINISHED
    ledger.record(cycle)
    assert ledger.acked["ticket"] >= 5 and ledger.acked["resident"] >= 3, ledger.acked
    assert check_database(data_dir, ledger) == []
    return data_dir, ledger


@pytest.fixture
def written(pristine: tuple[Path, Ledger], tmp_path: Path) -> tuple[Path, Ledger]:
    data_dir = tmp_path / "data"
    shutil.copytree(pristine[0], data_dir)
    return data_dir, copy.deepcopy(pristine[1])


def damage(data_dir: Path, *statements: str) -> None:
    """Change the database behind the product's back (no foreign keys, no triggers' consent)."""
    connection = sqlite3.connect(database_path(data_dir), isolation_level=None)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def test_a_lost_acknowledged_ticket_is_caught(written: tuple[Path, Ledger]) -> None:
    data_dir, ledger = written
    first = next(iter(ledger.tickets.values()))
    damage(data_dir, f"DELETE FROM ticket WHERE uuid = '{first.uuid}'")
    problems = check_database(data_dir, ledger)
    assert any(f"acknowledged ticket {first.number}" in p and "is lost" in p for p in problems), problems
    assert any(p.startswith("foreign_key_check") for p in problems), problems  # its print job is orphaned


def test_a_lost_acknowledged_resident_is_caught(written: tuple[Path, Ledger]) -> None:
    data_dir, ledger = written
    nik = next(iter(ledger.residents))
    damage(data_dir, "PRAGMA foreign_keys = OFF", f"DELETE FROM penduduk WHERE nik = '{nik}'")
    problems = check_database(data_dir, ledger)
    assert any(f"acknowledged resident {nik}" in p for p in problems), problems


def test_half_a_transaction_is_caught(written: tuple[Path, Ledger]) -> None:
    """A ticket whose print job vanished: the row the same transaction wrote alongside it."""
    data_dir, ledger = written
    ticket = next(t for t in ledger.tickets.values() if t.print_job is not None)
    damage(data_dir, f"DELETE FROM print_job WHERE id = {ticket.print_job}")
    problems = check_database(data_dir, ledger)
    assert any("tickets without their print job" in p for p in problems), problems
    assert any(f"print job {ticket.print_job}" in p for p in problems), problems


def test_a_counter_going_backwards_is_caught(written: tuple[Path, Ledger]) -> None:
    """The newest ticket of a service lost: its number would be handed out a second time."""
    data_dir, ledger = written
    newest = list(ledger.tickets.values())[-1]
    prefix = newest.number.split("-")[0]
    damage(data_dir, f"DELETE FROM print_job WHERE ticket_id = (SELECT id FROM ticket WHERE uuid = '{newest.uuid}')",
           f"DELETE FROM ticket_call WHERE ticket_id = (SELECT id FROM ticket WHERE uuid = '{newest.uuid}')",
           f"DELETE FROM ticket WHERE uuid = '{newest.uuid}'")
    problems = check_database(data_dir, ledger)
    assert any(p.startswith(f"seq {prefix} ") and "went backwards" in p for p in problems), problems


def test_a_write_that_should_have_rolled_back_is_caught(written: tuple[Path, Ledger]) -> None:
    """One ticket more than acknowledged is a transaction that survived its kill before COMMIT, unless the
    kill came during the commit."""
    data_dir, ledger = written
    ledger.acked["ticket"] -= 1   # as if the writer had died before acknowledging its last ticket
    assert check_database(data_dir, ledger, committing="resident") != []
    assert check_database(data_dir, ledger, committing="ticket") == []
    assert ledger.survivors["ticket"] == 1


def test_a_corrupted_page_is_caught(written: tuple[Path, Ledger]) -> None:
    """The ticket table's root page wrecked past its header, as a torn or misdirected write would."""
    data_dir, ledger = written
    path = database_path(data_dir)
    connection = sqlite3.connect(path)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ticket'").fetchone()[0]
    finally:
        connection.close()
    raw = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    raw[start + 12:start + page_size] = b"\xa5" * (page_size - 12)
    path.write_bytes(bytes(raw))
    problems = check_database(data_dir, ledger)
    assert problems and ("integrity_check" in problems[0] or "malformed" in problems[0]), problems


def test_a_search_index_out_of_step_is_caught(written: tuple[Path, Ledger]) -> None:
    """integrity_check does not compare FTS5's index with its content; FTS5's own integrity-check does."""
    data_dir, ledger = written
    damage(data_dir, "UPDATE penduduk_fts_content SET c0 = 'Nama Lain' WHERE id IN "
                     "(SELECT id FROM penduduk_fts_content LIMIT 1)")
    problems = check_database(data_dir, ledger)
    assert any("FTS5 integrity-check" in p for p in problems), problems


def test_reading_a_writer_log() -> None:
    lines = ["READY", "OPEN", "BEGIN ticket", "SQL BEGIN IMMEDIATE", "SQL COMMIT",
             "ACK ticket u1 A-001 1 7", "BEGIN resident", "SQL BEGIN DEFERRED", "SQL COMMIT"]
    text = "\n".join(lines) + "\n"
    assert read_cycle("READY\n").state == OPENING
    cycle = read_cycle(text)
    assert cycle.acks == [("ticket", ["u1", "A-001", "1", "7"])] and cycle.inflight == "resident"
    assert read_cycle(text + "SQL BEGIN IMMEDIATE\n").state == IN_TX
    assert read_cycle(text + "SQL BEGIN IMMEDIATE\nSQL COMMIT\n").state == COMMITTING
    # a line cut off by the kill never counts, even if it looks like a whole ACK
    cut = read_cycle(text + "SQL BEGIN IMMEDIATE\nSQL COMMIT\nACK resident 3204120101500001 9")
    assert cut.state == COMMITTING and len(cut.acks) == 1
    assert read_cycle(text + "SQL BEGIN IMMEDIATE\nSQL COMMIT\nACK resident 1 9\n").state == IDLE
