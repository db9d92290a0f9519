"""`read_residents`: one spreadsheet (Excel import format or SIAK export) into canonical rows + problems.

Reading never writes anything and never stops at the first bad cell: the operator gets every problem of
the file at once, each with the row number they see in Excel, and fixes the file in one go.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.identity import check_kk, check_nik
from kiosk.importing.checks import duplicate_niks, family_heads
from kiosk.importing.columns import (AREA_COLUMNS, CODE_COLUMNS, COLUMNS, COORDINATE_COLUMNS, DATE_COLUMNS,
                                     ID_COLUMNS, REQUIRED)
from kiosk.importing.model import ReadResult, RowProblem, SourceRow
from kiosk.importing.siak import DESA_HEADER, dusun_from_alamat, fill_bare_dusun
from kiosk.importing.values import (Converter, code_converter, coordinate_converter, to_area, to_date, to_identity,
                                    to_text)
from kiosk.importing.workbook import Table, load_table

# FormatImporExcel.xlsm ends its data area with "###" and puts usage notes below.
END_MARKER = "###"
_ORDER = {column: index for index, column in enumerate(COLUMNS)}


def _converters() -> dict[str, Converter]:
    """One converter per canonical column, chosen by the kind of value the column holds."""
    result: dict[str, Converter] = {}
    for column in COLUMNS:
        if column in CODE_COLUMNS:
            result[column] = code_converter(CODE_COLUMNS[column])
        elif column in DATE_COLUMNS:
            result[column] = to_date
        elif column in ID_COLUMNS:
            result[column] = to_identity
        elif column in AREA_COLUMNS:
            result[column] = to_area
        elif column in COORDINATE_COLUMNS:
            result[column] = coordinate_converter(COORDINATE_COLUMNS[column])
        else:
            result[column] = to_text
    return result


def _identity_problems(row_number: int, values: dict[str, object], raw: dict[str, object]) -> list[RowProblem]:
    """NIK and KK checks on the raw cells (a float NIK lost digits), parents' numbers for shape only."""
    found: list[RowProblem] = []
    birth = values.get("tanggallahir")
    sex = values.get("sex")
    if values.get("nik") is not None:
        for p in check_nik(raw["nik"], birth_date=birth, sex=sex if isinstance(sex, int) else None):  # type: ignore[arg-type]
            found.append(RowProblem(row_number, "nik", p.level, p.key, {**p.params, "column": "nik"}))
    if values.get("no_kk") is not None:
        for p in check_kk(raw["no_kk"]):  # type: ignore[arg-type]
            found.append(RowProblem(row_number, "no_kk", p.level, p.key, {**p.params, "column": "no_kk"}))
    for column in ("ayah_nik", "ibu_nik"):
        value = values.get(column)
        if isinstance(value, str) and (len(value) != 16 or not (value.isdigit() and value.isascii())):
            found.append(RowProblem(row_number, column, "warning", "nik.parent_format",
                                    {"column": column, "value": value}))
    return found


def _convert_rows(table: Table) -> tuple[list[SourceRow], list[RowProblem]]:
    """Convert every non-blank row below the header; the hot loop of a 10,000-row import."""
    converters = _converters()
    width = max((len(r) for r in table.rows), default=0)
    missing = width  # columns the sheet lacks read the None padded at this index
    positions = [(column, table.columns.get(column, missing), converters[column]) for column in COLUMNS]
    nik_at, kk_at = table.columns["nik"], table.columns["no_kk"]
    desa_at = table.extra.get(DESA_HEADER, missing)
    siak = table.source_format == "siak"
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    for index in range(table.header_index + 1, len(table.rows)):
        cells = table.rows[index]
        if len(cells) <= width:
            cells = cells + [None] * (width + 1 - len(cells))
        if END_MARKER in cells:
            break  # the Excel template's "###" row: below it are instructions, not people
        row_number = index + 1
        values: dict[str, object] = {}
        found: list[RowProblem] = []
        for column, position, convert in positions:
            value, problem = convert(cells[position])
            values[column] = value
            if problem is not None:
                level, key, params = problem
                found.append(RowProblem(row_number, column, level, key, {**params, "column": column}))  # type: ignore[arg-type]
        if not found and all(value is None for value in values.values()):
            continue  # blank (or only "-" and columns Balai does not keep)
        if siak and values["dusun"] is None:
            desa = cells[desa_at]
            values["dusun"] = dusun_from_alamat(values["alamat"], desa if isinstance(desa, str) else None)  # type: ignore[arg-type]
        flagged = {p.column for p in found}
        for column in REQUIRED:
            if values[column] is None and column not in flagged:
                found.append(RowProblem(row_number, column, "error", "required", {"column": column}))
        found.extend(_identity_problems(row_number, values, {"nik": cells[nik_at], "no_kk": cells[kk_at]}))
        problems.extend(found)
        rows.append(SourceRow(row_number, values))
    if siak:
        fill_bare_dusun([row.values for row in rows])
    return rows, problems


def read_residents(path: Path) -> ReadResult:
    """Read, normalize and check every resident row of an .xlsx/.xlsm/.xls file.

    Raises ImportFormatError when the file as a whole is unusable (not a spreadsheet, wrong extension,
    required columns missing); everything wrong with single cells is a RowProblem instead.
    """
    table = load_table(Path(path))
    rows, problems = _convert_rows(table)
    duplicates, skipped = duplicate_niks(rows)
    problems.extend(duplicates)
    if skipped:
        rows = [row for row in rows if row.row_number not in skipped]
        problems = [p for p in problems if p.row_number not in skipped or p.key == "nik.duplicate_invalid_skipped"]
    problems.extend(family_heads(rows))
    problems.sort(key=lambda p: (p.row_number, _ORDER.get(p.column, len(_ORDER))))
    return ReadResult(table.source_format, rows, problems)
