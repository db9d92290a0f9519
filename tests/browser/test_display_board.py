"""The waiting-room TV (/display) in real Chromium: readable from the back of the room at the two usual TV
resolutions, live without a reload, and able to pick itself up after the server restarts or the network
blips, because nobody in a waiting room will walk up to the TV and press F5.

NiceGUI's own client does the recovering (socket.io reconnects with back-off; after a restart the server no
longer knows the page's client id, the handshake fails and nicegui.js reloads the page once the server
answers). These tests pin that behaviour down so a NiceGUI upgrade that loses it fails here.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any, Callable
from urllib.parse import quote

import httpx
import pytest
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.browser.test_kiosk_layouts import _announce
from tests.support.server import BalaiServer, make_token
from tests.system.helpers import TestServer, take_ticket, wait_until

TV_SIZES = [(1920, 1080), (1366, 768)]
MIN_NUMBER_FONT = 0.08  # of the viewport height: ~86 px on a 1080p TV, readable from ~10 m
RECOVERY_SECONDS = 30


class Board:
    """One demo server plus an operator token, and the API calls a counter makes."""

    def __init__(self, server: BalaiServer) -> None:
        self.server = server
        self.token = make_token(server.data_dir, f"display-test-{server.port}")

    def call(self, counter: str = "Loket 1", service: str = "A") -> str:
        """Take a ticket and call it at `counter`, as the kiosk and the operator would; returns its number."""
        take_ticket(self.server.url, service)
        response = httpx.post(f"{self.server.url}/api/v1/queue/counters/{quote(counter, safe='')}/call-next",
                              headers={"Authorization": f"Bearer {self.token}"}, timeout=10.0)
        assert response.status_code == 200, f"{response.status_code}: {response.text}"
        return response.json()["number"]


@pytest.fixture(scope="module")
def board(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:  # noqa: ARG001 - browser: skip early
    """One demo server for the layout checks, which only add calls and announcements."""
    root = tmp_path_factory.mktemp("display-board")
    server = TestServer(root / "data", log_path=root / "server.log").start()
    try:
        yield Board(server)
    finally:
        server.stop()


MEASURE_JS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
  return {
    innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight,
    bodyScrollWidth: document.body.scrollWidth, bodyScrollHeight: document.body.scrollHeight,
    numbers: [...document.querySelectorAll('.board-number')].map((el) => ({
      text: el.innerText.trim(), font: parseFloat(getComputedStyle(el).fontSize), box: box(el),
      card: box(el.closest('.q-card')), clipped: el.scrollWidth > el.clientWidth + 1 })),
    calls: [...document.querySelectorAll('.board-call')].map((el) => ({text: el.innerText, box: box(el)})),
  };
}"""


def _measure(page: Any) -> dict:
    """One snapshot of the layout, taken when two measurements 250 ms apart agree (the board redraws)."""
    deadline = time.monotonic() + 10.0
    previous = None
    while True:
        current = page.evaluate(MEASURE_JS)
        if current == previous or time.monotonic() > deadline:
            return current
        previous = current
        page.wait_for_timeout(250)


def _check_layout(page: Any, label: str) -> dict:
    m = _measure(page)
    width, height = m["innerWidth"], m["innerHeight"]
    assert m["scrollWidth"] <= width and m["bodyScrollWidth"] <= width, \
        f"{label}: horizontal overflow ({m['scrollWidth']}/{m['bodyScrollWidth']} > {width} px)"
    assert m["scrollHeight"] <= height and m["bodyScrollHeight"] <= height, \
        f"{label}: vertical overflow ({m['scrollHeight']}/{m['bodyScrollHeight']} > {height} px)"
    assert len(m["numbers"]) == 2, f"{label}: expected the demo's 2 counters, found {len(m['numbers'])}"
    for number in m["numbers"]:
        assert number["font"] >= MIN_NUMBER_FONT * height, \
            f"{label}: {number['text']!r} is {number['font']:.0f} px, below {MIN_NUMBER_FONT:.0%} of {height} px"
        b, card = number["box"], number["card"]
        assert not number["clipped"], f"{label}: {number['text']!r} is wider than its label"
        assert card["x"] - 1 <= b["x"] and b["right"] <= card["right"] + 1, \
            f"{label}: {number['text']!r} sticks out of its card ({b} vs {card})"
        assert card["bottom"] <= height and card["right"] <= width, f"{label}: a counter card is cut off"
    for call in m["calls"]:
        assert call["box"]["bottom"] <= height and call["box"]["right"] <= width, \
            f"{label}: last call {call['text']!r} is cut off"
    return m


