"""kiosk/notify.py: the sd_notify datagrams, the watchdog's rule (ping only while the check answers) and the
READY/STOPPING sequence, against real unix sockets and an injected health check."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.notify import ServiceNotifier, Watchdog, notify, wait_until_listening, watchdog_interval


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket playing systemd's notification socket, and its NOTIFY_SOCKET value."""
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield sock, str(path)
    sock.close()


def test_notify_sends_one_datagram_to_the_socket(receiver: tuple[socket.socket, str]) -> None:
    sock, address = receiver
    assert notify("READY=1\nSTATUS=Serving", {"NOTIFY_SOCKET": address})
    assert sock.recv(4096) == b"READY=1\nSTATUS=Serving"


def test_notify_reaches_an_abstract_socket() -> None:
    name = f"balai-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_notify_without_systemd_does_nothing(tmp_path: Path) -> None:
    assert notify("READY=1", {}) is False
    assert notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False  # logged, never raised
    assert notify("READY=1", {"NOTIFY_SOCKET": "vsock:2:1234"}) is False


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "60000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())}) == 1.0
    assert watchdog_interval({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}) is None  # meant for another process
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "0"}) is None


class SwitchableCheck:
    """A database check that answers, hangs for ever, raises or returns None (run.io_bound's shape when
    cancelled) on demand."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.calls = 0

    async def __call__(self) -> bool:
        self.calls += 1
        if self.mode == "hang":
            await asyncio.Event().wait()
        if self.mode == "raise":
            raise RuntimeError("database is gone")
        if self.mode == "none":
            return None  # type: ignore[return-value]
        return True


async def test_watchdog_pings_only_while_the_check_answers() -> None:
    sent: list[str] = []
    check = SwitchableCheck()
    dog = Watchdog(0.05, check, send=lambda message: sent.append(message) or True)
    stopping = asyncio.Event()
    task = asyncio.create_task(dog.run(stopping))
    try:
        await asyncio.sleep(0.3)
        assert sent.count("WATCHDOG=1") >= 3, sent

        check.mode = "hang"
        await asyncio.sleep(0.1)  # the cycle under way may still ping once
        before, calls = len(sent), check.calls
        await asyncio.sleep(0.4)
        assert len(sent) == before, "the watchdog pinged although the database check hangs"
        assert check.calls > calls, "each cycle must try the check again (a hang is cut at the interval)"

        for mode in ("raise", "none"):
            check.mode = mode
            await asyncio.sleep(0.1)
            before = len(sent)
            await asyncio.sleep(0.3)
            assert len(sent) == before, f"the watchdog pinged although the check answered {mode!r}"

        check.mode = "ok"
        await asyncio.sleep(0.3)
        assert len(sent) >= before + 3, "pings must resume once the database answers again"
    finally:
        stopping.set()
        await asyncio.wait_for(task, 1)
    assert task.done() and task.exception() is None


async def test_watchdog_ends_on_stopping_even_while_the_check_hangs() -> None:
    check = SwitchableCheck()
    check.mode = "hang"
    dog = Watchdog(0.2, check, send=lambda message: True)
    stopping = asyncio.Event()
    task = asyncio.create_task(dog.run(stopping))
    await asyncio.sleep(0.05)
    stopping.set()
    await asyncio.wait_for(task, 1)  # at most one interval, not for ever


async def test_wait_until_listening_sees_the_port_open_and_gives_up_on_stop() -> None:
    stopping = asyncio.Event()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    waiting = asyncio.create_task(wait_until_listening("0.0.0.0", port, stopping, poll=0.02))
    await asyncio.sleep(0.2)
    assert not waiting.done(), "nothing listens yet"
    server = await asyncio.start_server(lambda reader, writer: writer.close(), "127.0.0.1", port)
    try:
        assert await asyncio.wait_for(waiting, 2) is True
    finally:
        server.close()
        await server.wait_closed()
    stopping.set()
    assert await wait_until_listening("127.0.0.1", port, stopping) is False


async def test_notifier_sends_ready_after_listening_then_pings_then_stopping() -> None:
    sent: list[str] = []
    server = await asyncio.start_server(lambda reader, writer: writer.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    async def healthy() -> bool:
        return True

    environ = {"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "100000"}
    notifier = ServiceNotifier("127.0.0.1", port, check=healthy, environ=environ,
                               send=lambda message: sent.append(message) or True)
    try:
        notifier.start()
        await asyncio.sleep(0.3)
        await notifier.stop()
    finally:
        server.close()
        await server.wait_closed()
    assert sent[0] == f"READY=1\nSTATUS=Serving on port {port}"
    assert sent.count("WATCHDOG=1") >= 3
    assert sent[-1].startswith("STOPPING=1")
    assert not notifier.tasks


async def test_notifier_outside_systemd_starts_nothing() -> None:
    sent: list[str] = []
    notifier = ServiceNotifier("127.0.0.1", 1, environ={"WATCHDOG_USEC": "100000"},
                               send=lambda message: sent.append(message) or True)
    notifier.start()
    assert not notifier.tasks
    await notifier.stop()
    assert sent == []
