"""/operator/sync: pending changes in words, the USB export to a detected stick, enrolment, the clock banner."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

from nicegui.testing import User

from kiosk.db import database
from kiosk.models import AuditLog
from kiosk.services import accounts
from kiosk.services.clock import utc_now
from sync import journal
from sync.keys import box_key, public_text
from tests.pages.conftest import stick_folder
from tests.pages.test_operator_pages import login
from tests.support.hub import HubThread

PASSWORD = "loket-satu-2026"


async def _open_as(user: User, username: str, role: str) -> None:
    accounts.create_user(username, PASSWORD, role, actor="test")
    await login(user, username, PASSWORD)
    await user.should_see("Daftar tunggu" if role == "viewer" else "Loket saya", retries=30)
    await user.open("/operator/sync")


async def test_operator_sees_pending_changes_and_the_usb_hint(office: User) -> None:
    await _open_as(office, "siti", "operator")
    pending = journal.status(database).pending_changes
    assert pending > 0
    await office.should_see(f"{pending:,} perubahan menunggu dikirim".replace(",", "."), retries=30)
    await office.should_see("yang tertua menunggu kurang dari 1 menit")
    await office.should_see("Desa ini belum terdaftar di server kabupaten.")
    await office.should_see("Belum pernah terkirim.")
    await office.should_see("Colokkan flashdisk untuk mengirim data lewat USB")
    await office.should_see(marker="nav-sync")
    await office.should_not_see(marker="sync-enrol")  # enrolment is the admin's
    await office.should_not_see(marker="clock-warning")
    office.find(marker="sync-send").click()
    await office.should_see("Desa belum didaftarkan ke server kabupaten", retries=30)


async def test_a_failed_run_is_shown_in_words(office: User) -> None:
    with database.atomic():
        database.execute_sql("UPDATE sync_state SET last_error = 'network: ConnectError: [Errno 111] Connection "
                             "refused', last_success_at = '2026-11-23 02:15:00.000' WHERE id = 1")
    await _open_as(office, "siti", "operator")
    await office.should_see("Terakhir terkirim: Senin, 23 November 2026 09:15 WIB", retries=30)
    await office.should_see("Masalah terakhir: Tidak tersambung ke server kabupaten.")
    await office.should_not_see("Errno")


async def test_export_button_writes_a_bundle_to_the_stick(office_with_stick: User, tmp_path: Path) -> None:
    user = office_with_stick
    hub_box = box_key(tmp_path / "hub-box.key")
    with database.atomic():  # what enrolment stores that the export needs: the district's encryption key
        database.execute_sql("UPDATE sync_state SET hub_box_key = ? WHERE id = 1", (public_text(hub_box),))
    await _open_as(user, "siti", "operator")
    await user.should_see("Flashdisk FLASHDISK", retries=30)
    await user.should_not_see("Colokkan flashdisk")
    user.find(marker="usb-export").click()
    await user.should_see("ditulis ke flashdisk", retries=50)
    bundles = list(stick_folder(tmp_path).glob("balai-3204122001-*"))
    assert len(bundles) == 1 and (bundles[0] / "manifest.json").is_file()
    assert AuditLog.select().where((AuditLog.action == "sync.usb_export") & (AuditLog.actor == "siti")).count() == 1


async def test_viewer_cannot_reach_the_sync_page(office: User) -> None:
    await _open_as(office, "tamu", "viewer")
    await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
    await office.should_not_see(marker="sync-status")
    await office.should_not_see(marker="nav-sync")


async def test_clock_banner_when_the_clock_is_behind(office: User) -> None:
    ahead = (utc_now() + timedelta(hours=2)).isoformat(sep=" ", timespec="milliseconds")
    with database.atomic():
        database.execute_sql("UPDATE sync_state SET clock_high_water = ? WHERE id = 1", (ahead,))
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.should_see("Jam komputer ini mundur 120 menit", retries=30)
    await office.open("/operator/sync")
    await office.should_see(marker="clock-warning", retries=30)


async def test_admin_enrols_then_sends_and_receives_an_announcement(office: User, tmp_path: Path) -> None:
    from sync.hub.enrolment import create_code
    from sync.hub.pull import add_announcement

    with HubThread(tmp_path / "hub") as hub:
        code = create_code("3204122001")
        add_announcement("*", "Posyandu Balita", "Sabtu di balai desa", date.today() - timedelta(days=1), None,
                         actor="t")
        await _open_as(office, "kades", "admin")
        office.find(marker="enrol-url").type("ftp://kabupaten")
        office.find(marker="enrol-code").type(code)
        office.find(marker="enrol-submit").click()
        await office.should_see("harus diawali http:// atau https://", retries=30)
        office.find(marker="enrol-url").clear().type(hub.url)
        office.find(marker="enrol-submit").click()
        await office.should_see(f"Terdaftar di server kabupaten: {hub.url}", retries=100)
        await office.should_not_see(marker="sync-enrol")
        office.find(marker="sync-send").click()
        await office.should_see("Selesai:", retries=200)
        await office.should_see("Semua data sudah terkirim.", retries=30)
        await office.should_see("Posyandu Balita")
        await office.should_see(marker="pulled-item")
        await office.should_see("Terakhir terkirim:")
        for _ in range(50):  # the audit entry of the enrolment is written by the io_bound call
            if AuditLog.select().where(AuditLog.action == "sync.enrol").exists():
                break
            await asyncio.sleep(0.05)
        assert AuditLog.get(AuditLog.action == "sync.enrol").actor == "kades"


def test_ages_and_sizes_in_plain_words() -> None:
    from kiosk.i18n import Translator
    from kiosk.pages.operator_sync import age_text, size_text

    indonesian, english = Translator("id"), Translator("en")
    assert age_text(None, indonesian) == age_text(20, indonesian) == "kurang dari 1 menit"
    assert age_text(12 * 60 + 5, indonesian) == "12 menit"
    assert age_text(3 * 3600 + 100, indonesian) == "3 jam" and age_text(3 * 3600, english) == "3 hours"
    assert age_text(3600, english) == "1 hour" and age_text(5 * 86400, indonesian) == "5 hari"
    assert size_text(3_200_000_000, indonesian) == "3,2 GB" and size_text(750_000_000, english) == "750 MB"
