"""Operators: set-up on a fresh install, login with the demo's one-time password, the queue desk, admin pages."""

from __future__ import annotations

import asyncio

from nicegui.testing import User

from kiosk.models import AuditLog, Ticket, User as Account
from kiosk.services import accounts, queue
from tests.pages import state

PASSWORD = "loket-satu-2026"


async def login(user: User, username: str, password: str) -> None:
    await user.open("/login")
    user.find(marker="username").type(username)
    user.find(marker="password").type(password)
    user.find(marker="login").click()


async def test_fresh_install_forces_setup_and_has_no_default_password(fresh_office: User) -> None:
    assert Account.select().count() == 0
    await fresh_office.open("/operator")
    await fresh_office.should_see("Penyiapan Balai", retries=30)
    fresh_office.find(marker="village-name").type("Mekarsari")
    fresh_office.find(marker="village-code").type("33730412")  # too short
    fresh_office.find(marker="admin-username").type("kades")
    fresh_office.find(marker="admin-password").type("desa-mekarsari-1")
    fresh_office.find(marker="admin-password2").type("desa-mekarsari-1")
    fresh_office.find(marker="setup-submit").click()
    await fresh_office.should_see("Kode wilayah harus 10 angka", retries=30)
    assert Account.select().count() == 0
    fresh_office.find(marker="village-code").clear().type("33.73.04.2001")
    fresh_office.find(marker="setup-submit").click()
    await fresh_office.should_see("Masuk Petugas", retries=30)
    admin = Account.get()
    assert admin.username == "kades" and admin.role == "admin"
    await login(fresh_office, "kades", "desa-mekarsari-1")
    await fresh_office.should_see("Antrian", retries=30)
    # Set-up cannot be run a second time.
    await fresh_office.open("/setup")
    await fresh_office.should_see("Masuk Petugas", retries=30)


async def test_demo_one_time_password_must_be_replaced(office: User) -> None:
    accounts.set_password("operator", "sementara-2026", actor="test")
    Account.update(must_change_password=True).where(Account.username == "operator").execute()
    await login(office, "operator", "sementara-2026")
    await office.should_see("Ganti kata sandi sekali pakai", retries=30)
    office.find(marker="new-password").type("baru-sekali-2026")
    office.find(marker="repeat-password").type("baru-sekali-2027")
    office.find(marker="save-password").click()
    await office.should_see("Kedua kata sandi tidak sama", retries=30)
    office.find(marker="repeat-password").clear().type("baru-sekali-2026")
    office.find(marker="save-password").click()
    await office.should_see("Masuk Petugas", retries=30)
    await login(office, "operator", "baru-sekali-2026")
    await office.should_see("Loket saya", retries=30)


