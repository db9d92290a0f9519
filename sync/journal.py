"""The village side of the journal: sealing changes into batches, acknowledgements, epochs, status.

Triggers (migration 0006) append `(seq, entity, key)` to `sync_journal` in the same transaction as every
travelling change, whatever wrote it. Sealing turns the unsealed tail into batches of at most 64 KB
compressed: the records' current state is read in a snapshot, encoded, and the batch row is inserted in a
short write transaction only if nobody sealed meanwhile. A sealed batch never changes, so what is resent
after a dropped link, or carried on a USB stick, is byte-identical to what the hub may already hold.

An *epoch* names one lineage of sequence numbers. A database restored from a backup, or one the hub says
collides with what it already holds, starts a new epoch and journals a full snapshot, so the hub converges
on what the village holds now and a sequence number is never reused.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from peewee import Database

from sync.entities import ENTITIES, RecordReader
from sync.protocol import MAX_BATCH_BYTES, Batch, Change, encode_batch, sha256_hex

log = logging.getLogger(__name__)

FIRST_WINDOW = 3000      # journal rows tried per batch before shrinking to fit 64 KB
SNAPSHOT_SQL = {
    "village": "SELECT 'village', uuid FROM village",
    "wilayah": "SELECT 'wilayah', uuid FROM wilayah ORDER BY id",
    "keluarga": "SELECT 'keluarga', uuid FROM keluarga ORDER BY id",
    "penduduk": "SELECT 'penduduk', uuid FROM penduduk ORDER BY id",
    "penduduk_event": "SELECT 'penduduk_event', uuid FROM penduduk_event ORDER BY id",
    "letter": "SELECT 'letter', uuid FROM letter_request WHERE signed_at IS NOT NULL ORDER BY id",
    "queue_day": "SELECT DISTINCT 'queue_day', day FROM ticket ORDER BY day",
    "complaint": "SELECT 'complaint', uuid FROM complaint ORDER BY id",
}


def _now() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="milliseconds")


@dataclass(frozen=True)
class PendingBatch:
    batch_id: str
    epoch: str
    first_seq: int
    last_seq: int
    changes: int
    body: bytes
    sha256: str


@dataclass(frozen=True)
class SyncStatus:
    """What `balai sync status --json`, the operator page and the hub's dashboard report."""

    village: str
    epoch: str
    enrolled: bool
    hub_url: str
    pending_changes: int
    pending_batches: int
    oldest_pending_at: str | None
    oldest_pending_age_s: float | None
    last_attempt_at: str | None
    last_success_at: str | None
    last_error: str
    failures: int
    rejected: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class NotSetUp(RuntimeError):
    """The office has no village identity yet (the set-up page was never completed): nothing can travel."""


def village_code(database: Database) -> str:
    """The village's 10-digit kode wilayah without dots: its identity at the hub."""
    row = database.execute_sql("SELECT code FROM village WHERE id = 1").fetchone()
    if row is None or not row[0]:
        raise NotSetUp("this database has no village yet")
    return str(row[0]).replace(".", "")


def epoch(database: Database) -> str:
    return str(database.execute_sql("SELECT epoch FROM sync_state WHERE id = 1").fetchone()[0])


def _sealed_through(database: Database) -> int:
    return int(database.execute_sql("SELECT sealed_through FROM sync_state WHERE id = 1").fetchone()[0])


def _window(rows: list[tuple[int, str, str, str]], count: int) -> list[tuple[int, str, str, str]]:
    """The first `count` journal rows, keeping only each record's last mention (it carries the newest state)."""
    latest: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    for row in rows[:count]:
        latest[(row[1], row[2])] = row
    return sorted(latest.values())


