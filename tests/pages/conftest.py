"""Page tests with NiceGUI's simulated user: the real pages and services, a temporary database."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest
from nicegui.testing import User
from nicegui.testing.user_simulation import user_simulation

from kiosk.db import close_database


MAIN = Path(__file__).with_name("app_main.py")


async def _simulate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: bool,
                    population: bool = False) -> AsyncIterator[User]:
    monkeypatch.setenv("BALAI_TEST_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("BALAI_TEST_DEMO", "1" if demo else "0")
    monkeypatch.setenv("BALAI_TEST_POPULATION", "1" if population else "0")
    async with user_simulation(main_file=MAIN) as simulated:
        yield simulated
    close_database()


@pytest.fixture
async def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    """A demo office: village Sukamaju, services A..D, counters Loket 1 and 2, a memory printer."""
    async for simulated in _simulate(tmp_path, monkeypatch, demo=True):
        yield simulated


@pytest.fixture
async def fresh_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    """A brand-new installation, not in demo mode: nothing set up yet."""
    async for simulated in _simulate(tmp_path, monkeypatch, demo=False):
        yield simulated


@pytest.fixture
async def village(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    """The demo office with its generated population (~2,000 residents in 550 families)."""
    async for simulated in _simulate(tmp_path, monkeypatch, demo=True, population=True):
        yield simulated


def stick_folder(tmp_path: Path) -> Path:
    """Where `office_with_stick`'s USB stick is mounted."""
    return tmp_path / "media" / "operator" / "FLASHDISK"


@pytest.fixture
async def office_with_stick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[User]:
    """The demo office with a temporary folder listed in a fake mount table as a mounted vfat stick."""
    stick = stick_folder(tmp_path)
    stick.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/mmcblk0p2 / ext4 rw,noatime 0 0\n/dev/sda1 {stick} vfat rw,nosuid,nodev,uid=1000 0 0\n")
    monkeypatch.setenv("BALAI_TEST_USB_ROOT", str(tmp_path / "media"))
    monkeypatch.setenv("BALAI_TEST_MOUNTS", str(mounts))
    async for simulated in _simulate(tmp_path, monkeypatch, demo=True):
        yield simulated
