"""USB bundles: signed, encrypted, and harmless to import twice or alongside the network, in any order."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import database
from kiosk.services.resident_edit import PersonInput, create_person
from kiosk.settings import Settings
from sync import journal
from sync.client import Uploader
from sync.hub.bundle_import import import_bundles
from sync.hub.store import HubBatch, HubIncident, hub_database
from sync.keys import box_key
from sync.usb import ExportError, Stick, export_pending, find_sticks
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content

VILLAGE = "3204122001"


def _import(hub: HubThread, folder: Path) -> dict:
    return import_bundles(folder, box_key(hub.settings.box_key_file)).as_json()


def _equal() -> None:
    assert differences(village_content(database), hub_content(VILLAGE)) == []


def _add_person(nik: str) -> None:
    create_person(PersonInput(nik=nik, nama="Warga Baru", sex=1, tanggallahir=date(1990, 1, 1)), family_id=None,
                  first_event="datang", event_date=date(2026, 11, 2), actor="op")


def test_export_needs_an_enrolment(small_village: Settings, village_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as refused:
        export_pending(database, village_key, tmp_path / "stick")
    assert refused.value.code == "not_enrolled"


def test_a_bundle_imported_twice_changes_nothing_the_second_time(village: Settings, village_key: Ed25519PrivateKey,
                                                                 enrolled: HubThread, tmp_path: Path) -> None:
    exported = export_pending(database, village_key, tmp_path / "stick")
    assert exported.batches >= 2 and (exported.folder / "manifest.json").exists()
    first = _import(enrolled, tmp_path / "stick")
    assert first["stored"] == exported.batches and first["refused"] == []
    second = _import(enrolled, tmp_path / "stick")
    assert second["stored"] == 0 and second["duplicates"] == exported.batches
    with hub_database.connection_context():
        assert HubBatch.select().where(HubBatch.via == "usb").count() == exported.batches
    # The village learns from the hub that the stick arrived, and sends nothing again over the link.
    result = Uploader(database, village_key).once()
    assert result.already_at_hub == exported.batches and result.sent == 0
    assert journal.status(database).pending_changes == 0
    _equal()


def test_network_first_then_the_same_bundle_by_usb(village: Settings, village_key: Ed25519PrivateKey,
                                                   enrolled: HubThread, tmp_path: Path) -> None:
    exported = export_pending(database, village_key, tmp_path / "stick")
    Uploader(database, village_key).once()
    report = _import(enrolled, tmp_path / "stick")
    assert report["stored"] == 0 and report["duplicates"] == exported.batches
    _equal()


def test_bundles_imported_newest_first_end_with_the_newest_state(small_village: Settings,
                                                                 village_key: Ed25519PrivateKey,
                                                                 enrolled: HubThread, tmp_path: Path) -> None:
    older = export_pending(database, village_key, tmp_path / "monday")
    _add_person("3204120101900001")
    database.execute_sql("UPDATE village SET address = 'Jl. Raya Sukamaju 1'")
    newer = export_pending(database, village_key, tmp_path / "tuesday")  # holds Monday's batches too
    assert newer.batches > older.batches
    assert _import(enrolled, tmp_path / "tuesday")["stored"] == newer.batches
    assert _import(enrolled, tmp_path / "monday")["duplicates"] == older.batches
    _equal()


def test_a_tampered_manifest_refuses_the_whole_bundle(small_village: Settings, village_key: Ed25519PrivateKey,
                                                      enrolled: HubThread, tmp_path: Path) -> None:
    exported = export_pending(database, village_key, tmp_path / "stick")
    manifest = json.loads((exported.folder / "manifest.json").read_text())
    manifest["village"] = "3204122001"
    manifest["created_at"] = "20200101T000000Z"
    (exported.folder / "manifest.json").write_text(json.dumps(manifest))
    report = _import(enrolled, tmp_path / "stick")
    assert report["stored"] == 0 and report["refused"][0]["reason"] == "bundle_signature"
    with hub_database.connection_context():
        assert HubIncident.select().where(HubIncident.kind == "bundle_refused").exists()
        assert HubBatch.select().count() == 0


def test_a_changed_byte_in_a_batch_file_refuses_that_batch_only(village: Settings, village_key: Ed25519PrivateKey,
                                                                enrolled: HubThread, tmp_path: Path) -> None:
    exported = export_pending(database, village_key, tmp_path / "stick")
    target = exported.folder / "00001.bin"
    data = bytearray(target.read_bytes())
    data[40] ^= 0x01
    target.write_bytes(bytes(data))
    report = _import(enrolled, tmp_path / "stick")
    assert report["stored"] == exported.batches - 1
    assert [r["reason"] for r in report["refused"]] == ["decrypt_failed"]


def test_a_bundle_from_an_unknown_village_or_for_another_hub_is_refused(small_village: Settings,
                                                                        village_key: Ed25519PrivateKey,
                                                                        enrolled: HubThread, tmp_path: Path) -> None:
    exported = export_pending(database, village_key, tmp_path / "stick")
    with HubThread(tmp_path / "other-hub") as other:
        report = import_bundles(tmp_path / "stick", box_key(other.settings.box_key_file)).as_json()
    assert report["refused"][0]["reason"] == "not_enrolled"
    assert exported.batches >= 1


def test_the_batch_files_reveal_no_personal_data(village: Settings, village_key: Ed25519PrivateKey,
                                                 enrolled: HubThread, tmp_path: Path) -> None:
    exported = export_pending(database, village_key, tmp_path / "stick")
    nik = database.execute_sql("SELECT nik FROM penduduk LIMIT 1").fetchone()[0]
    for path in exported.folder.iterdir():
        assert nik.encode() not in path.read_bytes()


def test_sticks_are_found_in_the_mount_table(tmp_path: Path) -> None:
    root = tmp_path / "media"
    stick = root / "pi" / "DATA DESA"
    stick.mkdir(parents=True)
    (root / "pi" / "readonly").mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/mmcblk0p2 / ext4 rw,noatime 0 0\n"
        f"/dev/sda1 {str(stick).replace(' ', chr(92) + '040')} vfat rw,nosuid 0 0\n"
        f"/dev/sdb1 {root / 'pi' / 'readonly'} vfat ro 0 0\n"
        f"tmpfs {root} tmpfs rw 0 0\n")
    found = find_sticks((str(root),), mounts)
    assert [s.path for s in found] == [stick]
    assert isinstance(found[0], Stick) and found[0].label == "DATA DESA" and found[0].free_bytes > 0
    assert find_sticks((str(root),), tmp_path / "missing") == []
