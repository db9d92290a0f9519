"""The office Wi-Fi on the ticket: a second, smaller QR under the status QR, read back from the printed bytes."""

from __future__ import annotations

from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image

from printing.paper import PAPER_58MM, PAPER_80MM, PaperProfile
from printing.raster import decode_escpos_raster
from printing.tickets import TicketContent, render_ticket_image, ticket_escpos
from tests.printing.test_tickets import CONTENT, LONG_URL

PAPERS = [PAPER_58MM, PAPER_80MM]
WIFI = "WIFI:T:WPA;S:KantorDesa;P:sukamaju2026;;"
CAPTION = "Wi-Fi: KantorDesa\nPindai untuk tersambung"
WITH_WIFI = replace(CONTENT, wifi_qr=WIFI, wifi_caption=CAPTION)
# The longest a valid network can make it: 32-byte SSID and 63-character password, every character escaped.
LONGEST = "WIFI:T:WPA;S:" + "\\;" * 32 + ";P:" + '\\"' * 63 + ";H:true;;"


def read_qrs(image: Image.Image) -> list[tuple[str, int, int]]:
    """Every QR zxing-cpp finds: its text, its width in dots and its top edge, as a phone would read it."""
    found = []
    for result in zxingcpp.read_barcodes(image.convert("L")):
        assert result.format == zxingcpp.BarcodeFormat.QRCode
        xs = [result.position.top_left.x, result.position.top_right.x,
              result.position.bottom_left.x, result.position.bottom_right.x]
        ys = [result.position.top_left.y, result.position.top_right.y]
        found.append((result.text, max(xs) - min(xs), min(ys)))
    return found


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
@pytest.mark.parametrize("url", [CONTENT.qr_url, LONG_URL], ids=["short-url", "long-url"])
def test_both_qrs_decode_from_the_printed_bytes(paper: PaperProfile, url: str) -> None:
    printed = decode_escpos_raster(ticket_escpos(replace(WITH_WIFI, qr_url=url), paper))
    assert printed.width == paper.width_px
    found = {text: (width, top) for text, width, top in read_qrs(printed)}
    assert set(found) == {url, WIFI}
    status_width, status_top = found[url]
    wifi_width, wifi_top = found[WIFI]
    assert wifi_top > status_top, "the Wi-Fi QR goes under the status QR"
    assert wifi_width < status_width, "the Wi-Fi QR is the smaller one"


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_the_longest_valid_network_still_prints_a_readable_qr(paper: PaperProfile) -> None:
    content = replace(WITH_WIFI, wifi_qr=LONGEST, wifi_caption="Wi-Fi: " + ";" * 32 + "\nPindai untuk tersambung")
    printed = decode_escpos_raster(ticket_escpos(content, paper))
    assert sorted(text for text, _, _ in read_qrs(printed)) == sorted([CONTENT.qr_url, LONGEST])
    edges = printed.crop((0, 0, 2, printed.height)).convert("L")
    assert edges.getextrema() == (255, 255)  # still inside the margins


def test_the_ticket_stays_short_on_58mm() -> None:
    """The Wi-Fi block costs about 15 mm of paper (8 dots a millimetre), not a second ticket."""
    without = render_ticket_image(CONTENT, PAPER_58MM)
    with_wifi = render_ticket_image(WITH_WIFI, PAPER_58MM)
    assert with_wifi.width == without.width == PAPER_58MM.width_px
    assert 0 < with_wifi.height - without.height <= 20 * 8
    assert with_wifi.height <= 90 * 8


def test_the_caption_is_printed_beside_the_small_qr() -> None:
    """Text ink to the right of the Wi-Fi QR, in the same rows: the caption did not go to a line of its own."""
    image = render_ticket_image(WITH_WIFI, PAPER_58MM).convert("L")
    (_, width, top), = [q for q in read_qrs(image) if q[0] == WIFI]
    band = image.crop((PAPER_58MM.width_px // 2, top, PAPER_58MM.width_px, top + width))
    assert band.getextrema()[0] == 0


def test_no_wifi_means_the_ticket_is_unchanged() -> None:
    plain = render_ticket_image(CONTENT, PAPER_58MM)
    blank = render_ticket_image(replace(CONTENT, wifi_qr="  ", wifi_caption="Wi-Fi: x"), PAPER_58MM)
    assert plain.tobytes() == blank.tobytes()
    assert [text for text, _, _ in read_qrs(plain)] == [CONTENT.qr_url]


def test_defaults_keep_older_callers_working() -> None:
    """TicketContent gained two optional fields; the eight positional ones still build a ticket."""
    content = TicketContent("Desa A", "Layanan", "A-001", "hari ini", "", "http://x/m/t/1", "pindai", "terima kasih")
    assert content.wifi_qr == "" and content.wifi_caption == ""
    assert decode_escpos_raster(ticket_escpos(content, PAPER_58MM)).width == PAPER_58MM.width_px
