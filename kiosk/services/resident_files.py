"""Resident files in and out: read a spreadsheet (dry run or commit) and export the population.

Reading and parsing run before any transaction; `resident_import` then writes everything or nothing.
A file that is not a spreadsheet, or lacks the columns, becomes a ServiceError with a plain message.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from kiosk.db import database, reading
from kiosk.importing import COLUMNS, ImportFormatError, read_residents, write_residents_csv, write_residents_xlsx
from kiosk.models import Keluarga, Penduduk, Wilayah
from kiosk.models.people import PERSON_COLUMNS
from kiosk.services import audit, resident_import
from kiosk.services.errors import ServiceError
from kiosk.services.resident_import import ImportIssue, ImportSummary, Progress

MAX_IMPORT_BYTES = 50 * 1024 * 1024

# With `accept_unusual_numbers` these become warnings: a number of the right shape whose region, embedded
# date or serial looks impossible (old or anonymised registry data, regions renumbered since). A wrong
# length, non-digits, digits lost to Excel and duplicates stay errors: such a number cannot be stored.
UNUSUAL_NUMBER_KEYS = frozenset({"nik.region", "nik.date", "nik.serial", "kk.region", "kk.date"})


def _read(path: Path) -> tuple[list[tuple[int, dict]], list[ImportIssue]]:
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ServiceError("import.too_large", status=413, megabytes=MAX_IMPORT_BYTES // (1024 * 1024))
    except FileNotFoundError as error:
        raise ServiceError("import.file_missing", status=404, path=str(path)) from error
    try:
        result = read_residents(path)
    except ImportFormatError as error:
        raise ServiceError(error.key, status=422, **error.params) from error
    rows = [(row.row_number, row.values) for row in result.rows]
    issues = [ImportIssue(p.row_number, p.column, p.level, p.key, dict(p.params)) for p in result.problems]
    return rows, issues


def import_file(path: Path, *, dry_run: bool, actor: str, client: str = "",
                progress: Progress | None = None, accept_unusual_numbers: bool = False) -> ImportSummary:
    """A dry run reports what would happen; a commit writes all rows or, on any error, nothing.

    `accept_unusual_numbers` is the operator's explicit, audited choice to take numbers as the civil
    registry gave them (see UNUSUAL_NUMBER_KEYS); they are still reported, as warnings.
    """
    rows, issues = _read(path)
    if accept_unusual_numbers:
        issues = [ImportIssue(i.row, i.column, "warning", i.key, i.params)
                  if i.level == "error" and i.key in UNUSUAL_NUMBER_KEYS else i for i in issues]
    if not rows:
        raise ServiceError("import.no_rows", status=422)
    if dry_run:
        return resident_import.plan(rows, issues)
    source = f"{path.name} (unusual numbers accepted)" if accept_unusual_numbers else path.name
    return resident_import.commit(rows, issues, actor=actor, client=client, source=source, progress=progress)


def write_report(summary: ImportSummary, target: Path, lang: str = "id") -> None:
    """The per-row report the operator downloads: row, column, level, message."""
    from kiosk.i18n import translate

    with open(target, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["baris" if lang == "id" else "row", "kolom" if lang == "id" else "column",
                         "tingkat" if lang == "id" else "level", "pesan" if lang == "id" else "message"])
        for issue in summary.issues:
            level = ("galat" if issue.level == "error" else "peringatan") if lang == "id" else issue.level
            writer.writerow([issue.row, issue.column, level, translate(issue.key, lang, **issue.params)])


def _canonical(person: Penduduk, family: Keluarga | None, area: Wilayah | None) -> dict:
    row: dict[str, object] = {column: getattr(person, column) for column in PERSON_COLUMNS}
    row.update(no_kk=family.no_kk if family else None, dusun=area.dusun if area else None,
               rw=area.rw if area else None, rt=area.rt if area else None)
    for key, value in row.items():
        if isinstance(value, datetime):
            row[key] = value.date()
        elif value == "":
            row[key] = None
    return {column: row.get(column) for column in COLUMNS}


def export_rows() -> list[dict]:
    """Every resident (not deleted) as canonical rows, family by family."""
    with reading():
        families = {k.id: k for k in Keluarga.select()}
        areas = {w.id: w for w in Wilayah.select()}
        people = Penduduk.select().where(Penduduk.deleted_at.is_null()).order_by(Penduduk.keluarga, Penduduk.kk_level,
                                                                                 Penduduk.id)
        return [_canonical(p, families.get(p.keluarga_id), areas.get(p.wilayah_id)) for p in people]


def export_file(target: Path, *, actor: str, role: str, client: str = "") -> int:
    """Write .xlsx (the import format) or .csv by the target's extension; returns the number of people.

    The file holds every full NIK and KK, so only an admin or the signer (kepala desa) may take it out;
    `role` is the caller's (the CLI runs as the machine's administrator).
    """
    if role not in ("admin", "signer"):
        raise ServiceError("export.forbidden", status=403)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ServiceError("export.extension")
    rows = export_rows()
    if suffix == ".xlsx":
        write_residents_xlsx(target, rows)
    else:
        write_residents_csv(target, rows)
    with database.atomic():
        audit.record(actor, "residents.export", target.name, str(len(rows)), client)
    return len(rows)

