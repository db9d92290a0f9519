"""Complaints in a real browser: the kiosk flow tapped through from the home screen's "Suara Warga" tile on the
small touch screens (every step fits, every control finger-sized), the check by code, and the phone form with
a photo on a 360x640 phone. Text a complaint holds — markup included — shows exactly as typed, never as HTML."""

from __future__ import annotations

import io
import re
import sqlite3

import httpx
import pytest
from PIL import Image

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.browser.test_letter_flows import _check_kiosk_layout, _tap_keys
from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

KIOSK_VIEWPORTS = [(800, 480), (480, 800)]
PHONE = (360, 640)
MARKUP = 'Lampu <b>mati</b> & "gelap" <script>alert(1)</script>'
CODE_RE = r"ADU-[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{4}"


@pytest.fixture(scope="module")
def complaint_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    root = tmp_path_factory.mktemp("complaint-flows")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "600"}).start()
    yield server
    server.stop()


def _file_by_phone(server: BalaiServer, text: str) -> str:
    response = httpx.post(f"{server.url}/m/complaint", data={"kategori": "lainnya", "isi": text,
                                                             "identitas": "anonim", "lang": "id"}, timeout=10)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[-1].split("?")[0]


def _set_body_underneath(server: BalaiServer, code: str, text: str) -> None:
    """Markup the text rules refuse today, as a complaint from before them would hold it."""
    with sqlite3.connect(server.data_dir / "balai.sqlite3", timeout=10) as db:
        db.execute("UPDATE complaint SET body = ? WHERE tracking_code = ?", (text, code))


@pytest.mark.parametrize(("width", "height"), KIOSK_VIEWPORTS, ids=[f"{w}x{h}" for w, h in KIOSK_VIEWPORTS])
def test_kiosk_complaint_by_tapping(complaint_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                    width: int, height: int) -> None:
    label = f"{width}x{height}"
    page = open_page(f"kiosk-complaint-{label}", width, height, has_touch=True)
    page.goto(f"{complaint_server.url}/kiosk")
    page.locator(".kiosk-letter-tile", has_text="Suara Warga").tap()
    expect(page.get_by_text("Jajak Pendapat")).to_be_visible()
    expect(page.get_by_text("Survei Kepuasan")).to_be_visible()
    _check_kiosk_layout(page, f"{label} Suara Warga")
    screenshot(page, "menu")
    page.locator(".q-btn", has_text="Pengaduan").tap()

    expect(page.get_by_text("Buat pengaduan")).to_be_visible()
    _check_kiosk_layout(page, f"{label} start")
    page.locator(".ks-tile", has_text="Buat pengaduan").tap()
    expect(page.get_by_text("Tentang apa pengaduan Anda?")).to_be_visible()
    _check_kiosk_layout(page, f"{label} categories")
    page.locator(".ks-tile", has_text="Infrastruktur").tap()
    expect(page.get_by_text("Kirim sebagai siapa?")).to_be_visible()
    _check_kiosk_layout(page, f"{label} who")
    page.locator(".ks-tile", has_text="Tanpa nama").tap()

    expect(page.get_by_role("button", name="spasi")).to_be_visible()
    _check_kiosk_layout(page, f"{label} text")
    _tap_keys(page, "LAMPU")
    page.get_by_role("button", name="Lanjut").tap()
    expect(page.get_by_text("Isi pengaduan terlalu pendek: paling sedikit 10 huruf.")).to_be_visible()
    _check_kiosk_layout(page, f"{label} text refused")
    _tap_keys(page, " JALAN MATI")
    expect(page.locator("input").first).to_have_value("Lampu jalan mati")
    page.get_by_role("button", name="Lanjut").tap()

    expect(page.get_by_text("Periksa lalu kirim")).to_be_visible()
    _check_kiosk_layout(page, f"{label} confirm")
    page.get_by_role("button", name="Kirim").tap()
    expect(page.get_by_text("Kode pengaduan Anda")).to_be_visible()
    code = page.locator(".ks-code").inner_text().strip()
    assert re.fullmatch(CODE_RE, code), code
    expect(page.locator("svg").first).to_be_visible()  # the QR
    _check_kiosk_layout(page, f"{label} code")
    screenshot(page, "code")
    status = httpx.get(f"{complaint_server.url}/m/complaint/{code}", timeout=10)
    assert status.status_code == 200 and "Lampu jalan mati" in status.text and "Diterima" in status.text

    # Check it again by code; the stored text holds markup now, and shows as text.
    short = code.replace("-", "")[3:]
    _set_body_underneath(complaint_server, short, MARKUP)
    page.get_by_role("button", name="Selesai").tap()
    page.goto(f"{complaint_server.url}/kiosk/complaint/check")
    expect(page.get_by_text("Ketik kode pengaduan")).to_be_visible()
    _tap_keys(page, short)
    page.get_by_role("button", name="Cek").tap()
    expect(page.get_by_text("Diterima", exact=True)).to_be_visible()
    expect(page.get_by_text("Belum ada balasan dari kantor desa.")).to_be_visible()
    expect(page.get_by_text(MARKUP, exact=True)).to_be_visible()  # as text: no bold, no script ran
    assert page.locator(".q-page b, .q-page script").count() == 0
    _check_kiosk_layout(page, f"{label} status")
    screenshot(page, "status")


