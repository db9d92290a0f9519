"""Talking to systemd: READY=1 once the web server answers, watchdog pings while the server is healthy,
STOPPING=1 on shutdown (balai.service is Type=notify with WatchdogSec=, see docs/appliance.md).

The sd_notify protocol is one datagram of `KEY=value` lines sent to the unix socket named by $NOTIFY_SOCKET
(a leading '@' means Linux's abstract namespace). Written out here rather than adding a dependency; outside
systemd (tests, `make run`) NOTIFY_SOCKET is unset and everything here does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping

log = logging.getLogger(__name__)

Send = Callable[[str], bool]
Check = Callable[[], Awaitable[bool]]


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one notification; False when not under systemd or the socket is gone (never raises: a lost
    notification must not take the office server down with it)."""
    address = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    elif not address.startswith("/"):
        log.warning("unsupported NOTIFY_SOCKET %r; not notifying systemd", address)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as error:
        log.warning("could not notify systemd (%s): %s", message.split("\n")[0], error)
        return False
    return True


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between watchdog pings (half of WatchdogSec=, as sd_watchdog_enabled(3) advises), or None when
    systemd did not ask this process for pings (no WATCHDOG_USEC, or WATCHDOG_PID names another process)."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec / 2_000_000


async def database_answers() -> bool:
    """A trivial query through NiceGUI's I/O thread pool: True only when the event loop, the pool and the
    database connection all still work, which is what "the server is not wedged" means here."""
    from nicegui import run

    from kiosk.db import database

    def select_one() -> int:
        return int(database.execute_sql("SELECT 1").fetchone()[0])

    return await run.io_bound(select_one) == 1


class Watchdog:
    """Pings systemd every `interval` seconds, each time only after `check` said yes within `interval`.

    A check that hangs or fails skips the ping; two missed pings and systemd restarts the service. Ends on
    `stopping` (NiceGUI's run.io_bound swallows a CancelledError, so cancellation alone is not enough)."""

    def __init__(self, interval: float, check: Check, send: Send = notify) -> None:
        self.interval = interval
        self.check = check
        self.send = send

    async def healthy(self) -> bool:
        try:
            # A timed-out run.io_bound returns None instead of raising, so a falsy answer counts as a hang too.
            if await asyncio.wait_for(self.check(), self.interval):
                return True
            log.error("watchdog: the database check failed or did not answer within %.0f s; not pinging systemd",
                      self.interval)
        except asyncio.TimeoutError:
            log.error("watchdog: the database check did not answer within %.0f s; not pinging systemd",
                      self.interval)
        except Exception:  # noqa: BLE001 - a failing check means "do not ping", never a dead watchdog
            log.exception("watchdog: the database check failed; not pinging systemd")
        return False

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            started = time.monotonic()
            if await self.healthy() and not stopping.is_set():
                self.send("WATCHDOG=1")
            remaining = self.interval - (time.monotonic() - started)
            if remaining > 0:
                try:
                    await asyncio.wait_for(stopping.wait(), remaining)
                except asyncio.TimeoutError:
                    pass


async def wait_until_listening(host: str, port: int, stopping: asyncio.Event, poll: float = 0.1) -> bool:
    """Wait until the web server accepts connections (uvicorn binds its port only after NiceGUI's startup
    hooks ran); False when stopped first. A wildcard address is probed on loopback."""
    probe = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    while not stopping.is_set():
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(probe, port), 2)
            writer.close()
            await writer.wait_closed()
            return True
        except (OSError, asyncio.TimeoutError):
            try:
                await asyncio.wait_for(stopping.wait(), poll)
            except asyncio.TimeoutError:
                pass
    return False


class ServiceNotifier:
    """What kiosk/app.py starts and stops: READY=1 once the port answers, the watchdog, STOPPING=1."""

    def __init__(self, host: str, port: int, check: Check = database_answers,
                 environ: Mapping[str, str] | None = None, send: Send | None = None) -> None:
        self.host = host
        self.port = port
        self.environ = os.environ if environ is None else environ
        self.send: Send = send or (lambda message: notify(message, self.environ))
        interval = watchdog_interval(self.environ)
        self.watchdog = Watchdog(interval, check, self.send) if interval else None
        self.stopping = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def enabled(self) -> bool:
        return bool(self.environ.get("NOTIFY_SOCKET"))

    def start(self) -> None:
        if self.enabled:
            self.tasks.append(asyncio.create_task(self._serve()))

    async def _serve(self) -> None:
        """READY=1 first, then the pings: systemd arms the watchdog at READY=1 (or at the first ping), and
        before the port answers there is nothing worth vouching for."""
        if not await wait_until_listening(self.host, self.port, self.stopping):
            return
        self.send(f"READY=1\nSTATUS=Serving on port {self.port}")
        if self.watchdog is not None:
            await self.watchdog.run(self.stopping)

    async def stop(self) -> None:
        if not self.enabled:
            return
        self.send("STOPPING=1\nSTATUS=Stopping")
        self.stopping.set()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)
        self.tasks.clear()