async def test_wrong_password_shows_a_message_and_logs_it(office: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(office, "siti", "bukan-sandinya")
    await office.should_see("Nama pengguna atau kata sandi salah.", retries=30)
    assert AuditLog.select().where(AuditLog.action == "login.failed").count() == 1


async def test_operator_calls_next_and_finishes(office: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    for prefix in ("A", "A", "B"):
        queue.issue_ticket(prefix, status_url_base="http://x/m/t/", print_ticket=False)
    await login(office, "siti", PASSWORD)
    await office.should_see("Daftar tunggu (3)", retries=30)
    await office.should_see("Printer surat preview — Siap", retries=30)  # the demo's office printer for letters
    office.find(marker="call-next").click()
    await office.should_see("Memanggil A-001", retries=30)
    await office.should_see("Daftar tunggu (2)", retries=30)
    assert Ticket.get(Ticket.number == "A-001").status == "called"
    office.find(marker="recall").click()
    office.find(marker="skip").click()
    await office.should_see("Daftar tunggu (2)", retries=30)
    assert Ticket.get(Ticket.number == "A-001").status == "skipped"
    office.find(marker="call-next").click()
    await office.should_see("Memanggil A-002", retries=30)
    office.find(marker="done").click()
    assert Ticket.get(Ticket.number == "A-002").status == "done"
    actions = [a.action for a in AuditLog.select().where(AuditLog.actor == "siti")]
    assert actions.count("queue.call") == 2 and "queue.recall" in actions and "queue.skipped" in actions


async def test_viewer_cannot_call_and_operator_cannot_administer(office: User) -> None:
    accounts.create_user("tamu", PASSWORD, "viewer", actor="test")
    queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    await login(office, "tamu", PASSWORD)
    await office.should_see("Daftar tunggu (1)", retries=30)
    await office.open("/operator/services")
    await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
    assert Ticket.get().status == "waiting"


async def test_admin_adds_a_service_and_a_user(office: User) -> None:
    accounts.create_user("admin2", PASSWORD, "admin", actor="test")
    await login(office, "admin2", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/services")
    office.find(marker="new-service-prefix").type("E")
    office.find(marker="new-service-name").type("Pelayanan KTP")
    office.find(marker="add-service").click()
    await office.should_see("Tersimpan.", retries=30)
    assert "E" in [s.prefix for s in queue.list_services()]
    office.find(marker="new-service-prefix").type("E")
    office.find(marker="new-service-name").type("Dobel")
    office.find(marker="add-service").click()
    await office.should_see("Kode layanan E sudah dipakai.", retries=30)
    await office.open("/operator/users")
    office.find(marker="new-username").type("budi")
    office.find(marker="new-password").type("pendek")
    office.find(marker="add-user").click()
    await office.should_see("Kata sandi minimal 10 karakter.", retries=30)
    office.find(marker="new-password").clear().type("budi-loket-2026")
    office.find(marker="add-user").click()
    for _ in range(100):  # the password is hashed off the event loop
        budi = Account.get_or_none(Account.username == "budi")
        if budi is not None:
            break
        await asyncio.sleep(0.05)
    assert budi.role == "operator" and budi.must_change_password
    await office.open("/operator/audit")
    table = office.find(marker="audit-table").elements.pop()
    assert {"actor": "admin2", "action": "user.create", "target": "budi"}.items() <= next(
        row for row in table.rows if row["action"] == "user.create" and row["target"] == "budi").items()


async def test_display_shows_the_called_number(office: User) -> None:
    queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    queue.call_next(1, actor="test")
    assert state.ctx is not None
    state.ctx.queue_changed()
    await office.open("/display")
    await office.should_see("Sedang Dilayani", retries=30)
    await office.should_see("Loket 1", retries=30)
    await office.should_see("A-001", retries=30)


async def test_admin_renames_the_area_levels(office: User) -> None:
    from kiosk.services import village

    accounts.create_user("admin2", PASSWORD, "admin", actor="test")
    await login(office, "admin2", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/village")
    office.find(marker="label-dusun").clear()
    office.find(marker="village-name").clear().type("Sukamaju Baru")
    office.find(marker="village-save").click()
    await office.should_see("Sebutan wilayah wajib diisi", retries=30)
    assert village.get_village().name == "Sukamaju"  # nothing half-written
    office.find(marker="label-dusun").type("Jorong")
    office.find(marker="village-name").clear().type("Sukamaju")
    office.find(marker="village-save").click()
    await office.should_see("Tersimpan.", retries=30)
    assert village.area_labels().dusun == "Jorong"


async def test_changing_a_password_asks_for_the_current_one(office: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/password")
    office.find(marker="current-password").type("bukan-sandinya-1")
    office.find(marker="new-password").type("sandi-baru-2026x")
    office.find(marker="repeat-password").type("sandi-baru-2026x")
    office.find(marker="save-password").click()
    await office.should_see("Nama pengguna atau kata sandi salah.", retries=30)
    office.find(marker="current-password").clear().type(PASSWORD)
    office.find(marker="save-password").click()
    await office.should_see("Masuk Petugas", retries=30)
