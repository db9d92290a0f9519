"""Hub fixtures: a hub database on SQLite (and on a private PostgreSQL when one can run here), and the
district dashboard under NiceGUI's simulated user."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
from nicegui.testing import User
from nicegui.testing.user_simulation import user_simulation

from sync.hub.store import HubDatabaseInfo, close_hub_database, open_hub_database
from tests.support.postgres import PrivatePostgres

MAIN = Path(__file__).with_name("hub_main.py")


@pytest.fixture
def hub_db(tmp_path: Path) -> Iterator[HubDatabaseInfo]:
    """A migrated hub database on SQLite in tmp_path."""
    info = open_hub_database("", tmp_path)
    yield info
    close_hub_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubDatabaseInfo]:
    """The same test on both engines the hub runs on: the JSON queries are written per dialect."""
    if request.param == "sqlite":
        info = open_hub_database("", tmp_path)
        yield info
        close_hub_database()
        return
    server: PrivatePostgres = request.getfixturevalue("postgres_server")  # tests/support/pg_fixture.py
    name = f"hub_{uuid.uuid4().hex[:12]}"
    info = open_hub_database(server.create_database(name), tmp_path)
    try:
        yield info
    finally:
        close_hub_database()
        server.drop_database(name)


@pytest.fixture
async def district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   caplog: pytest.LogCaptureFixture) -> AsyncIterator[User]:
    """The district dashboard on a fresh hub (SQLite in tmp_path), with no account and no village yet.

    Like NiceGUI's own `user` fixture, a test fails when anything logged an ERROR (a page that crashed
    behind a message the test happened to see)."""
    monkeypatch.setenv("BALAI_HUB_TEST_DATA", str(tmp_path / "hub"))
    try:
        async with user_simulation(main_file=MAIN) as simulated:
            yield simulated
    finally:
        close_hub_database()
    errors = [record for record in caplog.get_records("call") if record.levelname == "ERROR"]
    if errors:
        pytest.fail(f"unexpected ERROR logs: {[record.getMessage() for record in errors]}", pytrace=False)
