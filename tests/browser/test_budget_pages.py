"""The village budget as residents see it, in Debian's Chromium: the kiosk page on the 800x480 touch screen
(and portrait 480x800) and the phone page on a 360x640 phone. Rupiah as `Rp 1.234.567`, bars drawn and sized,
no sideways scrolling, finger-sized controls, and stored text shown as text (a description holding markup,
written straight into the database as older data might be, stays inert)."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import date

import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

THIS_YEAR = date.today().year
MARKUP = '<img src=x onerror="window.__pwned=1"> Posyandu <b>Melati</b>'
RUPIAH = re.compile(r"^-?Rp \d{1,3}(\.\d{3})*$")
KIOSK_VIEWPORTS = [(800, 480), (480, 800)]


@pytest.fixture(scope="module")
def budget_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A demo office (its budget for this year and last is published by the demo seed), plus one line whose
    description holds markup, written into the running server's database (WAL: safe beside the server)."""
    root = tmp_path_factory.mktemp("budget-pages")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "600"}).start()
    connection = sqlite3.connect(root / "data" / "balai.sqlite3")
    try:
        with connection:
            (year_id,) = connection.execute("SELECT id FROM budget_year WHERE year = ?", (THIS_YEAR,)).fetchone()
            connection.execute("INSERT INTO budget_line (uuid, year_id, section, code, name, budget, realised) "
                               "VALUES (?, ?, 'belanja', '2.1.99', ?, 7500000, 2500000)",
                               (str(uuid.uuid4()), year_id, MARKUP))
    finally:
        connection.close()
    yield server
    server.stop()


MEASURE_JS = """(selector) => {
  const shown = (el) => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const bars = [...document.querySelectorAll(selector)].map((el) => {
    const r = el.getBoundingClientRect(), track = el.parentElement.getBoundingClientRect();
    return {width: r.width, track: track.width, right: r.right}; });
  const controls = [...document.querySelectorAll('.q-btn, a[href], button, summary')].filter(shown).map((el) => {
    const r = el.getBoundingClientRect();
    return {text: (el.innerText || '').trim().slice(0, 30), width: r.width, height: r.height, left: r.left,
            right: r.right}; });
  const wide = [...document.querySelectorAll('body *')].filter(shown).filter((el) =>
    el.getBoundingClientRect().right > window.innerWidth + 0.5).map((el) => el.className || el.tagName).slice(0, 5);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          bodyScrollWidth: document.body.scrollWidth, bars, controls, wide, pwned: window.__pwned || 0,
          injected: document.querySelectorAll('img[src="x"], .label b, .kb-label b').length};
}"""


@pytest.mark.parametrize(("width", "height"), KIOSK_VIEWPORTS, ids=[f"{w}x{h}" for w, h in KIOSK_VIEWPORTS])
def test_kiosk_budget_page_fits_the_touch_screen(budget_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                                  width: int, height: int) -> None:
    page = open_page(f"kiosk-budget-{width}x{height}", width, height, has_touch=True)
    page.goto(f"{budget_server.url}/kiosk")
    tile = page.locator(".q-btn", has_text="Anggaran Desa")
    expect(tile).to_be_visible()
    box = tile.bounding_box()
    assert box is not None and box["height"] >= 64 and box["y"] + box["height"] <= height, box
    tile.tap()
    page.wait_for_url(f"{budget_server.url}/kiosk/budget")
    expect(page.get_by_text(f"APBDes {THIS_YEAR}", exact=True)).to_be_visible()
    expect(page.get_by_text("Belanja per bidang")).to_be_visible()
    expect(page.locator(".kb-bar").first).to_be_visible()
    screenshot(page, "id")

    m = page.evaluate(MEASURE_JS, ".kb-bar")
    assert m["scrollWidth"] <= m["innerWidth"] and m["bodyScrollWidth"] <= m["innerWidth"], \
        f"sideways scrolling: {m['scrollWidth']} > {m['innerWidth']} ({m['wide']})"
    assert not m["wide"], f"elements stick out at the side: {m['wide']}"
    assert len(m["bars"]) >= 5 + 2
    assert all(bar["width"] >= 2 and bar["width"] <= bar["track"] + 0.5 for bar in m["bars"]), m["bars"]
    assert max(bar["width"] for bar in m["bars"]) > 0.9 * min(bar["track"] for bar in m["bars"])  # the widest fills
    for control in m["controls"]:
        assert control["height"] >= 64 and control["width"] >= 64, f"too small to tap: {control}"
    amounts = page.locator(".kb-amount").all_inner_texts()
    assert len(amounts) == 3 and all(RUPIAH.match(text.strip()) for text in amounts), amounts
    assert m["pwned"] == 0 and m["injected"] == 0

    # The body scrolls up and down to the last chart, never sideways.
    page.locator(".kb-body").evaluate("(el) => el.scrollTo(0, el.scrollHeight)")
    expect(page.get_by_text("Pembiayaan", exact=True)).to_be_in_viewport()

    # Last year is one tap away; English on the language button.
    page.get_by_role("button", name=str(THIS_YEAR - 1)).tap()
    expect(page.get_by_text(f"APBDes {THIS_YEAR - 1}", exact=True)).to_be_visible()
    page.get_by_role("button", name="English").tap()
    expect(page.get_by_text("Spending by sector")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, "en")
    page.get_by_role("button", name="Back").tap()
    page.wait_for_url(f"{budget_server.url}/kiosk")


