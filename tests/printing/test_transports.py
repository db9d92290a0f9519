"""Preview, file, memory, USB and serial transports, and printer URLs."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printing.paper import PAPER_58MM
from printing.tickets import TicketContent, ticket_escpos
from printing.transports import (
    FilePrinter,
    MemoryPrinter,
    NetworkPrinter,
    Printer,
    PrinterError,
    PrinterState,
    PreviewPrinter,
    SerialPrinter,
    UsbPrinter,
    printer_from_url,
)

URL = "http://192.168.1.10:8080/m/t/3f2a9c1e"
CONTENT = TicketContent(
    "Desa Sukamaju", "Administrasi Kependudukan", "A-001", "Senin, 23 November 2026 09:15 WIB",
    "3 orang di depan Anda", URL, "Pindai untuk memantau antrian", "Terima kasih telah menunggu",
)


def test_preview_printer_writes_bin_and_decodable_png(tmp_path: Path) -> None:
    folder = tmp_path / "preview"  # created on first job
    printer = PreviewPrinter(folder)
    assert printer.probe() == PrinterState(True, f"preview into {folder}")
    data = ticket_escpos(CONTENT, PAPER_58MM)
    printer.send(data)
    printer.send(b"\x1b@no raster here")

    bins = sorted(folder.glob("*.bin"))
    pngs = sorted(folder.glob("*.png"))
    assert [p.read_bytes() for p in bins] == [data, b"\x1b@no raster here"]
    assert [p.stem for p in pngs] == [bins[0].stem]  # no png for the job without raster
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in bins + pngs)  # no temp files left
    with Image.open(pngs[0]) as png:
        assert png.width == PAPER_58MM.width_px
        assert [r.text for r in zxingcpp.read_barcodes(png.convert("L"))] == [URL]


def test_preview_file_names_are_unique_and_ordered(tmp_path: Path) -> None:
    printer = PreviewPrinter(tmp_path)
    for i in range(5):
        printer.send(bytes([i]))
    names = sorted(p.name for p in tmp_path.glob("*.bin"))
    assert len(names) == 5
    assert [(tmp_path / n).read_bytes() for n in names] == [bytes([i]) for i in range(5)]


def test_file_printer_appends_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = FilePrinter(target)
    assert printer.probe().ready is False  # does not exist yet
    printer.send(b"first ")
    printer.send(b"second")
    assert target.read_bytes() == b"first second"
    assert printer.probe().ready is True


def test_file_printer_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as caught:
        FilePrinter(tmp_path / "nope" / "lp0").send(b"x")
    assert caught.value.kind == "not_found"


def test_file_printer_never_creates_device_nodes() -> None:
    printer = FilePrinter("/dev/balai-test-no-such-printer")
    with pytest.raises(PrinterError) as caught:
        printer.send(b"x")
    assert caught.value.kind == "not_found"
    assert not Path("/dev/balai-test-no-such-printer").exists()
    assert printer.probe().ready is False


def test_memory_printer_records_jobs_and_can_go_offline() -> None:
    printer = MemoryPrinter()
    printer.send(b"one")
    printer.online = False
    assert printer.probe().ready is False
    with pytest.raises(PrinterError) as caught:
        printer.send(b"two")
    assert caught.value.kind == "offline"
    printer.online = True
    assert printer.probe().ready is True
    printer.send(b"three")
    assert printer.jobs == [b"one", b"three"]


def test_memory_printer_is_thread_safe() -> None:
    printer = MemoryPrinter()

    def worker(n: int) -> None:
        for i in range(200):
            printer.send(bytes([n, i % 256]))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(printer.jobs) == 1600


def test_usb_and_serial_without_device_are_not_found(tmp_path: Path) -> None:
    # Whether or not pyusb/pyserial are installed, an absent device is "not_found".
    for printer in (UsbPrinter(0x04B8, 0x0E15, timeout=0.5), SerialPrinter("/dev/balai-no-such-tty", timeout=0.5)):
        with pytest.raises(PrinterError) as caught:
            printer.send(b"x")
        assert caught.value.kind == "not_found"
        assert printer.probe().ready is False


def test_printer_error_is_explicit_and_picklable() -> None:
    error = PrinterError("timeout", "printer stopped taking data")
    assert str(error) == "timeout: printer stopped taking data"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.detail) == ("timeout", "printer stopped taking data")
    with pytest.raises(ValueError):
        PrinterError("on fire", "no such kind")


def test_printer_from_url_every_scheme(tmp_path: Path) -> None:
    tcp = printer_from_url("tcp://192.168.1.50:9101", tmp_path)
    assert isinstance(tcp, NetworkPrinter) and (tcp.host, tcp.port, tcp.timeout) == ("192.168.1.50", 9101, 5.0)
    tcp = printer_from_url(" TCP://printer.lan?timeout=2.5 ", tmp_path)
    assert isinstance(tcp, NetworkPrinter) and (tcp.host, tcp.port, tcp.timeout) == ("printer.lan", 9100, 2.5)
    v6 = printer_from_url("tcp://[fe80::1]:9100", tmp_path)
    assert isinstance(v6, NetworkPrinter) and v6.host == "fe80::1" and v6.name == "tcp://[fe80::1]:9100"

    usb = printer_from_url("usb://04b8:0e15", tmp_path)
    assert isinstance(usb, UsbPrinter) and (usb.vendor_id, usb.product_id) == (0x04B8, 0x0E15)
    assert usb.name == "usb://04b8:0e15"

    serial = printer_from_url("serial:///dev/ttyUSB0?baudrate=9600", tmp_path)
    assert isinstance(serial, SerialPrinter) and (serial.device, serial.baudrate) == ("/dev/ttyUSB0", 9600)
    serial = printer_from_url("serial:///dev/ttyS0", tmp_path)
    assert isinstance(serial, SerialPrinter) and serial.baudrate == 19200

    file = printer_from_url("file:///dev/usb/lp0", tmp_path)
    assert isinstance(file, FilePrinter) and file.path == Path("/dev/usb/lp0")

    preview = printer_from_url("preview:", tmp_path)
    assert isinstance(preview, PreviewPrinter) and preview.folder == tmp_path

    assert isinstance(printer_from_url("memory:", tmp_path), MemoryPrinter)

    for printer in (tcp, usb, serial, file, preview):
        assert isinstance(printer, Printer)


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "printer",
        "http://192.168.1.50",
        "ipp://printer/queue",
        "tcp://",
        "tcp://host:notaport",
        "tcp://host:99999",
        "tcp://host/queue",
        "tcp://host?timout=3",
        "tcp://host?timeout=-1",
        "usb://04b8",
        "usb://xyz:0e15",
        "usb://104b8:0e15",
        "serial://",
        "serial:///dev/ttyUSB0?baudrate=fast",
        "file://",
        "file://otherhost/dev/lp0",
        "preview:/somewhere",
        "memory://x",
    ],
)
def test_printer_from_url_rejects_junk(junk: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        printer_from_url(junk, tmp_path)
