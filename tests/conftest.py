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
