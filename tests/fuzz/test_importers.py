"""Resident spreadsheets (the Excel import format and SIAK exports) full of arbitrary cell values never crash
the importer: every file ends in a per-row report of errors and warnings, and a dry run writes nothing."""

from __future__ import annotations

import math
import tempfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kiosk.db import database
from kiosk.importing import COLUMNS, MESSAGES_EN, MESSAGES_ID, read_residents
from kiosk.importing.reader import _converters
from kiosk.services.errors import ServiceError
from kiosk.services.resident_files import import_file, write_report
from kiosk.settings import Settings

WITH_DB = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])

# Text openpyxl can store (no control characters, no lone surrogates), plus values villages really type.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
realistic = st.sampled_from(["3204122803780001", "'3204122803780001", "3.20412E+15", "Laki-laki", "Perempuan",
                             "LAKI-LAKI", "Islam", "Kepala Keluarga", "KEPALA KELUARGA", "Tdk Th", "28-03-1978",
                             "1978-03-28", "31/02/1990", "-", "", " ", "001", "RT 01", "Dsn JIWET", "Ds. Sukamaju",
                             "###", "nan", "inf", "1.0", "2.5", "٣٢٠٤"])
cell_values = st.one_of(
    text, realistic, st.none(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([3204122803780001.0, 3204122803780000.0, 1.0, 2.0, 28577.0, float("nan"), float("inf")]),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.booleans(),
)
EXCEL_HEADER = ("nik", "nama", "no_kk", "sex", "tanggallahir", "kk_level", "alamat", "dusun", "rw", "rt",
                "agama_id", "status_dasar", "ayah_nik", "tanggalperkawinan", "lat", "lng")
SIAK_HEADER = ("NIK", "Nama Penduduk", "Nomor KK", "Kelamin", "Tanggal Lahir", "SHDK", "Alamat", "Desa/Kel",
               "Status", "RT", "RW", "Agama", "Gol. Darah", "NIK Ayah", "Tgl Kawin")


def rows_of(width: int) -> st.SearchStrategy[list[list[object]]]:
    return st.lists(st.lists(cell_values, min_size=width, max_size=width), min_size=1, max_size=4)


def _cell(value: object) -> object:
    """What openpyxl can write: it refuses nan/inf in number cells, so those travel as the text Excel shows."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    return value


def write_sheet(path: Path, header: tuple[str, ...], rows: list[list[object]], sheet: str) -> Path:
    book = Workbook(write_only=True)
    page = book.create_sheet(sheet)
    page.append(list(header))
    for row in rows:
        page.append([_cell(v) for v in row])
    book.save(path)
    return path


def _counts() -> tuple[int, ...]:
    return tuple(database.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("penduduk", "keluarga", "wilayah", "audit_log"))


def _check_report(path: Path, rows: list[list[object]], source_format: str) -> None:
    result = read_residents(path)
    assert result.source_format == source_format
    last_row = len(rows) + 1
    for row in result.rows:
        assert 2 <= row.row_number <= last_row and set(row.values) == set(COLUMNS)
    for problem in result.problems:
        assert 2 <= problem.row_number <= last_row
        assert problem.level in ("error", "warning")
        assert problem.column in COLUMNS and problem.params["column"] == problem.column
        for templates in (MESSAGES_ID, MESSAGES_EN):  # the operator's report can word every problem
            templates[problem.key].format(**{"value": "", "first_row": "", "length": "", "expected": "",
                                             **problem.params})


def _dry_run(path: Path, rows: list[list[object]], source_format: str) -> None:
    _check_report(path, rows, source_format)
    before = _counts()
    try:
        summary = import_file(path, dry_run=True, actor="fuzz")
    except ServiceError as error:
        assert error.key == "import.no_rows"  # every row blank ("-", None, "")
    else:
        assert summary.errors + summary.warnings == len(summary.issues)
        assert summary.created + summary.updated <= len(rows)
        for issue in summary.issues:
            assert 2 <= issue.row <= len(rows) + 1
        for lang in ("id", "en"):  # the per-row report the operator downloads
            write_report(summary, path.with_suffix(f".{lang}.csv"), lang)
            assert len(path.with_suffix(f".{lang}.csv").read_text(encoding="utf-8-sig").splitlines()) >= 1
    assert _counts() == before


@pytest.fixture
def workdir() -> Path:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@WITH_DB
@given(rows=rows_of(len(EXCEL_HEADER)))
def test_excel_format_never_crashes_and_a_dry_run_writes_nothing(db: Settings, workdir: Path,
                                                                  rows: list[list[object]]) -> None:
    path = write_sheet(workdir / "penduduk.xlsx", EXCEL_HEADER, rows, "Data Penduduk")
    _dry_run(path, rows, "excel")


@WITH_DB
@given(rows=rows_of(len(SIAK_HEADER)))
def test_siak_export_never_crashes_and_a_dry_run_writes_nothing(db: Settings, workdir: Path,
                                                                 rows: list[list[object]]) -> None:
    # The reader goes by content, not by extension: an .xlsx with SIAK's column names is read as SIAK.
    path = write_sheet(workdir / "siak.xlsx", SIAK_HEADER, rows, "Sheet1")
    _dry_run(path, rows, "siak")


CONVERTERS = _converters()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COLUMNS), st.one_of(cell_values, st.times(), st.timedeltas(),
                                           st.sampled_from([time(10, 0), b"x", [1], {"a": 1}])))
def test_every_cell_converter_is_total(column: str, raw: object) -> None:
    """What calamine hands over (text, int, float, bool, date, datetime, time, timedelta) and more."""
    value, problem = CONVERTERS[column](raw)
    if problem is not None:
        level, key, params = problem
        assert level in ("error", "warning") and key in MESSAGES_ID and isinstance(params, dict)
        assert value is None or level == "warning"


@settings(max_examples=10, deadline=None)
@given(st.text(alphabet="٠١٢٣٤٥٦٧٨٩0123456789", min_size=16, max_size=16).filter(lambda s: not s.isascii()))
def test_parents_numbers_in_unicode_digits_are_flagged(number: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_sheet(Path(folder) / "p.xlsx", EXCEL_HEADER,
                           [["3204122803780001", "Budi", "3204121503100001", 1, date(1978, 3, 28), 1, "", "", "",
                             "", 1, 1, number, None, None, None]], "Data Penduduk")
        keys = {(p.column, p.key) for p in read_residents(path).problems}
    assert ("ayah_nik", "nik.parent_format") in keys


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(optional=st.lists(st.lists(st.one_of(st.none(), realistic, cell_values), min_size=10, max_size=10),
                         min_size=1, max_size=3))
def test_a_commit_writes_every_row_or_nothing(db: Settings, workdir: Path, optional: list[list[object]]) -> None:
    """Valid people with arbitrary optional cells (address, area, codes, parents, dates, coordinates)."""
    rows = [[f"32041228037800{n:02d}", f"Warga {n}", "3204121503100001", 1, date(1978, 3, 28), 1 if n == 1 else 4,
             *cells] for n, cells in enumerate(optional, start=1)]
    path = write_sheet(workdir / "commit.xlsx", EXCEL_HEADER, rows, "Data Penduduk")
    # The Excel template's end marker "###" anywhere in a row ends the data area (notes follow below it).
    people_rows = next((i for i, row in enumerate(rows) if "###" in row), len(rows))
    before = _counts()
    people = database.execute_sql("SELECT count(*) FROM penduduk").fetchone()[0]
    try:
        summary = import_file(path, dry_run=False, actor="fuzz")
    except ServiceError as error:
        assert error.key == ("import.no_rows" if people_rows == 0 else "import.has_errors")
        assert _counts() == before
        event("refused")
        return
    event("committed")
    assert summary.errors == 0
    after = database.execute_sql("SELECT count(*) FROM penduduk").fetchone()[0]
    assert after - people == summary.created and summary.created + summary.updated == people_rows
