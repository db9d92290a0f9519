"""The kiosk home screen on the small touch screens it ships with, landscape and portrait: everything visible
without scrolling, finger-sized tiles, the language switch, the display modes (high contrast, large text), the
press feedback, the attract screen and spoken guidance."""

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
ALL_KIOSK_VIEWPORTS = [(800, 480), (480, 800), (1024, 600), (600, 1024)]


@pytest.fixture(scope="module")
def kiosk_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """One demo server for the layout checks: they only read the home screen (and set a per-browser language)."""
    root = tmp_path_factory.mktemp("kiosk-layouts")
    # The attract screen waits long enough that it never covers the layout checks (its own test uses another server).
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "600"}).start()
    yield server
    server.stop()


MEASURE_JS = """() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return {y: r.y, width: r.width, height: r.height}; };
  const language = document.querySelector('.kiosk-language-button');
  const buttons = [...document.querySelectorAll('.q-btn')].filter((b) => b.offsetParent !== null);
  return {
    scrollHeight: document.documentElement.scrollHeight, innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    tiles: [...document.querySelectorAll('.kiosk-tile')].map(rect),
    language: language ? rect(language) : null,
    buttons: buttons.map((b) => { const r = b.getBoundingClientRect();
      return {text: b.innerText.trim().slice(0, 30), x: r.x, y: r.y, width: r.width, height: r.height}; }),
    overflowing: [...document.querySelectorAll('.kiosk-tile .q-btn__content')]
      .filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.innerText.trim().slice(0, 30)),
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
    for button in m["buttons"]:
        assert button["height"] >= MIN_TILE_PX and button["width"] >= MIN_TILE_PX, \
            f"{label}: button {button['text']!r} is {button['width']:.0f}x{button['height']:.0f} px"
        assert button["x"] >= 0 and button["x"] + button["width"] <= m["innerWidth"] + 0.5, \
            f"{label}: button {button['text']!r} sticks out at the side"
        assert button["y"] >= 0 and button["y"] + button["height"] <= m["innerHeight"] + 0.5, \
            f"{label}: button {button['text']!r} is cut off"
    assert not m["overflowing"], f"{label}: tile text cut off: {m['overflowing']}"


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


def _open_modes(page) -> None:  # noqa: ANN001 - a Playwright page
    page.locator("button", has_text="Tampilan").tap()
    expect(page.get_by_text("Tampilan dan suara")).to_be_visible()


@pytest.mark.parametrize(("width", "height"), ALL_KIOSK_VIEWPORTS, ids=[f"{w}x{h}" for w, h in ALL_KIOSK_VIEWPORTS])
def test_home_in_every_orientation_with_high_contrast_and_large_text(kiosk_server: BalaiServer, open_page,  # noqa: ANN001
                                                                     screenshot, width: int, height: int) -> None:
    page = open_page(f"kiosk-modes-{width}x{height}", width, height, has_touch=True)
    page.goto(f"{kiosk_server.url}/kiosk")
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_be_visible()
    _check_layout(page, f"{width}x{height} standard")
    screenshot(page, "standard")

    _open_modes(page)
    dialog_boxes = page.evaluate("""() => [...document.querySelectorAll('.q-dialog .q-btn')]
        .map((b) => { const r = b.getBoundingClientRect(); return [r.width, r.height, r.y + r.height]; })""")
    assert len(dialog_boxes) >= 3
    for w, h, bottom in dialog_boxes:
        assert w >= MIN_TILE_PX and h >= MIN_TILE_PX and bottom <= height, f"mode switch {w}x{h} ending at {bottom}"
    page.get_by_text("Kontras tinggi").tap()
    page.get_by_text("Huruf besar").tap()
    expect(page.locator(".balai-mode-on")).to_have_count(2)
    screenshot(page, "modes-dialog")
    page.get_by_role("button", name="Selesai").tap()
    expect(page.locator("body.balai-contrast")).to_have_count(1)
    expect(page.locator("html.balai-large")).to_have_count(1)
    colours = page.evaluate("""() => { const tile = getComputedStyle(document.querySelector('.kiosk-tile'));
        return [getComputedStyle(document.body).backgroundColor, tile.backgroundColor, tile.color,
                parseFloat(getComputedStyle(document.documentElement).fontSize)]; }""")
    assert colours[:3] == ["rgb(0, 0, 0)", "rgb(0, 0, 0)", "rgb(255, 235, 59)"], colours
    assert colours[3] > 16.5, f"large text did not enlarge the root font ({colours[3]} px)"
    _check_layout(page, f"{width}x{height} contrast + large")
    screenshot(page, "contrast-large")

    _open_modes(page)  # off again: the page is back to the standard look
    page.get_by_text("Kontras tinggi").tap()
    page.get_by_text("Huruf besar").tap()
    page.get_by_role("button", name="Selesai").tap()
    expect(page.locator("body.balai-contrast")).to_have_count(0)
    expect(page.locator("html.balai-large")).to_have_count(0)


PRESS_JS = """(selector) => new Promise((resolve) => {
  const target = document.querySelector(selector);
  const box = target.getBoundingClientRect();
  const started = performance.now();
  target.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, clientX: box.x + 10, clientY: box.y + 10,
                                                        pointerType: 'touch'}));
  requestAnimationFrame(() => resolve({pressed: target.classList.contains('balai-pressed'),
                                       transform: getComputedStyle(target).transform,
                                       ms: performance.now() - started}));
})"""


def test_a_tap_shows_at_once_before_the_server_answers(kiosk_server: BalaiServer, open_page) -> None:  # noqa: ANN001
    """The press is drawn by the browser in the next frame (no round trip to the Pi): well under 100 ms."""
    page = open_page("kiosk-press", 800, 480, has_touch=True)
    page.goto(f"{kiosk_server.url}/kiosk")
    expect(page.locator(".kiosk-tile")).to_have_count(4)
    result = page.evaluate(PRESS_JS, ".kiosk-letter-tile")
    assert result["pressed"], "no pressed state on pointerdown"
    assert result["transform"] not in ("none", ""), "the pressed state is not visible (no transform)"
    assert result["ms"] < 100, f"the pressed state took {result['ms']:.0f} ms"
    page.evaluate("() => document.dispatchEvent(new PointerEvent('pointerup', {bubbles: true}))")
    expect(page.locator(".balai-pressed")).to_have_count(0)


@pytest.fixture(scope="module")
def attract_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A kiosk whose attract screen comes after 4 idle seconds and whose idle reset comes after 3."""
    root = tmp_path_factory.mktemp("kiosk-attract")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "4", "BALAI_KIOSK_IDLE_SECONDS": "3"}).start()
    yield server
    server.stop()


