"""Residents: search, the person and family views, revealing personal numbers (logged), statistics.

NIK and KK are masked in everything this module returns unless the caller asks to reveal one, and every
operator read of a person or family record lands in `personal_data_read` (who, what, when, from where).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from peewee import fn

from kiosk.db import database, reading
from kiosk.identity import mask_nik
from kiosk.models import Keluarga, Penduduk, PendudukEvent, PersonalDataRead
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import NotFound

_DIGIT_GROUPS = re.compile(r"(?<=\d)[.\s-](?=\d)")
_WORDS = re.compile(r"\w+", re.UNICODE)

SEARCH_SQL = """
SELECT p.id, p.uuid, p.nama, p.nik, k.no_kk, COALESCE(p.alamat, k.alamat, ''), w.dusun, w.rw, w.rt,
       p.status_dasar, p.sex, p.tanggallahir
FROM penduduk_fts f
JOIN penduduk p ON p.id = f.rowid
LEFT JOIN keluarga k ON k.id = p.keluarga_id
LEFT JOIN wilayah w ON w.id = p.wilayah_id
WHERE penduduk_fts MATCH ? AND p.deleted_at IS NULL
ORDER BY f.rank
LIMIT ?
"""

# One or two typed letters match thousands of people; ranking them all costs more than it tells.
SHORT_SEARCH_SQL = SEARCH_SQL.replace("ORDER BY f.rank\n", "")

# A typed number is a prefix of a NIK or a KK: two index range scans beat ranking every FTS match.
NUMBER_SQL = """
SELECT p.id, p.uuid, p.nama, p.nik, k.no_kk, COALESCE(p.alamat, k.alamat, ''), w.dusun, w.rw, w.rt,
       p.status_dasar, p.sex, p.tanggallahir
FROM penduduk p
LEFT JOIN keluarga k ON k.id = p.keluarga_id
LEFT JOIN wilayah w ON w.id = p.wilayah_id
WHERE p.id IN (
    SELECT id FROM (SELECT id FROM penduduk WHERE nik >= ?1 AND nik < ?2 ORDER BY nik LIMIT ?3)
    UNION
    SELECT id FROM (SELECT p2.id FROM keluarga k2 JOIN penduduk p2 ON p2.keluarga_id = k2.id
                    WHERE k2.no_kk >= ?1 AND k2.no_kk < ?2 ORDER BY k2.no_kk LIMIT ?3)
) AND p.deleted_at IS NULL
ORDER BY p.nik
LIMIT ?3
"""


@dataclass(frozen=True)
class ResidentHit:
    id: int
    uuid: str
    nama: str
    nik_masked: str
    kk_masked: str
    alamat: str
    dusun: str
    rw: str
    rt: str
    status_dasar: int
    sex: int
    age: int | None


def fts_query(text: str) -> str | None:
    """Every word (or number) becomes a quoted prefix term, all required: 'siti ami' finds 'Siti Aminah'."""
    words = _WORDS.findall(_DIGIT_GROUPS.sub("", text))[:8]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def age_on(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _parse_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def search(text: str, limit: int = 20, today: date | None = None) -> list[ResidentHit]:
    """Top matches by name, NIK or KK; masked numbers. Prefix, case- and accent-insensitive (FTS5)."""
    query = fts_query(text)
    if query is None:
        return []
    today = today or date.today()
    limit = max(1, min(limit, 100))
    digits = _DIGIT_GROUPS.sub("", text).strip()
    with reading():
        if digits.isdigit() and len(digits) >= 4:
            upper = digits[:-1] + chr(ord(digits[-1]) + 1)
            rows = database.execute_sql(NUMBER_SQL, (digits, upper, limit)).fetchall()
        elif max(len(word) for word in _WORDS.findall(text)) < 3:
            rows = database.execute_sql(SHORT_SEARCH_SQL, (query, limit)).fetchall()
        else:
            rows = database.execute_sql(SEARCH_SQL, (query, limit)).fetchall()
    return [
        ResidentHit(r[0], r[1], r[2], mask_nik(r[3]), mask_nik(r[4]) if r[4] else "", r[5] or "", r[6] or "",
                    r[7] or "", r[8] or "", r[9], r[10], age_on(_parse_date(r[11]), today))
        for r in rows
    ]


def search_logged(text: str, *, actor: str, client: str = "", limit: int = 20) -> list[ResidentHit]:
    """A search made by someone (API, page): what they looked for lands in the audit log."""
    hits = search(text, limit)
    with database.atomic():
        audit.record(actor, "residents.search", text[:64], f"{len(hits)} hits", client)
    return hits


def _log_read(actor: str, what: str, client: str, person: Penduduk | None = None,
              family: Keluarga | None = None) -> None:
    PersonalDataRead.create(at=utc_now(), actor=actor, penduduk=person, keluarga=family, what=what, client=client)


def person_record(person_id: int, *, actor: str, client: str = "") -> dict:
    """One person, every field, NIK/KK masked; the read is logged."""
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        _log_read(actor, "person.view", client, person=person)
        record = {name: getattr(person, name) for name in person._meta.sorted_field_names
                  if name not in ("keluarga", "wilayah")}
        for key in ("nik", "ayah_nik", "ibu_nik"):
            record[key] = mask_nik(record[key]) if record.get(key) else ""
        family = person.keluarga
        record["no_kk"] = mask_nik(family.no_kk) if family else ""
        record["keluarga_id"] = family.id if family else None
        area = person.wilayah
        record.update(dusun=area.dusun if area else "", rw=area.rw if area else "", rt=area.rt if area else "")
        record["events"] = [
            {"kind": e.kind, "date": e.event_date, "reason": e.reason, "document_no": e.document_no,
             "operator": e.operator}
            for e in PendudukEvent.select().where(PendudukEvent.penduduk == person).order_by(PendudukEvent.event_date)
        ]
        return record


def reveal_number(person_id: int, field: str, *, actor: str, client: str = "") -> str:
    """The full NIK (or KK) of one person, for an operator who needs it; logged and audited."""
    if field not in ("nik", "no_kk"):
        raise NotFound()
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        value = person.nik if field == "nik" else (person.keluarga.no_kk if person.keluarga else "")
        _log_read(actor, f"reveal.{field}", client, person=person)
        audit.record(actor, f"residents.reveal_{field}", person.uuid, "", client)
        return value


def who_read(person_id: int, limit: int = 200) -> list[tuple]:
    """For admin: who read this person's record, what, when and from where (newest first)."""
    with reading():
        return list(PersonalDataRead.select(PersonalDataRead.at, PersonalDataRead.actor, PersonalDataRead.what,
                                            PersonalDataRead.client)
                    .where(PersonalDataRead.penduduk == person_id)
                    .order_by(PersonalDataRead.id.desc()).limit(limit).tuples())


