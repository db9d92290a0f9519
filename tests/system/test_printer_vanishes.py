"""The thermal printer vanishes in the middle of a job (issue 9 item 2): kept, not marked printed, once more.

The capture printer (tests/support/capture_server.py) takes part of a job and then drops the connection and
stops listening, as a printer switched off mid-ticket. ESC/POS cannot say how much of a half-sent ticket came
out of the printer, so printing it again when the printer is back is expected; what must not happen is a job
marked printed (lost) or one printed twice after a successful send. Both thermal job kinds are covered: a
queue ticket (cut by a reset) and a letter slip (cut by a plain close with bytes unread). Letters themselves
go to CUPS (or the preview folder), whose spooler owns the retry.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from kiosk.db import close_database, open_database
from kiosk.settings import Settings
from tests.support.capture_server import CapturePrinterServer
from tests.system.helpers import health, job_qr, take_ticket, wait_until

pytestmark = pytest.mark.slow

ESC_POS_INIT = b"\x1b@"
ESC_POS_CUT = b"\x1dV"


def _printer(url: str) -> dict:
    printers = health(url)["printers"]
    assert len(printers) == 1, printers
    return printers[0]


def _jobs(data_dir: Path) -> list[tuple[int, str, str, object]]:
    """(id, kind, status, printed_at) of every print job, read-only beside the running server."""
    connection = sqlite3.connect(f"file:{data_dir / 'balai.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute("SELECT id, kind, status, printed_at FROM print_job ORDER BY id").fetchall()
    finally:
        connection.close()


def _assert_whole(job: bytes) -> None:
    """A complete ESC/POS job: it starts by initialising the printer and ends with the paper cut."""
    assert job.startswith(ESC_POS_INIT), job[:16]
    assert ESC_POS_CUT in job[-64:], job[-64:]


def _assert_offline_and_kept(url: str, data_dir: Path, printer: CapturePrinterServer, whole_jobs: int) -> None:
    """The printer shows offline, the job waits (not done, not printed) and nothing more came out."""
    state = wait_until(lambda: (lambda p: p if not p["ready"] else None)(_printer(url)), timeout=15.0,
                       what="health to report the printer offline")
    assert state["pending_jobs"] >= 1 and state["detail"], state
    assert health(url)["status"] == "degraded"
    last = _jobs(data_dir)[-1]
    assert last[2] in ("pending", "sending") and last[3] is None, f"the cut job was taken as printed: {last}"
    assert len(printer.jobs) == whole_jobs


def _assert_printed_once_more(url: str, data_dir: Path, printer: CapturePrinterServer, whole_jobs: int) -> bytes:
    """Back online: the job arrives once, whole, is marked done, and no further copy follows."""
    printer.set_online(True)
    jobs = printer.wait_for_jobs(whole_jobs + 1, timeout=30.0)
    _assert_whole(jobs[whole_jobs])
    wait_until(lambda: _printer(url)["pending_jobs"] == 0, timeout=10.0, what="no pending jobs")
    wait_until(lambda: _printer(url)["ready"], timeout=10.0, what="printer ready again")
    time.sleep(3.0)  # a second copy would come from the worker's next rounds
    assert len(printer.jobs) == whole_jobs + 1, f"{len(printer.jobs) - whole_jobs} copies after the printer came back"
    last = _jobs(data_dir)[-1]
    assert last[2] == "done" and last[3] is not None, last
    return jobs[whole_jobs]


def test_a_printer_gone_mid_ticket_keeps_the_job_and_prints_it_once_when_back(
        start_server, printer: CapturePrinterServer, data_dir: Path) -> None:  # noqa: ANN001
    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")
    take_ticket(server.url, "A")
    first = printer.wait_for_jobs(1, timeout=15.0)[0]
    _assert_whole(first)

    # All but the last bytes (the cut) read, then a reset and switched off: the job was already in the
    # printer's TCP buffer, so only the reset tells the server it did not come out whole.
    cut_at = len(first) - 16
    printer.vanish_after(cut_at)
    ticket = take_ticket(server.url, "B")
    assert printer.vanished.wait(15.0), "the printer never got the second ticket"
    assert len(printer.partial_jobs[0]) == cut_at
    _assert_offline_and_kept(server.url, data_dir, printer, whole_jobs=1)

    again = _assert_printed_once_more(server.url, data_dir, printer, whole_jobs=1)
    assert job_qr(again) == ticket["status_url"]
    assert httpx.get(f"{server.url}/api/v1/queue/tickets/{ticket['id']}", timeout=10).status_code == 200


def test_a_printer_gone_mid_letter_slip_keeps_the_job_and_prints_it_once_when_back(
        start_server, printer: CapturePrinterServer, data_dir: Path) -> None:  # noqa: ANN001
    from kiosk.services import letter_print, letter_requests
    from kiosk.services.resident_edit import PersonInput, create_person

    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")
    printer.vanish_after(2000, how="close")  # closed with the rest unread: the kernel resets it
    open_database(Settings(data_dir=data_dir).database_path)  # the desk's second process on the same database
    try:
        person_id, _ = create_person(PersonInput(nik="3204121501900077", nama="Warga Slip", sex=1,
                                                 tanggallahir=date(1990, 1, 15), alamat="Jl. Awal No. 1"),
                                     family_id=None, first_event="datang", event_date=date(2026, 11, 2), actor="op")
        request = letter_requests.create_request("SKD", person_id, {"keperluan": "uji printer hilang"},
                                                 channel="api", actor="op")
        letter_print.enqueue_slip(request.id, status_url_base=f"{server.url}/m/s/")
    finally:
        close_database()
    assert printer.vanished.wait(15.0), "the worker never sent the slip"
    assert len(printer.partial_jobs[0]) == 2000
    _assert_offline_and_kept(server.url, data_dir, printer, whole_jobs=0)
    assert _jobs(data_dir)[-1][1] == "letter_slip"

    again = _assert_printed_once_more(server.url, data_dir, printer, whole_jobs=0)
    assert job_qr(again) == f"{server.url}/m/s/{request.tracking_code.replace('-', '')}"
