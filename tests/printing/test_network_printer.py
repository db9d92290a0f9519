"""NetworkPrinter against a fake port-9100 printer: delivery, refusal, stalls."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from printing.paper import PAPER_58MM
from printing.tickets import TicketContent, ticket_escpos
from printing.transports import NetworkPrinter, PrinterError
from tests.support.capture_server import CapturePrinterServer

CONTENT = TicketContent(
    "Desa Sukamaju",
    "Administrasi Kependudukan",
    "A-001",
    "Senin, 23 November 2026 09:15 WIB",
    "3 orang di depan Anda",
    "http://192.168.1.10:8080/m/t/3f2a",
    "Pindai untuk memantau antrian",
    "Terima kasih telah menunggu",
)


@pytest.fixture
def server() -> Iterator[CapturePrinterServer]:
    with CapturePrinterServer() as capture:
        yield capture


@contextmanager
def stalled_printer() -> Iterator[int]:
    """A printer that completes TCP handshakes but never reads a byte.

    The listener is never accept()ed; the kernel still queues the connection
    and buffers a little data (tiny receive buffer), then the window closes.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_ticket_arrives_byte_identical(server: CapturePrinterServer) -> None:
    data = ticket_escpos(CONTENT, PAPER_58MM)
    NetworkPrinter("127.0.0.1", server.port, timeout=2.0).send(data)
    assert server.wait_for_jobs(1, timeout=2.0) == [data]


def test_consecutive_jobs_are_separate(server: CapturePrinterServer) -> None:
    printer = NetworkPrinter("127.0.0.1", server.port, timeout=2.0)
    payloads = [bytes([i]) * (1000 * (i + 1)) for i in range(3)]
    for payload in payloads:
        printer.send(payload)
    assert sorted(server.wait_for_jobs(3, timeout=2.0)) == sorted(payloads)


def test_offline_printer_is_refused_then_works_again(server: CapturePrinterServer) -> None:
    printer = NetworkPrinter("127.0.0.1", server.port, timeout=1.0)
    server.set_online(False)
    with pytest.raises(PrinterError) as caught:
        printer.send(b"\x1b@hello")
    assert caught.value.kind in {"refused", "offline"}
    assert printer.probe().ready is False

    server.set_online(True)
    assert printer.probe().ready is True
    printer.send(b"\x1b@again")
    assert server.wait_for_jobs(1, timeout=2.0) == [b"\x1b@again"]


def test_printer_that_stops_reading_times_out() -> None:
    with stalled_printer() as port:
        printer = NetworkPrinter("127.0.0.1", port, timeout=1.0)
        started = time.monotonic()
        with pytest.raises(PrinterError) as caught:
            printer.send(b"\x00" * (32 * 1024 * 1024))
        elapsed = time.monotonic() - started
    assert caught.value.kind == "timeout"
    assert 0.8 < elapsed < 3.0


def test_small_job_to_stalled_printer_is_not_reported_as_printed() -> None:
    # 200 kB fit in our send buffer, so sendall() returns at once; only the
    # missing TCP acknowledgements reveal that the printer did not take them.
    with stalled_printer() as port:
        printer = NetworkPrinter("127.0.0.1", port, timeout=0.5)
        with pytest.raises(PrinterError) as caught:
            printer.send(b"\x00" * 200_000)
    assert caught.value.kind == "timeout"


def test_probe_reports_reachable(server: CapturePrinterServer) -> None:
    state = NetworkPrinter("127.0.0.1", server.port, timeout=1.0).probe()
    assert state.ready is True
    assert server.jobs == []  # a probe is not a job


def test_unknown_host_is_not_found() -> None:
    printer = NetworkPrinter("printer.invalid", 9100, timeout=1.0)
    with pytest.raises(PrinterError) as caught:
        printer.send(b"x")
    assert caught.value.kind == "not_found"
    assert printer.probe().ready is False
