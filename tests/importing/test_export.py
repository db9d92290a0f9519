"""Exports round-trip: what Balai writes reads back as the same canonical rows, and Excel keeps NIKs intact."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from kiosk.data import code_lists
from kiosk.importing import COLUMNS, read_residents, write_residents_csv, write_residents_xlsx
from tests.importing.generate import resident_rows

DATA = Path(__file__).resolve().parents[1] / "data"


def _roundtrip(source: Path, tmp_path: Path) -> None:
    rows = [r.values for r in read_residents(source).rows]
    write_residents_xlsx(tmp_path / "out.xlsx", rows)
    again = read_residents(tmp_path / "out.xlsx")
    assert again.source_format == "excel"
    assert [r.values for r in again.rows] == rows


def test_roundtrip_reference_excel(tmp_path: Path) -> None:
    _roundtrip(DATA / "FormatImporExcel.xlsm", tmp_path)


def test_roundtrip_siak(tmp_path: Path) -> None:
    _roundtrip(DATA / "format_siak.xls", tmp_path)


def test_roundtrip_generated(tmp_path: Path) -> None:
    rows = resident_rows(500, seed=3)
    write_residents_xlsx(tmp_path / "g.xlsx", rows)
    assert [r.values for r in read_residents(tmp_path / "g.xlsx").rows] == rows


def test_xlsx_cells_are_typed_for_excel(tmp_path: Path) -> None:
    rows = resident_rows(3)
    write_residents_xlsx(tmp_path / "t.xlsx", rows)
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["Data Penduduk", "Kode Data"]
    sheet = book["Data Penduduk"]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    cells = {column: sheet.cell(row=2, column=index + 1) for index, column in enumerate(COLUMNS)}
    for column in ("nik", "no_kk", "rw", "rt"):
        assert cells[column].data_type == "s" and cells[column].number_format == "@", column
    assert cells["nik"].value == rows[0]["nik"]
    assert cells["tanggallahir"].is_date and cells["tanggallahir"].value.date() == rows[0]["tanggallahir"]
    assert cells["sex"].data_type == "n" and cells["sex"].value == rows[0]["sex"]
    codes = book["Kode Data"]
    assert [c.value for c in codes[1]][:4] == ["sex", "id", "agama_id", "id"]
    assert (codes["A2"].value, codes["B2"].value) == ("LAKI-LAKI", 1)
    pekerjaan = [c.value for c in codes["J"]][1:]  # pekerjaan_id codes, column pair 5
    assert pekerjaan[:89] == sorted(code_lists()["pekerjaan"])


def test_csv(tmp_path: Path) -> None:
    rows = resident_rows(4)
    write_residents_csv(tmp_path / "r.csv", rows)
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == list(COLUMNS)
    first = dict(zip(COLUMNS, table[1]))
    assert first["nik"] == rows[0]["nik"]
    assert first["tanggallahir"] == rows[0]["tanggallahir"].isoformat()  # type: ignore[union-attr]
    assert first["pendidikan_sedang_id"] == "" and first["sex"] == str(rows[0]["sex"])


def test_csv_excel_text_ids(tmp_path: Path) -> None:
    rows = [{"nik": "3304122803780001", "no_kk": "3304121503100001", "rw": "002", "tanggallahir": date(1978, 3, 28)}]
    write_residents_csv(tmp_path / "r.csv", rows, excel_text_ids=True)
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert '"=""3304122803780001"""' in text and '"=""002"""' in text
