"""Every problem key has an Indonesian and an English template that formats with the problem's params."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from kiosk.importing import MESSAGES_EN, MESSAGES_ID, ImportFormatError, read_residents
from tests.importing.generate import write_rows

DATA = Path(__file__).resolve().parents[1] / "data"

ALL_KEYS = {
    "nik.length", "nik.digits", "nik.scientific", "nik.region", "nik.date", "nik.serial", "nik.temporary",
    "nik.birth_date_mismatch", "nik.sex_mismatch", "kk.length", "kk.digits", "kk.scientific", "kk.region",
    "kk.date", "kk.temporary", "import.not_spreadsheet", "import.extension", "import.columns_missing", "required",
    "code.unknown", "date.invalid", "text.date", "area.invalid", "coordinate.invalid", "nik.parent_format",
    "nik.duplicate_in_file", "nik.duplicate_invalid_skipped", "kk.two_heads", "kk.no_head",
}


def test_tables_cover_every_key() -> None:
    assert set(MESSAGES_ID) == ALL_KEYS
    assert set(MESSAGES_EN) == ALL_KEYS


@pytest.mark.parametrize("table", [MESSAGES_ID, MESSAGES_EN])
def test_templates_are_well_formed(table: dict[str, str]) -> None:
    for key, template in table.items():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert names <= {"column", "value", "length", "expected", "first_row", "columns", "allowed"}, key


def test_every_reported_problem_formats(tmp_path: Path) -> None:
    rows = [{"nik": "12", "nama": "A", "no_kk": "3304121503100001", "sex": 1, "tanggallahir": "x", "kk_level": 1,
             "rw": "II", "lat": 999}, {"nik": "12", "nama": "B", "no_kk": "3304121503100001", "sex": 9,
                                       "tanggallahir": None, "kk_level": 1, "akta_lahir": None}]
    write_rows(tmp_path / "m.xlsx", rows, ("nik", "nama", "no_kk", "sex", "tanggallahir", "kk_level", "rw", "lat"))
    problems = [p for f in (DATA / "FormatImporExcel.xlsm", DATA / "format_siak.xls", tmp_path / "m.xlsx")
                for p in read_residents(f).problems]
    assert len({p.key for p in problems}) >= 14
    for problem in problems:
        for table in (MESSAGES_ID, MESSAGES_EN):
            text = table[problem.key].format(**problem.params)
            assert "{" not in text


def test_format_errors_format(tmp_path: Path) -> None:
    for name in ("a.txt", "b.xlsx"):
        (tmp_path / name).write_bytes(b"nope")
        with pytest.raises(ImportFormatError) as caught:
            read_residents(tmp_path / name)
        for table in (MESSAGES_ID, MESSAGES_EN):
            assert "{" not in table[caught.value.key].format(**caught.value.params)
