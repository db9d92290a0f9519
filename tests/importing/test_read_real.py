"""The two real reference files read as their formats, with exactly the problems their data has."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from kiosk.importing import COLUMNS, read_residents

DATA = Path(__file__).resolve().parents[1] / "data"
XLSM = DATA / "FormatImporExcel.xlsm"
SIAK = DATA / "format_siak.xls"


def test_excel_format_row_two_is_canonical() -> None:
    result = read_residents(XLSM)
    assert result.source_format == "excel"
    # Rows 3-12 are blank; row 13 holds the template's "###" end marker, notes follow: not people.
    assert [r.row_number for r in result.rows] == [2]
    values = result.rows[0].values
    assert list(values) == list(COLUMNS)
    assert values["alamat"] == "Jl Melati Raya No. 234"
    assert values["dusun"] == "Dusun Satu"
    assert (values["rw"], values["rt"]) == ("002", "001")
    assert values["nama"] == "Nama Lengkap"
    assert values["no_kk"] == "6453654545450056"
    assert values["nik"] == "8788888888888456"
    assert values["sex"] == 2
    assert values["tanggallahir"] == date(1978, 3, 28)
    assert (values["agama_id"], values["pendidikan_kk_id"], values["pendidikan_sedang_id"]) == (1, 2, 8)
    assert (values["pekerjaan_id"], values["status_kawin"], values["kk_level"]) == (29, 2, 1)
    assert values["warganegara_id"] == 2
    assert (values["ayah_nik"], values["ibu_nik"]) == ("1111111111111111", "2222222222222222")
    assert values["golongan_darah_id"] == 8
    assert values["akta_lahir"] == "2015-05-14"  # the template has a date in this text column
    assert values["dokumen_pasport"] == "4433"
    assert values["tanggal_akhir_paspor"] is None  # it holds a 16-digit number, not a date
    assert values["tanggalperkawinan"] == date(1998, 7, 20)
    assert values["tanggalperceraian"] == date(2004, 5, 2)
    assert (values["cacat_id"], values["cara_kb_id"], values["hamil"], values["ktp_el"]) == (7, 3, 1, 2)
    assert (values["status_rekam"], values["status_dasar"], values["id_asuransi"]) == (4, 1, 1)
    assert values["tag_id_card"] == "4446891881"
    assert values["suku"] is None and values["lat"] is None and values["lng"] is None


def test_excel_format_problems_are_exact() -> None:
    problems = [(p.row_number, p.column, p.level, p.key) for p in read_residents(XLSM).problems]
    assert problems == [
        (2, "no_kk", "error", "kk.date"),  # registration date 45-45-45
        (2, "nik", "error", "nik.region"),  # province 87 does not exist
        (2, "nik", "error", "nik.date"),  # day 88 is neither 01..31 nor 41..71
        (2, "akta_lahir", "warning", "text.date"),
        (2, "tanggal_akhir_paspor", "error", "date.invalid"),
    ]


def test_siak_reads_and_maps_every_label() -> None:
    result = read_residents(SIAK)
    assert result.source_format == "siak"
    # Row 11 repeats row 9's NIK and SIAK marks it TIDAK VALID: it is left out (with a warning).
    assert [r.row_number for r in result.rows] == [n for n in range(2, 20) if n != 11]
    assert not [p for p in result.problems if p.key == "code.unknown"]
    for row in result.rows:
        values = row.values
        assert values["sex"] in (1, 2)
        assert values["agama_id"] == 1
        assert values["status_kawin"] in (1, 2, 4)
        assert values["kk_level"] in (1, 3, 4, 7)
        assert isinstance(values["pendidikan_kk_id"], int)
        assert isinstance(values["pekerjaan_id"], int)
        assert values["golongan_darah_id"] == 13  # "Tdk Th"
        assert isinstance(values["tanggallahir"], date)
        assert values["dusun"] in ("Dusun Jiwet", "Dusun Prapat", "Dusun Slemet", "Dusun Mbabrik")
        assert len(values["rw"]) == 3 and len(values["rt"]) == 3  # type: ignore[arg-type]


def test_siak_first_rows_exactly() -> None:
    rows = {r.row_number: r.values for r in read_residents(SIAK).rows}
    first = rows[2]
    assert (first["no_kk"], first["nik"], first["nama"]) == ("1000000103170000", "1000004401950000", "SUMINI")
    assert (first["sex"], first["tanggallahir"], first["kk_level"], first["status_kawin"]) == (2, date(1995, 1, 4), 1, 2)
    assert (first["alamat"], first["dusun"], first["rw"], first["rt"]) == ("Dsn JIWET", "Dusun Jiwet", "008", "001")
    assert (first["pendidikan_kk_id"], first["pekerjaan_id"], first["status_dasar"]) == (5, 2, 1)
    assert (first["akta_perkawinan"], first["tanggalperkawinan"]) == ("0127/2000/III/2014", date(2014, 3, 8))
    assert rows[4]["status_dasar"] == 9  # "Tidak Valid"
    assert rows[4]["akta_lahir"] is None  # "-"
    assert 11 not in rows  # the TIDAK VALID duplicate of row 9
    assert rows[8]["alamat"] == "DUSUN. MBABRIK" and rows[8]["dusun"] == "Dusun Mbabrik"
    assert rows[12]["kk_level"] == 7  # "Orang Tua"
    assert rows[17]["status_dasar"] == 3 and rows[18]["status_dasar"] == 2  # "Pindah Dalam Negeri", "Mati"


def test_siak_problems() -> None:
    problems = read_residents(SIAK).problems
    assert Counter(p.key for p in problems) == {
        "kk.region": 17, "nik.region": 17, "nik.serial": 16, "nik.duplicate_invalid_skipped": 1,
        "nik.birth_date_mismatch": 1, "kk.no_head": 1}
    duplicate = next(p for p in problems if p.key == "nik.duplicate_invalid_skipped")
    assert (duplicate.row_number, duplicate.params["first_row"], duplicate.level) == (11, 9, "warning")
    mismatch = next(p for p in problems if p.key == "nik.birth_date_mismatch")
    assert mismatch.row_number == 18 and mismatch.params["value"] == "25-01-91"
    no_head = next(p for p in problems if p.key == "kk.no_head")
    assert (no_head.row_number, no_head.params["value"]) == (19, "1000000106150000")
    assert all(p.level == "error" for p in problems if p.key.endswith((".region", ".serial")))
