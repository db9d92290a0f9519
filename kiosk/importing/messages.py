"""Message templates for every key the importers can report, Indonesian first.

The lead merges these into the i18n tables; the identity keys come from `kiosk.identity` so there is one
wording per key. Templates may use {column} and {value} (and {first_row}, {columns}, {allowed}).
"""

from __future__ import annotations

from kiosk.identity import MESSAGES_EN as _IDENTITY_EN
from kiosk.identity import MESSAGES_ID as _IDENTITY_ID

_IMPORT_ID: dict[str, str] = {
    "import.not_spreadsheet": "Berkas ini bukan lembar kerja Excel yang bisa dibaca (kosong, rusak, "
                              "berkata sandi, atau jenis berkas lain). Simpan ulang sebagai .xlsx lalu coba lagi.",
    "import.extension": "Jenis berkas {value} tidak didukung. Gunakan {allowed}.",
    "import.columns_missing": "Kolom wajib tidak ditemukan: {columns}.",
    "required": "Kolom {column} wajib diisi.",
    "code.unknown": "Isi kolom {column} tidak dikenal: {value}.",
    "date.invalid": "Kolom {column} bukan tanggal yang dikenali: {value}. Gunakan tanggal Excel atau hh-bb-tttt.",
    "text.date": "Kolom {column} berisi tanggal ({value}), padahal seharusnya teks.",
    "area.invalid": "Kolom {column} seharusnya nomor RT/RW (sampai 3 angka): {value}.",
    "coordinate.invalid": "Koordinat di kolom {column} tidak mungkin: {value}.",
    "nik.parent_format": "NIK orang tua di kolom {column} bukan 16 angka: {value}.",
    "nik.duplicate_in_file": "NIK {value} sudah ada di baris {first_row} berkas ini.",
    "nik.duplicate_invalid_skipped": "NIK {value} juga ada di baris {first_row}; baris ini berstatus TIDAK VALID di SIAK dan tidak diimpor.",
    "kk.two_heads": "Keluarga {value} sudah punya kepala keluarga di baris {first_row}.",
    "kk.no_head": "Keluarga {value} tidak punya kepala keluarga yang masih hidup.",
}

_IMPORT_EN: dict[str, str] = {
    "import.not_spreadsheet": "This file is not a readable Excel spreadsheet (empty, damaged, password "
                              "protected, or another kind of file). Save it again as .xlsx and retry.",
    "import.extension": "The file type {value} is not supported. Use {allowed}.",
    "import.columns_missing": "Required columns not found: {columns}.",
    "required": "The column {column} is required.",
    "code.unknown": "Unknown value in column {column}: {value}.",
    "date.invalid": "Column {column} holds no recognisable date: {value}. Use an Excel date or dd-mm-yyyy.",
    "text.date": "Column {column} holds a date ({value}) where text was expected.",
    "area.invalid": "Column {column} should hold an RT/RW number (up to 3 digits): {value}.",
    "coordinate.invalid": "The coordinate in column {column} is impossible: {value}.",
    "nik.parent_format": "The parent's NIK in column {column} is not 16 digits: {value}.",
    "nik.duplicate_in_file": "NIK {value} already appears in row {first_row} of this file.",
    "nik.duplicate_invalid_skipped": "NIK {value} also appears in row {first_row}; this row is TIDAK VALID in SIAK and is not imported.",
    "kk.two_heads": "Family {value} already has a head in row {first_row}.",
    "kk.no_head": "Family {value} has no living head.",
}

MESSAGES_ID: dict[str, str] = {**_IDENTITY_ID, **_IMPORT_ID}
MESSAGES_EN: dict[str, str] = {**_IDENTITY_EN, **_IMPORT_EN}
