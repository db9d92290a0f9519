"""Row 5 (optional): NiceGUI /display boards held open by real Chromium pages; and a browser's view of the
kiosk's first load for row 6. Uses Debian's /usr/bin/chromium through Playwright; skipped without it."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.bench.phones import LoadStats, operator
from tests.bench.procinfo import RssSampler

CHROMIUM = "/usr/bin/chromium"
OPEN_AT_ONCE = 5
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


class Skipped(Exception):
    """The row cannot run on this machine (no Chromium or no Playwright); not a failure."""


def _require_browser() -> None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        raise Skipped("skipped: /usr/bin/chromium not installed")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as error:
        raise Skipped("skipped: playwright not installed") from error


@dataclass
class DisplaysResult:
    before_kib: int
    connected_kib: int
    peak_kib: int
    pages: int
    seconds: float
    connect_seconds: float
    stats: LoadStats


async def run_displays(url: str, pid: int, token: str, *, pages: int = 10, seconds: float = 20.0,
                       counter: str = "Loket 1") -> DisplaysResult:
    """Open `pages` /display boards (one browser context each, so each is its own NiceGUI client), wait for
    every websocket handshake, then hold them `seconds` while the operator calls every 2 s."""
    _require_browser()
    from playwright.async_api import async_playwright

    sampler = RssSampler(pid, 0.5)
    sampler.start()
    before = sampler.samples[0]
    stats = LoadStats()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            started = time.monotonic()
            gate = asyncio.Semaphore(OPEN_AT_ONCE)

            async def open_board() -> None:
                async with gate:
                    context = await browser.new_context(viewport={"width": 1280, "height": 720})
                    page = await context.new_page()
                    await page.goto(f"{url}/display", wait_until="load", timeout=90_000)
                    await page.wait_for_function("window.did_handshake === true", timeout=90_000)

            await asyncio.gather(*(open_board() for _ in range(pages)))
            connect_seconds = time.monotonic() - started
            await asyncio.sleep(2.0)
            connected = max(sampler.samples[-3:])
            await operator(url, token, counter, time.monotonic() + seconds, stats)
        finally:
            await sampler.stop()
            await browser.close()
    return DisplaysResult(before, connected, sampler.peak, pages, seconds, connect_seconds, stats)


@dataclass
class BrowserLoad:
    files: int
    wire_bytes: int
    fonts: int
    font_bytes: int


async def kiosk_first_load(url: str, path: str = "/kiosk") -> BrowserLoad:
    """What Chromium really downloads for a cold /kiosk (empty cache): same-origin response bodies as
    encoded on the wire, fonts included."""
    _require_browser()
    from playwright.async_api import async_playwright

    origin = urlsplit(url).netloc
    sizes: list[tuple[str, str, int]] = []
    pending: list[asyncio.Task[None]] = []

    async def record(request) -> None:  # noqa: ANN001 - a playwright Request
        if urlsplit(request.url).netloc != origin:
            return
        measured = await request.sizes()
        sizes.append((request.url, request.resource_type, measured["responseBodySize"]))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 800, "height": 480})
            page = await context.new_page()
            page.on("requestfinished", lambda request: pending.append(asyncio.ensure_future(record(request))))
            await page.goto(f"{url}{path}", wait_until="networkidle", timeout=60_000)
            await page.wait_for_function("window.did_handshake === true", timeout=60_000)
            await asyncio.sleep(1.0)
            await asyncio.gather(*pending)
        finally:
            await browser.close()
    fonts = [s for s in sizes if s[1] == "font"]
    return BrowserLoad(len(sizes), sum(s[2] for s in sizes), len(fonts), sum(s[2] for s in fonts))