def count_residents() -> int:
    with reading():
        return Penduduk.select().where(Penduduk.deleted_at.is_null() & (Penduduk.status_dasar == 1)).count()


AGE_GROUPS = [(lo, lo + 4) for lo in range(0, 75, 5)] + [(75, 200)]


POPULATION_SQL = """
SELECT p.sex,
       CASE WHEN p.tanggallahir IS NULL THEN NULL
            ELSE (CAST(strftime('%Y', ?1) AS INTEGER) - CAST(strftime('%Y', p.tanggallahir) AS INTEGER)
                  - (strftime('%m-%d', ?1) < strftime('%m-%d', p.tanggallahir))) END AS age,
       COALESCE(w.dusun, '-') AS dusun,
       COUNT(*)
FROM penduduk p LEFT JOIN wilayah w ON w.id = p.wilayah_id
WHERE p.deleted_at IS NULL AND p.status_dasar = 1
GROUP BY 1, 2, 3
"""


def _age_group(age: int) -> str:
    for lo, hi in AGE_GROUPS:
        if lo <= age <= hi:
            return f"{lo}-{hi}" if hi < 200 else f"{lo}+"
    return f"{AGE_GROUPS[-1][0]}+"


def population_stats(today: date | None = None) -> dict:
    """Counts of living residents by sex, five-year age group and sex (the pyramid), and dusun.

    Grouped in SQL (sex x age x dusun, a few hundred groups) so the page stays fast at 100,000 residents.
    """
    today = today or date.today()
    with reading():
        rows = database.execute_sql(POPULATION_SQL, (today.isoformat(),)).fetchall()
    by_sex = {"laki_laki": 0, "perempuan": 0}
    pyramid = {f"{lo}-{hi}" if hi < 200 else f"{lo}+": {"laki_laki": 0, "perempuan": 0} for lo, hi in AGE_GROUPS}
    by_dusun: dict[str, int] = {}
    for sex, age, dusun, count in rows:
        key = "laki_laki" if sex == 1 else "perempuan"
        by_sex[key] += count
        if age is not None and age >= 0:
            pyramid[_age_group(age)][key] += count
        by_dusun[dusun] = by_dusun.get(dusun, 0) + count
    return {"total": sum(by_sex.values()), "by_sex": by_sex, "by_age_group": pyramid, "by_dusun": by_dusun}


DISTRIBUTIONS = {
    "agama_id": "agama", "pendidikan_kk_id": "pendidikan_kk", "pekerjaan_id": "pekerjaan",
    "status_kawin": "status_kawin",
}


def distribution(column: str) -> dict[int | None, int]:
    """Living residents counted by one coded column (agama, pendidikan, pekerjaan, status kawin)."""
    if column not in DISTRIBUTIONS:
        raise NotFound()
    field_ = getattr(Penduduk, column)
    with reading():
        rows = (Penduduk.select(field_, fn.COUNT(Penduduk.id))
                .where(Penduduk.deleted_at.is_null() & (Penduduk.status_dasar == 1))
                .group_by(field_).tuples())
        return {code: count for code, count in rows}


@dataclass(frozen=True)
class Member:
    id: int
    nama: str
    nik_masked: str
    kk_level: int | None
    sex: int
    age: int | None
    status_dasar: int


@dataclass(frozen=True)
class FamilyRecord:
    id: int
    kk_masked: str
    alamat: str
    dusun: str
    rw: str
    rt: str
    members: list[Member]


def family_record(family_id: int, *, actor: str, client: str = "", today: date | None = None) -> FamilyRecord:
    """A family card: members with their relationship (SHDK), masked numbers; the read is logged."""
    today = today or date.today()
    with database.atomic():
        family = Keluarga.get_or_none((Keluarga.id == family_id) & Keluarga.deleted_at.is_null())
        if family is None:
            raise NotFound()
        _log_read(actor, "family.view", client, family=family)
        people = (Penduduk.select().where((Penduduk.keluarga == family) & Penduduk.deleted_at.is_null())
                  .order_by(Penduduk.kk_level, Penduduk.tanggallahir))
        members = [Member(p.id, p.nama, mask_nik(p.nik), p.kk_level, p.sex, age_on(_parse_date(p.tanggallahir), today),
                          p.status_dasar) for p in people]
        area = family.wilayah
        return FamilyRecord(family.id, mask_nik(family.no_kk), family.alamat, area.dusun if area else "",
                            area.rw if area else "", area.rt if area else "", members)
