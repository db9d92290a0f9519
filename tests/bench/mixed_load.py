"""Rows `mixed_all` and `mixed_one`: a busy office morning compressed into ten minutes, against one server.

Everything comes from this bench process (and the Chromium it starts) over loopback, at the same time:

- 50 phones following tickets: each phone takes a ticket (POST /api/v1/queue/tickets, as the kiosk's service
  does), opens its status page /m/t/<id> once and polls the ticket API every 4 s like phone_ticket.html,
  until the ticket is done or skipped; then the next resident arrives 5-15 s later with a new phone and ticket.
  The first 50 arrive over the first 40 s; from then on about 50 phones are always following a ticket and
  the queue never runs dry.
- 3 operators, one per counter (Loket 1, Loket 2 and an added Loket 3 that serves every service): every 8 s
  each calls the next ticket, and between calls looks up residents the way the live search box does while a
  name is typed: the first 3 letters, 5 letters, the whole name (one in five look-ups is a full NIK), 0.4 s
  apart; names and NIKs are real residents of the demo village (2,000 people).
- the kiosk: Debian's Chromium at 800x480 with touch on /kiosk, one resident every 10 s taps a service tile;
  the time from the finger (pointerdown) to the painted ticket number is the kiosk ticket latency (as row
  `tap`), then "Selesai".
- the display board: a second Chromium page on /display stays connected; at the end it must still have its
  websocket and show the last number an operator called.

Errors (must be 0): any request that fails or answers other than expected, a tap that gives no number after
three tries, a display that dropped its connection or does not show the last call, and a ticket that never
reached the capture printer. The server's RSS is sampled every second. The row runs twice: `mixed_all` with
the server free to use every core, `mixed_one` with it pinned to one core (`taskset`); this bench process
and Chromium stay on the other core in both.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.bench.browsers import CHROMIUM, CHROMIUM_ARGS, _require_browser
from tests.bench.kiosk_tap import KIOSK_VIEWPORT, TAP_PROBE_JS, _tap_for_number, cpu_seconds, TapResult
from tests.bench.phones import LoadStats
from tests.bench.procinfo import RssSampler, threads
from tests.bench.report import percentile
from tests.support.capture_server import CapturePrinterServer
from tests.support.server import ROOT, BalaiServer, make_token

POLL_SECONDS = 4.0
ARRIVAL_SECONDS = 40.0  # the first residents come through the door over this long, not all in one second
NEXT_RESIDENT_SECONDS = (5.0, 15.0)
CALL_EVERY_SECONDS = 8.0
TYPING_GAP_SECONDS = 0.4
KIOSK_EVERY_SECONDS = 10.0
RSS_EVERY_SECONDS = 1.0
PRINT_WAIT_SECONDS = 30.0
EXTRA_COUNTER = "Loket 3"

# Run inside the data folder's database while the server runs (WAL: a second writer is fine): the third
# counter, and residents to look up. Prints JSON [[nama, nik], ...].
_PREPARE = """
import json, random, sys
from pathlib import Path
from kiosk.db import close_database, open_database
from kiosk.models.people import Penduduk
from kiosk.services import queue
open_database(Path(sys.argv[1]))
queue.create_counter(sys.argv[2], sys.argv[3].split(","), sort_order=9, actor="bench")
people = [list(p) for p in Penduduk.select(Penduduk.nama, Penduduk.nik).tuples()]
random.Random(9).shuffle(people)
print(json.dumps(people[:400]))
close_database()
"""


@dataclass
class MixedStats(LoadStats):
    """The phones row's counters and error log (`poll_ms`, `calls`, `nobody_waiting`, `errors`), plus the rest."""
    kiosk: TapResult = field(default_factory=TapResult)
    search_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)
    issue_ms: list[float] = field(default_factory=list)
    tickets_issued: int = 0
    kiosk_tickets: int = 0
    tickets_followed: int = 0
    last_called: str = ""


