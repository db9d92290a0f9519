"""Attacks at the district hub: one village writing another's data, replays, stale requests, tampered sticks.

The victim is the demo village 3204122001 (its real database, journal and key, syncing through the real
uploader); the attacker is village 3204122002, enrolled with its own key, which may capture anything that
crossed the (plain HTTP) link. Every test checks what the hub stores, table by table, not only the answer.
Complements tests/sync/test_uploader.py and tests/sync/test_bundle.py without repeating them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.db import database
from kiosk.services.resident_edit import PersonInput, create_person
from kiosk.settings import Settings
from sync import client as sync_client, journal
from sync.bundle import write_bundle
from sync.client import HubLink, Uploader
from sync.hub import api as hub_api
from sync.hub.bundle_import import import_bundles
from sync.hub.enrolment import create_code
from sync.hub.store import (HubBatch, HubIncident, HubRange, HubRecord, HubRejection, HubVillage, hub_database,
                            utc_now)
from sync.keys import box_key, public_text
from sync.protocol import (H_BATCH_SHA, H_SIGNATURE, H_VILLAGE, Batch, Change, canonical_json, encode_batch, sha256_hex,
                           sign)
from sync.usb import export_pending
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content
from tests.sync.conftest import enrolled, hub, small_village, village_key

VICTIM = "3204122001"
ATTACKER = "3204122002"
DATA_TABLES = (HubRecord, HubBatch, HubRange, HubRejection)
SYNC_FIXTURES = (enrolled, hub, small_village, village_key)  # shared with tests/sync, used by name below


@dataclass
class Captured:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


class Recorder(httpx.HTTPTransport):
    """What a listener on the village's link sees: every request, byte for byte, headers included."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Captured] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(Captured(request.method, str(request.url), dict(request.headers), request.read()))
        return super().handle_request(request)

    def last(self, method: str, path: str) -> Captured:
        return [c for c in self.seen if c.method == method and httpx.URL(c.url).path == path][-1]


def _rows(model: Any) -> list[tuple]:
    """Every row of a hub table as plain values, in a stable order."""
    with hub_database.connection_context():
        return sorted(tuple(str(v) for v in row) for row in model.select().tuples())


def _store() -> dict[str, list[tuple]]:
    """The hub's data tables, row for row: what a replay or a forgery must leave exactly as it was."""
    return {model.__name__: _rows(model) for model in DATA_TABLES}


def _village_row(village_id: str) -> tuple:
    with hub_database.connection_context():
        return HubVillage.select().where(HubVillage.village_id == village_id).tuples().get()


def _incidents(kind: str) -> int:
    with hub_database.connection_context():
        return HubIncident.select().where(HubIncident.kind == kind).count()


def _victim_matches_hub() -> None:
    assert differences(village_content(database), hub_content(VICTIM)) == []


def _hub_key() -> str:
    return database.execute_sql("SELECT hub_sign_key FROM sync_state").fetchone()[0]


def _enrol_attacker(hub_url: str) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    with httpx.Client(base_url=hub_url) as http:
        answer = http.post("/api/hub/v1/enrol", json={"village": ATTACKER, "code": create_code(ATTACKER),
                                                      "public_key": public_text(key)})
    assert answer.status_code == 200
    return key


def _send(captured: Captured, **header_changes: str) -> httpx.Response:
    changed = {name.lower() for name in header_changes}
    headers = {k: v for k, v in captured.headers.items() if k.lower() not in {"host", "content-length", *changed}}
    headers.update(header_changes)
    with httpx.Client() as http:
        return http.request(captured.method, captured.url, headers=headers, content=captured.body or None)


def _victim_upload(recorder: Recorder, key: Ed25519PrivateKey) -> Captured:
    result = Uploader(database, key, transport=recorder).once()
    assert result.acknowledged >= 1
    _victim_matches_hub()
    return recorder.last("POST", "/api/hub/v1/batches")


def _add_person(nik: str) -> None:
    create_person(PersonInput(nik=nik, nama="Warga Baru", sex=1, tanggallahir=date(1990, 1, 1)), family_id=None,
                  first_event="datang", event_date=date(2026, 11, 2), actor="op")


