"""Storing a village's batch at the hub: once, whole, and only then acknowledged.

The order of checks is the contract:
1. the bytes hash to what the sender claims, decode, and belong to the village that signed the request;
2. a batch id already stored with the same hash is a duplicate: answered as before, nothing changes;
   the same id with another hash, or another batch covering sequence numbers already received for that
   epoch, is a conflict (two databases claim the same numbers): refused, logged as an incident;
3. each change is checked on its own; a bad one is recorded as refused and reported back, the rest of the
   batch is stored;
4. records, refusals, the batch row and the merged received range are written in ONE transaction, and the
   acknowledgement is built only after it committed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from peewee import EXCLUDED, IntegrityError

from sync.entities import ENTITIES
from sync.hub.store import (HubBatch, HubIncident, HubRange, HubRecord, HubRejection, HubVillage, hub_database,
                            utc_now)
from sync.protocol import Batch, Change, ProtocolError, decode_batch, sha256_hex

log = logging.getLogger(__name__)

MAX_RECORD_JSON = 16 * 1024
_DIGITS16 = re.compile(r"^\d{16}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INSERT_CHUNK = 200


class IngestError(Exception):
    """A batch refused as a whole. `status` is the HTTP status the API answers with."""

    def __init__(self, code: str, status: int, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.status = status
        self.detail = detail


@dataclass
class IngestResult:
    batch_id: str
    sha256: str
    accepted: int
    rejected: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "sha256": self.sha256, "accepted": self.accepted,
                "rejected": self.rejected, "duplicate": self.duplicate}


QUIET_SECONDS = 60  # the same kind of incident for the same village is stored once a minute at most


def record_incident(village_id: str, kind: str, detail: str) -> None:
    """In its own transaction, so it survives the refusal it explains. Repeats within a minute are only
    logged: someone hammering the API with bad signatures must not fill the incident table."""
    log.error("hub incident for %s: %s %s", village_id, kind, detail)
    now = utc_now()
    with hub_database.atomic():
        recent = HubIncident.select().where(
            (HubIncident.village_id == village_id[:10]) & (HubIncident.kind == kind[:32])
            & (HubIncident.at > now - timedelta(seconds=QUIET_SECONDS))).exists()
        if not recent:
            HubIncident.create(village_id=village_id[:10], at=now, kind=kind[:32], detail=detail[:2000])


def _reason(change: Change, village_id: str) -> str | None:
    """Why the hub refuses this one record, or None when it is acceptable."""
    if change.entity not in ENTITIES:
        return "unknown_entity"
    data = change.data
    if data is None:
        return None
    if len(json.dumps(data, default=str)) > MAX_RECORD_JSON:
        return "record_too_large"
    if change.entity == "penduduk":
        if not isinstance(data.get("nik"), str) or not _DIGITS16.match(data["nik"]):
            return "penduduk_nik_invalid"
        if not isinstance(data.get("nama"), str) or not data["nama"].strip():
            return "penduduk_nama_missing"
        if data.get("sex") not in (1, 2):
            return "penduduk_sex_invalid"
    elif change.entity == "keluarga":
        if not isinstance(data.get("no_kk"), str) or not _DIGITS16.match(data["no_kk"]):
            return "keluarga_no_kk_invalid"
    elif change.entity == "letter":
        if not data.get("number") or not data.get("content_hash"):
            return "letter_incomplete"
    elif change.entity == "village":
        if str(data.get("code", "")).replace(".", "") != village_id:
            return "village_code_mismatch"
    elif change.entity == "complaint":
        if data.get("status") not in ("diterima", "diproses", "selesai", "ditolak"):
            return "complaint_status_invalid"
        if not isinstance(data.get("body"), str) or not data["body"].strip():
            return "complaint_body_missing"
        if data.get("identity") not in ("anonim", "warga", "nama"):
            return "complaint_identity_invalid"
    elif change.entity == "queue_day":
        if not _DAY.match(change.key):
            return "queue_day_key_invalid"
    return None


def _version(epoch: str, seq: int) -> int:
    """Newer wins: the epoch's generation first, then the sequence number."""
    return (int(epoch[:4], 16) << 40) | seq


def _merge_range(village_id: str, epoch: str, first: int, last: int) -> None:
    ranges = [(r.first_seq, r.last_seq) for r in
              HubRange.select().where((HubRange.village_id == village_id) & (HubRange.epoch == epoch))]
    ranges.append((first, last))
    ranges.sort()
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    HubRange.delete().where((HubRange.village_id == village_id) & (HubRange.epoch == epoch)).execute()
    HubRange.insert_many([{"village_id": village_id, "epoch": epoch, "first_seq": a, "last_seq": b}
                          for a, b in merged]).execute()


def _overlaps(village_id: str, batch: Batch) -> bool:
    return HubRange.select().where(
        (HubRange.village_id == village_id) & (HubRange.epoch == batch.epoch)
        & (HubRange.first_seq <= batch.last) & (HubRange.last_seq >= batch.first)).exists()


