"""A real server printing to a fake port-9100 printer: what arrives, and what happens when it is off."""

from __future__ import annotations

import platform
import socket
import time

import httpx
import pytest

from tests.support.capture_server import CapturePrinterServer
from tests.system.helpers import health, job_qr, take_ticket, wait_until

pytestmark = pytest.mark.slow


def _printer_health(url: str) -> dict:
    printers = health(url)["printers"]
    assert len(printers) == 1, printers
    return printers[0]


def test_ticket_prints_once_with_its_status_qr(start_server, printer: CapturePrinterServer) -> None:  # noqa: ANN001
    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")
    ticket = take_ticket(server.url, "A")
    jobs = printer.wait_for_jobs(1, timeout=10.0)
    assert job_qr(jobs[0]) == ticket["status_url"]
    assert ticket["status_url"].startswith(f"{server.url}/m/t/")
    time.sleep(1.5)  # a second copy would come from the worker's next round
    assert len(printer.jobs) == 1
    state = _printer_health(server.url)
    assert state["name"] == f"tcp://127.0.0.1:{printer.port}"
    assert state["ready"] is True and state["pending_jobs"] == 0


def test_offline_printer_keeps_the_job_and_prints_it_once_when_back(start_server,  # noqa: ANN001
                                                                    printer: CapturePrinterServer) -> None:
    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")
    printer.set_online(False)

    started = time.monotonic()
    response = httpx.post(f"{server.url}/api/v1/queue/tickets", json={"service": "B"}, timeout=10.0)
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.text
    assert elapsed < 1.5, f"issuing took {elapsed:.2f} s: the request must not wait for the printer (timeout 2 s)"
    ticket = response.json()

    state = wait_until(lambda: (lambda p: p if not p["ready"] else None)(_printer_health(server.url)),
                       timeout=8.0, what="health to report the printer not ready")
    assert state["pending_jobs"] >= 1
    assert state["detail"], "a printer problem must say what is wrong"
    assert health(server.url)["status"] == "degraded"
    # the job is kept, and the worker keeps retrying without anything reaching the (off) printer
    assert printer.jobs == []

    printer.set_online(True)
    jobs = printer.wait_for_jobs(1, timeout=15.0)
    assert [job_qr(job) for job in jobs] == [ticket["status_url"]]
    time.sleep(3.0)
    assert len(printer.jobs) == 1, f"{len(printer.jobs)} copies printed after the printer came back"
    wait_until(lambda: _printer_health(server.url)["pending_jobs"] == 0, timeout=5.0, what="no pending jobs")
    wait_until(lambda: _printer_health(server.url)["ready"], timeout=5.0, what="printer ready again")


def test_stalled_printer_does_not_slow_ticket_issue(start_server) -> None:  # noqa: ANN001
    """A printer that accepts the connection but never reads (jammed, hung firmware): the kiosk and API
    still answer at once, and health names the problem. (An off printer refuses at once, so only a stalled
    one proves that issuing does not wait for the printer.)"""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # never accept()ed: the kernel completes handshakes, then the window closes
    try:
        server = start_server(printer_url=f"tcp://127.0.0.1:{listener.getsockname()[1]}")
        with httpx.Client(base_url=server.url, timeout=10.0) as client:
            for expected in ("D-001", "D-002", "D-003"):
                started = time.monotonic()
                response = client.post("/api/v1/queue/tickets", json={"service": "D"})
                elapsed = time.monotonic() - started
                assert response.status_code == 201 and response.json()["number"] == expected
                assert elapsed < 1.0, f"{expected} took {elapsed:.2f} s while the printer is stalled"
                time.sleep(0.3)
        state = wait_until(lambda: (lambda p: p if not p["ready"] else None)(_printer_health(server.url)),
                           timeout=10.0, what="health to report the stalled printer")
        assert "timeout" in state["detail"] and state["pending_jobs"] >= 1
    finally:
        listener.close()


def test_fresh_data_folder_can_print(start_server, printer: CapturePrinterServer) -> None:  # noqa: ANN001
    """A brand-new installation (nothing pre-created in its data folder) prints its first ticket.

    Regression: serve() once pointed python-escpos's cache at <data>/cache without creating it, and
    every print job failed to render (FileNotFoundError ... capabilities.pickle).
    """
    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")
    ticket = take_ticket(server.url, "A")
    jobs = printer.wait_for_jobs(1, timeout=10.0)
    assert job_qr(jobs[0]) == ticket["status_url"]


def test_printing_survives_a_truncated_escpos_cache(start_server, data_dir,  # noqa: ANN001
                                                    printer: CapturePrinterServer) -> None:
    """The state a SIGKILL during the first print leaves behind (seen in the repeated-SIGKILL test)."""
    cache = data_dir / "cache"
    cache.mkdir(parents=True)
    (cache / f"{platform.python_version()}.capabilities.pickle").write_bytes(b"")
    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")
    ticket = take_ticket(server.url, "A")
    jobs = printer.wait_for_jobs(1, timeout=5.0)
    assert job_qr(jobs[0]) == ticket["status_url"]