def test_a_village_cannot_plant_records_carrying_another_villages_code(
        small_village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread) -> None:
    Uploader(database, village_key).once()
    before = hub_content(VICTIM)
    attacker = _enrol_attacker(enrolled.url)
    link = HubLink(enrolled.url, ATTACKER, attacker, _hub_key())
    # The attacker's own, correctly signed batch, whose records claim to be the victim's.
    planted = encode_batch(Batch(ATTACKER, "0001" + "0" * 12, 1, 2, "x", [
        Change(1, "village", "desa", {"code": VICTIM, "name": "Desa Palsu"}),
        Change(2, "village", VICTIM, {"code": "32.04.12.2001", "name": "Desa Palsu"})]))
    code, answer = link.call("POST", "/api/hub/v1/batches", "ack", planted)
    assert code == 200 and {r["reason"] for r in answer["rejected"]} == {"village_code_mismatch"}
    # A batch whose header names the victim, signed by the attacker as itself: refused whole.
    claimed = encode_batch(Batch(VICTIM, "0001" + "0" * 12, 900, 900, "x", [
        Change(900, "wilayah", "w-palsu", {"dusun": "Palsu"})]))
    code, answer = link.call("POST", "/api/hub/v1/batches", "ack", claimed)
    assert code == 403 and answer["error"] == "wrong_village"
    # Signed with the attacker's key while naming the victim as sender: the signature does not match.
    impostor = HubLink(enrolled.url, VICTIM, attacker, _hub_key())
    code, answer = impostor.call("POST", "/api/hub/v1/batches", "ack", claimed)
    assert code == 401 and answer["error"] == "bad_signature"
    link.close()
    impostor.close()
    assert hub_content(VICTIM) == before
    with hub_database.connection_context():
        assert not HubRecord.select().where(HubRecord.data.contains("Desa Palsu")).exists()
        assert not HubRange.select().where((HubRange.village_id == VICTIM) & (HubRange.first_seq == 900)).exists()
    _victim_matches_hub()


def test_a_captured_upload_sent_again_is_a_duplicate_and_under_another_name_is_refused(
        small_village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread) -> None:
    captured = _victim_upload(Recorder(), village_key)
    store = _store()
    replay = _send(captured)  # the exact bytes and headers, from anyone on the network
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert _store() == store
    attacker = _enrol_attacker(enrolled.url)
    # The victim's signed request relabelled as the attacker's: the signature no longer matches.
    relabelled = _send(captured, **{H_VILLAGE: ATTACKER})
    assert relabelled.status_code == 401 and relabelled.json()["error"] == "bad_signature"
    # Re-signed by the attacker with its own key: the batch inside still names the victim.
    link = HubLink(enrolled.url, ATTACKER, attacker, _hub_key())
    code, answer = link.call("POST", "/api/hub/v1/batches", "ack", captured.body,
                             extra={H_BATCH_SHA: sha256_hex(captured.body)})
    link.close()
    assert code == 403 and answer["error"] == "wrong_village"
    # The victim's signature copied onto another body: refused.
    forged = _send(Captured(captured.method, captured.url, captured.headers, encode_batch(Batch(
        VICTIM, "0001" + "0" * 12, 900, 900, "x", [Change(900, "wilayah", "w-palsu", {"dusun": "Palsu"})]))))
    assert forged.status_code in (400, 401)
    assert _store() == store
    with hub_database.connection_context():
        assert HubRecord.select().where(HubRecord.village_id == ATTACKER).count() == 0
    _victim_matches_hub()