@dataclass
class MixedResult:
    stats: MixedStats
    seconds: float
    phones: int
    idle_kib: int
    peak_kib: int
    end_kib: int
    cpu_seconds: float
    wait_seconds: float
    printed: int
    rss_by_minute: list[int]
    threads: int

    def p95(self, values: list[float]) -> float | None:
        return percentile(values, 95) if values else None

    def value(self) -> str:
        kiosk, search = self.p95(self.stats.kiosk.totals), self.p95(self.stats.search_ms)
        parts = [f"kiosk p95 {kiosk:.0f} ms" if kiosk is not None else "kiosk: no taps",
                 f"search p95 {search:.0f} ms" if search is not None else "search: none",
                 f"RSS peak {self.peak_kib / 1024:.1f} MB", f"{len(self.stats.errors)} errors"]
        return " / ".join(parts)

    def notes(self) -> str:
        s = self.stats

        def spread(values: list[float]) -> str:
            if not values:
                return "none"
            return f"p50 {percentile(values, 50):.0f} / p95 {percentile(values, 95):.0f} / max {max(values):.0f}"

        return (f"{self.seconds / 60:.0f} min; kiosk {len(s.kiosk.totals)} taps ({spread(s.kiosk.totals)} ms; "
                f"{s.kiosk.lost_text()}); {len(s.search_ms)} searches ({spread(s.search_ms)} ms, GET "
                f"/api/v1/residents over 2,000 residents); {s.calls} calls by 3 operators ({spread(s.call_ms)} ms, "
                f"{s.nobody_waiting} with nobody waiting); {self.phones} phones followed {s.tickets_followed} "
                f"tickets, {len(s.poll_ms)} polls ({spread(s.poll_ms)} ms); {s.tickets_issued} tickets issued "
                f"({s.kiosk_tickets} at the kiosk, API issue {spread(s.issue_ms)} ms), {self.printed} printed; "
                f"display connected throughout; RSS idle {self.idle_kib / 1024:.1f}, peak "
                f"{self.peak_kib / 1024:.1f}, end {self.end_kib / 1024:.1f} MB (by minute: "
                f"{' '.join(f'{kib / 1024:.0f}' for kib in self.rss_by_minute)}), {self.threads} threads at the end; "
                f"server CPU "
                f"{self.cpu_seconds / self.seconds * 100:.0f}% of one core, waited {self.wait_seconds:.0f} s for a "
                f"core; {s.error_summary()}")


def prepare_office(server: BalaiServer, prefixes: list[str]) -> list[tuple[str, str]]:
    """Add the third counter and pick residents to look up, straight in the running server's database."""
    result = subprocess.run([sys.executable, "-c", _PREPARE, str(server.data_dir / "balai.sqlite3"), EXTRA_COUNTER,
                             ",".join(prefixes)], cwd=ROOT, check=True, capture_output=True, timeout=120)
    people = [(name, nik) for name, nik in json.loads(result.stdout)]
    if len(people) < 50:
        raise RuntimeError(f"the demo village has only {len(people)} residents to look up")
    return people


async def _services(url: str) -> list[str]:
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        response = await client.get("/api/v1/queue/services")
        response.raise_for_status()
        return [service["prefix"] for service in response.json()]


async def _phone(url: str, prefixes: list[str], deadline: float, stats: MixedStats, rng: random.Random) -> None:
    """One resident after another holding a phone: take a ticket, follow it until it is done, leave."""
    await asyncio.sleep(rng.uniform(0, ARRIVAL_SECONDS))
    while time.monotonic() < deadline:
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
            started = time.perf_counter()
            try:
                response = await client.post("/api/v1/queue/tickets", json={"service": rng.choice(prefixes)})
            except httpx.HTTPError as error:
                stats.error(f"issue {type(error).__name__}")
                await asyncio.sleep(POLL_SECONDS)
                continue
            if response.status_code != 201:
                stats.error(f"issue {response.status_code}")
                await asyncio.sleep(POLL_SECONDS)
                continue
            stats.issue_ms.append((time.perf_counter() - started) * 1000)
            stats.tickets_issued += 1
            ticket_id = response.json()["id"]
            await _follow(client, ticket_id, deadline, stats)
        await asyncio.sleep(rng.uniform(*NEXT_RESIDENT_SECONDS))