def previous_result(village_id: str, batch_id: str, sha: str) -> IngestResult | None:
    stored = HubBatch.get_or_none((HubBatch.village_id == village_id) & (HubBatch.batch_id == batch_id))
    if stored is None:
        return None
    if stored.sha256 != sha:
        raise IngestError("conflict", 409, f"batch {batch_id} was stored with another content")
    rejected = [{"seq": r.seq, "entity": r.entity, "key": r.key, "reason": r.reason} for r in
                HubRejection.select().where((HubRejection.village_id == village_id)
                                            & (HubRejection.batch_id == batch_id)).order_by(HubRejection.seq)]
    return IngestResult(batch_id, sha, stored.accepted, rejected, duplicate=True)


def _store(village_id: str, batch: Batch, problems: list[tuple[int, str]], sha: str, via: str,
           schema_version: int) -> IngestResult:
    now = utc_now()
    rejected: list[dict[str, Any]] = [{"seq": seq, "entity": "", "key": "", "reason": reason}
                                      for seq, reason in problems]
    newest: dict[tuple[str, str], Change] = {}
    for change in batch.changes:
        reason = _reason(change, village_id)
        if reason is not None:
            rejected.append({"seq": change.seq, "entity": change.entity, "key": change.key, "reason": reason})
            continue
        previous = newest.get((change.entity, change.key))
        if previous is None or previous.seq < change.seq:
            newest[(change.entity, change.key)] = change
    rows = [{"village_id": village_id, "entity": c.entity, "key": c.key, "version": _version(batch.epoch, c.seq),
             "deleted": c.data is None, "data": json.dumps(c.data or {}, ensure_ascii=False, default=str),
             "updated_at": now} for c in newest.values()]
    for start in range(0, len(rows), INSERT_CHUNK):
        (HubRecord.insert_many(rows[start:start + INSERT_CHUNK])
         .on_conflict(conflict_target=[HubRecord.village_id, HubRecord.entity, HubRecord.key],
                      update={HubRecord.version: EXCLUDED.version, HubRecord.deleted: EXCLUDED.deleted,
                              HubRecord.data: EXCLUDED.data, HubRecord.updated_at: EXCLUDED.updated_at},
                      where=(HubRecord.version < EXCLUDED.version))
         .execute())
    rejected.sort(key=lambda item: item["seq"])
    if rejected:
        HubRejection.insert_many([{"village_id": village_id, "batch_id": batch.batch_id, "seq": r["seq"],
                                   "entity": r["entity"], "key": r["key"], "reason": r["reason"], "at": now}
                                  for r in rejected]).execute()
    accepted = len(batch.changes) + len(problems) - len(rejected)
    HubBatch.create(village_id=village_id, batch_id=batch.batch_id, sha256=sha, epoch=batch.epoch,
                    first_seq=batch.first, last_seq=batch.last, changes=len(batch.changes) + len(problems),
                    accepted=accepted, rejected=len(rejected), schema_version=schema_version, received_at=now,
                    via=via)
    _merge_range(village_id, batch.epoch, batch.first, batch.last)
    generation = int(batch.epoch[:4], 16)
    (HubVillage.update(max_generation=generation)
     .where((HubVillage.village_id == village_id) & (HubVillage.max_generation < generation)).execute())
    return IngestResult(batch.batch_id, sha, accepted, rejected)


def ingest(village_id: str, body: bytes, *, via: str = "net", claimed_sha256: str | None = None) -> IngestResult:
    """Store one batch from `village_id` (already authenticated). Raises IngestError for whole-batch refusals."""
    sha = sha256_hex(body)
    if claimed_sha256 is not None and claimed_sha256 != sha:
        raise IngestError("hash_mismatch", 400, "the body does not match its announced SHA-256")
    try:
        batch, problems = decode_batch(body)
    except ProtocolError as error:
        record_incident(village_id, "bad_batch", str(error))
        raise IngestError("bad_batch", 400, error.code) from error
    if batch.village != village_id:
        record_incident(village_id, "wrong_village", f"batch {batch.batch_id} signed by {village_id}")
        raise IngestError("wrong_village", 403, "a village may only send its own data")
    for attempt in range(2):
        try:
            with hub_database.atomic():
                previous = previous_result(village_id, batch.batch_id, sha)
                if previous is not None:
                    return previous
                if _overlaps(village_id, batch):
                    raise IngestError("conflict", 409, f"sequence numbers of {batch.batch_id} were already received")
                return _store(village_id, batch, problems, sha, via, batch.version)
        except IngestError as error:
            record_incident(village_id, error.code, error.detail)
            raise
        except IntegrityError:
            if attempt:
                raise
            log.info("hub: %s stored concurrently; answering as a duplicate", batch.batch_id)
    raise AssertionError("unreachable")
