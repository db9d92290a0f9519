"""The hub's ingest on its own (SQLite here; PostgreSQL in test_hub_postgres): refusals one by one, versions,
ranges, old wire formats."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest

from sync.hub.ingest import IngestError, ingest
from sync.hub.store import (HubBatch, HubRange, HubRecord, HubRejection, HubVillage, close_hub_database,
                            hub_database, open_hub_database)
from sync.protocol import Batch, Change, encode_batch, encode_batch_v1

VILLAGE = "3204122001"
EPOCH = "0001a1b2c3d4e5f6"
PERSON = {"nik": "3204124508900003", "nama": "Siti Aminah", "sex": 2}


@pytest.fixture
def hub_db(tmp_path: Path) -> Iterator[None]:
    open_hub_database("", tmp_path)
    with hub_database.connection_context():
        HubVillage.create(village_id=VILLAGE, public_key="x", enrolled_at=datetime(2026, 1, 1))
    yield
    close_hub_database()


def _batch(first: int, last: int, changes: list[Change], epoch: str = EPOCH) -> bytes:
    return encode_batch(Batch(VILLAGE, epoch, first, last, "2026-11-23", changes))


def _record(key: str) -> dict:
    with hub_database.connection_context():
        row = HubRecord.get((HubRecord.village_id == VILLAGE) & (HubRecord.key == key))
        return {"deleted": row.deleted, **json.loads(row.data)}


def test_bad_records_are_refused_one_by_one_and_the_rest_is_stored(hub_db: None) -> None:
    body = _batch(1, 4, [
        Change(1, "penduduk", "p1", PERSON),
        Change(2, "penduduk", "p2", {**PERSON, "nik": "abc"}),
        Change(3, "keluarga", "k1", {"no_kk": "123"}),
        Change(4, "pengaduan", "c1", {"x": 1}),
    ])
    result = ingest(VILLAGE, body)
    assert result.accepted == 1
    assert [(r["seq"], r["reason"]) for r in result.rejected] == [
        (2, "penduduk_nik_invalid"), (3, "keluarga_no_kk_invalid"), (4, "unknown_entity")]
    assert _record("p1")["nama"] == "Siti Aminah"
    again = ingest(VILLAGE, body)
    assert again.duplicate and again.rejected == result.rejected
    with hub_database.connection_context():
        assert HubRejection.select().count() == 3 and HubBatch.select().count() == 1


def test_an_older_state_never_overwrites_a_newer_one(hub_db: None) -> None:
    ingest(VILLAGE, _batch(11, 20, [Change(15, "penduduk", "p1", {**PERSON, "nama": "Baru"})]))
    ingest(VILLAGE, _batch(1, 10, [Change(5, "penduduk", "p1", {**PERSON, "nama": "Lama"})]))
    assert _record("p1")["nama"] == "Baru"
    # A later epoch generation wins over any sequence of an earlier one, and a tombstone travels.
    ingest(VILLAGE, _batch(1, 1, [Change(1, "penduduk", "p1", None)], epoch="0002aaaaaaaaaaaa"))
    assert _record("p1")["deleted"] is True


def test_received_ranges_merge_per_epoch(hub_db: None) -> None:
    for first, last in ((1, 10), (21, 30), (11, 20)):
        ingest(VILLAGE, _batch(first, last, [Change(first, "wilayah", f"w{first}", {"dusun": "A"})]))
    with hub_database.connection_context():
        ranges = [(r.epoch, r.first_seq, r.last_seq) for r in HubRange.select()]
    assert ranges == [(EPOCH, 1, 30)]


def test_overlapping_numbers_under_another_batch_id_are_a_conflict(hub_db: None) -> None:
    ingest(VILLAGE, _batch(1, 10, [Change(1, "wilayah", "w", {"dusun": "A"})]))
    with pytest.raises(IngestError) as conflict:
        ingest(VILLAGE, _batch(5, 15, [Change(5, "wilayah", "w", {"dusun": "B"})]))
    assert conflict.value.status == 409
    with pytest.raises(IngestError) as same_id:
        ingest(VILLAGE, _batch(1, 10, [Change(1, "wilayah", "w", {"dusun": "C"})]))
    assert same_id.value.code == "conflict"
    assert _record("w")["dusun"] == "A"


def test_the_first_wire_format_is_upgraded_and_recorded(hub_db: None) -> None:
    body = encode_batch_v1(Batch(VILLAGE, EPOCH, 1, 2, "x", [Change(1, "penduduk", "p1", PERSON),
                                                               Change(2, "wilayah", "w1", {"dusun": "B"})]))
    assert ingest(VILLAGE, body).accepted == 2
    with hub_database.connection_context():
        assert HubBatch.get().schema_version == 1
    assert _record("p1") == {"deleted": False, **PERSON}


def test_a_body_that_does_not_match_its_hash_or_its_village_is_refused(hub_db: None) -> None:
    body = _batch(1, 1, [Change(1, "wilayah", "w", {"dusun": "A"})])
    with pytest.raises(IngestError) as mismatch:
        ingest(VILLAGE, body, claimed_sha256="0" * 64)
    assert mismatch.value.code == "hash_mismatch"
    with pytest.raises(IngestError) as other:
        ingest("3204122002", body)
    assert other.value.code == "wrong_village" and other.value.status == 403
    with hub_database.connection_context():
        assert HubRecord.select().count() == 0


def test_repeated_incidents_are_stored_once_a_minute(hub_db: None) -> None:
    from sync.hub.ingest import record_incident
    from sync.hub.store import HubIncident

    for _ in range(50):
        record_incident(VILLAGE, "bad_signature", "GET /api/hub/v1/status")
    record_incident(VILLAGE, "conflict", "x")
    with hub_database.connection_context():
        assert sorted(i.kind for i in HubIncident.select()) == ["bad_signature", "conflict"]
