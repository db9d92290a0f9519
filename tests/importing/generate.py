"""Realistic resident spreadsheets for tests and benchmarks: valid NIK/KK of region 33.04.12.

Families of 1-6 people with exactly one head, four dusun, several RT/RW, parents' NIKs for children. The
file is written directly with openpyxl (not with Balai's exporter) so reading it tests the reader alone.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from kiosk.importing.columns import COLUMNS

REGION = "330412"
DUSUN = ("Dusun Krajan", "Dusun Sidomulyo", "Dusun Karanganyar", "Dusun Sukamaju")
MEN = ("Budi", "Slamet", "Agus", "Joko", "Wahyu", "Eko", "Bambang", "Sugeng", "Heru", "Rizky", "Dimas", "Yusuf")
WOMEN = ("Siti", "Sri", "Dewi", "Wati", "Ani", "Rina", "Sumini", "Lestari", "Ayu", "Putri", "Nur", "Fitri")
FAMILY = ("Santoso", "Wijaya", "Saputra", "Hidayat", "Rahmawati", "Susanto", "Pratama", "Lestari", "Kurniawan")
PLACES = ("Banjarnegara", "Wonosobo", "Purbalingga", "Kebumen", "Semarang", "Jakarta")


class _Numbers:
    """Unique NIK/KK numbers: region + date + a serial that is unique per date."""

    def __init__(self) -> None:
        self.serials: dict[str, int] = {}

    def _next(self, kind: str, middle: str) -> str:
        serial = self.serials.get(kind + middle, 0) + 1
        self.serials[kind + middle] = serial
        return f"{REGION}{middle}{serial:04d}"

    def nik(self, born: date, sex: int) -> str:
        day = born.day + (40 if sex == 2 else 0)
        return self._next("nik", f"{day:02d}{born.month:02d}{born.year % 100:02d}")

    def kk(self, registered: date) -> str:
        return self._next("kk", f"{registered:%d%m%y}")


def _birth(rng: random.Random, oldest: int, youngest: int) -> date:
    start = date(2025, 1, 1) - timedelta(days=365 * oldest)
    return start + timedelta(days=rng.randrange(365 * (oldest - youngest)))


def _person(rng: random.Random, numbers: _Numbers, kk: str, area: tuple[str, str, str, str], level: int,
            sex: int, born: date, surname: str) -> dict[str, object]:
    first = rng.choice(MEN if sex == 1 else WOMEN)
    adult = born.year < 2005
    return {
        "alamat": area[0], "dusun": area[1], "rw": area[2], "rt": area[3],
        "nama": f"{first} {surname}", "no_kk": kk, "nik": numbers.nik(born, sex), "sex": sex,
        "tempatlahir": rng.choice(PLACES), "tanggallahir": born, "agama_id": rng.choice((1, 1, 1, 1, 2, 3)),
        "pendidikan_kk_id": rng.randint(1, 8), "pendidikan_sedang_id": None,
        "pekerjaan_id": rng.choice((2, 9, 15, 19, 88)) if adult else 3,
        "status_kawin": 2 if level in (1, 2, 3) else 1, "kk_level": level, "warganegara_id": 1,
        "ayah_nik": None, "nama_ayah": f"{rng.choice(MEN)} {surname}", "ibu_nik": None,
        "nama_ibu": rng.choice(WOMEN), "golongan_darah_id": rng.randint(1, 13), "akta_lahir": None,
        "dokumen_pasport": None, "tanggal_akhir_paspor": None, "dokumen_kitas": None, "akta_perkawinan": None,
        "tanggalperkawinan": None, "akta_perceraian": None, "tanggalperceraian": None, "cacat_id": 7,
        "cara_kb_id": None, "hamil": None, "ktp_el": 2 if adult else 1, "status_rekam": 3 if adult else 1,
        "alamat_sekarang": None, "status_dasar": 1, "suku": "Jawa", "tag_id_card": None, "id_asuransi": 2,
        "no_asuransi": None, "lat": round(-7.39 + rng.random() / 100, 6), "lng": round(109.69 + rng.random() / 100, 6),
    }


def resident_rows(n: int, seed: int = 7) -> list[dict[str, object]]:
    """n canonical rows, grouped in families; the head comes first in each family."""
    rng = random.Random(seed)
    numbers = _Numbers()
    rows: list[dict[str, object]] = []
    while len(rows) < n:
        size = min(rng.randint(1, 6), n - len(rows))
        dusun = rng.randrange(len(DUSUN))
        area = (f"Jl. Raya {rng.randint(1, 200)}", DUSUN[dusun], f"{dusun + 1:03d}", f"{rng.randint(1, 5):03d}")
        kk = numbers.kk(_birth(rng, 20, 1))
        surname = rng.choice(FAMILY)
        head_sex = rng.choice((1, 1, 1, 2))
        head = _person(rng, numbers, kk, area, 1, head_sex, _birth(rng, 70, 25), surname)
        family = [head]
        if size > 1:
            family.append(_person(rng, numbers, kk, area, 3 if head_sex == 1 else 2, 3 - head_sex,
                                  _birth(rng, 65, 22), surname))
        for _ in range(size - len(family)):
            child = _person(rng, numbers, kk, area, 4, rng.choice((1, 2)), _birth(rng, 20, 0), surname)
            father = next((m for m in family if m["sex"] == 1 and m["kk_level"] in (1, 2, 3)), None)
            mother = next((m for m in family if m["sex"] == 2 and m["kk_level"] in (1, 2, 3)), None)
            child["ayah_nik"] = father["nik"] if father else None
            child["ibu_nik"] = mother["nik"] if mother else None
            family.append(child)
        rows.extend(family)
    return rows


def write_rows(path: Path, rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS,
               header_row: int = 1) -> None:
    """Rows as an .xlsx the way a village would keep them: text NIKs, Excel dates, numeric codes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data Penduduk")
    for _ in range(header_row - 1):
        sheet.append([])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column) for column in columns])
    book.save(path)


def write_excel(path: Path, n: int, seed: int = 7) -> list[dict[str, object]]:
    """Write n realistic residents to an .xlsx and return the canonical rows it should read back as."""
    rows = resident_rows(n, seed)
    write_rows(path, rows)
    return rows
