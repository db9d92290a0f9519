"""The district hub on a real PostgreSQL: the same sync, a database SIGKILLed under it, and the hub CLI.

The hub's village API runs in a thread (HubThread) on a fresh database of the session's private PostgreSQL
(tests/support/postgres.py); `balai hub enrol` and `balai hub villages` run as child processes against the
same database. Every test ends with the village's content equal to the hub's, each batch held once.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import close_database, database
from kiosk.services import letter_requests, letter_signing
from kiosk.services.resident_edit import PersonInput, create_person, update_person
from kiosk.settings import Settings
from sync import journal
from sync.client import HubLink, SyncError, Uploader, enrol
from sync.entities import RecordReader
from sync.hub.enrolment import create_code
from sync.hub.ingest import IngestResult
from sync.hub.store import (HubBatch, HubIncident, HubRecord, HubRejection, close_hub_database, hub_database,
                            is_postgres)
from sync.keys import fingerprint
from sync.protocol import H_BATCH_SHA, Batch, Change, encode_batch
from tests.services.letters_support import make_world
from tests.support.faultproxy import FaultProxy
from tests.support.hub import HubThread
from tests.support.postgres import PrivatePostgres
from tests.support.sync_compare import differences, hub_content, village_content
from tests.support.sync_procs import LOOPBACK, run_balai, wait_until

VILLAGE = "3204122001"


def _assert_equal() -> None:
    village, hub = village_content(database), hub_content(VILLAGE)
    assert differences(village, hub) == []
    assert len(village) == len(hub)


def _assert_each_batch_once() -> None:
    assert database.execute_sql("SELECT COUNT(*) FROM sync_batch WHERE acked_at IS NULL").fetchone()[0] == 0
    village = {row[0]: row[1] for row in database.execute_sql("SELECT batch_id, sha256 FROM sync_batch")}
    with hub_database.connection_context():
        rows = [(b.batch_id, b.sha256) for b in HubBatch.select().where(HubBatch.village_id == VILLAGE)]
    assert len(rows) == len(dict(rows)) and dict(rows) == village


def _link(url: str, key: Ed25519PrivateKey) -> HubLink:
    """A signed link to the hub, as the uploader makes it (the hub's key from the village's enrolment)."""
    hub_key = database.execute_sql("SELECT hub_sign_key FROM sync_state WHERE id = 1").fetchone()[0]
    return HubLink(url, VILLAGE, key, hub_key)


@pytest.fixture
def pg_hub(tmp_path: Path, postgres_dsn: str) -> Iterator[HubThread]:
    """The hub's API in a thread on a fresh PostgreSQL database."""
    try:
        with HubThread(tmp_path / "hub", db_url=postgres_dsn) as running:
            assert is_postgres()
            yield running
    finally:
        close_hub_database()




