"""Rows `tap` and `kiosk_bytes`: the kiosk as a resident meets it, in Debian's Chromium through Playwright.

`tap`: at 800x480 with touch, tap a service tile and time, inside the page, from the finger going down (the
pointerdown event's own timeStamp, so Playwright's command round trip is not counted) until the frame that
paints the ticket number (`.kiosk-number`, the element marked `ticket-number`) — then "Selesai" back home
and again. Each phase is timed too (pointerdown -> click -> the NiceGUI update carrying the ticket screen
-> DOM -> frame), so a miss says where the time went.

`kiosk_bytes`: every byte the browser receives to show /kiosk (HTML, scripts, CSS, fonts, images), from the
DevTools protocol's Network.loadingFinished encodedDataLength, with an empty cache and then again in the
same browser context (cached). The websocket's frames are not loads and are not counted.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from statistics import median

from tests.bench.browsers import CHROMIUM, CHROMIUM_ARGS, _require_browser
from tests.bench.report import percentile

KIOSK_VIEWPORT = {"width": 800, "height": 480}

# Installed once per page. Marks live on window.__tap; a new pointerdown starts a new measurement.
TAP_PROBE_JS = """() => {
  if (window.__tapProbe) return;
  window.__tapProbe = true;
  window.__tap = null;
  let lastUpdate = null;
  window.socket.on('update', () => { lastUpdate = performance.now(); });
  document.addEventListener('pointerdown', (e) => {
    window.__tap = {down: e.timeStamp, click: null, update: null, dom: null, frame: null};
  }, {capture: true});
  document.addEventListener('click', (e) => {
    if (window.__tap && window.__tap.click === null) window.__tap.click = e.timeStamp;
  }, {capture: true});
  new MutationObserver(() => {
    const tap = window.__tap;
    if (!tap || tap.dom !== null || !document.querySelector('.kiosk-number')) return;
    tap.dom = performance.now();
    tap.update = lastUpdate;
    requestAnimationFrame(() => { tap.frame = performance.now(); });
  }).observe(document.body, {childList: true, subtree: true});
}"""


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(CPU time, run-queue wait) of one process so far in seconds, all its threads, from /proc/<pid>/task/*/
    schedstat: the wait is time the server was ready to run but another process had its core."""
    run = wait = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                on_cpu, queued, _ = stat.read().split()
        except (FileNotFoundError, ValueError):  # a thread that just ended, or no schedstats in this kernel
            continue
        run, wait = run + int(on_cpu), wait + int(queued)
    return run / 1e9, wait / 1e9


@dataclass
class TapResult:
    totals: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=lambda: {
        "tap→click": [], "click→update": [], "update→DOM": [], "DOM→frame": []})
    warmup: int = 0
    server_cpu_ms_per_tap: float | None = None  # the server's CPU per tap cycle, printing and "Selesai" included
    server_wait_ms_per_tap: float | None = None  # ...and how long it waited for a core meanwhile
    lost: list[str] = field(default_factory=list)  # taps that gave no ticket and were repeated: what the page saw

    def add(self, marks: dict) -> None:
        self.totals.append(marks["frame"] - marks["down"])
        self.phases["tap→click"].append(marks["click"] - marks["down"])
        if marks["update"] is not None and marks["update"] >= marks["click"]:
            self.phases["click→update"].append(marks["update"] - marks["click"])
            self.phases["update→DOM"].append(marks["dom"] - marks["update"])
        self.phases["DOM→frame"].append(marks["frame"] - marks["dom"])

    def summary(self) -> str:
        t = self.totals
        return f"p50 {percentile(t, 50):.0f} / p95 {percentile(t, 95):.0f} / max {max(t):.0f} ms"

    def lost_text(self) -> str:
        if not self.lost:
            return "no tap lost"
        kinds = {kind: self.lost.count(kind) for kind in self.lost}
        return (f"{len(self.lost)} tap(s) gave no ticket within the timeout and were repeated ("
                + ", ".join(f"{kind} ×{n}" for kind, n in kinds.items()) + ")")

    def breakdown(self) -> str:
        return ", ".join(f"{name} {median(values):.0f}/{percentile(values, 95):.0f}"
                         for name, values in self.phases.items() if values)


