"""The kiosk's letter flows on every touch screen the office may have, landscape and portrait (issue 6).

Each viewport walks the request flow (NIK keypad -> PIN -> a letter type -> its fields, typed on the letter
keyboard and the digit keys -> check -> tracking code) and the check flow (tracking code on the letter
keyboard, and the resident's own list after NIK + PIN). At every step one `page.evaluate` measures the page:
nothing scrolls or spills out of the step's body, and every button of the kiosk screen is at least 64 px
both ways, inside the viewport and not covered. Every step is screenshotted as `<viewport>-<step>`.

Then the idle reset: a half-typed NIK left alone sends the kiosk home and leaves no trace in the browser.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable

import httpx
import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

MIN_CONTROL_PX = 64
VIEWPORTS = [(800, 480), (480, 800), (1024, 600), (600, 1024)]
IDLE_SECONDS = 6
KEYED_TYPES = {"text", "textarea", "number", "money"}  # answers the walk can type (no date, NIK or choice)


@pytest.fixture(scope="module")
def flow_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A demo office with its generated residents: one of them has a self-service PIN (printed in the log)."""
    root = tmp_path_factory.mktemp("kiosk-viewports")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_DEMO_POPULATION": "1"}).start(timeout=180)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def idle_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A quick demo office (no residents needed) whose kiosk gives up after a few idle seconds."""
    root = tmp_path_factory.mktemp("kiosk-idle")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_IDLE_SECONDS": str(IDLE_SECONDS)}).start()
    yield server
    server.stop()


def _resident(server: BalaiServer) -> tuple[str, str]:
    found = re.findall(r"NIK : (\d{16})\s+PIN : (\d{6})", server.log_text())
    assert found, "the demo seed printed no resident NIK/PIN"
    return found[-1]


def _roomiest_type(server: BalaiServer) -> dict[str, Any]:
    """The letter type that is hardest to fit: the most questions and the longest list of things to bring,
    among those whose required answers can be typed. It needs a text question (the letter keyboard) and a
    second page of questions (the pager)."""
    types = httpx.get(f"{server.url}/api/v1/letters/types", timeout=10).json()
    fillable = [each for each in types
                if all(field["type"] in KEYED_TYPES for field in each["fields"] if field["required"])
                and any(field["type"] in ("text", "textarea") for field in each["fields"])]
    assert fillable, "no letter type whose required questions can all be typed"
    chosen = max(fillable, key=lambda each: (len(each["fields"]), sum(map(len, each["requirements"])), each["name"]))
    assert len(chosen["fields"]) > 6, f"{chosen['name']} has too few questions to need the pager"
    return chosen


MEASURE_JS = """() => {
  const round = (value) => Math.round(value);
  const root = document.querySelector('.ks-root');
  const body = root ? root.querySelector('.ks-body') : null;
  const out = {
    title: root && root.querySelector('.ks-head') ? root.querySelector('.ks-head').innerText.trim() : null,
    busy: !!document.querySelector('.q-notification'),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
    scrollHeight: document.documentElement.scrollHeight, innerHeight: innerHeight,
    body: body ? [body.scrollWidth, body.clientWidth, body.scrollHeight, body.clientHeight] : null,
    buttons: [], small: [], outside: [], clipped: [], covered: [],
  };
  if (!root || !body) return out;
  const box = body.getBoundingClientRect();
  for (const button of root.querySelectorAll('.q-btn')) {
    const r = button.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(button).visibility === 'hidden') continue;
    const name = (button.innerText || button.getAttribute('aria-label') || '?').replace(/\\s+/g, ' ').trim()
      .slice(0, 28);
    const size = `${round(r.width)}x${round(r.height)}`;
    out.buttons.push(`${name} ${size} @${round(r.x)},${round(r.y)}`);
    if (r.width < %(min)d || r.height < %(min)d) out.small.push(`${name} ${size}`);
    if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
      out.outside.push(`${name} ${size} @${round(r.x)},${round(r.y)}`);
    if (body.contains(button) && (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5
                                  || r.left < box.left - 0.5 || r.right > box.right + 0.5))
      out.clipped.push(`${name} ${size} @${round(r.x)},${round(r.y)}`);
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (!(hit && button.contains(hit))) out.covered.push(name);
  }
  return out;
}""" % {"min": MIN_CONTROL_PX}