def test_the_demo_village_on_postgres_with_changes_a_duplicate_a_conflict_and_a_bad_record(
        village: Settings, village_key: Ed25519PrivateKey, pg_hub: HubThread) -> None:
    enrol(database, village_key, pg_hub.url, create_code(VILLAGE))
    journal.seal(database)
    first = journal.pending(database)[0]  # its bytes are dropped once acknowledged: keep them for the replay

    result = Uploader(database, village_key).once()
    assert result.acknowledged >= 3 and result.rejected == 0
    _assert_equal()

    # Later changes: a newcomer, corrected the same day; the newest state wins.
    person_id, _ = create_person(PersonInput(nik="3204124508900003", nama="Siti Aminah", sex=2,
                                             tanggallahir=date(1990, 8, 5)),
                                 family_id=None, first_event="datang", event_date=date(2026, 11, 1), actor="op")
    update_person(person_id, PersonInput(nik="3204124508900003", nama="Siti Aminah Rahayu", sex=2,
                                         tanggallahir=date(1990, 8, 5)), actor="op")
    database.execute_sql("UPDATE village SET address = 'Jl. Raya Sukamaju 1'")
    assert Uploader(database, village_key).once().acknowledged == 1
    _assert_equal()
    with hub_database.connection_context():
        stored = HubBatch.select().count()

    link = _link(pg_hub.url, village_key)
    try:
        # The first batch again, byte for byte: a duplicate, answered as before.
        code, answer = link.call("POST", "/api/hub/v1/batches", "ack", first.body, extra={H_BATCH_SHA: first.sha256})
        assert code == 200 and answer["duplicate"] is True and answer["batch_id"] == first.batch_id
        with hub_database.connection_context():
            assert HubBatch.select().count() == stored

        # Other content under the same numbers: a conflict, refused whole and logged.
        forged = encode_batch(Batch(VILLAGE, first.epoch, first.first_seq, first.last_seq, "2026-11-23 10:00:00",
                                    [Change(first.first_seq, "wilayah", "forged-wilayah", {"dusun": "Palsu"})]))
        code, answer = link.call("POST", "/api/hub/v1/batches", "ack", forged)
        assert code == 409 and answer["error"] == "conflict"
        with hub_database.connection_context():
            assert HubIncident.select().where((HubIncident.village_id == VILLAGE)
                                              & (HubIncident.kind == "conflict")).exists()
            assert not HubRecord.select().where(HubRecord.key == "forged-wilayah").exists()
            assert HubBatch.select().count() == stored

        # A bad record is refused alone; the good one beside it is accepted. (Another lineage of numbers, so
        # the village's own epoch is untouched; the good record is the village's own, older than what the hub
        # holds, so nothing changes.)
        epoch = journal.epoch(database)
        other_epoch = epoch[:4] + ("f" * 12 if epoch[4:] != "f" * 12 else "e" * 12)
        key = database.execute_sql("SELECT uuid FROM penduduk ORDER BY id LIMIT 1").fetchone()[0]
        good = json.loads(json.dumps(RecordReader(database).read("penduduk", key), default=str))
        crafted = encode_batch(Batch(VILLAGE, other_epoch, 1, 2, "2026-11-23 10:00:00", [
            Change(1, "penduduk", "bad-resident-1", {"nik": "abc", "nama": "Data Rusak", "sex": 1}),
            Change(2, "penduduk", key, good)]))
        code, answer = link.call("POST", "/api/hub/v1/batches", "ack", crafted)
        assert code == 200 and answer["duplicate"] is False and answer["accepted"] == 1
        assert answer["rejected"] == [{"seq": 1, "entity": "penduduk", "key": "bad-resident-1",
                                       "reason": "penduduk_nik_invalid"}]
        with hub_database.connection_context():
            assert [r.reason for r in HubRejection.select().where(HubRejection.village_id == VILLAGE)] == \
                ["penduduk_nik_invalid"]
            assert not HubRecord.select().where(HubRecord.key == "bad-resident-1").exists()
    finally:
        link.close()

    again = Uploader(database, village_key).once()
    assert again.sent == 0 and not again.new_epoch and journal.status(database).pending_changes == 0
    _assert_equal()
    with hub_database.connection_context():
        own = HubBatch.select().where(HubBatch.epoch == journal.epoch(database)).count()
    assert own == stored


