"""The enrolment written down at first boot: done by the uploader once the village exists and the hub answers;
a refused code is set aside; a stop ends the waiting."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import database
from kiosk.services.demo import seed_demo
from kiosk.settings import Settings
from sync.hub.enrolment import create_code
from sync.pending_enrolment import FAILED_NAME, PENDING_NAME, enrol_pending
from tests.support.hub import HubThread


def _pending(settings: Settings, url: str, code: str) -> Path:
    path = settings.data_dir / PENDING_NAME
    path.write_text(json.dumps({"hub_url": url, "code": code}), encoding="utf-8")
    return path


def _enrolled_at() -> str:
    row = database.execute_sql("SELECT hub_url FROM sync_state WHERE id = 1").fetchone()
    return str(row[0] or "") if row else ""


def test_nothing_pending(db: Settings, village_key: Ed25519PrivateKey) -> None:
    assert enrol_pending(database, village_key, db.data_dir, threading.Event()) == "none"


def test_waits_for_the_village_to_be_set_up_then_enrols(db: Settings, village_key: Ed25519PrivateKey,
                                                        hub: HubThread) -> None:
    path = _pending(db, hub.url, create_code("3204122001"))
    results: list[str] = []
    worker = threading.Thread(target=lambda: results.append(
        enrol_pending(database, village_key, db.data_dir, threading.Event(), first_wait=0.2)))
    worker.start()
    time.sleep(0.8)
    assert worker.is_alive() and path.exists()  # no village yet: it keeps waiting, the code kept
    seed_demo(population=False)  # the first visit's set-up page created the village
    worker.join(timeout=30)
    assert results == ["enrolled"]
    assert not path.exists() and _enrolled_at() == hub.url


def test_a_refused_code_is_set_aside(small_village: Settings, village_key: Ed25519PrivateKey,
                                     hub: HubThread) -> None:
    path = _pending(small_village, hub.url, "AAAA-BBBB-CCCC-DDDD")
    assert enrol_pending(database, village_key, small_village.data_dir, threading.Event()) == "refused"
    assert not path.exists() and (small_village.data_dir / FAILED_NAME).exists()
    assert _enrolled_at() == ""


def test_an_unreachable_hub_is_retried_until_stopped(small_village: Settings,
                                                     village_key: Ed25519PrivateKey) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = _pending(small_village, f"http://127.0.0.1:{port}", "AAAA-BBBB-CCCC-DDDD")
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    assert enrol_pending(database, village_key, small_village.data_dir, stop, first_wait=0.1) == "stopped"
    assert time.monotonic() - started < 10
    assert path.exists() and not (small_village.data_dir / FAILED_NAME).exists()


def test_an_already_enrolled_village_just_drops_the_file(small_village: Settings, village_key: Ed25519PrivateKey,
                                                        enrolled: HubThread) -> None:
    path = _pending(small_village, enrolled.url, "AAAA-BBBB-CCCC-DDDD")
    assert enrol_pending(database, village_key, small_village.data_dir, threading.Event()) == "enrolled"
    assert not path.exists()
