"""The shipped reference data matches its source, and the columns agree with the rest of Balai."""

from __future__ import annotations

import csv

from kiosk.data import code_lists, data_path
from kiosk.importing import COLUMNS
from tests.data.extract_kode_data import extract


def test_kode_data_json_matches_the_sheet() -> None:
    assert code_lists() == extract()


def test_kode_data_lists() -> None:
    lists = code_lists()
    assert list(lists) == ["sex", "agama", "pendidikan_kk", "pendidikan_sedang", "pekerjaan", "status_kawin",
                           "kk_level", "warganegara", "golongan_darah", "cacat", "cara_kb", "hamil", "ktp_el",
                           "status_rekam", "status_dasar", "asuransi"]
    assert lists["sex"] == {1: "LAKI-LAKI", 2: "PEREMPUAN"}
    assert sorted(lists["pekerjaan"]) == list(range(1, 90))
    assert lists["golongan_darah"][13] == "TIDAK TAHU"
    assert lists["status_dasar"] == {1: "HIDUP", 2: "MATI", 3: "PINDAH", 4: "HILANG", 6: "PERGI", 9: "TIDAK VALID"}
    assert lists["status_rekam"][1] == "BELUM WAJIB"  # trailing space in the sheet removed


def test_klasifikasi_surat_is_shipped() -> None:
    with data_path("klasifikasi_surat.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2331
    by_code = {row["kode"]: row["nama"] for row in rows}
    assert by_code["470"].casefold() == "kependudukan"


def test_columns_agree_with_the_person_model() -> None:
    from kiosk.models.people import EXCEL_COLUMNS

    assert COLUMNS == EXCEL_COLUMNS
