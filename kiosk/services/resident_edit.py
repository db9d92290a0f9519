"""Creating and editing residents, and the family events (KK baru, pecah KK, pindah KK).

The rules of indonesia.md: a wrong NIK length, non-digits or an impossible date/region is an error; a NIK
whose embedded birth date or sex disagrees with the record is only a warning (returned, never refused).
The same NIK twice is an error; a family has one living head. Each write is one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from kiosk.db import database
from kiosk.identity import Problem, check_kk, check_nik, normalize_number
from kiosk.importing.columns import CODE_COLUMNS
from kiosk.models import Keluarga, Penduduk, PersonalDataRead, Wilayah
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.codes import code_lists
from kiosk.services.roles import require_role
from kiosk.services.errors import NotFound, ServiceError
from kiosk.services.resident_events import EventInput, add_event

EDITABLE_FIELDS = ("agama_id", "pendidikan_kk_id", "pekerjaan_id", "status_kawin", "kk_level", "warganegara_id",
                   "golongan_darah_id", "sex")
EDITABLE_CODES = {column: CODE_COLUMNS[column] for column in EDITABLE_FIELDS}


@dataclass
class PersonInput:
    nik: str
    nama: str
    sex: int | None
    tanggallahir: date | None
    tempatlahir: str = ""
    agama_id: int | None = None
    pendidikan_kk_id: int | None = None
    pekerjaan_id: int | None = None
    status_kawin: int | None = None
    kk_level: int | None = None
    warganegara_id: int | None = 1
    golongan_darah_id: int | None = None
    nama_ayah: str = ""
    nama_ibu: str = ""
    alamat: str = ""


@dataclass(frozen=True)
class Warning:
    key: str
    params: dict


def _first_error(problems: list[Problem]) -> None:
    for problem in problems:
        if problem.level == "error":
            raise ServiceError(problem.key, **problem.params)


def _clean(data: PersonInput) -> tuple[dict, list[Warning]]:
    nik = normalize_number(data.nik)
    # The NIK first: it is the field people mistype most, and its message says exactly what is wrong.
    problems = check_nik(nik, birth_date=data.tanggallahir, sex=data.sex if data.sex in (1, 2) else None)
    _first_error(problems)
    nama = " ".join((data.nama or "").split())
    if not nama or len(nama) > 100:
        raise ServiceError("person.name_invalid")
    if data.sex not in (1, 2):
        raise ServiceError("person.sex_required")
    if data.tanggallahir is None or data.tanggallahir > date.today():
        raise ServiceError("person.birth_invalid")
    fields = asdict(data)
    fields.update(nik=nik, nama=nama)
    lists = code_lists()
    for column, list_name in EDITABLE_CODES.items():
        value = fields.get(column)
        if value is not None and int(value) not in lists.get(list_name, {}):
            raise ServiceError("code.unknown", column=column, value=value)
    for column in ("tempatlahir", "nama_ayah", "nama_ibu", "alamat"):
        fields[column] = " ".join((fields.get(column) or "").split())[:200] or None
    return fields, [Warning(p.key, dict(p.params)) for p in problems if p.level == "warning"]


def _check_unique_nik(nik: str, person_id: int | None) -> None:
    query = Penduduk.select().where(Penduduk.nik == nik)
    if person_id is not None:
        query = query.where(Penduduk.id != person_id)
    if query.exists():
        raise ServiceError("person.nik_taken", status=409, value=nik)


def _check_one_head(family_id: int | None, kk_level: int | None, person_id: int | None) -> None:
    if family_id is None or kk_level != 1:
        return
    query = Penduduk.select().where((Penduduk.keluarga == family_id) & (Penduduk.kk_level == 1)
                                    & (Penduduk.status_dasar == 1) & Penduduk.deleted_at.is_null())
    if person_id is not None:
        query = query.where(Penduduk.id != person_id)
    if query.exists():
        raise ServiceError("person.second_head", status=409)


def create_person(data: PersonInput, *, family_id: int | None, first_event: str, event_date: date,
                  actor: str, client: str = "") -> tuple[int, list[Warning]]:
    """A new resident, by birth (lahir) or by moving in (datang); the event is recorded with them."""
    require_role(actor, "operator")
    if first_event not in ("lahir", "datang"):
        raise ServiceError("event.kind_invalid")
    fields, warnings = _clean(data)
    now = utc_now()
    with database.atomic():
        _check_unique_nik(fields["nik"], None)
        family = Keluarga.get_or_none(Keluarga.id == family_id) if family_id is not None else None
        if family_id is not None and family is None:
            raise NotFound()
        _check_one_head(family_id, fields["kk_level"], None)
        person = Penduduk.create(uuid=str(uuid.uuid4()), keluarga=family, wilayah=family.wilayah_id if family else None,
                                 created_at=now, updated_at=now, status_dasar=1, **fields)
        add_event(person, EventInput(first_event, event_date), actor=actor)
        audit.record(actor, "residents.create", person.uuid, first_event, client)
        return person.id, warnings


def update_person(person_id: int, data: PersonInput, *, actor: str, client: str = "") -> list[Warning]:
    require_role(actor, "operator")
    fields, warnings = _clean(data)
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        _check_unique_nik(fields["nik"], person_id)
        _check_one_head(person.keluarga_id, fields["kk_level"], person_id)
        changed = sorted(k for k, v in fields.items() if getattr(person, k) != v)
        for key, value in fields.items():
            setattr(person, key, value)
        person.updated_at = utc_now()
        person.save()
        audit.record(actor, "residents.update", person.uuid, ",".join(changed), client)
        return warnings


def editable(person_id: int, *, actor: str, client: str = "") -> PersonInput:
    """The edit form shows the full NIK (it is what gets corrected), so opening it is a logged read."""
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        PersonalDataRead.create(at=utc_now(), actor=actor, penduduk=person, what="person.edit_view", client=client)
        return PersonInput(**{f: getattr(person, f) for f in PersonInput.__dataclass_fields__})


def _new_family(no_kk: str, alamat: str, wilayah_id: int | None) -> Keluarga:
    number = normalize_number(no_kk)
    _first_error(check_kk(number))
    if Keluarga.select().where(Keluarga.no_kk == number).exists():
        raise ServiceError("family.kk_taken", status=409, value=number)
    now = utc_now()
    return Keluarga.create(uuid=str(uuid.uuid4()), no_kk=number, alamat=" ".join(alamat.split())[:200],
                           wilayah=wilayah_id, created_at=now, updated_at=now)


def _area(dusun: str, rw: str, rt: str) -> int | None:
    name = " ".join(dusun.split())
    if not name:
        return None
    row, _ = Wilayah.get_or_create(dusun=name, rw=rw.strip().zfill(3) if rw.strip() else "",
                                   rt=rt.strip().zfill(3) if rt.strip() else "", defaults={"uuid": str(uuid.uuid4())})
    return row.id


def _move(person: Penduduk, family: Keluarga, kk_level: int, kind: str, when: date, actor: str, detail: dict) -> None:
    person.keluarga, person.kk_level, person.wilayah = family, kk_level, family.wilayah_id
    person.updated_at = utc_now()
    person.save()
    add_event(person, EventInput(kind, when, detail=detail), actor=actor)


def kk_baru(head_id: int, no_kk: str, *, alamat: str, dusun: str, rw: str, rt: str, when: date, actor: str,
            client: str = "") -> int:
    """A new family card with this person as its head (e.g. a young couple's own KK)."""
    require_role(actor, "operator")
    with database.atomic():
        head = Penduduk.get_or_none((Penduduk.id == head_id) & Penduduk.deleted_at.is_null())
        if head is None:
            raise NotFound()
        family = _new_family(no_kk, alamat, _area(dusun, rw, rt))
        old = head.keluarga.no_kk if head.keluarga_id else ""
        _move(head, family, 1, "kk_baru", when, actor, {"from_kk": old, "to_kk": family.no_kk})
        audit.record(actor, "family.kk_baru", family.uuid, "", client)
        return family.id


def pecah_kk(family_id: int, member_ids: list[int], head_id: int, no_kk: str, *, alamat: str, when: date,
             actor: str, client: str = "") -> int:
    """Split some members off into a new family card at the same area; one of them becomes its head."""
    if head_id not in member_ids or not member_ids:
        raise ServiceError("family.head_not_member")
    with database.atomic():
        source = Keluarga.get_or_none(Keluarga.id == family_id)
        if source is None:
            raise NotFound()
        members = list(Penduduk.select().where((Penduduk.id.in_(member_ids)) & (Penduduk.keluarga == source)))
        if len(members) != len(set(member_ids)):
            raise ServiceError("family.member_unknown")
        family = _new_family(no_kk, alamat or source.alamat, source.wilayah_id)
        for member in members:
            level = 1 if member.id == head_id else (member.kk_level if member.kk_level != 1 else 11)
            _move(member, family, level, "pecah_kk", when, actor, {"from_kk": source.no_kk, "to_kk": family.no_kk})
        audit.record(actor, "family.pecah_kk", family.uuid, f"from {source.uuid}", client)
        return family.id


def pindah_kk(person_id: int, to_no_kk: str, kk_level: int, *, when: date, actor: str, client: str = "") -> int:
    """Move one person into another existing family card with a given relationship."""
    require_role(actor, "operator")
    if kk_level not in code_lists().get("kk_level", {}):
        raise ServiceError("code.unknown", column="kk_level", value=kk_level)
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        target = Keluarga.get_or_none(Keluarga.no_kk == normalize_number(to_no_kk))
        if person is None or target is None:
            raise ServiceError("family.not_found", status=404)
        if target.id == person.keluarga_id:
            raise ServiceError("family.same")
        _check_one_head(target.id, kk_level, person.id)
        old = person.keluarga.no_kk if person.keluarga_id else ""
        _move(person, target, kk_level, "pindah_kk", when, actor, {"from_kk": old, "to_kk": target.no_kk})
        audit.record(actor, "family.pindah_kk", person.uuid, "", client)
        return target.id
