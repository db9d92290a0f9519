"""The satisfaction survey (IKM) in Debian's Chromium: the kiosk survey on the 800x480 touch screen (and
portrait 480x800) — every screen without scrolling, finger-sized faces — and the phone survey on a 360x640
phone, reached from the ticket page once the ticket is done; a suggestion holding markup stays inert."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import urlparse

import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.server import BalaiServer
from tests.system.helpers import TestServer, take_ticket

MARKUP = '<img src=x onerror="window.__pwned=1"> <b>panas</b>'
FITS_JS = """() => {
  const shown = (el) => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const buttons = [...document.querySelectorAll('.q-btn, a[href], button, label:has(input[type=radio]), select, textarea')]
    .filter(shown).map((el) => { const r = el.getBoundingClientRect();
      return {text: (el.innerText || '').trim().slice(0, 30), height: r.height, width: r.width,
              bottom: r.bottom, right: r.right}; });
  return {scrollHeight: document.documentElement.scrollHeight, innerHeight: window.innerHeight,
          scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, buttons};
}"""


@pytest.fixture(scope="module")
def survey_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    root = tmp_path_factory.mktemp("ikm-survey")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "600"}).start()
    server.db_path = root / "data" / "balai.sqlite3"
    yield server
    server.stop()


def done_ticket(server: BalaiServer) -> dict:
    """A ticket taken through the API and marked done in the running server's database (WAL: safe beside it)."""
    ticket = take_ticket(server.url, "A")
    connection = sqlite3.connect(server.db_path)
    try:
        with connection:
            connection.execute("UPDATE ticket SET status = 'done', called_at = created_at, finished_at = created_at "
                               "WHERE number = ? AND status = 'waiting'", (ticket["number"],))
    finally:
        connection.close()
    return ticket


def responses(server: BalaiServer) -> list[tuple]:
    connection = sqlite3.connect(server.db_path)
    try:
        return connection.execute("SELECT channel, u1, u9, saran FROM ikm_response ORDER BY id").fetchall()
    finally:
        connection.close()


def assert_fits(page, min_px: int, where: str) -> None:  # noqa: ANN001 - a Playwright page
    measured = page.evaluate(FITS_JS)
    assert measured["scrollWidth"] <= measured["innerWidth"], f"{where}: scrolls sideways {measured}"
    if min_px >= 64:  # the kiosk: nothing below the fold
        assert measured["scrollHeight"] <= measured["innerHeight"], f"{where}: scrolls {measured['scrollHeight']}"
    small = [b for b in measured["buttons"] if b["height"] < min_px - 0.5]
    assert not small, f"{where}: targets under {min_px}px: {small}"
    beyond = [b for b in measured["buttons"] if b["right"] > measured["innerWidth"] + 0.5]
    assert not beyond, f"{where}: cut off at the right: {beyond}"


@pytest.mark.parametrize("width, height", [(800, 480), (480, 800)])
def test_kiosk_survey_fits_the_touch_screen(survey_server: BalaiServer, open_page, screenshot, width: int,
                                            height: int) -> None:
    ticket = done_ticket(survey_server)
    before = len(responses(survey_server))
    page = open_page(f"kiosk-{width}x{height}", width, height, has_touch=True)
    page.goto(f"{survey_server.url}/kiosk/survey")
    expect(page.locator(".kv-entry input")).to_be_visible()
    assert_fits(page, 64, "entry")
    screenshot(page, f"entry-{width}x{height}")
    for char in ticket["number"]:
        page.locator(".balai-key").filter(has_text=re.compile(f"^{re.escape(char)}$")).tap()
    expect(page.locator(".kv-entry input")).to_have_value(ticket["number"])
    page.locator(".kv-start").tap()
    expect(page.get_by_text(f"Anda menilai: Administrasi Kependudukan ({ticket['number']})")).to_be_visible()
    assert_fits(page, 64, "invite")
    page.locator(".kv-begin").tap()
    for n in range(1, 10):
        expect(page.get_by_text(f"Pertanyaan {n} dari 9")).to_be_visible()
        if n in (1, 8):
            assert_fits(page, 64, f"question {n}")
            faces = [page.locator(f".kv-face-{s}").bounding_box() for s in range(1, 5)]
            assert all(box["height"] >= 96 and box["width"] >= 96 for box in faces), faces
            screenshot(page, f"question-{n}-{width}x{height}")
        page.locator(".kv-face-4" if n != 9 else ".kv-face-1").tap()
    expect(page.locator(".kv-send")).to_be_visible()
    assert_fits(page, 64, "profile")
    screenshot(page, f"profile-{width}x{height}")
    page.locator(".q-btn", has_text="Perempuan").tap()
    page.locator(".kv-send").tap()
    expect(page.locator(".kv-thanks")).to_be_visible()
    screenshot(page, f"thanks-{width}x{height}")
    stored = responses(survey_server)
    assert len(stored) == before + 1 and stored[-1][:3] == ("kiosk", 4, 1)


def test_phone_survey_on_a_small_phone(survey_server: BalaiServer, open_page, screenshot) -> None:
    ticket = done_ticket(survey_server)
    before = len(responses(survey_server))
    page = open_page("phone", 360, 640, has_touch=True, is_mobile=True)
    page.goto(f"{survey_server.url}{urlparse(ticket['status_url']).path}")
    link = page.locator("[data-testid=survey]")
    expect(link).to_have_text("Nilai layanan kami")
    link.tap()
    expect(page.locator("[data-testid=subject]")).to_contain_text(ticket["number"])
    assert_fits(page, 48, "phone survey")
    screenshot(page, "phone-form")
    for n in range(1, 9):  # the last question left out
        page.locator(f"[data-testid=question-{n}] label").nth(3).tap()
    page.locator("[data-testid=saran]").fill(MARKUP)
    page.locator("[data-testid=send]").tap()
    expect(page.locator("[data-testid=message]")).to_have_text(
        "Pilih satu wajah untuk setiap pertanyaan (1 belum dijawab).")
    expect(page.locator("[data-testid=saran]")).to_have_value(MARKUP)
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("[data-testid=u1-4]")).to_be_checked()
    screenshot(page, "phone-refused")
    page.locator("[data-testid=question-9] label").nth(2).tap()
    page.locator("[data-testid=send]").tap()
    expect(page.locator("[data-testid=thanks]")).to_be_visible()
    stored = responses(survey_server)
    assert len(stored) == before + 1 and stored[-1] == ("phone", 4, 3, MARKUP)
    page.goto(f"{survey_server.url}{urlparse(ticket['status_url']).path}")
    expect(page.locator("[data-testid=status]")).to_be_visible()
    expect(page.locator("[data-testid=survey]")).to_have_count(0)