def _build(database: Database, village: str, current_epoch: str, start: int,
           max_bytes: int) -> tuple[Batch, bytes, str] | None:
    """Read and encode the next batch after `start` (in a read snapshot). None when nothing is waiting."""
    rows = database.execute_sql("SELECT seq, entity, key, at FROM sync_journal WHERE seq > ? ORDER BY seq LIMIT ?",
                                (start, FIRST_WINDOW)).fetchall()
    if not rows:
        return None
    reader = RecordReader(database)
    states: dict[tuple[str, str], Any] = {}
    count = len(rows)
    while True:
        kept = _window(rows, count)
        for _, entity, key, _ in kept:
            if (entity, key) not in states:
                states[(entity, key)] = reader.read(entity, key) if entity in ENTITIES else None
        last = rows[count - 1][0]
        changes = [Change(seq, entity, key, states[(entity, key)]) for seq, entity, key, _ in kept]
        batch = Batch(village, current_epoch, start + 1, last, _now(), changes)
        body = encode_batch(batch)
        if len(body) <= max_bytes or count == 1:
            oldest = min(row[3] for row in rows[:count])
            return batch, body, oldest
        count = max(1, min(count - 1, int(count * max_bytes * 0.9 / len(body))))


def compact(database: Database) -> int:
    """Forget unsealed mentions of a record that is mentioned again later: its state is read at sealing time
    anyway. Keeps the journal small in an office that is offline (or not enrolled) for months, where every
    ticket call would otherwise add a row. Sealed rows are never touched, so sealed batches stay identical."""
    with database.atomic():
        sealed = _sealed_through(database)
        # The surviving mention keeps the time of the earliest one: that change has waited since then.
        database.execute_sql(
            "UPDATE sync_journal SET at = (SELECT MIN(o.at) FROM sync_journal o WHERE o.entity = sync_journal.entity "
            "AND o.key = sync_journal.key AND o.seq > ?) WHERE seq > ? "
            "AND NOT EXISTS (SELECT 1 FROM sync_journal later WHERE later.entity = sync_journal.entity "
            "AND later.key = sync_journal.key AND later.seq > sync_journal.seq) "
            "AND EXISTS (SELECT 1 FROM sync_journal earlier WHERE earlier.entity = sync_journal.entity "
            "AND earlier.key = sync_journal.key AND earlier.seq > ? AND earlier.seq < sync_journal.seq)",
            (sealed, sealed, sealed))
        cursor = database.execute_sql(
            "DELETE FROM sync_journal WHERE seq > ? "
            "AND EXISTS (SELECT 1 FROM sync_journal later WHERE later.entity = sync_journal.entity "
            "AND later.key = sync_journal.key AND later.seq > sync_journal.seq)", (sealed,))
        return cursor.rowcount


def seal(database: Database, max_bytes: int = MAX_BATCH_BYTES, limit: int | None = None) -> int:
    """Seal the unsealed journal into batches; returns how many were sealed. Safe to run from two processes."""
    village = village_code(database)
    log.debug("seal: start")  # with seal: done, tells a crash test (and an operator) where a run stopped
    compact(database)
    sealed = 0
    while limit is None or sealed < limit:
        with database.atomic("DEFERRED"):
            start = _sealed_through(database)
            current_epoch = epoch(database)
            built = _build(database, village, current_epoch, start, max_bytes)
        if built is None:
            log.debug("seal: done, %d batch(es)", sealed)
            return sealed
        batch, body, oldest = built
        with database.atomic():
            if _sealed_through(database) != start or epoch(database) != current_epoch:
                continue  # someone else sealed meanwhile: read again
            database.execute_sql(
                "INSERT INTO sync_batch (batch_id, epoch, first_seq, last_seq, changes, body, sha256, sealed_at, "
                "oldest_change_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (batch.batch_id, current_epoch, batch.first, batch.last, len(batch.changes), body, sha256_hex(body),
                 batch.sealed_at, oldest))
            database.execute_sql("UPDATE sync_state SET sealed_through = ? WHERE id = 1", (batch.last,))
        sealed += 1
    log.debug("seal: done, %d batch(es)", sealed)
    return sealed


def pending(database: Database, limit: int = 100) -> list[PendingBatch]:
    """Sealed batches the hub has not acknowledged, oldest first."""
    rows = database.execute_sql(
        "SELECT batch_id, epoch, first_seq, last_seq, changes, body, sha256 FROM sync_batch "
        "WHERE acked_at IS NULL ORDER BY id LIMIT ?", (limit,)).fetchall()
    return [PendingBatch(r[0], r[1], r[2], r[3], r[4], bytes(r[5]), r[6]) for r in rows]


