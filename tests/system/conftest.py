"""System tests: real `balai serve` processes on 127.0.0.1, driven over HTTP (and a fake TCP printer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from tests.support.capture_server import CapturePrinterServer
from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

ServerFactory = Callable[..., BalaiServer]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def start_server(tmp_path: Path, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    """Start BalaiServers (default: demo village on `data_dir`); every one is stopped by PID afterwards.

    On failure the tail of each server's log is printed so the report shows what the server said.
    """
    servers: list[BalaiServer] = []

    def start(**kwargs: object) -> BalaiServer:
        kwargs.setdefault("data_dir", data_dir)
        kwargs.setdefault("log_path", tmp_path / f"server-{len(servers)}.log")
        server = TestServer(**kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - make sure the others are stopped too
            server.kill()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for server in servers:
            print(f"\n--- {server.log_path} ---\n{server.log_text()[-4000:]}")


@pytest.fixture
def printer() -> Iterator[CapturePrinterServer]:
    """A fake port-9100 thermal printer on 127.0.0.1, online."""
    capture = CapturePrinterServer().start()
    yield capture
    capture.stop()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
