"""Cell values, row numbers and cross-row checks on small spreadsheets built for each case."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from kiosk.importing import read_residents
from kiosk.importing.siak import dusun_from_alamat
from tests.importing.generate import resident_rows, write_rows

BASE = ("nik", "nama", "no_kk", "sex", "tanggallahir", "kk_level")


def person(nik: str, kk: str = "3304121503100001", level: int = 1, **extra: object) -> dict[str, object]:
    return {"nik": nik, "nama": "Budi", "no_kk": kk, "sex": 1, "tanggallahir": date(1978, 3, 28),
            "kk_level": level, **extra}


def found(path: Path) -> list[tuple[int, str, str]]:
    return [(p.row_number, p.column, p.key) for p in read_residents(path).problems]


def test_generated_rows_read_back_identical(tmp_path: Path) -> None:
    rows = resident_rows(300)
    write_rows(tmp_path / "r.xlsx", rows)
    result = read_residents(tmp_path / "r.xlsx")
    assert result.problems == []
    assert [r.values for r in result.rows] == rows
    assert [r.row_number for r in result.rows] == list(range(2, 302))


def test_duplicate_nik_and_two_heads(tmp_path: Path) -> None:
    rows = [person("3304122803780001"), person("3304126505800002", level=3, sex=2,
                                                 tanggallahir=date(1980, 5, 25)),
            person("3304122803780001", level=4), person("3304120101900003", level=1,
                                                       tanggallahir=date(1990, 1, 1))]
    write_rows(tmp_path / "d.xlsx", rows, BASE)
    assert found(tmp_path / "d.xlsx") == [(4, "nik", "nik.duplicate_in_file"), (5, "kk_level", "kk.two_heads")]
    problems = read_residents(tmp_path / "d.xlsx").problems
    assert problems[0].params == {"column": "nik", "value": "3304122803780001", "first_row": 2}
    assert problems[1].params == {"column": "kk_level", "value": "3304121503100001", "first_row": 2}


def test_family_without_head_and_dead_heads(tmp_path: Path) -> None:
    rows = [person("3304122803780001", level=4),
            person("3304122803780002", kk="3304121503100002", level=1, status_dasar=2),
            person("3304122803780003", kk="3304121503100002", level=1)]
    write_rows(tmp_path / "h.xlsx", rows, (*BASE, "status_dasar"))
    # A deceased former head does not make two heads; the first family has none.
    assert found(tmp_path / "h.xlsx") == [(2, "kk_level", "kk.no_head")]


def test_header_further_down_and_blank_rows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data Penduduk"
    sheet.append(["Daftar penduduk Desa Contoh"])
    sheet.append([])
    sheet.append(list(BASE))
    sheet.append(["3304122803780001", "Budi", "3304121503100001", 1, date(1978, 3, 28), 1])
    sheet.append([])
    sheet.append(["", " ", None, "-", "", ""])
    sheet.append(["3304122803780002", "", "3304121503100001", 1, date(1978, 3, 28), 4])
    book.save(tmp_path / "x.xlsx")
    result = read_residents(tmp_path / "x.xlsx")
    assert [r.row_number for r in result.rows] == [4, 7]
    assert found(tmp_path / "x.xlsx") == [(7, "nama", "required")]


def test_values_are_normalized(tmp_path: Path) -> None:
    columns = (*BASE, "rw", "rt", "agama_id", "status_dasar", "golongan_darah_id", "tanggalperkawinan",
               "tanggalperceraian", "tanggal_akhir_paspor", "lat", "lng", "nama_ayah", "ayah_nik")
    rows = [
        {"nik": "'3304.1228.0378.0001", "nama": "  Budi  ", "no_kk": 3304121503100001.0, "sex": "Laki-Laki",
         "tanggallahir": 28577, "kk_level": "kepala keluarga", "rw": 2, "rt": "5", "agama_id": "Katolik",
         "status_dasar": "hidup", "golongan_darah_id": "tdk th", "tanggalperkawinan": "20-07-1998",
         "tanggalperceraian": "02/05/2004", "tanggal_akhir_paspor": "2030-01-31", "lat": "-7,39", "lng": 109.7,
         "nama_ayah": "-", "ayah_nik": "123"},
    ]
    write_rows(tmp_path / "v.xlsx", rows, columns)
    result = read_residents(tmp_path / "v.xlsx")
    values = result.rows[0].values
    assert values["nik"] == "3304122803780001" and values["no_kk"] == "3304121503100001"
    assert (values["nama"], values["sex"], values["kk_level"]) == ("Budi", 1, 1)
    assert values["tanggallahir"] == date(1978, 3, 28)  # Excel serial 28577
    assert (values["rw"], values["rt"], values["agama_id"], values["status_dasar"]) == ("002", "005", 3, 1)
    assert values["golongan_darah_id"] == 13
    assert values["tanggalperkawinan"] == date(1998, 7, 20)
    assert values["tanggalperceraian"] == date(2004, 5, 2)
    assert values["tanggal_akhir_paspor"] == date(2030, 1, 31)
    assert (values["lat"], values["lng"]) == (-7.39, 109.7)
    assert values["nama_ayah"] is None
    assert found(tmp_path / "v.xlsx") == [(2, "ayah_nik", "nik.parent_format")]


def test_cell_errors(tmp_path: Path) -> None:
    columns = (*BASE, "agama_id", "tanggalperkawinan", "rw", "lat")
    rows = [{"nik": 3.30412e15, "nama": "Budi", "no_kk": "3304121503100001", "sex": 3, "tanggallahir": "kemarin",
             "kk_level": "Raja", "agama_id": 2.5, "tanggalperkawinan": "1998-02-30", "rw": "II", "lat": 123.0}]
    write_rows(tmp_path / "e.xlsx", rows, columns)
    assert found(tmp_path / "e.xlsx") == [
        (2, "rw", "area.invalid"), (2, "nik", "nik.scientific"), (2, "sex", "code.unknown"),
        (2, "tanggallahir", "date.invalid"), (2, "agama_id", "code.unknown"), (2, "kk_level", "code.unknown"),
        (2, "tanggalperkawinan", "date.invalid"), (2, "lat", "coordinate.invalid")]
    problem = next(p for p in read_residents(tmp_path / "e.xlsx").problems if p.column == "sex")
    assert problem.params == {"column": "sex", "value": "3"}


def test_identity_warnings_reach_the_row(tmp_path: Path) -> None:
    rows = [person("3304122803780001", sex=2, tanggallahir=datetime(1978, 3, 29, 0, 0)),
            person("0000000000000077", kk="0000000000000123")]
    write_rows(tmp_path / "w.xlsx", rows, BASE)
    result = read_residents(tmp_path / "w.xlsx")
    assert [(p.row_number, p.column, p.level, p.key) for p in result.problems] == [
        (2, "nik", "warning", "nik.birth_date_mismatch"), (2, "nik", "warning", "nik.sex_mismatch"),
        (3, "no_kk", "warning", "kk.temporary"), (3, "nik", "warning", "nik.temporary")]
    assert result.error_count == 0


def _siak(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.append(["Nomor KK", "NIK", "Nama Penduduk", "Status", "Tanggal Lahir", "Kelamin", "SHDK",
                        "Agama", "Status Kawin", "Pendidikan", "Pekerjaan", "Gol. Darah", "Desa/Kel", "Alamat"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("cells, expected", [
    (["LAKI-LAKI", "KEPALA KELUARGA", "KATHOLIK", "CERAI HIDUP", "SLTA / SEDERAJAT", "Petani/Pekebun", "O+"],
     (1, 1, 3, 3, 5, 9, 11)),
    (["L", "Suami", "Buddha", "Kawin Tercatat", "Diploma IV/Strata I", "Pegawai Negeri Sipil", "AB"],
     (1, 2, 5, 2, 8, 5, 3)),
    (["Perempuan", "Istri", "Kristen", "Belum Kawin", "Akademi/Diploma III/S. Muda", "PNS", "Tidak Tahu"],
     (2, 3, 2, 1, 7, 5, 13)),
    (["P", "Famili Lain", "Khonghucu", "Cerai Mati", "Strata III", "Kepolisian RI", "A-"],
     (2, 9, 6, 4, 10, 7, 6)),
])
def test_siak_labels(tmp_path: Path, cells: list[str], expected: tuple[int, ...]) -> None:
    sex, level, agama, kawin, pendidikan, pekerjaan, darah = cells
    path = _siak(tmp_path / "s.xls.xlsx", [["3304121503100001", "3304122803780001", "X", "Hidup",
                                             date(1978, 3, 28), sex, level, agama, kawin, pendidikan, pekerjaan,
                                             darah, "Contoh", "Dsn Krajan"]])
    values = read_residents(path).rows[0].values
    got = tuple(values[c] for c in ("sex", "kk_level", "agama_id", "status_kawin", "pendidikan_kk_id",
                                    "pekerjaan_id", "golongan_darah_id"))
    assert got == expected


@pytest.mark.parametrize("alamat, desa, dusun", [
    ("Dsn JIWET", None, "Dusun Jiwet"), ("DSN JIWET", None, "Dusun Jiwet"), ("DSN. PRAPAT", None, "Dusun Prapat"),
    ("DUSUN. MBABRIK", None, "Dusun Mbabrik"), ("Dusun SUKA  MAJU", None, "Dusun Suka Maju"),
    ("DS JIWET", "NGGAPRANG", "Dusun Jiwet"), ("Ds. Nggaprang", "NGGAPRANG", None),
    ("DSN KRAJAN RT 01 RW 02", None, "Dusun Krajan"), ("Jl. Melati 3", None, None), ("Dsn", None, None),
    ("DUSUNAN", None, None),
])
def test_dusun_from_alamat(alamat: str, desa: str | None, dusun: str | None) -> None:
    assert dusun_from_alamat(alamat, desa) == dusun
