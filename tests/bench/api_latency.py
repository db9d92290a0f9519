"""Rows 1 and 2: ticket issue (POST) and ticket status (GET, what phones poll), one request at a time.

One keep-alive connection from this process (pinned off the server's core), so the numbers are the
server's time per request plus a loopback round trip, not client-side queueing.
"""

from __future__ import annotations

import time

import httpx

from tests.bench.report import Row, percentile, verdict

ISSUE_TARGET_P95_MS = 50.0


def _timed(call) -> tuple[float, httpx.Response]:  # noqa: ANN001 - a zero-argument request callable
    start = time.perf_counter()
    response = call()
    return (time.perf_counter() - start) * 1000, response


def _summary(times: list[float]) -> str:
    return f"p50 {percentile(times, 50):.1f} / p95 {percentile(times, 95):.1f} / max {max(times):.1f} ms"


def issue_tickets(url: str, row: Row, *, count: int = 500, warmup: int = 20, service: str = "A") -> list[str]:
    """POST /api/v1/queue/tickets `warmup` times untimed, then `count` times timed. Returns the ticket ids."""
    ids: list[str] = []
    errors: list[str] = []
    times: list[float] = []
    with httpx.Client(base_url=url, timeout=30.0) as client:
        def post() -> httpx.Response:
            return client.post("/api/v1/queue/tickets", json={"service": service})

        for _ in range(warmup):
            response = post()
            if response.status_code != 201:
                raise RuntimeError(f"warm-up POST answered {response.status_code}: {response.text[:100]}")
            ids.append(response.json()["id"])
        for _ in range(count):
            elapsed, response = _timed(post)
            times.append(elapsed)
            if response.status_code == 201:
                ids.append(response.json()["id"])
            else:
                errors.append(str(response.status_code))
    p95 = percentile(times, 95)
    row.value = _summary(times)
    row.target = f"p95 ≤ {ISSUE_TARGET_P95_MS:.0f} ms"
    row.result = verdict(p95, ISSUE_TARGET_P95_MS) if not errors else "MISS"
    row.notes = f"{count} sequential after {warmup} warm-up; mean {sum(times) / len(times):.1f} ms"
    if errors:
        row.notes += f"; {len(errors)} non-201 ({', '.join(sorted(set(errors)))})"
    return ids


def ticket_status(url: str, row: Row, ids: list[str], *, count: int = 500, warmup: int = 20) -> None:
    """GET /api/v1/queue/tickets/{id} over the issued tickets, `count` timed after `warmup` untimed."""
    if not ids:
        raise RuntimeError("no tickets to look up")
    times: list[float] = []
    errors: list[str] = []
    with httpx.Client(base_url=url, timeout=30.0) as client:
        for i in range(warmup):
            client.get(f"/api/v1/queue/tickets/{ids[i % len(ids)]}").raise_for_status()
        for i in range(count):
            ticket_id = ids[(warmup + i) % len(ids)]
            elapsed, response = _timed(lambda: client.get(f"/api/v1/queue/tickets/{ticket_id}"))
            times.append(elapsed)
            if response.status_code != 200:
                errors.append(str(response.status_code))
    row.value = _summary(times)
    row.notes = f"{count} sequential after {warmup} warm-up, over {len(ids)} waiting tickets"
    if errors:
        row.notes += f"; {len(errors)} non-200 ({', '.join(sorted(set(errors)))})"
        row.result = "MISS"
