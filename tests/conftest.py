"""Shared fixtures: a settings object on a temporary data folder and an open, migrated database."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from kiosk.app import prepare_database
from kiosk.db import close_database
from kiosk.settings import Settings, load_settings

# NiceGUI's simulated user for the page tests; it must be declared in the top-level conftest.
pytest_plugins = ["nicegui.testing.user_plugin", "tests.support.pg_fixture"]


@pytest.fixture(autouse=True)
def _unwrapped_lifespan() -> Iterator[None]:
    """FastAPI's include_router wraps the app's lifespan in one more layer every time, and NiceGUI's test reset
    does not undo it. build_app includes the API routers; a full run builds the app hundreds of times in one
    process, and the nesting then passed Python's recursion limit late in the run (the last page tests failed
    to start). A real server builds its app once."""
    from nicegui import app

    original = app.router.lifespan_context
    yield
    app.router.lifespan_context = original


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, overrides={"data_dir": tmp_path / "data", "public_url": "http://127.0.0.1:8080",
                                                "mdns_enabled": False})


@pytest.fixture
def db(settings: Settings) -> Iterator[Settings]:
    prepare_database(settings)
    yield settings
    close_database()


@pytest.fixture
def demo_db(db: Settings) -> Settings:
    from kiosk.services.demo import seed_demo

    seed_demo(population=False)
    return db
