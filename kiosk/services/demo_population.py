"""A believable demo population: ~2,000 residents in ~550 families over 4 dusun, structurally valid NIK
and KK numbers for the village's region, plausible names, ages, jobs and a year of events.

Deterministic (a fixed seed), so screenshots and benchmarks are comparable between runs.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

MALE = ["Agus", "Budi", "Cahyo", "Dedi", "Eko", "Fajar", "Gunawan", "Hendra", "Imam", "Joko", "Kurniawan",
        "Lukman", "Mulyadi", "Nanang", "Oki", "Purnomo", "Rahmat", "Slamet", "Teguh", "Ujang", "Wahyu", "Yusuf",
        "Asep", "Dadang", "Iwan", "Ahmad", "Bambang", "Sutrisno", "Heru", "Rudi", "Sugeng", "Dimas", "Rizky"]
FEMALE = ["Ani", "Bunga", "Citra", "Dewi", "Endang", "Fitri", "Gita", "Hesti", "Indah", "Juwita", "Kartini",
          "Lestari", "Maya", "Nur", "Oktaviani", "Putri", "Ratna", "Siti", "Tuti", "Umi", "Wulan", "Yuni",
          "Aminah", "Sri", "Rina", "Eneng", "Euis", "Nining", "Rohmah", "Ayu", "Dian", "Suryani", "Lilis"]
FAMILY = ["Saputra", "Hidayat", "Nugraha", "Permana", "Setiawan", "Wijaya", "Kusuma", "Pratama", "Ramadhan",
          "Sulaeman", "Firmansyah", "Hermawan", "Santoso", "Suherman", "Rohman", "Maulana", "Gunadi"]
DUSUN = ["Dusun Krajan", "Dusun Sukamulya", "Dusun Cibeunying", "Dusun Margaluyu"]
STREETS = ["Jl. Raya", "Jl. Mawar", "Jl. Melati", "Gg. Kenanga", "Jl. Pesantren", "Jl. Sawah"]
PLACES = ["Bandung", "Garut", "Sumedang", "Tasikmalaya", "Cianjur", "Jakarta"]


def _nik(region6: str, born: date, female: bool, serials: dict[str, int]) -> str:
    day = born.day + (40 if female else 0)
    middle = f"{day:02d}{born.month:02d}{born.year % 100:02d}"
    key = region6 + middle
    serials[key] = serials.get(key, 0) + 1
    return f"{key}{serials[key]:04d}"


def _birth(rng: random.Random, today: date, age_lo: int, age_hi: int) -> date:
    age_days = rng.randint(age_lo * 365 + 1, age_hi * 365 + 300)
    return today - timedelta(days=age_days)


def generate(region_code: str, families: int = 550, today: date | None = None, seed: int = 2026) -> list[dict]:
    """Canonical rows (the "Data Penduduk" columns) ready for the resident import."""
    rng = random.Random(seed)
    today = today or date.today()
    region6 = "".join(ch for ch in region_code if ch.isdigit())[:6]
    serials: dict[str, int] = {}
    kk_serials: dict[str, int] = {}
    rows: list[dict] = []
    for _ in range(families):
        dusun = rng.choice(DUSUN)
        rw = f"{DUSUN.index(dusun) * 2 + rng.randint(1, 2):03d}"
        rt = f"{rng.randint(1, 4):03d}"
        alamat = f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}"
        registered = _birth(rng, today, 0, 15)
        kk_key = f"{region6}{registered:%d%m}{registered.year % 100:02d}"
        kk_serials[kk_key] = kk_serials.get(kk_key, 0) + 1
        no_kk = f"{kk_key}{kk_serials[kk_key]:04d}"
        surname = rng.choice(FAMILY)
        head_born = _birth(rng, today, 24, 75)
        base = {"alamat": alamat, "dusun": dusun, "rw": rw, "rt": rt, "no_kk": no_kk, "warganegara_id": 1,
                "status_dasar": 1, "agama_id": 1 if rng.random() < 0.9 else rng.choice([2, 3, 4, 5])}

        def person(name: str, born: date, female: bool, level: int, kawin: int, job: int, edu: int,
                   father: str | None = None, mother: str | None = None) -> dict:
            row = dict(base)
            row.update(nama=name, nik=_nik(region6, born, female, serials), sex=2 if female else 1,
                       tempatlahir=rng.choice(PLACES), tanggallahir=born, kk_level=level, status_kawin=kawin,
                       pekerjaan_id=job, pendidikan_kk_id=edu, golongan_darah_id=rng.randint(1, 13),
                       nama_ayah=father, nama_ibu=mother)
            rows.append(row)
            return row

        single_mother = rng.random() < 0.08
        head_female = single_mother
        head_name = f"{rng.choice(FEMALE if head_female else MALE)} {surname}"
        person(head_name, head_born, head_female, 1, 4 if single_mother else 2,
                      rng.choice([2, 3, 7, 9, 11, 15, 88]), rng.randint(2, 8))
        spouse_name = None
        if not single_mother and rng.random() < 0.92:
            spouse_born = min(head_born + timedelta(days=rng.randint(-900, 2500)), today - timedelta(days=19 * 365))
            spouse_name = f"{rng.choice(FEMALE)}"
            person(spouse_name, spouse_born, True, 3, 2, rng.choice([2, 3, 9, 88]), rng.randint(2, 7))
        mother_name = spouse_name or (head_name if head_female else None)
        youngest_parent_age = (today - head_born).days // 365
        for _child in range(rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])):
            if youngest_parent_age < 20:
                break
            born = _birth(rng, today, 0, min(youngest_parent_age - 19, 30))
            age = (today - born).days // 365
            female = rng.random() < 0.5
            person(f"{rng.choice(FEMALE if female else MALE)} {surname}", born, female, 4, 1 if age < 25 else 2,
                   1 if age < 18 else rng.choice([1, 3, 88]), 1 if age < 7 else rng.randint(2, 6),
                   father=None if head_female else head_name, mother=mother_name)
        if rng.random() < 0.07 and youngest_parent_age < 50:
            person(f"{rng.choice(FEMALE)} {rng.choice(FAMILY)}", _birth(rng, today, 70, 90), True, 7, 4, 1, 1)
    return rows


def demo_events(rows: list[dict], today: date, seed: int = 2026) -> list[tuple[str, str, date, str]]:
    """(nik, kind, date, reason): births of this year's babies, a few deaths, moves and arrivals."""
    rng = random.Random(seed + 1)
    events = []
    for row in rows:
        born = row["tanggallahir"]
        if (today - born).days < 365:
            events.append((row["nik"], "lahir", born, "Lahir di desa"))
    elders = [r for r in rows if (today - r["tanggallahir"]).days > 70 * 365]
    for row in rng.sample(elders, min(6, len(elders))):
        events.append((row["nik"], "mati", today - timedelta(days=rng.randint(5, 300)), "Sakit"))
    adults = [r for r in rows if 20 * 365 < (today - r["tanggallahir"]).days < 40 * 365 and r["kk_level"] == 4]
    for row in rng.sample(adults, min(8, len(adults))):
        events.append((row["nik"], "pindah_keluar", today - timedelta(days=rng.randint(5, 300)), "Pekerjaan"))
    for row in rng.sample(rows, 10):
        events.append((row["nik"], "datang", today - timedelta(days=rng.randint(300, 900)), "Ikut keluarga"))
    return events
