"""Ticket rendering: right width, QR readable from the printed bytes, any text accepted."""

from __future__ import annotations

from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image

from printing.paper import PAPER_58MM, PAPER_80MM, PaperProfile, paper_by_name
from printing.raster import decode_escpos_raster
from printing.tickets import TicketContent, render_ticket_image, ticket_escpos

CONTENT = TicketContent(
    village_name="Desa Sukamaju",
    service_name="Administrasi Kependudukan",
    number="A-001",
    issued_at="Senin, 23 November 2026 09:15 WIB",
    ahead_text="3 orang di depan Anda",
    qr_url="http://192.168.1.10:8080/m/t/3f2a9c1e5b7d4a0f8e6c2b1a9d7f5e3c",
    qr_caption="Pindai untuk memantau antrian",
    footer="Terima kasih telah menunggu",
)
LONG_URL = "http://192.168.100.200:8080/m/t/" + "3f2a9c1e5b7d4a0f" * 8 + "?lang=id&v=2"
PAPERS = [PAPER_58MM, PAPER_80MM]


def read_qr_texts(image: Image.Image) -> list[str]:
    """Decode every QR code zxing-cpp finds, as the phone would."""
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_image_is_paper_wide_and_black_and_white(paper: PaperProfile) -> None:
    image = render_ticket_image(CONTENT, paper)
    assert image.mode == "1"
    assert image.width == paper.width_px
    assert 300 < image.height < 2000


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
@pytest.mark.parametrize("url", [CONTENT.qr_url, LONG_URL], ids=["short-url", "long-url"])
def test_qr_in_printed_bytes_decodes_to_the_url(paper: PaperProfile, url: str) -> None:
    data = ticket_escpos(replace(CONTENT, qr_url=url), paper)
    printed = decode_escpos_raster(data)
    assert printed.width == paper.width_px
    assert read_qr_texts(printed) == [url]


def test_escpos_job_initialises_rasters_and_cuts() -> None:
    data = ticket_escpos(CONTENT, PAPER_58MM)
    assert data.startswith(b"\x1b@")
    assert b"\x1dv0" in data
    assert data.endswith(b"\x1dV\x00")


def test_printed_raster_equals_rendered_image() -> None:
    rendered = render_ticket_image(CONTENT, PAPER_80MM)
    printed = decode_escpos_raster(ticket_escpos(CONTENT, PAPER_80MM))
    assert printed.size == rendered.size
    assert printed.tobytes() == rendered.tobytes()


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_any_unicode_makes_a_valid_ticket(paper: PaperProfile) -> None:
    content = replace(
        CONTENT,
        village_name="Désa Ñusantara ꦧꦭꦻ 🏠",
        service_name="Ĉu ŝi? 日本語 עברית \u200d\x00\x07\ud800 tab\there",
        number="Б-001",
        footer="👨‍👩‍👧 terima kasih",
    )
    printed = decode_escpos_raster(ticket_escpos(content, paper))
    assert printed.width == paper.width_px
    assert read_qr_texts(printed) == [content.qr_url]


def test_long_texts_wrap_instead_of_widening_the_ticket() -> None:
    short = render_ticket_image(CONTENT, PAPER_58MM)
    content = replace(
        CONTENT,
        village_name="Pemerintah Desa Sukamaju Kecamatan Cibeureum Kabupaten Tasikmalaya " * 2,
        service_name="X" * 120,  # one unbreakable word
        number="B-12345678901234567890",
    )
    long = render_ticket_image(content, PAPER_58MM)
    assert long.width == PAPER_58MM.width_px
    assert long.height > short.height
    # Nothing is drawn in the outermost columns: text stays inside the margins.
    edges = long.crop((0, 0, 2, long.height)).convert("L")
    assert edges.getextrema() == (255, 255)


def test_empty_fields_still_render() -> None:
    empty = TicketContent("", "", "", "", "", "", "", "")
    data = ticket_escpos(empty, PAPER_58MM)
    assert decode_escpos_raster(data).width == PAPER_58MM.width_px


def test_paper_by_name() -> None:
    assert paper_by_name("58mm") is PAPER_58MM
    assert paper_by_name("58") is PAPER_58MM
    assert paper_by_name("80mm") is PAPER_80MM
    assert paper_by_name(" 80 ") is PAPER_80MM
    for junk in ("", "57mm", "A4", "80 cm"):
        with pytest.raises(ValueError):
            paper_by_name(junk)
