"""Guards added after a security review: each is a concrete misuse that must be refused."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from kiosk.models import LoginAttempt, Penduduk, PersonalDataRead
from kiosk.pages.auth import _safe_next
from kiosk.services import accounts, resident_edit, resident_events, resident_files, village
from kiosk.services.accounts import LockoutPolicy
from kiosk.services.errors import ServiceError
from kiosk.services.resident_edit import PersonInput
from kiosk.services.resident_events import EventInput

PASSWORD = "kantor-desa-2026"


def test_the_last_active_admin_cannot_be_deactivated_and_setup_never_reopens(demo_db):
    accounts.create_user("kades", PASSWORD, "admin", actor="t")
    accounts.set_user_active("operator", False, actor="kades")
    with pytest.raises(ServiceError) as refused:
        accounts.set_user_active("kades", False, actor="kades")
    assert refused.value.key == "error.last_admin"
    assert village.needs_setup() is False


def test_attempts_on_a_locked_account_are_kept(demo_db):
    policy = LockoutPolicy(attempts=2, minutes=15)
    for _ in range(4):
        with pytest.raises(ServiceError):
            accounts.authenticate("operator", "salah-salah-123", "10.1.1.1", policy)
    assert LoginAttempt.select().where(LoginAttempt.username == "operator").count() == 4


@pytest.mark.parametrize("target, expected", [
    ("/operator/residents", "/operator/residents"),
    ("//evil.example", "/operator"),
    ("/\\evil.example", "/operator"),
    ("/%09/evil.example", "/%09/evil.example"),  # stays a local path: %09 is not decoded by the browser here
    ("/\t/evil.example", "/operator"),
    ("https://evil.example", "/operator"),
    (None, "/operator"),
])
def test_login_only_returns_to_local_paths(target, expected):
    assert _safe_next(target) == expected


def _person() -> int:
    person_id, _ = resident_edit.create_person(
        PersonInput(nik="3204125505900001", nama="Siti", sex=2, tanggallahir=date(1990, 5, 15)),
        family_id=None, first_event="datang", event_date=date(2026, 1, 2), actor="t")
    return person_id


def test_nobody_comes_back_from_death(db):
    person_id = _person()
    resident_events.record_event(person_id, EventInput("mati", date(2026, 3, 1)), actor="t")
    for kind in ("kembali", "datang", "pergi"):
        with pytest.raises(ServiceError) as refused:
            resident_events.record_event(person_id, EventInput(kind, date(2026, 4, 1)), actor="t")
        assert refused.value.key == "event.not_allowed"
    assert Penduduk.get_by_id(person_id).status_dasar == 2


def test_opening_the_edit_form_is_a_logged_read(db):
    person_id = _person()
    assert resident_edit.editable(person_id, actor="siti").nik == "3204125505900001"
    assert [r.what for r in PersonalDataRead.select()] == ["person.edit_view"]


def test_full_number_export_is_for_admins_and_signers_and_formulas_stay_text(db, tmp_path):
    person_id = _person()
    Penduduk.update(nama='=HYPERLINK("http://evil.example","klik")').where(Penduduk.id == person_id).execute()
    with pytest.raises(ServiceError) as refused:
        resident_files.export_file(tmp_path / "x.xlsx", actor="op", role="operator")
    assert refused.value.key == "export.forbidden" and not (tmp_path / "x.xlsx").exists()
    resident_files.export_file(tmp_path / "x.xlsx", actor="kades", role="signer")
    sheet = load_workbook(tmp_path / "x.xlsx")["Data Penduduk"]
    name_cell = sheet.cell(row=2, column=5)
    assert name_cell.value.startswith("=HYPERLINK") and name_cell.data_type == "s"
