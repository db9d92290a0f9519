"""Operators and the population: search as you type, masked numbers, logged reveals, events, statistics."""

from __future__ import annotations

from nicegui.testing import User

from kiosk.models import AuditLog, Penduduk, PersonalDataRead
from kiosk.services import accounts
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"


async def test_search_shows_masked_numbers_and_finds_prefixes(village: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(village, "siti", PASSWORD)
    await village.should_see("Loket saya", retries=30)
    await village.open("/operator/residents")
    await village.should_see("penduduk hidup", retries=30)
    person = Penduduk.select().where(Penduduk.kk_level == 1).first()
    village.find(marker="resident-search").type(person.nama.split()[0][:4].lower())
    table = village.find(marker="resident-results").elements.pop()
    for _ in range(30):
        if table.rows:
            break
        await village.should_see("ditemukan", retries=5)
    assert table.rows, "typing a name prefix finds people"
    assert all(person.nama.split()[0][:4].lower() in row["nama"].lower() for row in table.rows)
    assert all("*" in row["nik"] and len(row["nik"]) == 16 for row in table.rows)
    assert person.nik not in str(table.rows)


async def test_person_page_masks_reveals_on_request_and_logs_it(village: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    person = Penduduk.select().where(Penduduk.kk_level == 1).first()
    await login(village, "siti", PASSWORD)
    await village.should_see("Loket saya", retries=30)
    await village.open(f"/operator/residents/{person.id}")
    await village.should_see(person.nama, retries=30)
    assert not any(person.nik == getattr(e, "text", None) for e in village.find(marker="person-nik").elements)
    village.find(marker="reveal-nik").click()
    await village.should_see(person.nik, retries=30)
    reads = [r.what for r in PersonalDataRead.select().where(PersonalDataRead.penduduk == person.id)]
    assert reads == ["person.view", "reveal.nik"]
    assert AuditLog.select().where((AuditLog.action == "residents.reveal_nik") & (AuditLog.actor == "siti")).count() == 1


async def test_recording_a_death_moves_the_status(village: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    person = Penduduk.select().where((Penduduk.status_dasar == 1) & (Penduduk.kk_level == 7)).first() \
        or Penduduk.select().where(Penduduk.status_dasar == 1).first()
    await login(village, "siti", PASSWORD)
    await village.should_see("Loket saya", retries=30)
    await village.open(f"/operator/residents/{person.id}")
    await village.should_see(person.nama, retries=30)
    village.find(marker="event-kind").click()
    village.find("Meninggal").click()
    village.find(marker="event-reason").type("Sakit tua")
    village.find(marker="event-document").type("474.3/12/2026")
    village.find(marker="save-event").click()
    await village.should_see("Tersimpan.", retries=30)
    assert Penduduk.get_by_id(person.id).status_dasar == 2


async def test_viewer_sees_statistics_but_no_personal_details(village: User) -> None:
    accounts.create_user("tamu", PASSWORD, "viewer", actor="test")
    await login(village, "tamu", PASSWORD)
    await village.should_see("Daftar tunggu", retries=30)
    await village.open("/operator/residents")
    await village.should_see("Anda tidak berhak melakukan ini.", retries=30)
    person = Penduduk.get_by_id(1)
    await village.open(f"/operator/residents/{person.id}")
    await village.should_see("Anda tidak berhak melakukan ini.", retries=30)
    assert PersonalDataRead.select().count() == 0
    await village.open("/operator/statistics")
    total = Penduduk.select().where(Penduduk.status_dasar == 1).count()
    await village.should_see(f"{total} penduduk hidup", retries=30)
    pyramid = village.find(marker="stats-pyramid").elements.pop()
    male, female = pyramid.options["series"]
    assert -sum(male["data"]) + sum(female["data"]) <= total
    assert pyramid.options["title"]["text"] == "Piramida penduduk"


async def test_add_a_resident_through_the_form(office: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/residents/new")
    await office.should_see("Tambah penduduk", retries=30)
    office.find(marker="form-nik").type("3204125505")
    office.find(marker="form-nama").type("Siti Aminah")
    office.find(marker="form-save").click()
    await office.should_see("NIK harus 16 angka", retries=30)
    assert Penduduk.select().count() == 0
    office.find(marker="form-nik").clear().type("3204125505900001")
    office.find(marker="form-tanggallahir").type("1990-05-15")
    office.find(marker="form-sex").click()
    office.find("Perempuan").click()
    office.find(marker="form-save").click()
    await office.should_see("Siti Aminah", retries=30)
    person = Penduduk.get(Penduduk.nik == "3204125505900001")
    assert person.sex == 2 and person.status_dasar == 1
    await office.should_see("Datang", retries=30)  # the first event is in the history


async def test_viewer_cannot_reach_the_import_or_forms(office: User) -> None:
    accounts.create_user("tamu", PASSWORD, "viewer", actor="test")
    await login(office, "tamu", PASSWORD)
    await office.should_see("Daftar tunggu", retries=30)
    for path in ("/operator/residents/import", "/operator/residents/new", "/operator/village"):
        await office.open(path)
        await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
