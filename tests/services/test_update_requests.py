"""The admin page's update requests: only a checked bundle on a stick is asked for, once; a refusal is remembered."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.models import AuditLog
from kiosk.services import update_requests
from kiosk.services.errors import ServiceError
from kiosk.services.update_bundle import generate_key, load_private_key, pack
from kiosk.services.update_install import Layout, read_history, state_file
from kiosk.settings import Settings
from tests.services.test_sync_status import fake_stick


@pytest.fixture
def appliance(tmp_path: Path, demo_db: Settings) -> tuple[Settings, Path, Path]:
    """An office on release 0.1.0 with a trusted publisher key and a stick; returns (settings, stick, key)."""
    settings, stick = fake_stick(tmp_path, demo_db)
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    generate_key(tmp_path / "release.key", trusted / "release.pub")
    root = tmp_path / "opt"
    (root / "releases" / "0.1.0").mkdir(parents=True)
    Layout(root).point_to("0.1.0")
    return replace(settings, install_root=root, update_keys_dir=trusted), stick, tmp_path / "release.key"


def _bundle_on(stick: Path, key: Path, version: str) -> Path:
    wheels = stick.parent / f"wheels-{version}"
    wheels.mkdir()
    (wheels / f"balai-{version}-py3-none-any.whl").write_bytes(os.urandom(500))
    out = stick / f"balai-update-{version}.tar"
    pack(wheels, load_private_key(key), out)
    return out


def test_a_checked_bundle_on_a_stick_becomes_one_request(appliance: tuple[Settings, Path, Path]) -> None:
    settings, stick, key = appliance
    assert update_requests.find_bundles(settings) == []
    bundle = _bundle_on(stick, key, "0.2.0")
    (stick / "balai-update-0.9.0.tar.txt").write_text("not offered")
    assert [found.path for found in update_requests.find_bundles(settings)] == [bundle]
    manifest = update_requests.request_update(settings, bundle, actor="kades", client="10.0.0.5")
    assert manifest.version == "0.2.0"
    request = json.loads(update_requests.request_file(settings).read_text())
    assert request == {"bundle": str(bundle), "version": "0.2.0", "by": "kades", "client": "10.0.0.5"}
    entry = AuditLog.select().where(AuditLog.action == "update.request").get()
    assert entry.actor == "kades" and entry.target == "0.2.0"
    with pytest.raises(ServiceError) as twice:
        update_requests.request_update(settings, bundle, actor="kades")
    assert twice.value.key == "update.busy"
    status = update_requests.status(settings)
    assert status["appliance"] and status["pending"]["version"] == "0.2.0" and status["state"] is None
    assert update_requests.take_request(settings)["bundle"] == str(bundle)
    assert update_requests.take_request(settings) is None  # taken once, never again


def test_refused_requests_change_nothing(appliance: tuple[Settings, Path, Path], tmp_path: Path) -> None:
    settings, stick, key = appliance
    elsewhere = tmp_path / "balai-update-0.2.0.tar"
    elsewhere.write_bytes(_bundle_on(stick, key, "0.2.0").read_bytes())
    for bundle, reason in ((elsewhere, "update.bundle_missing"),  # not on a stick: the page only offers sticks
                           (_bundle_on(stick, key, "0.1.0"), "update.not_newer")):
        with pytest.raises(ServiceError) as refused:
            update_requests.request_update(settings, bundle, actor="kades")
        assert refused.value.key == reason
    foreign_key = tmp_path / "foreign.key"
    generate_key(foreign_key, tmp_path / "foreign.pub")
    forged = stick / "balai-update-0.3.0.tar"
    wheels = tmp_path / "w3"
    wheels.mkdir()
    (wheels / "balai-0.3.0-py3-none-any.whl").write_bytes(b"x")
    pack(wheels, load_private_key(foreign_key), forged)
    with pytest.raises(ServiceError) as refused:
        update_requests.request_update(settings, forged, actor="kades")
    assert refused.value.key == "update.signature_invalid"
    assert not update_requests.request_file(settings).exists()
    assert AuditLog.select().where(AuditLog.action == "update.request").count() == 0


def test_run_pending_takes_the_request_first_and_remembers_a_refusal(appliance: tuple[Settings, Path, Path]) -> None:
    """The bundle disappears (stick pulled) between the page's check and the service: refused, in the history."""
    settings, stick, key = appliance
    bundle = _bundle_on(stick, key, "0.2.0")
    update_requests.request_update(settings, bundle, actor="kades")
    bundle.unlink()
    results = update_requests.run_pending(settings)
    assert results == [{"outcome": "refused", "reason": "update.bundle_missing", "params": {"path": str(bundle)},
                        "to": "0.2.0", "by": "kades", "from": "0.1.0"}]
    assert not update_requests.request_file(settings).exists()
    assert read_history(settings)[0]["outcome"] == "refused"
    assert update_requests.run_pending(settings) == []  # nothing left: the path unit's next trigger does nothing
    assert Layout(settings.install_root).current() == "0.1.0" and not state_file(settings).exists()


def test_recovery_never_follows_a_forged_state(appliance: tuple[Settings, Path, Path], tmp_path: Path) -> None:
    """The state lives in root's install folder; even a forged one cannot point the link outside releases/."""
    from kiosk.services.update_install import Installer, write_json

    settings, _, _ = appliance
    assert state_file(settings).parent == settings.install_root and settings.data_dir not in state_file(
        settings).parents
    evil = tmp_path / "evil"
    (evil / "bin").mkdir(parents=True)
    for forged in ({"phase": "starting", "from": "0.1.0", "to": str(evil)},
                   {"phase": "starting", "from": "0.1.0", "to": "../../evil"},
                   {"phase": "starting", "from": "0.1.0", "to": "0.9.0"}):  # well-formed but not installed
        write_json(state_file(settings), forged)
        with pytest.raises(ServiceError):
            Installer(settings).recover()
        assert Layout(settings.install_root).current() == "0.1.0"