def _measure(page: Any) -> dict[str, Any]:
    """One consistent snapshot of a drawn step, taken once two measurements 150 ms apart agree (each step is
    drawn over the websocket: a half-drawn screen must not be judged). One evaluate() per snapshot, so a
    redraw can never fall between the numbers of one snapshot."""
    deadline = time.monotonic() + 15.0
    previous: dict[str, Any] | None = None
    while True:
        current = page.evaluate(MEASURE_JS)
        settled = not current["busy"] and current["body"] is not None and bool(current["buttons"])
        if settled and current == previous:
            return current
        if time.monotonic() > deadline:
            return current
        previous = current if settled else None
        page.wait_for_timeout(150)


def _check_step(page: Any, screenshot: Callable[[Any, str], Any], viewport: str, step: str) -> dict[str, Any]:
    """The step fits: no page scrolling, nothing spilling out of the step's body, and every button finger-sized,
    on screen and uncovered. Screenshot kept as `<viewport>-<step>` whatever the outcome."""
    m = _measure(page)
    screenshot(page, f"{viewport}-{step}")
    where = f"{viewport} {step} ({m['title']})"
    assert m["body"] is not None, f"{where}: no kiosk step on screen"
    assert not m["busy"], f"{where}: still busy"
    assert m["scrollHeight"] <= m["innerHeight"], f"{where}: the page scrolls vertically ({m['scrollHeight']} px)"
    assert m["scrollWidth"] <= m["innerWidth"], f"{where}: the page scrolls sideways ({m['scrollWidth']} px)"
    width, client_width, height, client_height = m["body"]
    assert height <= client_height + 1, f"{where}: the step's content is {height} px high, {client_height} px shown"
    assert width <= client_width + 1, f"{where}: the step's content is {width} px wide, {client_width} px shown"
    assert not m["small"], f"{where}: controls smaller than {MIN_CONTROL_PX} px: {m['small']}"
    assert not m["outside"], f"{where}: controls outside the screen: {m['outside']}"
    assert not m["clipped"], f"{where}: controls cut off by the step's body: {m['clipped']}"
    assert not m["covered"], f"{where}: controls covered by something else: {m['covered']}"
    return m


def _key(page: Any, char: str) -> Any:
    """A key drawn in the page, by the text it shows (an icon key's text is its icon's name)."""
    name = "spasi" if char == " " else re.escape(char)
    return page.locator(".ks-root .balai-key").filter(has_text=re.compile(f"^{name}$", re.IGNORECASE))


KEYS_JS = """async () => {
  await document.fonts.ready;  // a late web font could still move the keys
  return Object.fromEntries([...document.querySelectorAll('.ks-root .balai-key')].map((key) => {
    const r = key.getBoundingClientRect();
    return [key.innerText.trim().toLowerCase(), [r.x + r.width / 2, r.y + r.height / 2]];
  }));
}"""


def _tap_keys(page: Any, text: str) -> None:
    """Touch the keys for `text` at their centres, as a finger would. The keys stay put while typing, so their
    places are read once; touching the point (not the element) also proves nothing covers the key there."""
    expect(_key(page, text[0])).to_be_visible()
    places = page.evaluate(KEYS_JS)
    for char in text:
        x, y = places["spasi" if char == " " else char.lower()]
        page.touchscreen.tap(x, y)


def _tile(page: Any, text: str) -> Any:
    return page.locator(".ks-tile", has_text=text).first


def _entry(page: Any) -> Any:
    return page.locator(".ks-root input").first


def _next_page(page: Any) -> None:
    """Tap the pager's next button and wait for the next page number (not merely for the old page to go: a
    step is redrawn by clearing it first, and an empty moment must not count as the next page)."""
    pager = page.locator(".ks-pager")
    shown = re.search(r"(\d+)/(\d+)", pager.inner_text())
    assert shown, f"no page number in {pager.inner_text()!r}"
    number, pages = int(shown.group(1)), int(shown.group(2))
    assert number < pages, f"already on the last page ({number}/{pages})"
    pager.locator(".q-btn", has_text="chevron_right").tap()
    expect(pager).to_contain_text(f"{number + 1}/{pages}")