def test_a_stale_signed_request_is_refused_and_an_older_one_changes_no_report(
        small_village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread,
        monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    first_upload = _victim_upload(recorder, village_key)
    first_status = recorder.last("GET", "/api/hub/v1/status")
    assert first_status.headers[H_SIGNATURE.lower()]
    # A minute later the village has sent more and reports nothing pending.
    real_now = sync_client._now
    monkeypatch.setattr(sync_client, "_now", lambda: real_now() + timedelta(seconds=60))
    _add_person("3204120101900001")
    Uploader(database, village_key, transport=recorder).once()
    _victim_matches_hub()
    store, village_row = _store(), _village_row(VICTIM)
    assert village_row[HubVillage._meta.sorted_field_names.index("pending_reported")] == 0
    # The older status call sent again soon after: answered, but the district's view of the village stays.
    again = _send(first_status)
    assert again.status_code == 200
    assert _village_row(VICTIM) == village_row and _store() == store
    # Twenty minutes later the captured requests are stale: refused, logged, nothing changes.
    later = utc_now() + timedelta(minutes=20)
    monkeypatch.setattr(hub_api, "utc_now", lambda: later)
    for captured in (first_status, first_upload, recorder.last("GET", "/api/hub/v1/status")):
        refused = _send(captured)
        assert refused.status_code == 401 and refused.json()["error"] == "stale_request"
    assert _village_row(VICTIM) == village_row and _store() == store
    assert _incidents("stale_request") == 1  # repeats within a minute are only logged
    # The village itself, with a correct clock, still gets through.
    monkeypatch.setattr(sync_client, "_now", lambda: real_now() + timedelta(minutes=21))
    assert Uploader(database, village_key).once().sent == 0


def _bundle(tmp_path: Path, name: str, key: Ed25519PrivateKey) -> Path:
    exported = export_pending(database, key, tmp_path / name)
    assert exported.batches >= 1
    return exported.folder


def _import(hub: HubThread, folder: Path) -> dict[str, Any]:
    return import_bundles(folder, box_key(hub.settings.box_key_file)).as_json()


def _reasons(report: dict[str, Any]) -> list[str]:
    return [item["reason"] for item in report["refused"]]


def test_tampered_and_foreign_usb_bundles_change_nothing(
        small_village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread, tmp_path: Path) -> None:
    attacker = _enrol_attacker(enrolled.url)
    original = _bundle(tmp_path, "stick", village_key)
    manifest = json.loads((original / "manifest.json").read_text())
    empty = _store()

    def copy(name: str) -> Path:
        target = tmp_path / name / original.name
        shutil.copytree(original, target)
        return target

    # A byte changed in the manifest (a batch hash): the signature fails, the whole bundle is refused.
    changed = copy("manifest-byte")
    text = (changed / "manifest.json").read_text()
    sha = manifest["batches"][0]["sha256"]
    (changed / "manifest.json").write_text(text.replace(sha, ("0" if sha[0] != "0" else "1") + sha[1:]))
    assert _reasons(_import(enrolled, changed)) == ["bundle_signature"]
    # The manifest re-signed with another village's key (the attacker's): not the victim's signature.
    resigned = copy("resigned")
    forged = {k: v for k, v in manifest.items() if k != "signature"}
    forged["signature"] = sign(attacker, canonical_json(forged))
    (resigned / "manifest.json").write_text(json.dumps(forged))
    assert _reasons(_import(enrolled, resigned)) == ["bundle_signature"]
    # The same manifest claimed as the attacker's (signed by it, naming it): the batches inside name the victim.
    claimed = copy("claimed")
    forged = {k: v for k, v in manifest.items() if k != "signature"} | {"village": ATTACKER}
    forged["signature"] = sign(attacker, canonical_json(forged))
    (claimed / "manifest.json").write_text(json.dumps(forged))
    assert set(_reasons(_import(enrolled, claimed))) == {"wrong_village"}
    # A bundle encrypted for another hub's key: refused before anything is decrypted.
    assert _reasons(import_bundles(original, X25519PrivateKey.generate()).as_json()) == ["bundle_recipient"]
    # A batch moved from the victim's bundle into the attacker's own, correctly signed bundle.
    victim_batches = [(b.batch_id, b.sha256, b.body) for b in journal.pending(database)]
    attacker_folder = write_bundle(tmp_path / "moved", ATTACKER, victim_batches[:1], attacker,
                                   public_text(box_key(enrolled.settings.box_key_file)))
    assert _reasons(_import(enrolled, attacker_folder)) == ["wrong_village"]
    # The victim's file dropped into the attacker's bundle under the attacker's manifest entry.
    shutil.copyfile(original / "00001.bin", attacker_folder / "00001.bin")
    assert _reasons(_import(enrolled, attacker_folder)) == ["decrypt_failed"]
    with hub_database.connection_context():
        assert HubRecord.select().count() == 0 and HubBatch.select().count() == 0
        assert HubIncident.select().where(HubIncident.kind.in_(["bundle_refused", "bundle_batch_refused"])).exists()
    assert _store() == empty
    # A byte changed in one batch file: that batch alone is refused, the others are genuine and go in.
    flipped = copy("batch-byte")
    data = bytearray((flipped / "00001.bin").read_bytes())
    data[-5] ^= 0x40
    (flipped / "00001.bin").write_bytes(bytes(data))
    report = _import(enrolled, flipped)
    assert _reasons(report) == ["decrypt_failed"] and report["stored"] == len(manifest["batches"]) - 1
    with hub_database.connection_context():
        assert not HubBatch.select().where(HubBatch.batch_id == manifest["batches"][0]["batch_id"]).exists()
    # The genuine bundle completes the victim's data, and nothing of the attacker's is stored.
    assert _import(enrolled, original)["stored"] == 1
    with hub_database.connection_context():
        assert HubRecord.select().where(HubRecord.village_id == ATTACKER).count() == 0
    _victim_matches_hub()