async def _follow(client: httpx.AsyncClient, ticket_id: str, deadline: float, stats: MixedStats) -> None:
    try:
        page = await client.get(f"/m/t/{ticket_id}")
        if page.status_code != 200:
            stats.error(f"phone page {page.status_code}")
    except httpx.HTTPError as error:
        stats.error(f"phone page {type(error).__name__}")
    while time.monotonic() + POLL_SECONDS < deadline:
        await asyncio.sleep(POLL_SECONDS)
        started = time.perf_counter()
        try:
            response = await client.get(f"/api/v1/queue/tickets/{ticket_id}", headers={"Cache-Control": "no-store"})
        except httpx.HTTPError as error:
            stats.error(f"poll {type(error).__name__}")
            continue
        stats.poll_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            stats.error(f"poll {response.status_code}")
            continue
        if response.json()["status"] in ("done", "skipped"):
            stats.tickets_followed += 1
            return


def _lookups(person: tuple[str, str], rng: random.Random) -> list[str]:
    """What the search box sends while an operator types a name (or pastes a NIK)."""
    name, nik = person
    if rng.random() < 0.2:
        return [nik]
    return [name[:3], name[:5], name]


async def _operator(url: str, token: str, counter: str, people: list[tuple[str, str]], deadline: float,
                    stats: MixedStats, rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    call_path = f"/api/v1/queue/counters/{quote(counter, safe='')}/call-next"
    async with httpx.AsyncClient(base_url=url, timeout=30.0, headers=headers) as client:
        await asyncio.sleep(rng.uniform(0, CALL_EVERY_SECONDS))
        next_call = time.monotonic()
        while next_call < deadline:
            await asyncio.sleep(max(0.0, next_call - time.monotonic()))
            next_call += CALL_EVERY_SECONDS
            started = time.perf_counter()
            try:
                response = await client.post(call_path)
            except httpx.HTTPError as error:
                stats.error(f"call {type(error).__name__}")
                continue
            stats.call_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code == 200:
                stats.calls += 1
                stats.last_called = response.json()["number"]
            elif response.status_code == 404:
                stats.nobody_waiting += 1
            else:
                stats.error(f"call {response.status_code}")
            while time.monotonic() + 2 < min(next_call, deadline):
                for query in _lookups(rng.choice(people), rng):
                    await asyncio.sleep(TYPING_GAP_SECONDS)
                    started = time.perf_counter()
                    try:
                        found = await client.get("/api/v1/residents", params={"q": query})
                    except httpx.HTTPError as error:
                        stats.error(f"search {type(error).__name__}")
                        continue
                    stats.search_ms.append((time.perf_counter() - started) * 1000)
                    if found.status_code != 200:
                        stats.error(f"search {found.status_code}")
                    elif not found.json():
                        stats.error("search found nobody for a resident's own name")
                await asyncio.sleep(rng.uniform(1.0, 3.0))  # reading the result, talking to the resident


async def _kiosk(page, deadline: float, stats: MixedStats) -> None:  # noqa: ANN001 - a playwright Page
    """A resident every KIOSK_EVERY_SECONDS taps the next tile; timed like row `tap`."""
    tiles = page.locator(".kiosk-tile")
    count = await tiles.count()
    next_tap, i = time.monotonic(), 0
    while next_tap < deadline:
        await asyncio.sleep(max(0.0, next_tap - time.monotonic()))
        next_tap += KIOSK_EVERY_SECONDS
        try:
            marks = await _tap_for_number(page, page.locator(".kiosk-tile").nth(i % count), stats.kiosk, 15.0)
            stats.kiosk.add(marks)
            stats.kiosk_tickets += 1
            stats.tickets_issued += 1
            await page.get_by_role("button", name="Selesai").tap(timeout=30_000)
            await page.locator(".kiosk-tile").first.wait_for(state="visible", timeout=30_000)
        except Exception as error:  # noqa: BLE001 - a kiosk that stops answering is an error, not a crash
            stats.error(f"kiosk {type(error).__name__}")
            await page.reload(wait_until="load")
            await page.wait_for_function("window.did_handshake === true", timeout=60_000)
            await page.evaluate(TAP_PROBE_JS)
        i += 1


async def _check_display(page, stats: MixedStats) -> None:  # noqa: ANN001 - a playwright Page
    if not await page.evaluate("window.socket && window.socket.connected === true"):
        stats.error("display lost its connection")
        return
    if not stats.last_called:
        return
    for _ in range(20):
        if stats.last_called in await page.inner_text("body"):
            return
        await asyncio.sleep(0.5)
    stats.error("display does not show the last call")


async def run_mixed(server: BalaiServer, printer: CapturePrinterServer, *, seconds: float = 600.0,
                    phones: int = 50, seed: int = 20261124) -> MixedResult:
    _require_browser()
    from playwright.async_api import async_playwright

    url, pid = server.url, server.pid
    prefixes = await _services(url)
    people = prepare_office(server, prefixes)
    tokens = [make_token(server.data_dir, f"bench-operator-{n}") for n in (1, 2, 3)]
    counters = ["Loket 1", "Loket 2", EXTRA_COUNTER]
    rng = random.Random(seed)
    stats = MixedStats()
    jobs_before = len(printer.jobs)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            display = await (await browser.new_context(viewport={"width": 1280, "height": 720})).new_page()
            await display.goto(f"{url}/display", wait_until="load", timeout=60_000)
            await display.wait_for_function("window.did_handshake === true", timeout=60_000)
            context = await browser.new_context(viewport=KIOSK_VIEWPORT, has_touch=True, locale="id-ID")
            kiosk = await context.new_page()
            await kiosk.goto(f"{url}/kiosk", wait_until="load", timeout=60_000)
            await kiosk.wait_for_function("window.did_handshake === true", timeout=60_000)
            await kiosk.locator(".kiosk-tile").first.wait_for(state="visible", timeout=30_000)
            await kiosk.evaluate(TAP_PROBE_JS)
            await asyncio.sleep(3.0)
            sampler = RssSampler(pid, RSS_EVERY_SECONDS)
            sampler.start()
            idle = sampler.samples[0]
            cpu_before = cpu_seconds(pid)
            started = time.monotonic()
            deadline = started + seconds
            try:
                await asyncio.gather(
                    _kiosk(kiosk, deadline, stats),
                    *(_operator(url, token, counter, people, deadline, stats, random.Random(rng.random()))
                      for token, counter in zip(tokens, counters)),
                    *(_phone(url, prefixes, deadline, stats, random.Random(rng.random())) for _ in range(phones)))
                elapsed = time.monotonic() - started
                cpu_after = cpu_seconds(pid)
                thread_count = threads(pid)
                await _check_display(display, stats)
            finally:
                await sampler.stop()
        finally:
            await browser.close()
    printed = await _wait_for_prints(printer, jobs_before, stats.tickets_issued)
    if printed < stats.tickets_issued:
        stats.error(f"{stats.tickets_issued - printed} tickets never reached the printer")
    per_minute = max(1, round(60 / RSS_EVERY_SECONDS))
    return MixedResult(stats, elapsed, phones, idle, sampler.peak, sampler.samples[-1],
                       cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1], printed,
                       sampler.samples[per_minute::per_minute], thread_count)


async def _wait_for_prints(printer: CapturePrinterServer, before: int, issued: int) -> int:
    """Tickets printed since the run began, once they all arrived or none came for PRINT_WAIT_SECONDS."""
    last, since = len(printer.jobs), time.monotonic()
    while len(printer.jobs) - before < issued and time.monotonic() - since < PRINT_WAIT_SECONDS:
        await asyncio.sleep(0.5)
        if len(printer.jobs) != last:
            last, since = len(printer.jobs), time.monotonic()
    return len(printer.jobs) - before


def start_office(workdir: Path, cpu: int | None) -> tuple[BalaiServer, CapturePrinterServer]:
    """A fresh demo office (2,000 residents) printing to a capture printer; `cpu` pins it with taskset."""
    printer = CapturePrinterServer().start()
    server = BalaiServer(workdir / "data", demo=True, cpu=cpu, printer_url=f"tcp://127.0.0.1:{printer.port}",
                         extra_env={"BALAI_TICKET_RATE_PER_MINUTE": "100000", "BALAI_DEMO_POPULATION": "1"},
                         log_path=workdir / "server.log")
    try:
        server.start(timeout=180.0)
    except BaseException:
        printer.stop()
        raise
    return server, printer
