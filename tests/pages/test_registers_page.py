"""The registers page: operators see the Buku Induk and download the books; viewers are refused."""

from __future__ import annotations

import asyncio
from io import BytesIO

import openpyxl
from nicegui import app
from nicegui.testing import User

from kiosk.models import AuditLog, Penduduk
from kiosk.pages import registers as registers_page
from kiosk.services import accounts
from tests.pages import state
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"
PATH = "/operator/registers"


def _ensure_page() -> None:
    """Register the page unless the app already did (the lead wires it into kiosk.pages)."""
    if not any(getattr(route, "path", None) == PATH for route in app.routes):
        assert state.ctx is not None
        registers_page.register(state.ctx)


async def _open_as(user: User, username: str, role: str) -> None:
    _ensure_page()
    accounts.create_user(username, PASSWORD, role, actor="test")
    await login(user, username, PASSWORD)
    await user.should_see("Daftar tunggu" if role == "viewer" else "Loket saya", retries=30)
    await user.open(PATH)


async def test_operator_sees_the_buku_induk_and_downloads_excel_and_pdf(village: User) -> None:
    await _open_as(village, "siti", "operator")
    living = Penduduk.select().where(Penduduk.status_dasar == 1).count()
    await village.should_see("Buku Induk Penduduk", retries=30)
    table = village.find(marker="register-table").elements.pop()
    for _ in range(300):  # the table fills in once the service has answered (run.io_bound)
        if table.rows:
            break
        await asyncio.sleep(0.1)
    assert len(table.rows) >= living > 1000
    person = Penduduk.select().where(Penduduk.status_dasar == 1).first()
    assert any(row["c1"] == person.nama for row in table.rows)
    assert person.nik not in str(table.rows), "numbers are masked on screen"
    full = village.find(marker="register-full").elements.pop()
    assert not full.enabled, "operators may not ask for full numbers"

    village.find(marker="register-xlsx").click()
    response = await village.download.next(timeout=60)
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "BUKU INDUK PENDUDUK"
    assert sheet.max_row >= living

    village.find(marker="register-book").click()
    village.find("Buku Rekapitulasi Jumlah Penduduk").click()
    village.find(marker="register-pdf").click()
    response = await village.download.next(timeout=60)
    assert response.content.startswith(b"%PDF")
    assert AuditLog.select().where(AuditLog.action == "registers.full_numbers").count() == 0


async def test_signer_may_ask_for_full_numbers(village: User) -> None:
    await _open_as(village, "kades", "signer")
    await village.should_see("NIK/KK lengkap", retries=30)
    assert village.find(marker="register-full").elements.pop().enabled


async def test_viewer_is_refused(village: User) -> None:
    await _open_as(village, "tamu", "viewer")
    await village.should_see("Anda tidak berhak melakukan ini.", retries=30)
    await village.should_not_see(marker="register-table")
    await village.should_not_see(marker="register-xlsx")