def _choose_type(page: Any, name: str) -> None:
    """Turn the pages of letter types until `name` shows, then tap it."""
    tile = page.locator(".ks-tile", has_text=name)
    while not tile.count():
        _next_page(page)
    tile.first.tap()


def _answer(page: Any, field: dict[str, Any], text: str) -> None:
    """Open a question's editor, type the answer as a plugged-in keyboard would, and save it with OK."""
    _tile(page, field["label"]).tap()
    expect(page.get_by_role("button", name="OK")).to_be_visible()
    _entry(page).fill(text)
    page.get_by_role("button", name="OK").tap()
    expect(_tile(page, text)).to_be_visible()


def _show_field(page: Any, label: str) -> None:
    """The page of the question list that holds `label` (the list pages by six)."""
    if not page.locator(".ks-tile", has_text=label).count():
        _next_page(page)
    expect(_tile(page, label)).to_be_visible()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_letter_flows_fit_every_kiosk_screen(flow_server: BalaiServer, open_page, screenshot,  # noqa: ANN001
                                             width: int, height: int) -> None:
    nik, pin = _resident(flow_server)
    letter = _roomiest_type(flow_server)
    fields = letter["fields"]
    viewport = f"{width}x{height}"
    page = open_page(f"kiosk-viewport-{viewport}", width, height, has_touch=True)

    def check(step: str) -> dict[str, Any]:
        return _check_step(page, screenshot, viewport, step)

    # --- request: NIK, PIN, type, questions, check, tracking code ------------------------------------------
    page.goto(f"{flow_server.url}/kiosk/surat")
    expect(page.get_by_text("Masukkan NIK Anda")).to_be_visible()
    _tap_keys(page, nik)
    expect(page.get_by_text("16 dari 16 angka")).to_be_visible()
    check("nik")
    page.get_by_role("button", name="Lanjut").tap()

    expect(page.get_by_text("Masukkan PIN Anda")).to_be_visible()
    _tap_keys(page, pin)
    expect(_entry(page)).to_have_value(pin)
    check("pin")
    page.get_by_role("button", name="Masuk").tap()

    expect(page.get_by_text("Pilih surat yang Anda perlukan")).to_be_visible()
    check("types")
    _choose_type(page, letter["name"])

    expect(page.get_by_text(f"Isi data: {letter['name']}")).to_be_visible()
    check("fields")

    required = [field for field in fields if field["required"]]
    typed = next(field for field in required if field["type"] in ("text", "textarea"))
    _tile(page, typed["label"]).tap()
    expect(_key(page, " ")).to_be_visible()
    check("keyboard")
    _tap_keys(page, "DI KOTA")
    expect(_entry(page)).to_have_value("Di kota")
    check("keyboard-typed")
    page.get_by_role("button", name="OK").tap()
    expect(_tile(page, "Di kota")).to_be_visible()

    digits = next((field for field in fields if field["type"] in ("number", "money")), None)
    if digits is not None:
        _show_field(page, digits["label"])
        _tile(page, digits["label"]).tap()
        expect(_key(page, "backspace")).to_be_visible()
        _tap_keys(page, "250")
        expect(_entry(page)).to_have_value("250")
        check("digit-keys")
        page.get_by_role("button", name="OK").tap()
        expect(page.get_by_text(f"Isi data: {letter['name']}")).to_be_visible()

    choice = next((field for field in fields if field["type"] == "select"), None)
    if choice is not None:
        _show_field(page, choice["label"])
        _tile(page, choice["label"]).tap()
        option = page.locator(".ks-root .ks-tile", has_text=choice["options"][-1])
        expect(option).to_be_visible()
        check("choice")
        option.tap()
        expect(page.get_by_text(f"Isi data: {letter['name']}")).to_be_visible()

    for field in required:
        if field in (typed, digits):
            continue
        _show_field(page, field["label"])
        _answer(page, field, "12" if field["type"] in ("number", "money") else f"Isian {field['label']}")
    _show_field(page, fields[-1]["label"])
    check("fields-page-2")
    page.get_by_role("button", name="Lanjut").tap()

    expect(page.get_by_text("Periksa permohonan Anda")).to_be_visible()
    expect(page.get_by_text(letter["requirements"][-1])).to_be_attached()
    check("confirm")
    page.get_by_role("button", name="Kirim").tap()

    expect(page.get_by_text("Kode pelacakan surat Anda")).to_be_visible()
    code = page.locator(".ks-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
    check("tracking-code")

    # --- check by tracking code, then the resident's own list ------------------------------------------------
    page.goto(f"{flow_server.url}/kiosk/surat/cek")
    expect(page.get_by_text("Cek dengan kode pelacakan")).to_be_visible()
    check("check-start")
    _tile(page, "Cek dengan kode pelacakan").tap()
    expect(page.get_by_text("Masukkan kode pelacakan dari struk Anda")).to_be_visible()
    check("code")
    _tap_keys(page, "ABCD2")
    expect(_entry(page)).to_have_value("ABCD2")
    page.get_by_role("button", name="Cek").tap()
    expect(page.get_by_text("Kode pelacakan terdiri dari 8 huruf dan angka.")).to_be_visible()
    check("code-refused")
    _entry(page).fill("")
    _tap_keys(page, code)
    expect(_entry(page)).to_have_value(code)
    page.get_by_role("button", name="Cek").tap()
    expect(page.get_by_text("Sedang Diperiksa")).to_be_visible()
    check("code-status")

    page.get_by_role("button", name="Kembali").tap()
    expect(page.get_by_text("Masukkan kode pelacakan dari struk Anda")).to_be_visible()
    page.get_by_role("button", name="Kembali").tap()
    _tile(page, "Masuk dengan NIK dan PIN").tap()
    expect(page.get_by_text("Masukkan NIK Anda")).to_be_visible()
    _entry(page).fill(nik)
    page.get_by_role("button", name="Lanjut").tap()
    expect(page.get_by_text("Masukkan PIN Anda")).to_be_visible()
    _entry(page).fill(pin)
    page.get_by_role("button", name="Masuk").tap()
    expect(page.get_by_text("Surat Anda")).to_be_visible()
    expect(page.get_by_text(code).first).to_be_visible()
    check("my-letters")


TRACE_JS = """(typed) => ({
  text: document.body.innerText.includes(typed),
  html: document.documentElement.outerHTML.includes(typed),
  storage: JSON.stringify({...localStorage}).includes(typed) || JSON.stringify({...sessionStorage}).includes(typed),
  inputs: [...document.querySelectorAll('input, textarea')].map((element) => element.value),
})"""


def _assert_no_trace(page: Any, typed: str, where: str) -> None:
    found = page.evaluate(TRACE_JS, typed)
    assert not found["text"], f"{where}: the typed digits are still on screen"
    assert not found["html"], f"{where}: the typed digits are still in the page"
    assert not found["storage"], f"{where}: the typed digits are kept in the browser's storage"
    assert not any(typed in value for value in found["inputs"]), f"{where}: an input still holds them: {found}"


def test_idle_kiosk_goes_home_and_forgets_a_half_typed_nik(idle_server: BalaiServer, open_page,  # noqa: ANN001
                                                            screenshot) -> None:
    typed = "320495178"  # unlikely to appear anywhere else in a page
    page = open_page("kiosk-idle", 800, 480, has_touch=True)
    page.goto(f"{idle_server.url}/kiosk/surat")
    expect(page.get_by_text("Masukkan NIK Anda")).to_be_visible()
    _tap_keys(page, typed)
    expect(_entry(page)).to_have_value(typed)
    expect(page.get_by_text(f"{len(typed)} dari 16 angka")).to_be_visible()
    typed_at = time.monotonic()
    screenshot(page, "idle-typed")

    page.wait_for_url(re.compile(r"/kiosk/?$"), timeout=(IDLE_SECONDS + 30) * 1000)
    waited = time.monotonic() - typed_at
    assert waited >= IDLE_SECONDS - 2, f"went home after {waited:.1f} s, before the {IDLE_SECONDS} s idle time"
    page.wait_for_load_state()
    expect(page.locator(".ks-root")).to_have_count(0)
    _assert_no_trace(page, typed, "kiosk home")
    screenshot(page, "idle-home")

    page.goto(f"{idle_server.url}/kiosk/surat")
    expect(page.get_by_text("Masukkan NIK Anda")).to_be_visible()
    expect(_entry(page)).to_have_value("")
    expect(page.get_by_text("0 dari 16 angka")).to_be_visible()
    _assert_no_trace(page, typed, "letter request after idle")
    screenshot(page, "idle-again")