def _counter_number(page: Any, counter: str) -> Any:
    return page.locator(".q-card", has_text=counter).locator(".board-number")


@pytest.mark.parametrize(("width", "height"), TV_SIZES, ids=[f"{w}x{h}" for w, h in TV_SIZES])
def test_board_is_large_fits_the_tv_and_shows_calls_live(board: Board, open_page: Callable[..., Any],
                                                         screenshot: Callable[[Any, str], Any],
                                                         width: int, height: int) -> None:
    page = open_page(f"display-{width}x{height}", width, height)
    page.goto(f"{board.server.url}/display")
    expect(page.get_by_text("Sedang Dilayani")).to_be_visible()
    expect(page.locator(".board-number")).to_have_count(2)
    _check_layout(page, f"{width}x{height} on opening")
    # This Chromium may play sound without a tap (as the appliance's TV browser): no button covers the board.
    expect(page.get_by_text("Sentuh untuk menyalakan suara")).to_be_hidden()
    screenshot(page, "opened")

    # Five calls over both counters (the last-calls list is full); the page is never reloaded.
    numbers = [board.call("Loket 1", "A"), board.call("Loket 2", "C"), board.call("Loket 1", "B"),
               board.call("Loket 2", "D"), board.call("Loket 1", "A")]
    expect(_counter_number(page, "Loket 1")).to_have_text(numbers[-1])
    expect(_counter_number(page, "Loket 2")).to_have_text(numbers[-2])
    calls = page.locator(".board-call")
    expect(calls).to_have_count(5)
    expect(calls.first).to_contain_text(numbers[-1])
    expect(calls.first).to_contain_text("Loket 1")
    expect(calls.last).to_contain_text(numbers[0])
    m = _check_layout(page, f"{width}x{height} after 5 calls")
    assert [n["text"] for n in m["numbers"]] == [numbers[-1], numbers[-2]]
    screenshot(page, "called")


@pytest.mark.parametrize(("width", "height"), TV_SIZES, ids=[f"{w}x{h}" for w, h in TV_SIZES])
def test_running_text_shows_the_announcements(board: Board, open_page: Callable[..., Any],
                                              screenshot: Callable[[Any, str], Any], width: int, height: int) -> None:
    """After the layout test on the same server: with announcements the running text appears, and still fits."""
    if (width, height) == TV_SIZES[0]:
        _announce(board.server, "Posyandu Balita", "Hari Kamis di balai desa, bawa buku KIA. " * 8)
        _announce(board.server, "Kerja Bakti", "Minggu pagi jam 07.00.")
    page = open_page(f"display-marquee-{width}x{height}", width, height)
    page.goto(f"{board.server.url}/display")
    marquee = page.locator(".board-marquee")
    expect(marquee).to_be_visible()
    expect(page.locator(".board-marquee-text")).to_contain_text("Posyandu Balita")
    expect(page.locator(".board-marquee-text")).to_contain_text("Kerja Bakti")
    box = marquee.bounding_box()
    assert box is not None and box["height"] >= 24 and box["y"] + box["height"] <= height, \
        f"the running text is not fully on screen: {box}"
    # The text really scrolls into view (each pass starts beyond the right edge): letters, not an empty bar.
    page.wait_for_function(RUNNING_TEXT_IN_VIEW_JS, timeout=20_000)
    _check_layout(page, f"{width}x{height} with running text")
    screenshot(page, "running-text")


RUNNING_TEXT_IN_VIEW_JS = """() => {
  const text = document.querySelector('.board-marquee-text');
  const bar = document.querySelector('.board-marquee');
  if (!text || !bar) return false;
  const r = text.getBoundingClientRect(), b = bar.getBoundingClientRect();
  const start = r.x + parseFloat(getComputedStyle(text).paddingLeft);
  return start < b.right - 600 && r.right > b.left + 600;  // clear of the sound button at the right
}"""


# --------------------------------------------------------------------------------------- recovery


def _watch_navigations(page: Any) -> list[float]:
    """Times (monotonic) of every top-level navigation of `page`: reloads are how NiceGUI recovers."""
    seen: list[float] = []
    page.on("framenavigated", lambda frame: seen.append(time.monotonic()) if frame == page.main_frame else None)
    return seen


