"""Attack tests: a real `balai serve` process on 127.0.0.1 (one for the package), attacked over plain HTTP,
and the in-process NiceGUI user simulation for the NiceGUI pages.

The server is the demo village with its generated population, so there is a resident with a PIN (the
demo prints NIK and PIN) and an admin with a one-time password; both are read back from the server log.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nicegui.testing import User

from tests.pages.conftest import _simulate
from tests.system.helpers import TestServer

SECRET = "BALAI-ATTACK-SECRET-7f3c9e"


@dataclass
class Office:
    """A running office server and what an attacker would want to know about it."""
    server: TestServer
    resident_nik: str
    resident_pin: str
    username: str
    password: str
    secret_file: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pid(self) -> int:
        return self.server.pid

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    def query(self, sql: str, *args: object) -> list[tuple]:
        """Read the office database directly (what changed, whatever the HTTP answer claimed)."""
        with sqlite3.connect(f"file:{self.data_dir / 'balai.sqlite3'}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(sql, args).fetchall()

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT COUNT(*) FROM {table}")[0][0])

    def rss_kib(self) -> int:
        """The server process's resident memory now (VmRSS from /proc)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS for the server process")


def start_office(root: Path, **extra_env: str) -> Office:
    """Start a demo office with residents under `root`, plant a secret file beside its data folder, and read
    the demo credentials from its log. The caller stops it (by PID, through TestServer.stop)."""
    secret = root / "secret.txt"
    root.mkdir(parents=True, exist_ok=True)
    secret.write_text(SECRET)
    server = TestServer(data_dir=root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_DEMO_POPULATION": "1", **extra_env})
    server.start(timeout=120)
    log = server.log_text()
    found = re.search(r"NIK : (\d{16})\s+PIN : (\d{6})", log)
    login = re.search(r"user name : (\S+).*?one-time password : (\S+)", log, re.S)
    if not found or not login:
        server.stop()
        raise AssertionError(f"the demo did not print its credentials:\n{log[-2000:]}")
    return Office(server, found.group(1), found.group(2), login.group(1), login.group(2), secret)


@pytest.fixture(scope="session")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """One demo office for the whole package (starting one with its population takes seconds on a Pi-like
    machine); stopped by PID at the end. Tests keep out of each other's way by speaking from their own
    made-up addresses (X-Forwarded-For) and by comparing counts before and after, never absolute ones."""
    running = start_office(tmp_path_factory.mktemp("office"))
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
async def page_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    """The in-process demo office (NiceGUI's simulated user), as in tests/pages, for the NiceGUI pages."""
    async for simulated in _simulate(tmp_path, monkeypatch, demo=True):
        yield simulated


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the real server (this conftest's `office`) is slow, like tests/system."""
    for item in items:
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).get("office", ())
        if definitions and definitions[-1].baseid == "tests/attack":  # not a module's own `office` import
            item.add_marker(pytest.mark.slow)
