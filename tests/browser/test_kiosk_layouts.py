"""The kiosk home screen on the small touch screens it ships with: everything visible without scrolling,
finger-sized tiles, and the language switch."""

from __future__ import annotations

import time

import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

MIN_TILE_PX = 64
VIEWPORTS = [(800, 480), (1024, 600)]


@pytest.fixture(scope="module")
def kiosk_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """One demo server for the layout checks: they only read the home screen (and set a per-browser language)."""
    root = tmp_path_factory.mktemp("kiosk-layouts")
    server = TestServer(root / "data", log_path=root / "server.log").start()
    yield server
    server.stop()


MEASURE_JS = """() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return {y: r.y, width: r.width, height: r.height}; };
  const language = [...document.querySelectorAll('button')]
    .find((b) => ['English', 'Bahasa Indonesia'].includes(b.innerText.trim()));
  return {
    scrollHeight: document.documentElement.scrollHeight, innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    tiles: [...document.querySelectorAll('.kiosk-tile')].map(rect),
    language: language ? rect(language) : null,
  };
}"""


def _measure(page) -> dict:  # noqa: ANN001 - a Playwright page
    """One consistent snapshot of the layout, taken once two measurements 250 ms apart agree.

    The kiosk redraws its home screen (language switch, periodic refresh of the waiting counts), so
    element-by-element queries could straddle a redraw; one evaluate() cannot.
    """
    deadline = time.monotonic() + 10.0
    previous = None
    while True:
        current = page.evaluate(MEASURE_JS)
        settled = len(current["tiles"]) == 4 and all(t["height"] > 0 for t in current["tiles"])
        if settled and current == previous:
            return current
        if time.monotonic() > deadline:
            return current
        previous = current if settled else None
        page.wait_for_timeout(250)


def _check_layout(page, label: str) -> None:  # noqa: ANN001 - a Playwright page
    expect(page.locator(".kiosk-tile")).to_have_count(4)
    m = _measure(page)
    assert len(m["tiles"]) == 4, f"{label}: {len(m['tiles'])} service tiles, expected 4"
    assert m["scrollHeight"] <= m["innerHeight"], \
        f"{label}: vertical scrollbar ({m['scrollHeight']} > {m['innerHeight']} px)"
    assert m["scrollWidth"] <= m["innerWidth"], \
        f"{label}: horizontal scrollbar ({m['scrollWidth']} > {m['innerWidth']} px)"
    for index, tile in enumerate(m["tiles"]):
        assert tile["height"] >= MIN_TILE_PX, f"{label}: tile {index} is {tile['height']:.0f} px high"
        assert tile["width"] >= MIN_TILE_PX, f"{label}: tile {index} is {tile['width']:.0f} px wide"
        assert tile["y"] + tile["height"] <= m["innerHeight"], f"{label}: tile {index} is cut off at the bottom"
    assert m["language"] is not None, f"{label}: no language button"
    assert m["language"]["height"] >= MIN_TILE_PX, f"{label}: the language button is too small to tap"


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_home_fits_without_scrolling_in_both_languages(kiosk_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                                       width: int, height: int) -> None:
    page = open_page(f"kiosk-{width}x{height}", width, height, has_touch=True)
    page.goto(f"{kiosk_server.url}/kiosk")
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_be_visible()
    expect(page.locator(".kiosk-tile", has_text="Administrasi Kependudukan")).to_contain_text("menunggu")
    _check_layout(page, f"{width}x{height} id")
    screenshot(page, "id")

    page.get_by_role("button", name="English").tap()
    expect(page.get_by_text("Touch the service you need")).to_be_visible()
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_have_count(0)
    expect(page.get_by_text("Welcome to the Sukamaju village office")).to_be_visible()
    expect(page.locator(".kiosk-tile").first).to_contain_text("waiting")
    expect(page.get_by_role("button", name="Bahasa Indonesia")).to_be_visible()
    _check_layout(page, f"{width}x{height} en")
    screenshot(page, "en")

    page.get_by_role("button", name="Bahasa Indonesia").tap()
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_be_visible()


def _announce(server: BalaiServer, title: str, body: str) -> None:
    """An announcement showing today, written straight into the running server's database (WAL: safe)."""
    import sqlite3
    import uuid
    from datetime import date, timedelta

    connection = sqlite3.connect(server.data_dir / "balai.sqlite3")
    try:
        with connection:
            connection.execute(
                "INSERT INTO announcement (uuid, source, title, body, starts_on, ends_on, created_at, created_by) "
                "VALUES (?, 'local', ?, ?, ?, NULL, '2026-01-01 00:00:00', 'test')",
                (str(uuid.uuid4()), title, body, (date.today() - timedelta(days=1)).isoformat()))
    finally:
        connection.close()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_announcements_tile_fits_and_opens_a_full_screen_list(kiosk_server: BalaiServer, open_page,  # noqa: ANN001
                                                              screenshot, width: int, height: int) -> None:
    """Runs after the plain layout checks (same server): with announcements showing, the home screen still fits."""
    if width == VIEWPORTS[0][0]:
        _announce(kiosk_server, "Kerja Bakti Minggu Pagi", "Kumpul di balai desa jam 07.00.\n" * 40)
        _announce(kiosk_server, "Posyandu Balita", "Bawa buku KIA.")
    page = open_page(f"kiosk-announcements-{width}x{height}", width, height, has_touch=True)
    page.goto(f"{kiosk_server.url}/kiosk")
    tile = page.locator("button", has_text="2 pengumuman")
    expect(tile).to_be_visible()
    _check_layout(page, f"{width}x{height} with announcements")
    box = tile.bounding_box()
    assert box is not None and box["height"] >= MIN_TILE_PX and box["y"] + box["height"] <= height
    screenshot(page, "home")
    page.get_by_role("button", name="English").tap()
    expect(page.locator("button", has_text="2 announcements")).to_be_visible()
    _check_layout(page, f"{width}x{height} en with announcements")
    page.get_by_role("button", name="Bahasa Indonesia").tap()

    page.locator("button", has_text="2 pengumuman").tap()
    expect(page.get_by_text("Posyandu Balita")).to_be_visible()
    back = page.get_by_role("button", name="Kembali")
    expect(back).to_be_visible()
    back_box = back.bounding_box()
    assert back_box is not None and back_box["height"] >= MIN_TILE_PX
    m = page.evaluate("() => [document.documentElement.scrollHeight, window.innerHeight]")
    assert m[0] <= m[1], f"the list scrolls inside itself, not the page ({m[0]} > {m[1]})"
    screenshot(page, "list")
    back.tap()
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_be_visible()
