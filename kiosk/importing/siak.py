"""The SIAK (civil registry) export: its column names and its way of writing the dusun into "Alamat".

SIAK exports come straight from the kecamatan's Dukcapil terminal; villages receive them as .xls files
with human column names. This module only knows the names and the address convention; the value
conversion is shared with the Excel format.
"""

from __future__ import annotations

import re

# Normalized SIAK header -> canonical column. Several spellings occur between SIAK versions.
HEADERS: dict[str, str] = {
    "nomorkk": "no_kk", "nokk": "no_kk", "nomorkartukeluarga": "no_kk",
    "nik": "nik",
    "namapenduduk": "nama", "namalengkap": "nama", "nama": "nama",
    "status": "status_dasar", "statusdasar": "status_dasar",
    "tempatlahir": "tempatlahir",
    "tanggallahir": "tanggallahir", "tgllahir": "tanggallahir",
    "kelamin": "sex", "jeniskelamin": "sex",
    "nikayah": "ayah_nik", "ayah": "nama_ayah", "namaayah": "nama_ayah",
    "nikibu": "ibu_nik", "ibu": "nama_ibu", "namaibu": "nama_ibu",
    "statuskawin": "status_kawin", "statusperkawinan": "status_kawin",
    "shdk": "kk_level", "hubungankeluarga": "kk_level", "statushubungandalamkeluarga": "kk_level",
    "agama": "agama_id",
    "alamat": "alamat",
    "rw": "rw", "rt": "rt",
    "pendidikan": "pendidikan_kk_id", "pendidikanterakhir": "pendidikan_kk_id",
    "pekerjaan": "pekerjaan_id", "jenispekerjaan": "pekerjaan_id",
    "goldarah": "golongan_darah_id", "golongandarah": "golongan_darah_id",
    "cacat": "cacat_id", "penyandangcacat": "cacat_id",
    "nomorpaspor": "dokumen_pasport", "nopaspor": "dokumen_pasport",
    "nomoraktalahir": "akta_lahir", "noaktalahir": "akta_lahir",
    "nomoraktakawin": "akta_perkawinan", "noaktakawin": "akta_perkawinan",
    "tanggalkwn": "tanggalperkawinan", "tanggalkawin": "tanggalperkawinan", "tglkawin": "tanggalperkawinan",
    "nomoraktacerai": "akta_perceraian", "noaktacerai": "akta_perceraian",
    "tglcerai": "tanggalperceraian", "tanggalcerai": "tanggalperceraian",
    "kewarganegaraan": "warganegara_id",
}
# The SIAK headers named in "columns missing" messages, in the words the export uses.
REQUIRED_HEADERS: dict[str, str] = {
    "nik": "NIK", "nama": "Nama Penduduk", "no_kk": "Nomor KK", "sex": "Kelamin",
    "tanggallahir": "Tanggal Lahir", "kk_level": "SHDK",
}
# Not a canonical column, but needed to tell "Ds. <desa>" from "Ds. <dusun>".
DESA_HEADER = "desakel"

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# "Dsn JIWET", "DSN. PRAPAT", "Dusun MBABRIK", "DUSUN. MBABRIK", "DS JIWET" (+ optional "RT 01 RW 08" tail)
_DUSUN = re.compile(r"^(?P<prefix>dusun|dsn|ds)\b\.?\s*(?P<name>.+?)(?:\s+(?:rt|rw)\b.*)?$", re.IGNORECASE)


def header_key(header: object) -> str:
    """"Gol. Darah" -> "goldarah", "Desa/Kel" -> "desakel": SIAK headers compared without punctuation."""
    return _NOT_ALNUM.sub("", str(header).casefold())


def nice_name(name: str) -> str:
    """"JIWET" -> "Jiwet", "SUKA  MAJU" -> "Suka Maju": names in SIAK are upper case, people write them so."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in name.split())


def dusun_from_alamat(alamat: str | None, desa: str | None = None) -> str | None:
    """"Dsn JIWET" -> "Dusun Jiwet"; None when the address does not name a dusun.

    "Ds" is also the usual abbreviation of "Desa", so "Ds. X" counts as a dusun only when X is not the
    row's own desa.
    """
    if not alamat:
        return None
    match = _DUSUN.match(alamat.strip())
    if match is None:
        return None
    name = match.group("name").strip(" .,")
    if not name:
        return None
    if match.group("prefix").lower() == "ds" and desa and header_key(name) == header_key(desa):
        return None
    return "Dusun " + nice_name(name)


def fill_bare_dusun(rows: list[dict[str, object]]) -> None:
    """Rows whose "Alamat" is a bare dusun name ("MBABRIK") get the dusun other rows spelled with a prefix."""
    known = {header_key(str(r["dusun"])[len("Dusun "):]): r["dusun"] for r in rows if r.get("dusun")}
    for row in rows:
        alamat = row.get("alamat")
        if not row.get("dusun") and isinstance(alamat, str):
            found = known.get(header_key(alamat))
            if found:
                row["dusun"] = found
