"""Sync fixtures: a demo village database with its key, and a hub (API in a thread) on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import database
from kiosk.seal import load_or_create_private_key
from kiosk.services.demo import seed_demo
from kiosk.settings import Settings
from sync.client import enrol
from sync.hub import api as hub_api
from sync.hub.ingest import IngestResult
from sync.hub.enrolment import create_code
from tests.support.hub import HubThread


@pytest.fixture
def village(db: Settings) -> Settings:
    """The demo village with its population (~2,200 residents in 550 families)."""
    seed_demo(population=True)
    return db


@pytest.fixture
def small_village(db: Settings) -> Settings:
    """The demo village without population: services, counters, the village row."""
    seed_demo(population=False)
    return db


@pytest.fixture
def village_key(db: Settings) -> Ed25519PrivateKey:
    return load_or_create_private_key(db.signing_key_file)


@pytest.fixture
def ingest_log(monkeypatch: pytest.MonkeyPatch) -> list[IngestResult]:
    """Every batch the in-thread hub's API stored or answered as a duplicate, in order."""
    calls: list[IngestResult] = []
    real = hub_api.ingest

    def recording(village_id: str, body: bytes, **options: Any) -> IngestResult:
        result = real(village_id, body, **options)
        calls.append(result)
        return result

    monkeypatch.setattr(hub_api, "ingest", recording)
    return calls


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    with HubThread(tmp_path / "hub") as running:
        yield running


@pytest.fixture
def enrolled(hub: HubThread, village_key: Ed25519PrivateKey) -> HubThread:
    """The village (whichever fixture made it) enrolled at the hub."""
    enrol(database, village_key, hub.url, create_code("3204122001"))
    return hub