@pytest.mark.parametrize(("width", "height"), [(800, 480), (600, 1024)], ids=["800x480", "600x1024"])
def test_attract_screen_rotates_and_a_tap_wakes_the_kiosk(attract_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                                          width: int, height: int) -> None:
    if width == 800:
        _announce(attract_server, "Vaksinasi Gratis di Posyandu", "Hari Kamis jam 08.00 sampai 12.00.")
    page = open_page(f"attract-{width}x{height}", width, height, has_touch=True)
    page.goto(f"{attract_server.url}/kiosk")
    expect(page.locator(".kiosk-tile")).to_have_count(4)
    expect(page.get_by_text("Sentuh layar untuk mulai")).to_be_visible(timeout=30_000)
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    slides = ("Selamat datang di Kantor Desa Sukamaju", "Vaksinasi Gratis di Posyandu", "Layanan hari ini",
              "Pantau antrian dari HP Anda")
    while len(seen) < len(slides) and time.monotonic() < deadline:
        text = page.evaluate("() => [...document.querySelectorAll('.q-carousel__slide')].map((s) => s.innerText).join(' ')")
        for marker in slides:
            if marker in text and marker not in seen:
                seen.add(marker)
                page.wait_for_timeout(800)  # let the fade from the previous slide finish
                screenshot(page, f"slide-{len(seen)}")
        page.wait_for_timeout(500)
    assert len(seen) == len(slides), f"slides seen: {seen}"
    m = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert m[0] <= width and m[1] <= height, f"the attract screen scrolls: {m}"
    page.mouse.click(width // 2, height // 3)  # where a service tile will be: the tap must not take a ticket
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_be_visible()
    expect(page.get_by_text("Nomor antrian Anda")).to_have_count(0)


def test_idle_reset_takes_away_modes_and_language(attract_server: BalaiServer, open_page) -> None:  # noqa: ANN001
    page = open_page("idle-reset", 800, 480, has_touch=True)
    page.goto(f"{attract_server.url}/kiosk")
    expect(page.locator(".kiosk-tile")).to_have_count(4)
    _open_modes(page)
    page.get_by_text("Kontras tinggi").tap()
    page.get_by_role("button", name="Selesai").tap()
    page.get_by_role("button", name="English").tap()
    expect(page.get_by_text("Touch the service you need")).to_be_visible()
    expect(page.locator("body.balai-contrast")).to_have_count(1)
    # Untouched: after the idle time the kiosk is Indonesian and standard again, then the attract screen comes.
    expect(page.locator("body.balai-contrast")).to_have_count(0, timeout=20_000)
    expect(page.get_by_text("Sentuh layar untuk mulai")).to_be_visible(timeout=20_000)
    page.mouse.click(400, 200)
    expect(page.get_by_text("Sentuh layanan yang Anda perlukan")).to_be_visible()


def test_spoken_guidance_plays_offline_clips(kiosk_server: BalaiServer, open_page) -> None:  # noqa: ANN001
    page = open_page("voice", 800, 480, has_touch=True)
    page.goto(f"{kiosk_server.url}/kiosk")
    expect(page.locator(".kiosk-tile")).to_have_count(4)
    _open_modes(page)
    page.get_by_text("Panduan suara").tap()
    page.get_by_role("button", name="Selesai").tap()
    page.locator(".kiosk-tile", has_text="Surat Keterangan").tap()
    expect(page.get_by_text("Nomor antrian Anda")).to_be_visible()
    page.wait_for_function("() => (window.balaiLastSaid || '').includes('say-')", timeout=20_000)
    url = page.evaluate("() => window.balaiLastSaid")
    head = page.evaluate("""async (url) => { const r = await fetch(url); const b = new Uint8Array(await r.arrayBuffer());
        return [r.status, String.fromCharCode(...b.slice(0, 4)), b.length]; }""", url)
    assert head[0] == 200 and head[1] == "RIFF" and head[2] > 20_000, head
    page.get_by_role("button", name="Selesai").tap()
    # The voice stays on for the visit: the letter service's first step speaks too.
    page.locator("button", has_text="Minta Surat").tap()
    page.wait_for_url("**/kiosk/surat")
    page.wait_for_function("(old) => (window.balaiLastSaid || '').includes('say-') && window.balaiLastSaid !== old",
                           arg=url, timeout=20_000)
    # A step entered by a tap (its button is cleared away before the voice starts) speaks as well.
    nik_clip = page.evaluate("() => window.balaiLastSaid")
    for digit in "3204121234560001":
        page.locator(".balai-key", has_text=digit).first.tap()
    page.get_by_role("button", name="Lanjut").tap()
    expect(page.get_by_text("PIN", exact=False).first).to_be_visible()
    page.wait_for_function("(old) => (window.balaiLastSaid || '').includes('say-') && window.balaiLastSaid !== old",
                           arg=nik_clip, timeout=20_000)
