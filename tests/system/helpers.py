"""Helpers shared by the system and browser tests: print-job QR decoding and polling."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Callable, TypeVar

import httpx
import zxingcpp
from PIL import Image

from printing.raster import decode_escpos_raster
from tests.support.server import BalaiServer

T = TypeVar("T")


class TestServer(BalaiServer):
    """BalaiServer without pytest's PYTEST_CURRENT_TEST in the child's environment.

    BalaiServer.environment() copies os.environ (minus BALAI_*); under pytest that includes
    PYTEST_CURRENT_TEST, which makes NiceGUI's ui.run() believe it runs inside NiceGUI's own screen
    tests and read NICEGUI_SCREEN_TEST_PORT (KeyError: the server dies at start).

    ``escpos_cache_workaround=True`` works around a product bug (reproduced, unworked-around, by the
    strict xfail test_printer_faults.py::test_printing_survives_a_truncated_escpos_cache): kiosk/app.py
    serve() keeps python-escpos's capabilities pickle in `<data>/cache`, a folder that outlives the
    process, and python-escpos writes it non-atomically, so a SIGKILL during the first print leaves an
    empty file that breaks printing on every later start. With the workaround each start gets a fresh
    cache folder of its own (python-escpos's default behaviour). Only the repeated-SIGKILL test needs it.
    """

    __test__ = False  # not a test class for pytest's collector

    def __init__(self, *args: object, escpos_cache_workaround: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.escpos_cache_workaround = escpos_cache_workaround
        self._escpos_cache: Path | None = None

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.pop("PYTEST_CURRENT_TEST", None)
        env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
        if self._escpos_cache is not None:
            env["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(self._escpos_cache)
        return env

    def start(self, timeout: float = 60.0) -> "TestServer":
        if self.escpos_cache_workaround:
            self.data_dir.parent.mkdir(parents=True, exist_ok=True)
            self._escpos_cache = Path(tempfile.mkdtemp(prefix="escpos-cache-", dir=self.data_dir.parent))
        super().start(timeout)
        return self


def qr_texts(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds in ``image`` (converted to grey so any mode works)."""
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))
            if result.format == zxingcpp.BarcodeFormat.QRCode]


def job_qr(job: bytes) -> str:
    """The one QR code on a printed ticket, read back from the exact ESC/POS bytes the printer got."""
    texts = qr_texts(decode_escpos_raster(job))
    assert len(texts) == 1, f"expected exactly one QR code on the ticket, found {texts!r}"
    return texts[0]


def wait_until(probe: Callable[[], T], timeout: float, interval: float = 0.2, what: str = "condition") -> T:
    """Call ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T = probe()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} (last value: {last!r})")
        time.sleep(interval)
        last = probe()
    return last


def health(base_url: str) -> dict:
    response = httpx.get(f"{base_url}/api/v1/health", timeout=5.0)
    assert response.status_code == 200, response.text
    return response.json()


def take_ticket(base_url: str, service: str = "A", client: httpx.Client | None = None) -> dict:
    """POST a ticket and insist on 201; returns the ticket JSON."""
    poster = client or httpx
    response = poster.post(f"{base_url}/api/v1/queue/tickets", json={"service": service}, timeout=10.0)
    assert response.status_code == 201, f"{response.status_code}: {response.text}"
    return response.json()