def mark_acked(database: Database, batch: str, accepted: int, rejections: list[dict[str, Any]]) -> None:
    """The hub has committed this batch: drop its body and journal rows, keep its record and the refusals."""
    with database.atomic():
        row = database.execute_sql("SELECT first_seq, last_seq, acked_at FROM sync_batch WHERE batch_id = ?",
                                   (batch,)).fetchone()
        if row is None or row[2] is not None:
            return
        now = _now()
        database.execute_sql("UPDATE sync_batch SET acked_at = ?, accepted = ?, rejected = ?, body = NULL "
                             "WHERE batch_id = ?", (now, accepted, len(rejections), batch))
        database.execute_sql("DELETE FROM sync_journal WHERE seq BETWEEN ? AND ?", (row[0], row[1]))
        for item in rejections:
            database.execute_sql(
                "INSERT INTO sync_rejection (batch_id, seq, entity, key, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
                (batch, int(item.get("seq", 0)), str(item.get("entity", ""))[:32], str(item.get("key", ""))[:64],
                 str(item.get("reason", ""))[:200], now))


def start_new_epoch(database: Database, reason: str, hub_generation: int = 0) -> str:
    """A new lineage of sequence numbers plus a full snapshot: after a restore, or a conflict at the hub.

    The generation counts up from ours or from the highest the hub has seen (`hub_generation`), whichever is
    higher, so the hub orders the new epoch after every earlier one. Unacknowledged batches of the old epoch
    are dropped (the snapshot carries every record's current state),
    and the old unsealed journal rows are skipped for the same reason.
    """
    with database.atomic():
        generation = max(int(epoch(database)[:4], 16), hub_generation) + 1
        new_epoch = f"{min(generation, 0xFFFF):04x}{secrets.token_hex(6)}"
        database.execute_sql("DELETE FROM sync_batch WHERE acked_at IS NULL")
        top = database.execute_sql("SELECT COALESCE(MAX(seq), 0) FROM sync_journal").fetchone()[0]
        floor = database.execute_sql("SELECT COALESCE(seq, 0) FROM sqlite_sequence WHERE name = 'sync_journal'") \
            .fetchone()
        top = max(int(top), int(floor[0]) if floor else 0)
        database.execute_sql("DELETE FROM sync_journal")
        database.execute_sql("UPDATE sync_state SET epoch = ?, epoch_started_at = ?, sealed_through = ? WHERE id = 1",
                             (new_epoch, _now(), top))
        for entity in ENTITIES:
            database.execute_sql(f"INSERT INTO sync_journal (entity, key) {SNAPSHOT_SQL[entity]}")
    log.warning("sync: new epoch %s (%s); a full snapshot will be sent", new_epoch, reason)
    return new_epoch


def status(database: Database) -> SyncStatus:
    with database.atomic("DEFERRED"):
        state = database.execute_sql(
            "SELECT epoch, hub_url, enrolled_at, last_attempt_at, last_success_at, last_error, failures, sealed_through "
            "FROM sync_state WHERE id = 1").fetchone()
        unsealed, unsealed_oldest = database.execute_sql(
            "SELECT COUNT(*), MIN(at) FROM sync_journal WHERE seq > ?", (state[7],)).fetchone()
        batches, batch_changes, batch_oldest = database.execute_sql(
            "SELECT COUNT(*), COALESCE(SUM(changes), 0), MIN(oldest_change_at) FROM sync_batch "
            "WHERE acked_at IS NULL").fetchone()
        rejected = database.execute_sql("SELECT COUNT(*) FROM sync_rejection").fetchone()[0]
    oldest = min((t for t in (unsealed_oldest, batch_oldest) if t), default=None)
    age = None
    if oldest is not None:
        age = max(0.0, (datetime.fromisoformat(_now()) - datetime.fromisoformat(oldest)).total_seconds())
    return SyncStatus(
        village=village_code(database), epoch=state[0], enrolled=bool(state[2]), hub_url=state[1],
        pending_changes=int(unsealed) + int(batch_changes), pending_batches=int(batches),
        oldest_pending_at=oldest, oldest_pending_age_s=age, last_attempt_at=state[3], last_success_at=state[4],
        last_error=state[5], failures=int(state[6]), rejected=int(rejected))
