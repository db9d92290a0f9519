"""Letters in a real browser: the kiosk request flow tapped through on the small touch screens (every step
fits, every control is finger-sized), and the phone flow on a phone-sized screen."""

from __future__ import annotations

import re

import httpx
import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

MIN_CONTROL_PX = 64
KIOSK_VIEWPORTS = [(1024, 600), (800, 480)]
PHONE_VIEWPORTS = [(390, 844), (360, 640)]


@pytest.fixture(scope="module")
def letters_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A demo office with its generated residents; one of them has a self-service PIN (printed in the log)."""
    root = tmp_path_factory.mktemp("letter-flows")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_DEMO_POPULATION": "1"}).start(timeout=180)
    yield server
    server.stop()


def _resident(server: BalaiServer) -> tuple[str, str]:
    found = re.findall(r"NIK : (\d{16})\s+PIN : (\d{6})", server.log_text())
    assert found, "the demo seed printed no resident NIK/PIN"
    return found[-1]


def _simple_type(server: BalaiServer) -> dict:
    """The enabled letter type with the fewest questions, all of them plain text (typed on the letter keys)."""
    types = httpx.get(f"{server.url}/api/v1/letters/types", timeout=10).json()
    plain = [each for each in types if all(field["type"] in ("text", "textarea") for field in each["fields"])]
    assert plain, "no letter type with only text questions"
    return min(plain, key=lambda each: (len([f for f in each["fields"] if f["required"]]), each["name"]))


LAYOUT_JS = """() => {
  const out = {scrollHeight: document.documentElement.scrollHeight, innerHeight: innerHeight,
               scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, small: [], hidden: []};
  for (const button of document.querySelectorAll('.q-btn')) {
    const r = button.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(button).visibility === 'hidden') continue;
    if (button.closest('.q-notification')) continue;
    const name = (button.innerText || button.getAttribute('aria-label') || '?').trim().slice(0, 24);
    if (r.width < %(min)d || r.height < %(min)d)
      out.small.push(`${name} ${Math.round(r.width)}x${Math.round(r.height)}`);
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || !(hit && button.contains(hit)))
      out.hidden.push(name);
  }
  return out;
}""" % {"min": MIN_CONTROL_PX}


def _check_kiosk_layout(page, label: str) -> None:  # noqa: ANN001 - a Playwright page
    """No scrolling either way, every button at least 64 px both ways and not cut off or covered."""
    page.wait_for_timeout(250)  # let the step finish drawing
    page.wait_for_function("!document.querySelector('.q-notification')")  # "Sedang memeriksa…" has gone
    m = page.evaluate(LAYOUT_JS)
    assert m["scrollHeight"] <= m["innerHeight"], f"{label}: scrolls vertically ({m['scrollHeight']} px)"
    assert m["scrollWidth"] <= m["innerWidth"], f"{label}: scrolls horizontally ({m['scrollWidth']} px)"
    assert not m["small"], f"{label}: controls smaller than {MIN_CONTROL_PX} px: {m['small']}"
    assert not m["hidden"], f"{label}: controls cut off or covered: {m['hidden']}"


def _tap_keys(page, text: str) -> None:  # noqa: ANN001
    for char in text:
        name = "spasi" if char == " " else re.escape(char)
        page.get_by_role("button", name=re.compile(f"^{name}$", re.IGNORECASE)).tap()


@pytest.mark.parametrize(("width", "height"), KIOSK_VIEWPORTS, ids=[f"{w}x{h}" for w, h in KIOSK_VIEWPORTS])
def test_kiosk_request_by_tapping(letters_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                  width: int, height: int) -> None:
    nik, pin = _resident(letters_server)
    letter = _simple_type(letters_server)
    label = f"{width}x{height}"
    page = open_page(f"kiosk-letters-{label}", width, height, has_touch=True)
    page.goto(f"{letters_server.url}/kiosk")
    page.get_by_role("button", name=re.compile("Minta Surat")).tap()

    expect(page.get_by_text("Masukkan NIK Anda")).to_be_visible()
    _tap_keys(page, nik)
    expect(page.get_by_text("16 dari 16 angka")).to_be_visible()
    _check_kiosk_layout(page, f"{label} NIK")
    page.get_by_role("button", name="Lanjut").tap()

    expect(page.get_by_text("Masukkan PIN Anda")).to_be_visible()
    _tap_keys(page, pin)
    _check_kiosk_layout(page, f"{label} PIN")
    page.get_by_role("button", name="Masuk").tap()

    expect(page.get_by_text("Pilih surat yang Anda perlukan")).to_be_visible()
    _check_kiosk_layout(page, f"{label} types")
    tile = page.locator(".ks-tile", has_text=letter["name"])
    pager = page.locator(".ks-pager")
    while tile.count() == 0:
        # The icon's name is hidden from the accessibility tree: find the button by its text, and wait for the
        # next page's number (a redrawn step is empty for a moment).
        shown = re.search(r"(\d+)/(\d+)", pager.inner_text())
        assert shown and shown.group(1) != shown.group(2), f"no tile for {letter['name']}"
        pager.locator(".q-btn", has_text="chevron_right").tap()
        expect(pager).to_contain_text(f"{int(shown.group(1)) + 1}/{shown.group(2)}")
    tile.first.tap()

    expect(page.get_by_text(f"Isi data: {letter['name']}")).to_be_visible()
    _check_kiosk_layout(page, f"{label} fields")
    for field in [f for f in letter["fields"] if f["required"]]:
        page.locator(".ks-tile", has_text=field["label"]).first.tap()
        expect(page.get_by_role("button", name="spasi")).to_be_visible()
        _check_kiosk_layout(page, f"{label} keyboard")
        _tap_keys(page, "KERJA DI KOTA")
        expect(page.locator("input").first).to_have_value("Kerja di kota")
        page.get_by_role("button", name="OK").tap()
        expect(page.locator(".ks-tile", has_text="Kerja di kota").first).to_be_visible()
    page.get_by_role("button", name="Lanjut").tap()

    expect(page.get_by_text("Periksa permohonan Anda")).to_be_visible()
    _check_kiosk_layout(page, f"{label} confirm")
    page.get_by_role("button", name="Kirim").tap()

    expect(page.get_by_text("Kode pelacakan surat Anda")).to_be_visible()
    code = page.locator(".ks-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    expect(page.get_by_text("Sedang Diperiksa")).to_be_visible()
    _check_kiosk_layout(page, f"{label} tracking code")
    screenshot(page, "tracking-code")
    status = httpx.get(f"{letters_server.url}/m/s/{code}", timeout=10)
    assert status.status_code == 200 and letter["name"] in status.text and "Sedang Diperiksa" in status.text


@pytest.mark.parametrize(("width", "height"), PHONE_VIEWPORTS, ids=[f"{w}x{h}" for w, h in PHONE_VIEWPORTS])
def test_phone_request_to_tracking_page(letters_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                        width: int, height: int) -> None:
    nik, pin = _resident(letters_server)
    letter = _simple_type(letters_server)
    page = open_page(f"phone-letters-{width}x{height}", width, height, has_touch=True, is_mobile=True)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{letters_server.url}/m/surat")
    page.get_by_label("NIK (16 angka)").fill(nik)
    page.get_by_label("PIN (6 angka)").fill(pin)
    screenshot(page, "login")
    page.get_by_role("button", name="Masuk").tap()

    expect(page.get_by_role("heading", name="Pilih jenis surat")).to_be_visible()
    page.get_by_role("link", name=re.compile(re.escape(letter["name"]))).first.tap()
    expect(page.get_by_role("heading", name=letter["name"])).to_be_visible()
    for field in [f for f in letter["fields"] if f["required"]]:
        page.locator(f"[name={field['name']}]").fill("Kerja di kota")
    screenshot(page, "form")
    page.get_by_role("button", name="Kirim Permohonan").tap()

    expect(page.get_by_role("heading", name="Permohonan terkirim")).to_be_visible()
    code = page.get_by_test_id("code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    screenshot(page, "tracking-code")
    page.get_by_test_id("status-link").tap()
    expect(page.get_by_test_id("status")).to_have_text("Sedang Diperiksa")
    expect(page.get_by_role("heading", name=f"Status Surat {code}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the status page scrolls sideways"
    screenshot(page, "status")
    outside = [url for url in requests if not url.startswith(letters_server.url)]
    assert not outside, f"the phone pages loaded something from elsewhere: {outside}"