def test_phone_complaint_with_photo_and_markup_as_text(complaint_server: BalaiServer, open_page,  # noqa: ANN001
                                                       screenshot, tmp_path) -> None:  # noqa: ANN001
    width, height = PHONE
    page = open_page("phone-complaint", width, height, has_touch=True, is_mobile=True)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{complaint_server.url}/m")
    page.get_by_test_id("complaint-link").tap()
    expect(page.get_by_role("heading", name="Pengaduan Warga")).to_be_visible()
    bad = tmp_path / "bukan-foto.jpg"
    bad.write_bytes(b"<html><script>alert(1)</script></html>")
    page.get_by_label("Kategori").select_option("infrastruktur")
    page.get_by_label("Isi pengaduan").fill('Harga < 5000 & "parah", jembatan retak.')
    page.set_input_files("#foto", str(bad))
    page.get_by_role("button", name="Kirim pengaduan").tap()
    expect(page.get_by_test_id("problem-foto")).to_have_text(re.compile("bukan foto yang bisa dibaca"))
    expect(page.get_by_label("Isi pengaduan")).to_have_value('Harga < 5000 & "parah", jembatan retak.')
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the form scrolls sideways"
    screenshot(page, "refused")

    good = tmp_path / "jembatan.png"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 200)).save(out, "PNG")
    good.write_bytes(out.getvalue())
    page.set_input_files("#foto", str(good))
    page.locator("label[for=who-nama]").tap()
    page.get_by_label("Nama", exact=True).fill("Pak Joko")
    page.get_by_role("button", name="Kirim pengaduan").tap()
    expect(page.get_by_test_id("sent")).to_be_visible()
    code = page.get_by_test_id("code").inner_text().strip()
    assert re.fullmatch(CODE_RE, code), code
    box = page.get_by_test_id("code").bounding_box()
    assert box is not None and box["height"] < 60, f"the code wraps: {box}"
    expect(page.get_by_test_id("status")).to_have_text("Diterima")
    expect(page.get_by_test_id("body")).to_have_text('Harga < 5000 & "parah", jembatan retak.')
    photo = page.get_by_test_id("photo")
    expect(photo).to_be_visible()
    assert page.evaluate("document.querySelector('[data-testid=photo]').naturalWidth") == 640
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the status page scrolls sideways"
    screenshot(page, "status")

    other = _file_by_phone(complaint_server, "Lampu jalan mati di RT 03, gelap.")
    _set_body_underneath(complaint_server, other, MARKUP)
    page.goto(f"{complaint_server.url}/m/complaint/{other}")
    expect(page.get_by_test_id("body")).to_have_text(MARKUP)
    assert page.locator("[data-testid=body] b, [data-testid=body] script").count() == 0
    screenshot(page, "markup-as-text")
    outside = [url for url in requests if not url.startswith(complaint_server.url)]
    assert not outside, f"the phone pages loaded something from elsewhere: {outside}"