def _open_live_board(open_page: Callable[..., Any], board: Board) -> Any:
    page = open_page("display", 1366, 768)
    page.goto(f"{board.server.url}/display")
    page.wait_for_function("window.did_handshake === true", timeout=30_000)
    first = board.call()
    expect(_counter_number(page, "Loket 1")).to_have_text(first)
    return page


def _down_and_up(page: Any, server: BalaiServer, stop: Callable[[], None], navigations: list[float],
                 down_seconds: float = 6.0) -> int:
    """Stop the server with `stop`, keep it down a while, start it again on the same data and port. Returns
    how many times the page navigated while the server was down (a reload loop would show here)."""
    port = server.port
    stop()
    assert not _port_answers(server.url), "the server still answers after being stopped"
    count_before = len(navigations)
    # Waiting through Playwright, not time.sleep: the sync API only delivers the page's events while it runs.
    page.wait_for_timeout(down_seconds * 1000)
    reloads_while_down = len(navigations) - count_before
    server.start()
    assert server.port == port
    return reloads_while_down


def _port_answers(url: str) -> bool:
    try:
        httpx.get(f"{url}/api/v1/health", timeout=1.0)
    except httpx.HTTPError:
        return False
    return True


def _sigterm(server: BalaiServer) -> None:
    server.stop()  # SIGTERM by PID, waits for the exit


def _sigkill(server: BalaiServer) -> None:
    pid = server.pid
    os.kill(pid, signal.SIGKILL)  # a power cut or the OOM killer: no shutdown handlers
    assert server.process is not None
    server.process.wait(10)


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_open_board_recovers_after_a_server_restart(start_server: Callable[..., BalaiServer],
                                                    open_page: Callable[..., Any],
                                                    screenshot: Callable[[Any, str], Any], how: str) -> None:
    board = Board(start_server())
    page = _open_live_board(open_page, board)
    navigations = _watch_navigations(page)
    stop = {"sigterm": _sigterm, "sigkill": _sigkill}[how]
    reloads_while_down = _down_and_up(page, board.server, lambda: stop(board.server), navigations)
    # A reload while nothing answers would land on Chromium's error page: NiceGUI must wait for the server.
    assert reloads_while_down == 0, f"the page reloaded {reloads_while_down} times while the server was down"

    number = board.call()  # a new number after the restart; the test never touches the page
    expect(_counter_number(page, "Loket 1")).to_have_text(number, timeout=RECOVERY_SECONDS * 1000)
    expect(page.locator(".board-call").first).to_contain_text(number)
    page.wait_for_function("window.did_handshake === true", timeout=10_000)
    screenshot(page, f"after-{how}")

    # Live again, not merely redrawn once: the next call arrives over the new connection too.
    following = board.call()
    expect(_counter_number(page, "Loket 1")).to_have_text(following)


def test_open_board_survives_a_network_blip(start_server: Callable[..., BalaiServer], open_page: Callable[..., Any],
                                            screenshot: Callable[[Any, str], Any]) -> None:
    """The TV's Wi-Fi drops for a while (longer than the server's 10 s reconnect_timeout, so the server has
    forgotten the page by the time it is back) and a number is called meanwhile."""
    board = Board(start_server())
    page = _open_live_board(open_page, board)
    page.context.set_offline(True)
    wait_until(lambda: page.evaluate("!window.socket.connected"), timeout=20.0, what="the socket to notice the cut")
    during = board.call()
    page.wait_for_timeout(12_000)  # the outage itself: longer than reconnect_timeout
    page.context.set_offline(False)
    expect(_counter_number(page, "Loket 1")).to_have_text(during, timeout=RECOVERY_SECONDS * 1000)
    after = board.call()
    expect(_counter_number(page, "Loket 1")).to_have_text(after, timeout=RECOVERY_SECONDS * 1000)
    screenshot(page, "after-blip")

    # A short blip (the websocket itself cut, the server still remembers the page): no reload needed.
    navigations = _watch_navigations(page)
    page.wait_for_function("window.did_handshake === true", timeout=10_000)
    page.evaluate("window.socket.io.engine.close()")
    short = board.call()
    expect(_counter_number(page, "Loket 1")).to_have_text(short, timeout=RECOVERY_SECONDS * 1000)
    assert not navigations, "a short websocket cut should not need a reload"
