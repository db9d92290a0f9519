"""Row 4: fifty residents' phones following their tickets while an operator calls the queue.

Each phone has its own HTTP client (own cookie jar, own connection), loads the phone page of its own
ticket once and then polls the ticket API like `phone_ticket.html` does: every 4 s, every 30 s once the
ticket is done or skipped. Phones arrive spread over the first 4 s. An operator machine calls the next
number every 2 s with a Bearer token. The server's RSS is sampled every 0.5 s.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from tests.bench.procinfo import RssSampler
from tests.bench.report import percentile

POLL_SECONDS = 4.0
FINISHED_POLL_SECONDS = 30.0
CALL_EVERY_SECONDS = 2.0


@dataclass
class LoadStats:
    requests: int = 0
    poll_ms: list[float] = field(default_factory=list)
    calls: int = 0
    nobody_waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        self.errors.append(text)

    def error_summary(self) -> str:
        if not self.errors:
            return "0 errors"
        kinds: dict[str, int] = {}
        for text in self.errors:
            kinds[text] = kinds.get(text, 0) + 1
        top = ", ".join(f"{k}×{n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:3])
        return f"{len(self.errors)} errors ({top})"


async def operator(url: str, token: str, counter: str, deadline: float, stats: LoadStats,
                   every: float = CALL_EVERY_SECONDS) -> None:
    """Call next on `counter` every `every` seconds until `deadline`; 404 (nobody waiting) is expected."""
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/queue/counters/{quote(counter, safe='')}/call-next"
    async with httpx.AsyncClient(base_url=url, timeout=30.0, headers=headers) as client:
        next_at = time.monotonic()
        while next_at < deadline:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += every
            try:
                response = await client.post(path)
            except httpx.HTTPError as error:
                stats.error(f"call-next {type(error).__name__}")
                continue
            stats.requests += 1
            if response.status_code == 200:
                stats.calls += 1
            elif response.status_code == 404:
                stats.nobody_waiting += 1
            else:
                stats.error(f"call-next {response.status_code}")


async def _phone(url: str, ticket_id: str, deadline: float, stats: LoadStats) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        await asyncio.sleep(random.uniform(0, POLL_SECONDS))  # people open their QR at different moments
        try:
            page = await client.get(f"/m/t/{ticket_id}")
            stats.requests += 1
            if page.status_code != 200:
                stats.error(f"page {page.status_code}")
        except httpx.HTTPError as error:
            stats.error(f"page {type(error).__name__}")
        status = "waiting"
        while True:
            wait = FINISHED_POLL_SECONDS if status in ("done", "skipped") else POLL_SECONDS
            if time.monotonic() + wait >= deadline:
                return
            await asyncio.sleep(wait)
            start = time.perf_counter()
            try:
                response = await client.get(f"/api/v1/queue/tickets/{ticket_id}", headers={"Cache-Control": "no-store"})
            except httpx.HTTPError as error:
                stats.error(f"poll {type(error).__name__}")
                continue
            stats.poll_ms.append((time.perf_counter() - start) * 1000)
            stats.requests += 1
            if response.status_code == 200:
                status = response.json().get("status", status)
            else:
                stats.error(f"poll {response.status_code}")


async def _take_tickets(url: str, count: int, service: str) -> list[str]:
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        ids = []
        for _ in range(count):
            response = await client.post("/api/v1/queue/tickets", json={"service": service})
            response.raise_for_status()
            ids.append(response.json()["id"])
        return ids


@dataclass
class PhonesResult:
    peak_kib: int
    end_kib: int
    stats: LoadStats
    seconds: float
    phones: int

    def notes(self) -> str:
        polls = self.stats.poll_ms
        latency = (f"poll p50 {percentile(polls, 50):.0f} / p95 {percentile(polls, 95):.0f} ms"
                   if polls else "no polls")
        return (f"{self.phones} phones × {self.seconds:.0f} s, {len(polls)} polls, {latency}; "
                f"{self.stats.calls} calls; {self.stats.error_summary()}")


async def run_phones(url: str, pid: int, token: str, *, phones: int = 50, seconds: float = 60.0,
                     service: str = "C", counter: str = "Loket 2") -> PhonesResult:
    """Service C is only served by Loket 2 in the demo, so the operator really calls the phones' tickets."""
    ids = await _take_tickets(url, phones, service)
    stats = LoadStats()
    sampler = RssSampler(pid, 0.5)
    sampler.start()
    deadline = time.monotonic() + seconds
    try:
        await asyncio.gather(operator(url, token, counter, deadline, stats),
                             *(_phone(url, ticket_id, deadline, stats) for ticket_id in ids))
    finally:
        await sampler.stop()
    return PhonesResult(sampler.peak, sampler.samples[-1], stats, seconds, phones)
