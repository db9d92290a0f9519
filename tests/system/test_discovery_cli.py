"""`balai discover` as a district IT officer or a second display runs it: a separate process that finds the
office server by mDNS. Everything on 127.0.0.1 only (--interface 127.0.0.1): no multicast leaves the machine.

Other test runs may advertise Balai servers on loopback at the same time; each test looks only for its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kiosk.discovery import Advertiser

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 40.0


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("BALAI_")}


def _command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", "discover", "--interface", "127.0.0.1", "--timeout", "2", *extra]


async def _discover(*extra: str) -> tuple[int, str]:
    """Run the command without blocking this event loop, which is answering mDNS for the test's advertiser."""
    process = await asyncio.create_subprocess_exec(*_command(*extra), cwd=ROOT, env=_environment(),
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert b"Traceback" not in err, err.decode()
    return process.returncode or 0, out.decode()


async def _until(extra: tuple[str, ...], check: Callable[[int, str], bool]) -> tuple[int, str]:
    end = time.monotonic() + DEADLINE
    code, out = await _discover(*extra)
    while not check(code, out):
        assert time.monotonic() < end, f"balai discover never saw it; last output (exit {code}):\n{out}"
        code, out = await _discover(*extra)
    return code, out


def _entry(out: str, name: str) -> dict[str, Any] | None:
    return next((entry for entry in json.loads(out) if entry["name"] == name), None)


async def test_discover_json_finds_an_advertised_server() -> None:
    village = f"Uji {uuid.uuid4().hex[:8]}"
    host = f"balai-test-{uuid.uuid4().hex[:8]}.local."
    advertiser = Advertiser(village, 8131, ["127.0.0.1"], ["127.0.0.1"], "9.8.7", host=host)
    await advertiser.start()
    try:
        code, out = await _until(("--json",), lambda _, out: _entry(out, f"Balai Desa {village}") is not None)
        assert code == 0
        assert _entry(out, f"Balai Desa {village}") == {
            "name": f"Balai Desa {village}", "url": "http://127.0.0.1:8131/kiosk",
            "local_url": f"http://{host.rstrip('.')}:8131/kiosk", "host": host.rstrip("."),
            "addresses": ["127.0.0.1"], "port": 8131, "path": "/kiosk", "version": "9.8.7",
        }
    finally:
        await advertiser.stop()


async def test_discover_speaks_indonesian_and_gives_both_addresses() -> None:
    village = f"Uji {uuid.uuid4().hex[:8]}"
    host = f"balai-test-{uuid.uuid4().hex[:8]}.local."
    advertiser = Advertiser(village, 8132, ["127.0.0.1"], ["127.0.0.1"], "9.8.7", host=host)
    await advertiser.start()
    try:
        code, out = await _until((), lambda _, out: f"Balai Desa {village}" in out)
        assert code == 0
        assert "server Balai ditemukan" in out
        assert f"Balai Desa {village} (versi 9.8.7)" in out
        assert "http://127.0.0.1:8132/kiosk" in out and f"http://{host.rstrip('.')}:8132/kiosk" in out
    finally:
        await advertiser.stop()


def test_balai_serve_is_discoverable_and_withdraws_on_shutdown(start_server: Callable[..., Any]) -> None:
    """The real server (demo village Sukamaju) advertises from app.py's start-up and stops cleanly."""
    server = start_server()

    def ours(out: str) -> dict[str, Any] | None:
        return next((entry for entry in json.loads(out) if entry["port"] == server.port), None)

    end = time.monotonic() + DEADLINE
    found = None
    while found is None:
        assert time.monotonic() < end, "the demo server was never discovered"
        result = subprocess.run(_command("--json"), cwd=ROOT, env=_environment(), capture_output=True, text=True,
                                timeout=60)
        found = ours(result.stdout)
    assert found["name"].startswith("Balai Desa Sukamaju")  # "-2" when another demo runs beside this one
    assert found["url"] == f"http://127.0.0.1:{server.port}/kiosk"
    assert httpx.get(found["url"], timeout=10, follow_redirects=True).status_code == 200

    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(15)  # the address watcher must not hold shutdown up
    assert "mDNS" not in server.log_text()  # no failed start, look or stop
    result = subprocess.run(_command("--json"), cwd=ROOT, env=_environment(), capture_output=True, text=True,
                            timeout=60)
    assert ours(result.stdout) is None
