"""Bringing a village's population in from a spreadsheet: plan (dry run) and commit, all or nothing.

Rows arrive canonical (keyed by the "Data Penduduk" column names, values normalized) from
`kiosk.importing`. Commit writes every row in ONE transaction: an error anywhere writes nothing. A person
is matched by NIK, so importing the same file again updates and creates nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterable

from kiosk.db import database, reading
from kiosk.models import Keluarga, Penduduk
from kiosk.models.people import PERSON_COLUMNS
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import ServiceError

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportIssue:
    row: int
    column: str
    level: str
    key: str
    params: dict


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    families: int = 0
    warnings: int = 0
    errors: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "families": self.families,
                "warnings": self.warnings, "errors": self.errors}


def _count(summary: ImportSummary, issues: Iterable[ImportIssue]) -> None:
    for issue in issues:
        summary.issues.append(issue)
        if issue.level == "error":
            summary.errors += 1
        else:
            summary.warnings += 1


def _existing_niks() -> dict[str, int]:
    return dict(Penduduk.select(Penduduk.nik, Penduduk.id).tuples())


def plan(rows: list[tuple[int, dict]], issues: Iterable[ImportIssue] = ()) -> ImportSummary:
    """The dry run: what commit would do, and every problem per row. Writes nothing."""
    summary = ImportSummary()
    _count(summary, issues)
    with reading():
        known = _existing_niks()
        known_kk = {kk for (kk,) in Keluarga.select(Keluarga.no_kk).tuples()}
    new_families: set[str] = set()
    for _, values in rows:
        if values.get("nik") in known:
            summary.updated += 1
        else:
            summary.created += 1
        kk = values.get("no_kk")
        if kk and kk not in known_kk:
            new_families.add(kk)
    summary.families = len(new_families)
    return summary


def _sql_value(value: object) -> object:
    """What sqlite3 stores for our columns: dates as ISO text (as peewee writes them)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat(" ") if isinstance(value, datetime) else value.isoformat()
    return value


def _area_ids(rows: list[tuple[int, dict]]) -> dict[tuple[str, str, str], int]:
    keys = {((v.get("dusun") or "").strip(), v.get("rw") or "", v.get("rt") or "") for _, v in rows}
    keys = {k for k in keys if k[0]}
    database.execute_sql("SELECT 1")  # make sure this thread's connection exists inside the transaction
    cursor = database.cursor()
    cursor.executemany("INSERT OR IGNORE INTO wilayah (uuid, dusun, rw, rt) VALUES (?, ?, ?, ?)",
                       [(str(uuid.uuid4()), *key) for key in keys])
    return {(d, rw, rt): i for i, d, rw, rt in database.execute_sql("SELECT id, dusun, rw, rt FROM wilayah")}


_PERSON_INSERT = (f"INSERT INTO penduduk (uuid, keluarga_id, wilayah_id, created_at, updated_at, "
                  f"{', '.join(PERSON_COLUMNS)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(PERSON_COLUMNS))})")
_PERSON_UPDATE = (f"UPDATE penduduk SET keluarga_id = ?, wilayah_id = ?, updated_at = ?, "
                  f"{', '.join(c + ' = ?' for c in PERSON_COLUMNS)} WHERE id = ?")


def _person_values(values: dict) -> list[object]:
    out = []
    for column in PERSON_COLUMNS:
        value = values.get(column)
        if column == "warganegara_id":
            value = value or 1
        elif column == "status_dasar":
            value = value or 1
        out.append(_sql_value(value))
    return out


def commit(rows: list[tuple[int, dict]], issues: Iterable[ImportIssue] = (), *, actor: str, client: str = "",
           source: str = "", progress: Progress | None = None) -> ImportSummary:
    """Write every row in one transaction, or nothing when the file has errors.

    Plain executemany statements rather than one ORM insert per row: 10,000 residents go in within
    seconds on a Pi instead of minutes, and the FTS triggers keep search in step.
    """
    summary = plan(rows, issues)
    if summary.errors:
        raise ServiceError("import.has_errors", status=422, errors=summary.errors)
    now = _sql_value(utc_now())
    total = len(rows)
    with database.atomic():
        areas = _area_ids(rows)
        cursor = database.cursor()

        def area_of(values: dict) -> int | None:
            key = ((values.get("dusun") or "").strip(), values.get("rw") or "", values.get("rt") or "")
            return areas.get(key)

        # Families: the head's row (or the first member's) gives the address and area.
        family_source: dict[str, dict] = {}
        for _, values in rows:
            kk = values.get("no_kk")
            if kk and (kk not in family_source or values.get("kk_level") == 1):
                family_source[kk] = values
        families = dict(database.execute_sql("SELECT no_kk, id FROM keluarga").fetchall())
        cursor.executemany(
            "INSERT INTO keluarga (uuid, no_kk, alamat, wilayah_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(str(uuid.uuid4()), kk, v.get("alamat") or "", area_of(v), now, now)
             for kk, v in family_source.items() if kk not in families])
        cursor.executemany(
            "UPDATE keluarga SET alamat = ?, wilayah_id = ?, updated_at = ?, deleted_at = NULL WHERE id = ?",
            [(v.get("alamat") or "", area_of(v), now, families[kk]) for kk, v in family_source.items()
             if kk in families])
        families = dict(database.execute_sql("SELECT no_kk, id FROM keluarga").fetchall())

        known = dict(database.execute_sql("SELECT nik, id FROM penduduk").fetchall())
        inserts, updates = [], []
        for _, values in rows:
            family_id = families.get(values.get("no_kk"))
            person_id = known.get(values["nik"])
            if person_id is None:
                inserts.append([str(uuid.uuid4()), family_id, area_of(values), now, now, *_person_values(values)])
            else:
                updates.append([family_id, area_of(values), now, *_person_values(values), person_id])
        for start in range(0, max(len(inserts), len(updates)), 1000):
            cursor.executemany(_PERSON_INSERT, inserts[start:start + 1000])
            cursor.executemany(_PERSON_UPDATE, updates[start:start + 1000])
            if progress is not None:
                progress(min(total, start + 1000), total)
        audit.record(actor, "residents.import", source, str(summary.as_json()), client)
    if progress is not None:
        progress(total, total)
    return summary
