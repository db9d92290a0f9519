"""Durable print jobs: a printer that is off keeps the job; back on, it prints exactly once."""

from __future__ import annotations

import time

from printing.paper import PAPER_58MM
from printing.raster import decode_escpos_raster
from printing.transports import MemoryPrinter

from kiosk.models import PrintJob
from kiosk.services import print_jobs, queue
from kiosk.services.print_jobs import PrintWorker
from kiosk.services.ticket_print import make_renderer

BASE = "http://127.0.0.1:8080/m/t/"


def test_printer_off_then_on_prints_exactly_once(demo_db):
    printer = MemoryPrinter()
    printer.online = False
    worker = PrintWorker(printer, make_renderer(PAPER_58MM), retry_cap_seconds=1)
    issued = queue.issue_ticket("A", status_url_base=BASE, print_ticket=True)
    assert worker.run_once() is True
    job = PrintJob.get_by_id(issued.print_job_id)
    assert job.status == "pending" and job.attempts == 1 and "offline" in job.last_error
    assert not worker.state.ready
    assert [j.label for j in print_jobs.open_jobs()] == ["A-001"]
    printer.online = True
    print_jobs.retry_now(job.id, actor="op")
    assert worker.run_once() is True
    assert worker.run_once() is False
    assert len(printer.jobs) == 1 and PrintJob.get_by_id(job.id).status == "done"
    assert decode_escpos_raster(printer.jobs[0]).width == 384
    assert print_jobs.open_jobs() == []


def test_backoff_waits_before_the_next_attempt(demo_db):
    printer = MemoryPrinter()
    printer.online = False
    worker = PrintWorker(printer, make_renderer(PAPER_58MM), retry_cap_seconds=60)
    queue.issue_ticket("A", status_url_base=BASE, print_ticket=True)
    worker.run_once()
    assert worker.run_once() is False  # not due yet
    delays = [print_jobs.backoff_seconds(n, 60) for n in range(1, 40)]
    assert all(0.5 <= d <= 60 for d in delays)


def test_job_interrupted_while_sending_is_retried_after_restart(demo_db):
    issued = queue.issue_ticket("A", status_url_base=BASE, print_ticket=True)
    PrintJob.update(status="sending").where(PrintJob.id == issued.print_job_id).execute()
    printer = MemoryPrinter()
    worker = PrintWorker(printer, make_renderer(PAPER_58MM), poll_seconds=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not printer.jobs:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert len(printer.jobs) == 1
    assert print_jobs.job_status(issued.print_job_id) == "done"


def test_a_broken_payload_never_kills_the_worker(demo_db):
    issued = queue.issue_ticket("A", status_url_base=BASE, print_ticket=True)
    PrintJob.update(payload="{}").where(PrintJob.id == issued.print_job_id).execute()
    printer = MemoryPrinter()
    worker = PrintWorker(printer, make_renderer(PAPER_58MM))
    assert worker.run_once() is True
    job = PrintJob.get_by_id(issued.print_job_id)
    assert job.status == "pending" and job.last_error.startswith("render")
    print_jobs.cancel(job.id, actor="op")
    assert print_jobs.open_jobs() == []
