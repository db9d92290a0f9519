"""Queue rules: numbering per service per local day, calling, transfer, and no reuse under concurrency."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from kiosk.db import database
from kiosk.models import PrintJob, Ticket
from kiosk.services import queue
from kiosk.services import clock
from kiosk.services.errors import ServiceError

BASE = "http://127.0.0.1:8080/m/t/"


def issue(prefix: str = "A", print_ticket: bool = False) -> queue.IssuedTicket:
    return queue.issue_ticket(prefix, status_url_base=BASE, print_ticket=print_ticket)


def test_numbers_count_up_per_service(demo_db):
    assert [issue("A").ticket.number for _ in range(3)] == ["A-001", "A-002", "A-003"]
    assert issue("B").ticket.number == "B-001"
    fourth = issue("A").ticket
    assert fourth.ahead == 3 and fourth.status == "waiting"


def test_wait_estimate_uses_counters_serving_the_service(demo_db):
    for _ in range(4):
        last = issue("A").ticket
    # 3 ahead, default 5 minutes each, one counter (Loket 1) serves A.
    assert last.ahead == 3 and last.wait_minutes == 15


def test_unknown_or_inactive_service_is_refused(demo_db):
    with pytest.raises(ServiceError) as error:
        issue("Z")
    assert error.value.key == "error.service_unknown" and error.value.status == 404
    with pytest.raises(ServiceError):
        issue("AB")
    services = {s.prefix: s for s in queue.list_services()}
    queue.update_service(services["C"].id, name="Pengaduan", active=False, actor="t")
    with pytest.raises(ServiceError):
        issue("C")
    assert Ticket.select().count() == 0


def test_numbers_reset_at_local_midnight_not_utc(demo_db, monkeypatch):
    # 16:59 UTC is 23:59 WIB; 17:01 UTC is 00:01 WIB the next day. These moments lie before the test database
    # was made, which the queue would otherwise take for a clock gone back (clock_guard.trusted_now).
    database.execute_sql("UPDATE sync_state SET clock_high_water = NULL WHERE id = 1")
    monkeypatch.setattr(queue, "utc_now", lambda: datetime(2026, 11, 23, 16, 59))
    assert issue("A").ticket.number == "A-001"
    assert issue("A").ticket.number == "A-002"
    monkeypatch.setattr(queue, "utc_now", lambda: datetime(2026, 11, 23, 17, 1))
    assert issue("A").ticket.number == "A-001"
    days = sorted({t.day for t in Ticket.select()})
    assert days == ["2026-11-23", "2026-11-24"]


def test_concurrent_kiosks_never_share_a_number(demo_db):
    numbers: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(15):
                number = issue("A").ticket.number
                with lock:
                    numbers.append(number)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == [f"A-{n:03d}" for n in range(1, 91)]


def test_call_next_serves_oldest_of_the_counters_services(demo_db):
    a1, b1, c1 = issue("A").ticket, issue("B").ticket, issue("C").ticket
    counters = {c.name: c.id for c in queue.list_counters()}
    called = queue.call_next(counters["Loket 2"], actor="op")  # serves B, C, D
    assert called.number == b1.number and called.counter == "Loket 2"
    called = queue.call_next(counters["Loket 1"], actor="op")  # serves A, B
    assert called.number == a1.number
    # Loket 2 calls again: B-001 becomes done, C-001 is next.
    assert queue.call_next(counters["Loket 2"], actor="op").number == c1.number
    assert queue.ticket_status(b1.id).status == "done"
    assert queue.call_next(counters["Loket 2"], actor="op") is None
    board = queue.now_serving()
    assert {r.counter: r.number for r in board.counters} == {"Loket 1": "A-001", "Loket 2": None}
    assert [c.number for c in board.last_calls] == ["C-001", "A-001", "B-001"]


def test_recall_skip_done_and_transfer(demo_db):
    ticket = issue("A").ticket
    loket1 = queue.list_counters()[0].id
    with pytest.raises(ServiceError):
        queue.recall(loket1, actor="op")
    queue.call_next(loket1, actor="op")
    again = queue.recall(loket1, actor="op")
    assert again.status == "called"
    assert len(queue.now_serving().last_calls) == 2
    moved = queue.transfer_current(loket1, "C", actor="op")
    assert moved.status == "waiting" and moved.number == "A-001" and moved.service_name == "Pengaduan"
    loket2 = queue.list_counters()[1].id
    assert queue.call_next(loket2, actor="op").id == ticket.id
    assert queue.finish_current(loket2, "skipped", actor="op").status == "skipped"
    assert queue.ticket_status(ticket.id).status == "skipped"
    with pytest.raises(ServiceError):
        queue.finish_current(loket2, "lost", actor="op")


def test_issuing_with_print_stores_the_job_in_the_same_transaction(demo_db):
    issued = issue("A", print_ticket=True)
    job = PrintJob.get_by_id(issued.print_job_id)
    assert job.status == "pending" and job.ticket.uuid == issued.ticket.id
    assert '"number": "A-001"' in job.payload and f"{BASE}{issued.ticket.id}" in job.payload


def test_a_failed_issue_leaves_nothing_behind(demo_db, monkeypatch):
    def broken(**kwargs):  # noqa: ANN003
        raise RuntimeError("disk full")

    monkeypatch.setattr(queue.PrintJob, "create", broken)
    with pytest.raises(RuntimeError):
        issue("A", print_ticket=True)
    assert Ticket.select().count() == 0
    monkeypatch.undo()
    assert issue("A").ticket.number == "A-001"


def test_service_and_counter_validation(demo_db):
    with pytest.raises(ServiceError) as error:
        queue.create_service("A", "Duplikat", actor="admin")
    assert error.value.key == "error.prefix_taken"
    with pytest.raises(ServiceError):
        queue.create_service("1", "Angka", actor="admin")
    with pytest.raises(ServiceError):
        queue.create_counter("Loket 3", ["Q"], actor="admin")
    counter = queue.create_counter("Loket 3", ["d"], actor="admin")
    assert counter.prefixes == ("D",)


def test_indonesian_long_dates():
    assert clock.format_long_date(datetime(2026, 11, 22).date()) == "Minggu, 22 November 2026"
    assert clock.format_stamp(datetime(2026, 11, 23, 2, 15), "Asia/Makassar") == "Senin, 23 November 2026 10:15 WITA"