def test_postgres_killed_while_the_uploader_sends(village: Settings, village_key: Ed25519PrivateKey,
                                                   postgres_server: PrivatePostgres, postgres_dsn: str,
                                                   tmp_path: Path, ingest_log: list[IngestResult]) -> None:
    """SIGKILL of the hub's database in the middle of the second batch: the first (committed) survives, the
    second was never half-stored, and once the database is back one run sends the rest."""
    try:
        with HubThread(tmp_path / "hub", db_url=postgres_dsn) as hub, \
                FaultProxy((LOOPBACK, hub.settings.port)) as proxy:
            enrol(database, village_key, proxy.url, create_code(VILLAGE))
            close_hub_database()  # no connection of this thread outlives the crash
            journal.seal(database)
            batches = journal.pending(database)
            sizes = [len(b.body) for b in batches]
            assert len(batches) >= 3

            outcome: dict[str, Any] = {}

            def send() -> None:
                try:
                    outcome["result"] = Uploader(database, village_key).once()
                except SyncError as error:
                    outcome["error"] = error
                finally:
                    close_database()  # this thread's connection

            proxy.bandwidth_bps = 400_000  # 50 KB/s: about a second per batch
            sender = threading.Thread(target=send, name="uploader")
            sender.start()
            try:
                wait_until(lambda: proxy.bytes_up > sizes[0] + sizes[1] // 2, timeout=60, interval=0.02,
                           what="the second batch half-way on the wire")
                postgres_server.kill()
                sender.join(60)
                assert not sender.is_alive()
            finally:
                if postgres_server.pid is None:
                    postgres_server.start()
            assert "error" in outcome, outcome
            # The hub could not reach its database: it says so (503), and the village keeps everything.
            assert outcome["error"].code == "hub_unavailable" and "503" in outcome["error"].detail
            status = journal.status(database)
            assert status.failures == 1 and status.pending_batches == len(batches) - 1

            close_hub_database()
            with hub_database.connection_context():  # committed before the crash, so still there
                assert [b.batch_id for b in HubBatch.select()] == [batches[0].batch_id]

            proxy.bandwidth_bps = None
            result = Uploader(database, village_key).once()
            assert result.acknowledged + result.already_at_hub == len(batches) - 1 and result.rejected == 0
            assert [call.batch_id for call in ingest_log] == [b.batch_id for b in batches]
            assert not any(call.duplicate for call in ingest_log)
            _assert_each_batch_once()
            _assert_equal()
    finally:
        close_hub_database()


def test_the_hub_cli_on_postgres_enrols_and_lists_the_village_with_its_counts(
        village: Settings, village_key: Ed25519PrivateKey, postgres_dsn: str, tmp_path: Path) -> None:
    # A signed letter (and the two residents it needs), so that letters count too.
    world = make_world(village)
    request = letter_requests.create_request("TES", world.siti, {"keperluan": "Melamar kerja"}, channel="kiosk",
                                             actor="kiosk")
    letter_requests.move(request.id, "menunggu_ttd", actor="op")
    letter_signing.sign(request.id, signer="kades", options=world.options)

    hub_dir = tmp_path / "hub"
    logs = tmp_path / "logs"
    try:
        with HubThread(hub_dir, db_url=postgres_dsn) as hub:
            issued = run_balai(["hub", "enrol", "32.04.12.2001", "--data", hub_dir, "--db", postgres_dsn], logs,
                               "hub-enrol")
            assert issued.returncode == 0, issued.stderr
            code = issued.stdout.strip()
            assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code), issued.stdout
            answer = enrol(database, village_key, hub.url, code)
            # Both ends print the hub key's fingerprint, to be compared over the phone.
            assert fingerprint(answer["hub_sign_key"]) in issued.stderr
            result = Uploader(database, village_key).once()
            assert result.rejected == 0 and journal.status(database).pending_changes == 0
            _assert_each_batch_once()
            _assert_equal()

            listing = run_balai(["hub", "villages", "--json", "--data", hub_dir, "--db", postgres_dsn], logs,
                                "hub-villages")
            assert listing.returncode == 0, listing.stderr
    finally:
        close_hub_database()

    [row] = [r for r in json.loads(listing.stdout) if r["code"] == VILLAGE]
    count = lambda sql: database.execute_sql(sql).fetchone()[0]  # noqa: E731
    residents = count("SELECT COUNT(*) FROM penduduk WHERE deleted_at IS NULL AND status_dasar = 1")
    families = count("SELECT COUNT(*) FROM keluarga WHERE deleted_at IS NULL")
    letters = count("SELECT COUNT(*) FROM letter_request WHERE signed_at IS NOT NULL")
    assert residents < count("SELECT COUNT(*) FROM penduduk")  # some moved away or died: not counted
    assert (row["residents"], row["families"], row["letters"]) == (residents, families, letters)
    assert letters == 1 and row["last_sync"]
