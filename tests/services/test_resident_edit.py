"""Editing residents and families: NIK rules (errors vs warnings), unique NIK, one head, family events."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.models import Keluarga, Penduduk, PendudukEvent
from kiosk.services import resident_edit, residents
from kiosk.services.errors import ServiceError
from kiosk.services.resident_edit import PersonInput

TODAY = date(2026, 11, 23)


def siti(**changes) -> PersonInput:  # noqa: ANN003
    data = PersonInput(nik="3204125505900001", nama="Siti  Aminah", sex=2, tanggallahir=date(1990, 5, 15),
                       tempatlahir="Bandung", agama_id=1, kk_level=1, status_kawin=2)
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_create_with_a_valid_nik_records_the_event(db):
    person_id, warnings = resident_edit.create_person(siti(), family_id=None, first_event="datang",
                                                      event_date=TODAY, actor="op")
    assert warnings == []
    person = Penduduk.get_by_id(person_id)
    assert person.nama == "Siti Aminah" and person.status_dasar == 1
    assert [e.kind for e in PendudukEvent.select()] == ["datang"]
    assert residents.search("amin")[0].id == person_id


@pytest.mark.parametrize("nik, key", [
    ("320412550590000", "nik.length"),
    ("32041255059000x1", "nik.digits"),
    ("3204129913900001", "nik.date"),
    ("0004125505900001", None),  # temporary number: allowed with a warning
])
def test_nik_errors_refuse_and_nothing_is_written(db, nik, key):
    if key is None:
        _, warnings = resident_edit.create_person(siti(nik=nik), family_id=None, first_event="datang",
                                                  event_date=TODAY, actor="op")
        assert [w.key for w in warnings] == ["nik.temporary"]
        return
    with pytest.raises(ServiceError) as refused:
        resident_edit.create_person(siti(nik=nik), family_id=None, first_event="datang", event_date=TODAY, actor="op")
    assert refused.value.key == key
    assert Penduduk.select().count() == 0 and PendudukEvent.select().count() == 0


def test_birth_date_or_sex_disagreeing_with_the_nik_is_only_a_warning(db):
    _, warnings = resident_edit.create_person(siti(tanggallahir=date(1990, 6, 15), sex=1), family_id=None,
                                              first_event="datang", event_date=TODAY, actor="op")
    assert {w.key for w in warnings} == {"nik.birth_date_mismatch", "nik.sex_mismatch"}
    assert Penduduk.select().count() == 1


def test_the_same_nik_twice_is_refused(db):
    first, _ = resident_edit.create_person(siti(), family_id=None, first_event="datang", event_date=TODAY, actor="op")
    with pytest.raises(ServiceError) as refused:
        resident_edit.create_person(siti(nama="Orang Lain"), family_id=None, first_event="datang", event_date=TODAY,
                                    actor="op")
    assert refused.value.key == "person.nik_taken"
    second, _ = resident_edit.create_person(siti(nik="3204125505900002"), family_id=None, first_event="datang",
                                            event_date=TODAY, actor="op")
    with pytest.raises(ServiceError):
        resident_edit.update_person(second, siti(), actor="op")
    assert Penduduk.get_by_id(second).nik == "3204125505900002"
    del first


def test_family_events_keep_one_head(db):
    head, _ = resident_edit.create_person(siti(), family_id=None, first_event="datang", event_date=TODAY, actor="op")
    family = resident_edit.kk_baru(head, "3204121201200001", alamat="Jl. Mawar 1", dusun="Dusun Krajan", rw="1",
                                   rt="2", when=TODAY, actor="op")
    assert Keluarga.get_by_id(family).wilayah.rt == "002"
    child, _ = resident_edit.create_person(siti(nik="3204121503150001", nama="Budi", sex=1,
                                                tanggallahir=date(2015, 3, 15), kk_level=4),
                                           family_id=family, first_event="lahir", event_date=date(2015, 3, 15),
                                           actor="op")
    second_head = siti(nik="3204121003800001", nama="Agus", sex=1, tanggallahir=date(1980, 3, 10), kk_level=1)
    with pytest.raises(ServiceError) as refused:
        resident_edit.create_person(second_head, family_id=family, first_event="datang", event_date=TODAY, actor="op")
    assert refused.value.key == "person.second_head"
    # Split the child off with a new head, then move it back as a child.
    split = resident_edit.pecah_kk(family, [child], child, "3204122302260001", alamat="", when=TODAY, actor="op")
    assert Penduduk.get_by_id(child).keluarga_id == split and Penduduk.get_by_id(child).kk_level == 1
    with pytest.raises(ServiceError):
        resident_edit.pindah_kk(child, "3204121201200001", 1, when=TODAY, actor="op")
    resident_edit.pindah_kk(child, "3204121201200001", 4, when=TODAY, actor="op")
    assert Penduduk.get_by_id(child).keluarga_id == family
    kinds = [e.kind for e in PendudukEvent.select().where(PendudukEvent.penduduk == child).order_by(PendudukEvent.id)]
    assert kinds == ["lahir", "pecah_kk", "pindah_kk"]
    with pytest.raises(ServiceError) as taken:
        resident_edit.kk_baru(head, "3204122302260001", alamat="", dusun="", rw="", rt="", when=TODAY, actor="op")
    assert taken.value.key == "family.kk_taken"
