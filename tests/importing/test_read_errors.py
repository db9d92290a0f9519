"""Files that cannot be imported fail with one ImportFormatError key, never a traceback."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kiosk.importing import ImportFormatError, read_residents

DATA = Path(__file__).resolve().parents[1] / "data"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _fails(path: Path) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as caught:
        read_residents(path)
    return caught.value


@pytest.mark.parametrize("name, content", [
    ("renamed.xlsx", b"nik,nama\n3204122803780001,Budi\n"),
    ("empty.xlsx", b""),
    ("picture.xlsx", PNG),
    ("picture.xls", PNG),
    ("zip.xlsx", None),
    ("truncated.xlsm", (DATA / "FormatImporExcel.xlsm").read_bytes()[:5000]),
    ("truncated.xls", (DATA / "format_siak.xls").read_bytes()[:3000]),
])
def test_not_a_spreadsheet(tmp_path: Path, name: str, content: bytes | None) -> None:
    path = tmp_path / name
    if content is None:  # a zip that is not an Office document
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hello")
    else:
        path.write_bytes(content)
    error = _fails(path)
    assert error.key == "import.not_spreadsheet"


def test_password_protected(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE container holding an "EncryptedPackage" stream.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le"))
    error = _fails(path)
    assert (error.key, error.params["reason"]) == ("import.not_spreadsheet", "encrypted")


def test_missing_file(tmp_path: Path) -> None:
    assert _fails(tmp_path / "gone.xlsx").key == "import.not_spreadsheet"


@pytest.mark.parametrize("name", ["people.csv", "people.ods", "people.txt", "people"])
def test_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    assert _fails(path).key == "import.extension"


def test_content_wins_over_extension(tmp_path: Path) -> None:
    """An .xls saved with an .xlsx name (and the reverse) still reads: the content decides."""
    shutil.copy(DATA / "format_siak.xls", tmp_path / "siak.xlsx")
    shutil.copy(DATA / "FormatImporExcel.xlsm", tmp_path / "format.xls")
    assert read_residents(tmp_path / "siak.xlsx").source_format == "siak"
    assert read_residents(tmp_path / "format.xls").source_format == "excel"


def _sheet(path: Path, *rows: list[object]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_wrong_headers(tmp_path: Path) -> None:
    error = _fails(_sheet(tmp_path / "w.xlsx", ["Nama", "Umur"], ["Budi", 30]))
    assert error.key == "import.columns_missing"
    assert error.params == {"columns": "nik, no_kk, sex, tanggallahir, kk_level"}


def test_no_known_header_at_all(tmp_path: Path) -> None:
    error = _fails(_sheet(tmp_path / "w.xlsx", ["foo", "bar"], [1, 2]))
    assert error.params == {"columns": "nik, nama, no_kk, sex, tanggallahir, kk_level"}


def test_excel_format_missing_one_column(tmp_path: Path) -> None:
    error = _fails(_sheet(tmp_path / "w.xlsx", ["nik", "nama", "no_kk", "sex", "tanggallahir"]))
    assert (error.key, error.params) == ("import.columns_missing", {"columns": "kk_level"})


def test_siak_missing_columns_use_siak_names(tmp_path: Path) -> None:
    error = _fails(_sheet(tmp_path / "w.xlsx", ["Nomor KK", "NIK", "Nama Penduduk", "Kelamin"]))
    assert (error.key, error.params) == ("import.columns_missing", {"columns": "Tanggal Lahir, SHDK"})


def test_header_only_reads_no_rows(tmp_path: Path) -> None:
    result = read_residents(_sheet(tmp_path / "h.xlsx", ["nik", "nama", "no_kk", "sex", "tanggallahir", "kk_level"]))
    assert (result.source_format, result.rows, result.problems) == ("excel", [], [])


def test_empty_workbook(tmp_path: Path) -> None:
    assert _fails(_sheet(tmp_path / "e.xlsx")).key == "import.columns_missing"
