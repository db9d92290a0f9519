"""One resident, one operator, the TV and a phone, in four browsers against one real server:
kiosk tap -> number on screen and on paper -> operator calls it -> board and phone show the call."""

from __future__ import annotations

import io

import httpx
from PIL import Image
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.capture_server import CapturePrinterServer
from tests.support.server import make_operator
from tests.system.helpers import job_qr, qr_texts

OPERATOR, PASSWORD = "loket", "rahasia-loket-1"


def test_ticket_from_kiosk_to_operator_board_and_phone(start_server, data_dir, printer: CapturePrinterServer,  # noqa: ANN001
                                                       open_page, screenshot) -> None:  # noqa: ANN001
    # The account is made with the real CLI before the first start; the demo seed must still fill in the rest.
    make_operator(data_dir, OPERATOR, PASSWORD)
    server = start_server(printer_url=f"tcp://127.0.0.1:{printer.port}")

    # --- the kiosk (800x480 touch screen): one tap on service A
    kiosk = open_page("kiosk", 800, 480, has_touch=True)
    kiosk.goto(f"{server.url}/kiosk")
    tile_a = kiosk.locator(".kiosk-tile", has_text="Administrasi Kependudukan")
    expect(tile_a).to_be_visible()
    expect(kiosk.locator(".kiosk-tile")).to_have_count(4)
    screenshot(kiosk, "kiosk-home")
    tile_a.tap()
    number = kiosk.locator(".kiosk-number")
    expect(number).to_have_text("A-001")
    expect(kiosk.get_by_text("Tidak ada antrian di depan Anda")).to_be_visible()
    expect(kiosk.get_by_text("Ambil tiket Anda di bawah layar.")).to_be_visible()
    screenshot(kiosk, "kiosk-ticket")

    # the QR on screen and the QR on paper (decoded from the exact ESC/POS bytes) are the same link
    qr_box = kiosk.locator("div:has(> svg)")
    expect(qr_box).to_be_visible()
    on_screen = qr_texts(Image.open(io.BytesIO(qr_box.screenshot())))
    assert len(on_screen) == 1, f"expected one QR code on the kiosk screen, found {on_screen}"
    status_url = on_screen[0]
    assert status_url.startswith(f"{server.url}/m/t/")
    jobs = printer.wait_for_jobs(1, timeout=10.0)
    assert job_qr(jobs[0]) == status_url
    ticket = httpx.get(status_url.replace("/m/t/", "/api/v1/queue/tickets/"), timeout=5.0).json()
    assert ticket["number"] == "A-001" and ticket["status"] == "waiting"

    # --- the resident's phone (360x640) follows the ticket
    phone = open_page("phone", 360, 640, is_mobile=True, has_touch=True)
    phone.goto(status_url)
    expect(phone.locator("#number")).to_have_text("A-001")
    expect(phone.locator("#status")).to_have_text("Menunggu")
    screenshot(phone, "phone-waiting")

    # --- the TV (1920x1080) before the call
    display = open_page("display", 1920, 1080)
    display.goto(f"{server.url}/display")
    loket_1 = display.locator(".q-card", has_text="Loket 1")
    expect(loket_1.locator(".board-number")).to_have_text("—")

    # --- the operator (1366x768) logs in and calls the next number
    desk = open_page("operator", 1366, 768)
    desk.goto(f"{server.url}/operator")
    desk.wait_for_url("**/login?next=/operator")
    desk.get_by_label("Nama pengguna").fill(OPERATOR)
    desk.get_by_label("Kata sandi").fill(PASSWORD)
    desk.get_by_role("button", name="Masuk").click()
    desk.wait_for_url("**/operator")
    expect(desk.get_by_text("Daftar tunggu (1)")).to_be_visible()
    current = desk.locator(".text-h2")
    expect(current).to_have_text("—")
    desk.get_by_role("button", name="Panggil berikutnya").click()
    expect(current).to_have_text("A-001")
    expect(desk.get_by_text("Daftar tunggu (0)")).to_be_visible()
    screenshot(desk, "operator-called")

    # --- the board shows A-001 next to Loket 1 (live, no reload), Loket 2 stays empty
    expect(loket_1.locator(".board-number")).to_have_text("A-001")
    expect(display.locator(".q-card", has_text="Loket 2").locator(".board-number")).to_have_text("—")
    screenshot(display, "display-called")

    # --- and the phone notices by itself (it polls every 4 s)
    expect(phone.locator("#status")).to_contain_text("Dipanggil", timeout=12_000)
    expect(phone.locator("#status")).to_contain_text("Loket 1")
    screenshot(phone, "phone-called")

    assert len(printer.jobs) == 1, "exactly one ticket must have printed"
