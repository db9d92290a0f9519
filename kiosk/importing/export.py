"""Writing residents back out in the "Data Penduduk" format, so a village can leave Balai with its data.

The .xlsx mirrors FormatImporExcel.xlsm (43 columns, codes as numbers, a "Kode Data" sheet to look codes
up) and reads back into identical canonical rows. Identity numbers are text cells formatted as Text: a
16-digit number cell would be shown as 3.2E+15 and lose its last digit the moment someone edits it.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kiosk.data import code_lists
from kiosk.importing.columns import AREA_COLUMNS, CODE_COLUMNS, COLUMNS, DATE_COLUMNS, ID_COLUMNS

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"
_TEXT_COLUMNS = ID_COLUMNS | AREA_COLUMNS  # leading zeros and 16 digits must survive editing in Excel
_WIDE = {"alamat": 30, "nama": 28, "nama_ayah": 24, "nama_ibu": 24, "no_kk": 19, "nik": 19, "ayah_nik": 19,
         "ibu_nik": 19, "tempatlahir": 16, "tanggallahir": 12, "alamat_sekarang": 30}


def _data_sheet(book: Workbook, rows: Iterable[dict]) -> None:
    sheet: "WriteOnlyWorksheet" = book.create_sheet("Data Penduduk")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDE.get(column, 12)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        out: list[object] = []
        for column in COLUMNS:
            value = row.get(column)
            if column in _TEXT_COLUMNS and value is not None:
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.number_format = TEXT_FORMAT
                cell.data_type = "s"  # never a formula, whatever the text starts with
                out.append(cell)
            elif column in DATE_COLUMNS and isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value.date() if isinstance(value, datetime) else value)
                cell.number_format = DATE_FORMAT
                out.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                # A name like "=HYPERLINK(...)" must stay text: openpyxl would store it as a live formula.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)


def _codes_sheet(book: Workbook) -> None:
    """The code lists side by side in (label, id) column pairs, headed by the column they serve."""
    sheet: "WriteOnlyWorksheet" = book.create_sheet("Kode Data")
    lists = code_lists()
    pairs = [(column, sorted(lists[name].items())) for column, name in CODE_COLUMNS.items()]
    for index in range(1, 2 * len(pairs) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 22 if index % 2 else 5
    header: list[object] = []
    for column, _ in pairs:
        header += [column, "id"]
    sheet.append(header)
    for line in range(max(len(entries) for _, entries in pairs)):
        out: list[object] = []
        for _, entries in pairs:
            out += [entries[line][1], entries[line][0]] if line < len(entries) else [None, None]
        sheet.append(out)


def write_residents_xlsx(path: Path, rows: list[dict]) -> None:
    """Write canonical rows as an .xlsx in the "Data Penduduk" format, plus the "Kode Data" sheet."""
    book = Workbook(write_only=True)
    _data_sheet(book, rows)
    _codes_sheet(book)
    book.save(Path(path))


def _csv_value(column: str, value: object, excel_text_ids: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if excel_text_ids and column in _TEXT_COLUMNS:
        return f'="{value}"'
    return value


def write_residents_csv(path: Path, rows: list[dict], *, excel_text_ids: bool = False) -> None:
    """Write canonical rows as CSV: UTF-8 with BOM so Excel shows "é" and "’" right, same 43 columns.

    Dates are ISO (yyyy-mm-dd). Excel opening a CSV turns 16-digit NIKs into 3.2E+15; `excel_text_ids`
    writes them as ="3204..." which Excel keeps as text (and Balai's reader unwraps), at the cost of
    other programs seeing the formula.
    """
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_csv_value(column, row.get(column), excel_text_ids) for column in COLUMNS])