def test_phone_budget_page_on_a_small_phone(budget_server: BalaiServer, open_page, screenshot) -> None:  # noqa: ANN001
    page = open_page("phone-budget", 360, 640, is_mobile=True, has_touch=True)
    page.goto(f"{budget_server.url}/m")
    page.get_by_test_id("budget-link").tap()
    page.wait_for_url(re.compile(r"/m/budget\?lang=id$"))
    expect(page.get_by_test_id("budget-year")).to_have_text(f"APBDes {THIS_YEAR}")
    totals = page.locator(".total .amount").all_inner_texts()
    assert len(totals) == 3 and all(RUPIAH.match(text.strip()) for text in totals), totals
    expect(page.get_by_test_id("chart-bidang").locator("li")).to_have_count(5)
    screenshot(page, "top")

    m = page.evaluate(MEASURE_JS, ".chart .bar")
    assert m["scrollWidth"] <= m["innerWidth"], f"sideways scrolling: {m['scrollWidth']} ({m['wide']})"
    assert not m["wide"], f"elements stick out at the side: {m['wide']}"
    assert all(bar["width"] >= 2 and bar["width"] <= bar["track"] + 0.5 for bar in m["bars"]), m["bars"]
    for control in m["controls"]:
        assert control["height"] >= 44, f"too small to tap: {control}"

    # The activities of bidang 2 hold the markup line: shown as the very characters, nothing injected.
    details = page.locator("details", has_text="Pelaksanaan Pembangunan Desa")
    details.locator("summary").tap()
    expect(details.get_by_text(MARKUP, exact=True)).to_be_visible()
    expect(details.get_by_text("Rp 7.500.000")).to_be_visible()
    m = page.evaluate(MEASURE_JS, ".chart .bar")
    assert m["pwned"] == 0 and m["injected"] == 0
    assert m["scrollWidth"] <= m["innerWidth"]
    screenshot(page, "activities")

    page.locator(".years a", has_text=str(THIS_YEAR - 1)).tap()
    expect(page.get_by_test_id("budget-year")).to_have_text(f"APBDes {THIS_YEAR - 1}")
    page.get_by_test_id("language").tap()
    expect(page.get_by_test_id("budget-year")).to_have_text(f"Budget {THIS_YEAR - 1}")
    expect(page.get_by_text("Income by source")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture(scope="module")
def attract_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    root = tmp_path_factory.mktemp("budget-attract")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "2"}).start()
    yield server
    server.stop()


def test_attract_screen_shows_the_budget_slide(attract_server: BalaiServer, open_page, screenshot) -> None:  # noqa: ANN001
    page = open_page("attract-budget", 800, 480, has_touch=True)
    page.goto(f"{attract_server.url}/kiosk")
    expect(page.get_by_text("Sentuh layar untuk mulai")).to_be_visible(timeout=30_000)
    slide = page.locator(".q-carousel__slide", has_text=f"Anggaran Desa {THIS_YEAR}")
    expect(slide).to_be_visible(timeout=60_000)
    page.wait_for_timeout(800)  # the fade from the previous slide
    expect(slide.get_by_text("Belanja terealisasi")).to_be_visible()
    assert slide.get_by_text(re.compile(r"Pendapatan Rp \d")).count() == 1
    for size in ((800, 480), (480, 800)):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_timeout(300)
        m = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert m[0] <= size[0] and m[1] <= size[1], f"the attract screen scrolls at {size}: {m}"
        screenshot(page, f"{size[0]}x{size[1]}")


OPERATOR_PASSWORD = "Loket-Satu-2026"


@pytest.fixture(scope="module")
def office_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A demo office with an operator account made before the server starts (no forced password change)."""
    from kiosk.app import prepare_database
    from kiosk.db import close_database
    from kiosk.services import accounts
    from kiosk.settings import load_settings

    root = tmp_path_factory.mktemp("budget-operator")
    settings = load_settings(environ={}, overrides={"data_dir": root / "data", "mdns_enabled": False})
    prepare_database(settings)
    try:
        accounts.create_user("siti", OPERATOR_PASSWORD, "operator", actor="test")
    finally:
        close_database()
    server = TestServer(root / "data", log_path=root / "server.log").start()
    yield server
    server.stop()


def test_operator_imports_a_sheet_through_the_browser(office_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                                      tmp_path) -> None:  # noqa: ANN001
    from tests.support.budget_sheets import messy_sheet

    sheet = tmp_path / "Lampiran APBDes 2025.xlsx"
    sheet.write_bytes(messy_sheet())
    page = open_page("operator-budget", 1280, 800)
    page.goto(f"{office_server.url}/login?next=/operator/budget")
    page.get_by_label("Nama pengguna").fill("siti")
    page.get_by_label("Kata sandi").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{office_server.url}/operator/budget")
    expect(page.get_by_text("Diterbitkan (tampil untuk warga)").first).to_be_visible()
    expect(page.get_by_text("Rp ").first).to_be_visible()
    screenshot(page, "lines")

    page.get_by_label("Tahun baru").fill("2030")
    page.get_by_role("button", name="Tambah tahun").click()
    expect(page.get_by_text("Tahun ini belum berisi baris.")).to_be_visible()
    page.locator(".q-uploader input[type=file]").set_input_files(str(sheet))
    expect(page.get_by_text("11 baris terbaca dari lembar \"Lampiran I\" (judul di baris 6)")).to_be_visible()
    expect(page.get_by_text("Lembar ini menyebut tahun 2025, tetapi akan disimpan sebagai tahun 2030.")).to_be_visible()
    screenshot(page, "dry-run")
    page.get_by_role("button", name="Simpan 11 baris ke tahun 2030").click()
    expect(page.get_by_text("11 baris disimpan ke tahun 2030.")).to_be_visible()
    expect(page.get_by_text("Pendapatan Rp 1.295.000.000 · Belanja Rp 750.000.000 · Surplus Rp 545.000.000")) \
        .to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "imported")
