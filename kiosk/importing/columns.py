"""The canonical resident row: the 43 "Data Penduduk" columns and what kind of value each holds.

Every importer produces rows keyed by exactly these names and every exporter writes them in this order,
so the common Excel format villages already use round-trips through Balai unchanged.
"""

from __future__ import annotations

COLUMNS: tuple[str, ...] = (
    "alamat", "dusun", "rw", "rt", "nama", "no_kk", "nik", "sex", "tempatlahir", "tanggallahir", "agama_id",
    "pendidikan_kk_id", "pendidikan_sedang_id", "pekerjaan_id", "status_kawin", "kk_level", "warganegara_id",
    "ayah_nik", "nama_ayah", "ibu_nik", "nama_ibu", "golongan_darah_id", "akta_lahir", "dokumen_pasport",
    "tanggal_akhir_paspor", "dokumen_kitas", "akta_perkawinan", "tanggalperkawinan", "akta_perceraian",
    "tanggalperceraian", "cacat_id", "cara_kb_id", "hamil", "ktp_el", "status_rekam", "alamat_sekarang",
    "status_dasar", "suku", "tag_id_card", "id_asuransi", "no_asuransi", "lat", "lng",
)

# A row without any of these cannot become a person in a family.
REQUIRED: tuple[str, ...] = ("nik", "nama", "no_kk", "sex", "tanggallahir", "kk_level")

# Column -> list name in kiosk/data/kode_data.json.
CODE_COLUMNS: dict[str, str] = {
    "sex": "sex",
    "agama_id": "agama",
    "pendidikan_kk_id": "pendidikan_kk",
    "pendidikan_sedang_id": "pendidikan_sedang",
    "pekerjaan_id": "pekerjaan",
    "status_kawin": "status_kawin",
    "kk_level": "kk_level",
    "warganegara_id": "warganegara",
    "golongan_darah_id": "golongan_darah",
    "cacat_id": "cacat",
    "cara_kb_id": "cara_kb",
    "hamil": "hamil",
    "ktp_el": "ktp_el",
    "status_rekam": "status_rekam",
    "status_dasar": "status_dasar",
    "id_asuransi": "asuransi",
}

DATE_COLUMNS: frozenset[str] = frozenset(
    {"tanggallahir", "tanggal_akhir_paspor", "tanggalperkawinan", "tanggalperceraian"})
# Identity numbers kept as digit strings; nik and no_kk are fully checked, parents' numbers only for shape.
ID_COLUMNS: frozenset[str] = frozenset({"nik", "no_kk", "ayah_nik", "ibu_nik"})
AREA_COLUMNS: frozenset[str] = frozenset({"rw", "rt"})
COORDINATE_COLUMNS: dict[str, float] = {"lat": 90.0, "lng": 180.0}
TEXT_COLUMNS: tuple[str, ...] = tuple(
    c for c in COLUMNS
    if c not in CODE_COLUMNS and c not in DATE_COLUMNS and c not in ID_COLUMNS and c not in AREA_COLUMNS
    and c not in COORDINATE_COLUMNS)

# Code "hidup" in the status_dasar list: only living, valid members count as a family's head.
STATUS_HIDUP = 1
KK_LEVEL_HEAD = 1
