"""Letters through a real, private CUPS server with the cups-pdf backend; the preview folder; the setting."""

from __future__ import annotations

import io
import os
import stat
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from pypdf import PdfReader

from printing.cups import CupsPrinter, PdfPreviewPrinter, letter_printer_from_setting
from printing.letters import LetterDocument, LetterHead, LetterSignature, render_letter_pdf
from printing.transports import Printer, PrinterError
from tests.support.cups import PrivateCups, require_cups

MM_PER_PT = 25.4 / 72


def _letter(paper: str) -> bytes:
    return render_letter_pdf(LetterDocument(
        head=LetterHead("Bandung", "Ciparay", "Sukamaju", "Jl. Raya Ciparay No. 1"),
        title="SURAT KETERANGAN DOMISILI", number="470/012/2003/XI/2026",
        body_html="<p>Menerangkan bahwa Siti Nurhaliza adalah warga Desa Sukamaju.</p>",
        signature=LetterSignature("Desa Sukamaju, 22 November 2026", "Kepala Desa Sukamaju", "H. Ahmad Sulaeman"),
        paper=paper))


@pytest.fixture
def cups() -> Iterator[PrivateCups]:
    require_cups()
    with PrivateCups() as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("paper, size_mm", [("F4", (215, 330)), ("A4", (210, 297))])
def test_letter_arrives_as_pdf_on_the_right_paper(cups: PrivateCups, paper: str, size_mm: tuple[int, int]) -> None:
    printer = CupsPrinter(cups.queue, paper, server=cups.server)
    assert isinstance(printer, Printer)
    printer.send(_letter(paper))
    [path] = cups.wait_for_pdf(1, seconds=30)
    box = PdfReader(path).pages[0].mediabox
    width, height = float(box.width) * MM_PER_PT, float(box.height) * MM_PER_PT
    assert abs(width - size_mm[0]) <= 1 and abs(height - size_mm[1]) <= 1, f"{width:.1f} x {height:.1f} mm"


@pytest.mark.slow
def test_probe_live_paused_missing_queue_and_stopped_server(cups: PrivateCups) -> None:
    assert CupsPrinter(cups.queue, server=cups.server).probe().ready
    missing = CupsPrinter("no-such-queue", server=cups.server).probe()
    assert not missing.ready and missing.detail.startswith("not_found")
    with pytest.raises(PrinterError) as raised:
        CupsPrinter("no-such-queue", server=cups.server).send(b"%PDF-1.7\n")
    assert raised.value.kind == "not_found"
    subprocess.run(["cupsdisable", "-h", cups.server, "-r", "paper jam", cups.queue], check=True, timeout=30)
    paused = CupsPrinter(cups.queue, server=cups.server).probe()
    assert not paused.ready and "paper jam" in paused.detail
    server = cups.server
    cups.stop()
    state = CupsPrinter(cups.queue, server=server).probe()
    assert not state.ready and state.detail.startswith("offline")
    with pytest.raises(PrinterError) as raised:
        CupsPrinter(cups.queue, server=server, timeout=10).send(_letter("F4"))
    assert raised.value.kind == "offline"


def test_missing_lp_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp, no lpstat on the PATH
    with pytest.raises(PrinterError) as raised:
        CupsPrinter("office").send(b"%PDF-1.7\n")
    assert raised.value.kind == "not_found" and "cups-client" in raised.value.detail
    assert not CupsPrinter("office").probe().ready


def test_lp_that_hangs_is_a_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lp = tmp_path / "lp"
    lp.write_text("#!/bin/sh\nexec /bin/sleep 30\n")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterError) as raised:
        CupsPrinter("office", timeout=0.5).send(b"%PDF-1.7\n")
    assert raised.value.kind == "timeout"


def test_preview_printer_writes_readable_pdfs_privately(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    printer = PdfPreviewPrinter(folder)
    assert printer.name == "preview" and printer.probe().ready and isinstance(printer, Printer)
    pdf = _letter("F4")
    printer.send(pdf)
    printer.send(pdf)
    files = sorted(folder.iterdir())
    assert len(files) == 2 and all(f.name.startswith("letter-") and f.suffix == ".pdf" for f in files)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert "SURAT KETERANGAN DOMISILI" in PdfReader(io.BytesIO(files[0].read_bytes())).pages[0].extract_text()


def test_letter_printer_from_setting(tmp_path: Path) -> None:
    assert letter_printer_from_setting("", tmp_path, "F4") is None
    assert letter_printer_from_setting("  ", tmp_path, "F4") is None
    preview = letter_printer_from_setting("preview:", tmp_path / "p", "F4")
    assert isinstance(preview, PdfPreviewPrinter) and preview.folder == tmp_path / "p"
    printer = letter_printer_from_setting("Kantor_Desa-1.lt", tmp_path, "A4", server="192.168.1.5:631")
    assert isinstance(printer, CupsPrinter)
    assert printer.command()[:5] == ["lp", "-h", "192.168.1.5:631", "-d", "Kantor_Desa-1.lt"]
    assert "media=A4" in printer.command()
    assert "media=Custom.215x330mm" in CupsPrinter("office").command()
    for bad in ("office printer", "a;rm -rf /", "-dx", "kantor/desa", "ruang$1"):
        with pytest.raises(ValueError):
            letter_printer_from_setting(bad, tmp_path, "F4")
    with pytest.raises(ValueError):
        letter_printer_from_setting("office", tmp_path, "Letter")
