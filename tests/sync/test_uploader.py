"""Village and hub on loopback: enrol, first sync, later changes, duplicates, conflicts, restored backups.

Each test ends by comparing what the village holds with what the hub holds.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import close_database, database, open_database
from kiosk.services.announcements import current as current_announcements
from kiosk.services.hub_items import apply_items
from kiosk.services.resident_edit import PersonInput, create_person, update_person
from kiosk.settings import Settings
from sync import journal
from sync.client import SyncError, Uploader, backoff_delay, enrol
from sync.hub.enrolment import create_code
from sync.hub.pull import add_announcement
from sync.hub.store import HubBatch, HubIncident, HubRecord, HubVillage, hub_database
from sync.keys import public_text
from sync.protocol import H_VILLAGE
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content

VILLAGE = "3204122001"


def _assert_equal() -> None:
    village, hub = village_content(database), hub_content(VILLAGE)
    assert differences(village, hub) == []
    assert len(village) == len(hub)


def _backup(source: Path, target: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)


def test_enrolment_needs_the_right_one_time_code(small_village: Settings, village_key: Ed25519PrivateKey,
                                                 hub: HubThread) -> None:
    with pytest.raises(SyncError) as wrong:
        enrol(database, village_key, hub.url, "AAAA-BBBB-CCCC")
    assert wrong.value.code == "code_invalid"
    other_village_code = create_code("3204122002")
    with pytest.raises(SyncError):
        enrol(database, village_key, hub.url, other_village_code)
    code = create_code(VILLAGE)
    assert enrol(database, village_key, hub.url, code)["village"] == VILLAGE
    with pytest.raises(SyncError):  # used once
        enrol(database, village_key, hub.url, code)
    assert journal.status(database).enrolled


def test_first_sync_sends_everything_once_and_the_hub_matches(village: Settings, village_key: Ed25519PrivateKey,
                                                              enrolled: HubThread) -> None:
    result = Uploader(database, village_key).once()
    assert result.acknowledged >= 2 and result.rejected == 0
    status = journal.status(database)
    assert status.pending_changes == 0 and status.last_success_at and status.last_error == ""
    _assert_equal()
    again = Uploader(database, village_key).once()
    assert again.sent == 0
    with hub_database.connection_context():
        village_row = HubVillage.get(HubVillage.village_id == VILLAGE)
        assert village_row.pending_reported == 0 and village_row.last_success_at is not None
        assert abs(village_row.clock_skew_s) < 60


def test_later_changes_travel_and_newer_state_wins(village: Settings, village_key: Ed25519PrivateKey,
                                                   enrolled: HubThread) -> None:
    Uploader(database, village_key).once()
    person_id, _ = create_person(PersonInput(nik="3204124508900003", nama="Siti Aminah", sex=2,
                                             tanggallahir=date(1990, 8, 5)),
                                 family_id=None, first_event="datang", event_date=date(2026, 11, 1), actor="op")
    update_person(person_id, PersonInput(nik="3204124508900003", nama="Siti Aminah Rahayu", sex=2,
                                         tanggallahir=date(1990, 8, 5)), actor="op")
    result = Uploader(database, village_key).once()
    assert result.acknowledged == 1
    _assert_equal()


def test_a_batch_sent_twice_is_a_duplicate_and_changes_nothing(small_village: Settings,
                                                               village_key: Ed25519PrivateKey,
                                                               enrolled: HubThread) -> None:
    journal.seal(database)
    batch = journal.pending(database)[0]
    Uploader(database, village_key).once()
    # Replay the exact signed request the uploader would make.
    from sync.client import HubLink

    row = database.execute_sql("SELECT hub_sign_key FROM sync_state").fetchone()
    link = HubLink(enrolled.url, VILLAGE, village_key, row[0])
    code, answer = link.call("POST", "/api/hub/v1/batches", "ack", batch.body, extra={
        "X-Balai-Batch-Sha256": batch.sha256})
    link.close()
    assert code == 200 and answer["duplicate"] is True
    with hub_database.connection_context():
        assert HubBatch.select().count() == 1
    _assert_equal()


def test_a_different_batch_under_the_same_numbers_is_a_conflict_and_starts_a_new_epoch(
        village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread, tmp_path: Path) -> None:
    """A copy of the database (an SD card cloned, a backup restored on a second Pi) reuses sequence numbers."""
    snapshot = tmp_path / "copy.sqlite3"
    _backup(village.database_path, snapshot)  # as `balai backup` would: SQLite's online backup
    Uploader(database, village_key).once()
    close_database()
    shutil.copyfile(snapshot, village.database_path)  # restore the old copy: the hub has more than it wrote
    for suffix in ("-wal", "-shm"):
        Path(str(village.database_path) + suffix).unlink(missing_ok=True)
    open_database(village.database_path)
    old_epoch = journal.epoch(database)
    result = Uploader(database, village_key).once()
    assert result.new_epoch and journal.epoch(database) != old_epoch
    assert int(journal.epoch(database)[:4], 16) == 2
    _assert_equal()


def test_a_conflicting_batch_is_refused_and_logged(small_village: Settings, village_key: Ed25519PrivateKey,
                                                   enrolled: HubThread) -> None:
    Uploader(database, village_key).once()
    with hub_database.connection_context():
        stored = HubBatch.select().first()
    from sync.client import HubLink
    from sync.protocol import Batch, Change, encode_batch

    forged = encode_batch(Batch(VILLAGE, stored.epoch, stored.first_seq, stored.last_seq, "x",
                                [Change(stored.first_seq, "wilayah", "w", {"dusun": "Palsu"})]))
    row = database.execute_sql("SELECT hub_sign_key FROM sync_state").fetchone()
    link = HubLink(enrolled.url, VILLAGE, village_key, row[0])
    code, answer = link.call("POST", "/api/hub/v1/batches", "ack", forged)
    link.close()
    assert code == 409 and answer["error"] == "conflict"
    with hub_database.connection_context():
        assert HubIncident.select().where(HubIncident.kind == "conflict").exists()
        assert not HubRecord.select().where(HubRecord.key == "w").exists()


def test_a_village_cannot_write_another_villages_data(small_village: Settings, village_key: Ed25519PrivateKey,
                                                      enrolled: HubThread) -> None:
    journal.seal(database)
    batch = journal.pending(database)[0]
    intruder = Ed25519PrivateKey.generate()
    enrol_other = create_code("3204122002")
    with httpx.Client(base_url=enrolled.url) as client:
        assert client.post("/api/hub/v1/enrol", json={"village": "3204122002", "code": enrol_other,
                                                      "public_key": public_text(intruder)}).status_code == 200
    from sync.client import HubLink

    row = database.execute_sql("SELECT hub_sign_key FROM sync_state").fetchone()
    # Village B signs correctly with its own key but sends A's batch: refused, nothing stored.
    link = HubLink(enrolled.url, "3204122002", intruder, row[0])
    code, answer = link.call("POST", "/api/hub/v1/batches", "ack", batch.body)
    assert code == 403 and answer["error"] == "wrong_village"
    link.close()
    # B pretending to be A: the signature does not match A's key.
    impostor = HubLink(enrolled.url, VILLAGE, intruder, row[0])
    code, answer = impostor.call("POST", "/api/hub/v1/batches", "ack", batch.body)
    impostor.close()
    assert code == 401 and answer["error"] == "bad_signature"
    with hub_database.connection_context():
        assert HubRecord.select().count() == 0


def test_an_unsigned_or_unknown_caller_is_refused(hub: HubThread) -> None:
    with httpx.Client(base_url=hub.url) as client:
        assert client.get("/api/hub/v1/status").status_code == 401
        assert client.get("/api/hub/v1/status", headers={H_VILLAGE: VILLAGE}).status_code == 401
        big = client.post("/api/hub/v1/batches", content=b"x" * 70_000, headers={H_VILLAGE: VILLAGE})
        assert big.status_code == 413


def test_an_answer_not_signed_by_the_enrolled_hub_is_not_believed(small_village: Settings,
                                                                   village_key: Ed25519PrivateKey,
                                                                   enrolled: HubThread, tmp_path: Path) -> None:
    """A machine in the middle that answers "received" must not make the village drop its data."""
    with HubThread(tmp_path / "impostor-hub") as impostor:
        database.execute_sql("UPDATE sync_state SET hub_url = ?", (impostor.url,))
        with hub_database.connection_context():  # the impostor knows the village's public key, not the hub's key
            HubVillage.create(village_id=VILLAGE, public_key=public_text(village_key), enrolled_at=datetime(2026, 1, 1))
        with pytest.raises(SyncError) as refused:
            Uploader(database, village_key).once()
        assert refused.value.code == "hub_signature"
    assert journal.status(database).pending_changes > 0
    assert "hub_signature" in journal.status(database).last_error


def test_a_link_that_is_down_is_recorded_and_nothing_is_lost(small_village: Settings,
                                                             village_key: Ed25519PrivateKey,
                                                             enrolled: HubThread) -> None:
    database.execute_sql("UPDATE sync_state SET hub_url = 'http://127.0.0.1:9'")
    with pytest.raises(SyncError) as down:
        Uploader(database, village_key).once()
    assert down.value.code == "network"
    status = journal.status(database)
    assert status.failures == 1 and status.pending_changes > 0 and status.last_error.startswith("network")


def test_announcements_and_templates_come_down_once_and_bad_ones_are_refused(
        small_village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread) -> None:
    import json as jsonlib

    from kiosk.data import letter_type_files
    from sync.hub.pull import OutboxError, add_letter_type
    from sync.hub.store import HubOutbox, utc_now

    definition_file, body_file = letter_type_files()[0]
    good = jsonlib.loads(definition_file.read_text(encoding="utf-8"))
    good.update(code="KABUP", name="Surat Keterangan dari Kabupaten")
    with hub_database.connection_context():
        add_announcement("*", "Posyandu Balita", "Hari Sabtu di balai desa", date(2026, 1, 1), None, actor="t")
        with pytest.raises(OutboxError) as refused_at_hub:  # the district hears of a broken template at once
            add_letter_type(VILLAGE, {**good, "code": "RUSAK"}, "{{ broken", actor="t")
        assert refused_at_hub.value.code == "letter_type_invalid" and refused_at_hub.value.detail
        add_letter_type(VILLAGE, good, body_file.read_text(encoding="utf-8"), actor="t")
        # One that an older hub let through: the village checks again and refuses it.
        HubOutbox.create(village_id=VILLAGE, kind="letter_type", created_at=utc_now(),
                         payload=jsonlib.dumps({"definition": {**good, "code": "RUSAK"}, "body": "{{ broken"}))
    uploader = Uploader(database, village_key, apply_pulled=apply_items)
    assert uploader.once().pulled == 3
    titles = [a["title"] for a in current_announcements(date(2026, 11, 23))]
    assert titles == ["Posyandu Balita"]
    outcomes = database.execute_sql("SELECT outcome FROM sync_pulled ORDER BY hub_item_id").fetchall()
    assert [o[0] for o in outcomes] == ["ok", "ok", "refused"]
    assert database.execute_sql("SELECT name FROM letter_type WHERE code = 'KABUP'").fetchone()[0] == good["name"]
    assert uploader.once().pulled == 0
    from sync.hub.store import HubPullResult

    with hub_database.connection_context():
        assert sorted(r.outcome for r in HubPullResult.select()) == ["ok", "ok", "refused"]


def test_backoff_has_full_jitter_and_a_five_minute_cap() -> None:
    import random

    rng = random.Random(1)
    delays = [backoff_delay(failures, rng) for failures in range(1, 30) for _ in range(20)]
    assert max(delays) <= 300 and min(delays) >= 0
    assert max(backoff_delay(1, rng) for _ in range(200)) <= 4
    assert max(backoff_delay(12, rng) for _ in range(200)) > 200  # capped but reaching it


def test_a_reimaged_office_starts_after_everything_its_earlier_installation_sent(
        small_village: Settings, village_key: Ed25519PrivateKey, enrolled: HubThread, tmp_path: Path) -> None:
    """A new SD card, a fresh database (generation 1 again), a new key and a new enrolment code: its records
    must win over the old installation's, whatever their sequence numbers."""
    database.execute_sql("UPDATE village SET address = 'alamat lama'")
    for _ in range(5):  # the old installation got far in its sequence numbers
        database.execute_sql("UPDATE village SET address = address || '.'")
    Uploader(database, village_key).once()
    close_database()
    from kiosk.app import prepare_database
    from kiosk.seal import load_or_create_private_key
    from kiosk.services.demo import seed_demo
    from kiosk.settings import load_settings

    fresh = load_settings(environ={}, overrides={"data_dir": tmp_path / "new-card", "mdns_enabled": False})
    prepare_database(fresh)
    seed_demo(population=False)
    database.execute_sql("UPDATE village SET address = 'alamat baru', uuid = ?",
                         (hub_content(VILLAGE) and next(k for e, k in hub_content(VILLAGE) if e == "village"),))
    new_key = load_or_create_private_key(fresh.signing_key_file)
    enrol(database, new_key, enrolled.url, create_code(VILLAGE))
    assert journal.epoch(database).startswith("0001")
    result = Uploader(database, new_key).once()
    assert result.new_epoch and journal.epoch(database).startswith("0002")
    village_records = village_content(database)
    hub = hub_content(VILLAGE)
    assert all(hub[key] == value for key, value in village_records.items())
    assert next(v for (e, _), v in hub.items() if e == "village")["address"] == "alamat baru"