async def run_taps(url: str, *, taps: int = 40, warmup: int = 3, timeout_s: float = 15.0,
                   server_pid: int | None = None) -> TapResult:
    """Tap the service tiles in turn (`warmup` untimed, then `taps` timed), each followed by "Selesai".

    With `server_pid`, the server's CPU time over the timed taps is kept too: unlike the latencies it hardly
    depends on what else the machine is doing, so it tells a loaded run from a slow server."""
    _require_browser()
    from playwright.async_api import async_playwright

    result = TapResult(warmup=warmup)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=KIOSK_VIEWPORT, has_touch=True, locale="id-ID")
            page = await context.new_page()
            await page.goto(f"{url}/kiosk", wait_until="load", timeout=60_000)
            await page.wait_for_function("window.did_handshake === true", timeout=60_000)
            tiles = page.locator(".kiosk-tile")
            await tiles.first.wait_for(state="visible", timeout=30_000)
            count = await tiles.count()
            await page.evaluate(TAP_PROBE_JS)
            cpu_before = (0.0, 0.0)
            for i in range(warmup + taps):
                if i == warmup and server_pid is not None:
                    cpu_before = cpu_seconds(server_pid)
                marks = await _tap_for_number(page, page.locator(".kiosk-tile").nth(i % count), result, timeout_s)
                if i >= warmup:
                    result.add(marks)
                await page.get_by_role("button", name="Selesai").tap(timeout=30_000)
                await page.locator(".kiosk-tile").first.wait_for(state="visible", timeout=30_000)
            if server_pid is not None and taps:
                await asyncio.sleep(1.0)  # the last ticket's print job
                cpu_after = cpu_seconds(server_pid)
                result.server_cpu_ms_per_tap = (cpu_after[0] - cpu_before[0]) * 1000 / taps
                result.server_wait_ms_per_tap = (cpu_after[1] - cpu_before[1]) * 1000 / taps
        finally:
            await browser.close()
    return result


async def _tap_for_number(page, tile, result: TapResult, timeout_s: float, tries: int = 3) -> dict:  # noqa: ANN001
    """Tap `tile` until the ticket number is painted; returns the page's marks of that tap.

    The home screen redraws its tiles every 15 s (fresh waiting counts); a tap that lands on a tile just
    being replaced is dropped by NiceGUI (the element is gone), so it is noted in `lost` and repeated.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        await page.evaluate("window.__tap = null")
        await tile.wait_for(state="visible", timeout=30_000)
        await tile.tap(timeout=30_000)
        try:
            await page.wait_for_function("window.__tap && window.__tap.frame !== null",
                                         timeout=timeout_s * 1000, polling=50)
        except PlaywrightTimeout:
            if await page.locator(".kiosk-number").count():
                raise  # a number without the marks: the probe is broken, not the tap
            marks = await page.evaluate("window.__tap")
            result.lost.append("no touch" if not marks else "no click" if marks["click"] is None
                               else "click sent, no answer")
            continue
        return await page.evaluate("window.__tap")
    raise RuntimeError(f"{tries} taps in a row on a service tile gave no ticket number within {timeout_s:.0f} s")


@dataclass
class LoadBytes:
    requests: int = 0
    encoded: int = 0
    from_cache: int = 0
    revalidated: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        top = ", ".join(f"{kind} {size / 1024:.0f}" for kind, size in
                        sorted(self.by_type.items(), key=lambda kv: -kv[1])[:4] if size >= 512)
        return (f"{self.requests} requests, {self.from_cache} from cache, {self.revalidated} revalidated (304)"
                + (f" (KiB: {top})" if top else ""))


async def _load_once(context, url: str, settle_s: float) -> LoadBytes:  # noqa: ANN001 - a playwright BrowserContext
    """Open `url` in a new tab of `context` and add up what the network stack received for it."""
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    seen = LoadBytes()
    kinds: dict[str, str] = {}
    cached: set[str] = set()

    def on_response(event: dict) -> None:
        kinds[event["requestId"]] = event.get("type", "Other")
        response = event.get("response", {})
        if response.get("fromDiskCache") or response.get("fromPrefetchCache") or response.get("fromServiceWorker"):
            cached.add(event["requestId"])
        elif response.get("status") == 304:
            seen.revalidated += 1

    def on_finished(event: dict) -> None:
        seen.requests += 1
        size = int(event.get("encodedDataLength", 0))
        seen.encoded += size
        kind = kinds.get(event["requestId"], "Other")
        seen.by_type[kind] = seen.by_type.get(kind, 0) + size

    def on_cache(event: dict) -> None:  # the memory cache: no responseReceived flag says so
        cached.add(event["requestId"])

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.requestServedFromCache", on_cache)
    await cdp.send("Network.enable")
    await page.goto(url, wait_until="networkidle", timeout=60_000)
    await page.wait_for_function("window.did_handshake === true", timeout=60_000)
    await page.locator(".kiosk-tile").first.wait_for(state="visible", timeout=30_000)
    await page.evaluate("document.fonts.ready.then(() => true)")
    await asyncio.sleep(settle_s)  # late loads (icon font, images) finish inside this window
    await cdp.detach()
    await page.close()
    seen.from_cache = len(cached)
    return seen


async def kiosk_bytes(url: str, path: str = "/kiosk", settle_s: float = 1.5) -> tuple[LoadBytes, LoadBytes]:
    """(first, cached): the same context opens /kiosk twice, so the second visit uses the HTTP cache."""
    _require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=KIOSK_VIEWPORT, has_touch=True, locale="id-ID")
            first = await _load_once(context, f"{url}{path}", settle_s)
            cached = await _load_once(context, f"{url}{path}", settle_s)
        finally:
            await browser.close()
    return first, cached


def timed(coroutine) -> tuple[object, float]:  # noqa: ANN001 - any coroutine
    """Run `coroutine` to completion; (result, wall seconds)."""
    started = time.monotonic()
    return asyncio.run(coroutine), time.monotonic() - started
