"""Mapping code-list cells (numbers or labels such as "Laki-Laki", "Tdk Th") onto the shipped codes.

SIAK exports and hand-made spreadsheets spell the same thing many ways; the Excel format uses the numbers.
Both go through one lookup: numbers must exist in the list, labels are compared case- and
spacing-insensitively against the official labels and a synonym table built from real exports.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kiosk.data import code_lists

# Whitespace, dots and underscores carry no meaning in labels ("S. MUDA", "SLTA / SEDERAJAT").
# Hyphens and plus signs do ("A-" vs "A"), so they stay.
_NOISE = re.compile(r"[\s._]+")
_PARENTHESES = re.compile(r"\(([^)]*)\)")

# Spellings seen in SIAK exports and village spreadsheets that differ from the "Kode Data" labels.
SYNONYMS: dict[str, dict[str, int]] = {
    "sex": {"L": 1, "LK": 1, "LAKI": 1, "LAKI LAKI": 1, "PRIA": 1, "P": 2, "PR": 2, "WANITA": 2},
    "agama": {"KATOLIK": 3, "KRISTEN KATOLIK": 3, "KRISTEN PROTESTAN": 2, "PROTESTAN": 2, "BUDDHA": 5,
              "KONGHUCU": 6, "KONG HU CU": 6, "KHONG HU CU": 6, "KEPERCAYAAN": 7,
              "KEPERCAYAAN TERHADAP TUHAN YME": 7, "LAINNYA": 7},
    "pendidikan_kk": {"TIDAK SEKOLAH": 1, "BELUM SEKOLAH": 1, "SD": 3, "SLTP": 4, "SMP": 4, "SLTA": 5,
                      "SMA": 5, "SMK": 5, "DIPLOMA I": 6, "DIPLOMA II": 6, "D1": 6, "D2": 6,
                      "AKADEMI/DIPLOMA III/SARJANA MUDA": 7, "DIPLOMA III": 7, "D3": 7, "DIPLOMA IV": 8,
                      "STRATA I": 8, "S1": 8, "S2": 9, "S3": 10},
    "status_kawin": {"KAWIN TERCATAT": 2, "KAWIN BELUM TERCATAT": 2, "KAWIN TIDAK TERCATAT": 2,
                     "CERAI HIDUP TERCATAT": 3, "CERAI HIDUP BELUM TERCATAT": 3, "CERAI HIDUP TIDAK TERCATAT": 3,
                     "JANDA": 3, "DUDA": 3},
    "kk_level": {"KEPALA": 1, "KK": 1, "ISTERI": 3, "ORANG TUA": 7, "FAMILI": 9, "FAMILI LAINNYA": 9},
    "warganegara": {"INDONESIA": 1, "ASING": 2},
    "golongan_darah": {"TDK TH": 13, "TDK TAHU": 13, "TIDAK TAHU": 13, "TIDAK DIKETAHUI": 13},
    "status_dasar": {"PINDAH DALAM NEGERI": 3, "PINDAH LUAR NEGERI": 3, "PINDAH KELUAR": 3, "MENINGGAL": 2,
                     "MENINGGAL DUNIA": 2},
    "pekerjaan": {"PETANI": 9, "PEKEBUN": 9, "NELAYAN": 11, "PELAJAR": 3, "MAHASISWA": 3, "IRT": 2,
                  "IBU RUMAH TANGGA": 2, "BURUH TANI": 20, "BURUH HARIAN": 19, "PENERJEMAH": 40,
                  "SWASTA": 15, "PEGAWAI SWASTA": 15, "BELUM BEKERJA": 1, "TIDAK BEKERJA": 1,
                  "PENSIUNAN PNS": 4, "PURNAWIRAWAN": 4, "USTADZ": 45, "MUBALIGH": 45, "DPR RI": 48,
                  "PSIKIATER": 76, "PSIKOLOG": 76, "TUKANG LAS": 29, "PANDAI BESI": 29},
}


def label_key(label: str) -> str:
    """The comparison form of a label: upper case without spaces, dots or underscores."""
    return _NOISE.sub("", label).upper()


@lru_cache(maxsize=None)
def _index(list_name: str) -> dict[str, int]:
    """Every accepted spelling of every label of one list, built on first use."""
    index: dict[str, int] = {}
    for code, label in code_lists()[list_name].items():
        index[label_key(label)] = code
        inner = _PARENTHESES.search(label)
        if inner:  # "PEGAWAI NEGERI SIPIL (PNS)": accept the name alone and the abbreviation alone
            index.setdefault(label_key(_PARENTHESES.sub("", label)), code)
            index.setdefault(label_key(inner.group(1)), code)
    for spelling, code in SYNONYMS.get(list_name, {}).items():
        index.setdefault(label_key(spelling), code)
    return index


def code_for_label(list_name: str, label: str) -> int | None:
    """The code of a label in a list, or None when no spelling matches."""
    return _index(list_name).get(label_key(label))


def is_code(list_name: str, code: int) -> bool:
    """Whether a number is one of the list's codes."""
    return code in code_lists()[list_name]


def label_for_code(list_name: str, code: int) -> str | None:
    """The official label of a code, for exports and messages."""
    return code_lists()[list_name].get(code)
