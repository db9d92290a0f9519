"""What each travelling record looks like on the wire, read from the village database when a batch is sealed.

The journal only says *which* record changed; its state is read here, at sealing time, so a record changed
ten times while the link was down travels once, and the hub always receives whole records (state, not
deltas): applying one twice, or an older one after a newer one, cannot corrupt anything.

Local integer ids never leave the machine: references travel as the other record's UUID. A record that no
longer exists travels as a tombstone (`None`). Personal data travels in full: the district keeps the
population register; the link is signed, and bundles are encrypted.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from peewee import Database

Record = dict[str, Any] | None

# Which columns travel, per table (everything but local ids; references are replaced by UUIDs below).
PENDUDUK_SKIP = {"id", "uuid", "keluarga_id", "wilayah_id"}
ENTITIES = ("village", "wilayah", "keluarga", "penduduk", "penduduk_event", "letter", "queue_day", "complaint")
# A complaint carries at most this many of its latest replies (the hub refuses a record over 16 KB).
COMPLAINT_REPLIES = 10


def _row(database: Database, sql: str, params: tuple) -> dict[str, Any] | None:
    cursor = database.execute_sql(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    return {name: value for name, value in zip(names, row) if value is not None}


def _village(database: Database, key: str) -> Record:
    return _row(database, "SELECT code, name, kecamatan, kabupaten, address, timezone, public_key, "
                          "label_dusun, label_rw, label_rt FROM village WHERE uuid = ?", (key,))


def _wilayah(database: Database, key: str) -> Record:
    return _row(database, "SELECT dusun, rw, rt FROM wilayah WHERE uuid = ?", (key,))


def _keluarga(database: Database, key: str) -> Record:
    return _row(database, "SELECT k.no_kk, k.alamat, w.uuid AS wilayah, k.created_at, k.updated_at, k.deleted_at "
                          "FROM keluarga k LEFT JOIN wilayah w ON w.id = k.wilayah_id WHERE k.uuid = ?", (key,))


def penduduk_sql(database: Database) -> str:
    """Every column of `penduduk` but local ids, so a column added by a later migration travels too."""
    columns = [c.name for c in database.get_columns("penduduk") if c.name not in PENDUDUK_SKIP]
    return ("SELECT " + ", ".join(f"p.{c}" for c in columns)
            + ", k.uuid AS keluarga, w.uuid AS wilayah FROM penduduk p "
            "LEFT JOIN keluarga k ON k.id = p.keluarga_id LEFT JOIN wilayah w ON w.id = p.wilayah_id "
            "WHERE p.uuid = ?")


def _penduduk_event(database: Database, key: str) -> Record:
    record = _row(database, "SELECT p.uuid AS penduduk, k.uuid AS keluarga, e.kind, e.event_date, e.reason, "
                            "e.document_no, e.detail, e.operator, e.created_at FROM penduduk_event e "
                            "LEFT JOIN penduduk p ON p.id = e.penduduk_id LEFT JOIN keluarga k ON k.id = e.keluarga_id "
                            "WHERE e.uuid = ?", (key,))
    if record is not None and "detail" in record:
        record["detail"] = json.loads(record["detail"] or "{}")
    return record


def _letter(database: Database, key: str) -> Record:
    """Metadata and hashes only: the letter's number, type, subject, dates, signer, revocation. Never the PDF."""
    return _row(database, "SELECT r.number, t.code AS type, t.name AS type_name, p.uuid AS penduduk, r.letter_date, "
                          "r.signed_at, r.signer_name, r.signer_title, r.content_hash, r.pdf_sha256, r.channel, "
                          "r.picked_up_at, r.revoked_at, r.revoke_reason, r.created_at "
                          "FROM letter_request r JOIN letter_type t ON t.id = r.letter_type_id "
                          "LEFT JOIN penduduk p ON p.id = r.penduduk_id "
                          "WHERE r.uuid = ? AND r.signed_at IS NOT NULL", (key,))


def _queue_day(database: Database, key: str) -> Record:
    """One day of the queue per service: issued, served, skipped, mean wait and service minutes."""
    cursor = database.execute_sql(
        "SELECT s.prefix, s.name, COUNT(*), SUM(t.status = 'done'), SUM(t.status = 'skipped'), "
        "AVG(CASE WHEN t.called_at IS NOT NULL THEN (julianday(t.called_at) - julianday(t.created_at)) * 1440 END), "
        "AVG(CASE WHEN t.status = 'done' AND t.finished_at IS NOT NULL AND t.called_at IS NOT NULL "
        "    THEN (julianday(t.finished_at) - julianday(t.called_at)) * 1440 END) "
        "FROM ticket t JOIN service s ON s.id = t.service_id WHERE t.day = ? GROUP BY s.id ORDER BY s.prefix", (key,))
    services = []
    for prefix, name, issued, done, skipped, wait, serve in cursor.fetchall():
        services.append({"prefix": prefix, "name": name, "issued": issued, "done": done or 0,
                         "skipped": skipped or 0, "wait_min": round(wait or 0.0, 1),
                         "service_min": round(serve or 0.0, 1)})
    if not services:
        return None
    return {"services": services, "issued": sum(s["issued"] for s in services),
            "done": sum(s["done"] for s in services)}


def _complaint(database: Database, key: str) -> Record:
    """The complaint with its category and latest replies. An anonymous one carries no identity at all; a
    resident's carries the resident's UUID (the district holds the register); a typed name travels, a phone
    number does not (the office calls back, not the district). The photo never travels, only that there is one."""
    record = _row(database, "SELECT c.tracking_code, k.code AS category, k.name AS category_name, "
                            "k.due_days, c.body, c.identity, p.uuid AS penduduk, "
                            "CASE WHEN c.identity = 'nama' THEN c.reporter_name END AS reporter_name, "
                            "c.photo IS NOT NULL AS has_photo, c.channel, c.status, c.reject_reason, c.created_at, "
                            "c.due_at, c.updated_at, c.closed_at, c.id AS local_id FROM complaint c "
                            "JOIN complaint_category k ON k.id = c.category_id "
                            "LEFT JOIN penduduk p ON p.id = c.penduduk_id WHERE c.uuid = ?", (key,))
    if record is None:
        return None
    local_id = record.pop("local_id")
    replies = database.execute_sql(
        "SELECT body, status, author, created_at FROM complaint_reply WHERE complaint_id = ? "
        "ORDER BY id DESC LIMIT ?", (local_id, COMPLAINT_REPLIES)).fetchall()
    record["replies"] = [{"body": body, "status": status, "author": author, "at": at}
                         for body, status, author, at in reversed(replies)]
    record["has_photo"] = bool(record.get("has_photo"))
    return record


class RecordReader:
    """Reads travelling records from one database; built once per sealing, so schema lookups happen once."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._penduduk = penduduk_sql(database)
        self._readers: dict[str, Callable[[Database, str], Record]] = {
            "village": _village, "wilayah": _wilayah, "keluarga": _keluarga,
            "penduduk": lambda db, key: _row(db, self._penduduk, (key,)),
            "penduduk_event": _penduduk_event, "letter": _letter, "queue_day": _queue_day,
            "complaint": _complaint,
        }

    def read(self, entity: str, key: str) -> Record:
        """The record's current state, or None when it no longer exists (a tombstone on the wire)."""
        return self._readers[entity](self.database, key)
