"""The journal: every travelling change recorded in its own transaction, sealed into stable batches."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.db import database
from kiosk.services import queue
from kiosk.services.errors import ServiceError
from kiosk.services.resident_edit import PersonInput, create_person, update_person
from kiosk.settings import Settings
from sync import journal
from sync.protocol import MAX_BATCH_BYTES, decode_batch


def _journal() -> list[tuple[str, str]]:
    return [(e, k) for e, k in database.execute_sql("SELECT entity, key FROM sync_journal ORDER BY seq").fetchall()]


def _person(nik: str = "3204124508900003", nama: str = "Siti Aminah") -> PersonInput:
    return PersonInput(nik=nik, nama=nama, sex=2, tanggallahir=date(1990, 8, 5), tempatlahir="Bandung")


def test_a_new_database_journals_its_village_and_starts_epoch_generation_1(small_village: Settings) -> None:
    assert ("village", database.execute_sql("SELECT uuid FROM village").fetchone()[0]) in _journal()
    assert journal.epoch(database).startswith("0001") and len(journal.epoch(database)) == 16


def test_a_resident_change_is_journaled_in_the_same_transaction(small_village: Settings) -> None:
    before = len(_journal())
    person_id, _ = create_person(_person(), family_id=None, first_event="datang", event_date=date(2026, 11, 1),
                                 actor="op")
    entities = [e for e, _ in _journal()[before:]]
    assert entities[0] == "penduduk" and "penduduk_event" in entities and set(entities) == {"penduduk",
                                                                                            "penduduk_event"}
    # A refused write journals nothing: the journal row rolls back with the change.
    count = len(_journal())
    with pytest.raises(ServiceError):
        create_person(_person(), family_id=None, first_event="datang", event_date=date(2026, 11, 1), actor="op")
    assert len(_journal()) == count
    update_person(person_id, _person(nama="Siti Aminah Rahayu"), actor="op")
    assert _journal()[-1][0] == "penduduk"


def test_queue_tickets_travel_as_one_daily_statistic(small_village: Settings) -> None:
    for _ in range(5):
        queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    assert journal.seal(database) == 1
    batch, _ = decode_batch(journal.pending(database)[0].body)
    days = [c for c in batch.changes if c.entity == "queue_day"]
    assert len(days) == 1 and days[0].data["issued"] == 5


def test_sealing_makes_batches_under_64_kb_that_cover_the_journal_without_gaps(village: Settings) -> None:
    total = database.execute_sql("SELECT COUNT(*), MAX(seq) FROM sync_journal").fetchone()
    assert journal.seal(database) >= 2
    batches = journal.pending(database, limit=100)
    assert all(len(b.body) <= MAX_BATCH_BYTES for b in batches)
    assert batches[0].first_seq == 1 and batches[-1].last_seq == total[1]
    for before, after in zip(batches, batches[1:]):
        assert after.first_seq == before.last_seq + 1
    assert sum(b.changes for b in batches) <= total[0]
    per_change = sum(len(b.body) for b in batches) / sum(b.changes for b in batches)
    assert per_change < 150, per_change
    # Sealing again finds nothing new, and a sealed batch never changes.
    assert journal.seal(database) == 0
    assert [b.sha256 for b in journal.pending(database, limit=100)] == [b.sha256 for b in batches]


def test_a_record_changed_many_times_before_sealing_travels_once(small_village: Settings) -> None:
    person_id, _ = create_person(_person(), family_id=None, first_event="datang", event_date=date(2026, 11, 1),
                                 actor="op")
    for number in range(5):
        update_person(person_id, _person(nama=f"Siti Aminah {number}"), actor="op")
    journal.seal(database)
    batch, _ = decode_batch(journal.pending(database)[0].body)
    people = [c for c in batch.changes if c.entity == "penduduk"]
    assert len(people) == 1 and people[0].data["nama"] == "Siti Aminah 4"


def test_status_counts_pending_changes_and_their_age(village: Settings) -> None:
    status = journal.status(database)
    assert status.pending_changes > 2000 and status.oldest_pending_age_s is not None
    journal.seal(database)
    sealed = journal.status(database)
    assert sealed.pending_batches >= 2 and 0 < sealed.pending_changes <= status.pending_changes


def test_acknowledging_a_batch_frees_its_body_and_journal_rows(small_village: Settings) -> None:
    journal.seal(database)
    batch = journal.pending(database)[0]
    journal.mark_acked(database, batch.batch_id, batch.changes, [{"seq": batch.first_seq, "entity": "village",
                                                                  "key": "x", "reason": "village_code_mismatch"}])
    assert journal.pending(database) == []
    assert database.execute_sql("SELECT body FROM sync_batch").fetchone()[0] is None
    assert database.execute_sql("SELECT COUNT(*) FROM sync_journal WHERE seq <= ?",
                                (batch.last_seq,)).fetchone()[0] == 0
    assert journal.status(database).rejected == 1


def test_a_new_epoch_counts_up_drops_unsent_batches_and_journals_a_full_snapshot(village: Settings) -> None:
    journal.seal(database)
    old = journal.epoch(database)
    new = journal.start_new_epoch(database, "test", hub_generation=4)
    assert new != old and new.startswith("0005")
    assert journal.pending(database) == []
    assert journal.seal(database) >= 2
    batches = journal.pending(database, limit=100)
    assert all(b.epoch == new for b in batches)
    people = database.execute_sql("SELECT COUNT(*) FROM penduduk").fetchone()[0]
    travelled = 0
    for batch in batches:
        decoded, _ = decode_batch(batch.body)
        travelled += sum(c.entity == "penduduk" for c in decoded.changes)
    assert travelled == people


def test_compaction_keeps_only_the_last_mention_of_each_unsealed_record(small_village: Settings) -> None:
    for _ in range(30):
        queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    journal.seal(database)
    sealed = database.execute_sql("SELECT COUNT(*) FROM sync_journal").fetchone()[0]
    queue.issue_ticket("B", status_url_base="http://x/m/t/", print_ticket=False)
    database.execute_sql("UPDATE sync_journal SET at = '2026-01-01 08:00:00.000' WHERE seq = (SELECT MAX(seq) "
                         "FROM sync_journal)")  # the first of today's unsealed mentions, long ago
    for _ in range(29):
        queue.issue_ticket("B", status_url_base="http://x/m/t/", print_ticket=False)
    removed = journal.compact(database)
    assert removed == 29  # one queue_day mention left for today, beside the sealed rows
    assert database.execute_sql("SELECT COUNT(*) FROM sync_journal").fetchone()[0] == sealed + 1
    # The survivor keeps the time of the earliest mention: that change has been waiting since then.
    assert journal.status(database).oldest_pending_at.startswith("2026-01-01")
    journal.seal(database)
    batch, _ = decode_batch(journal.pending(database, limit=10)[-1].body)
    assert [c.data["issued"] for c in batch.changes if c.entity == "queue_day"] == [60]


def test_the_sync_commands_explain_an_office_that_is_not_set_up(db: Settings, capsys: pytest.CaptureFixture) -> None:
    from kiosk.cli import main

    assert main(["sync", "status", "--json", "--data", str(db.data_dir)]) == 1
    assert "belum disiapkan" in capsys.readouterr().err
