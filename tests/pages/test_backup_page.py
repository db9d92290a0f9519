"""/operator/backup: the admin's backups, "back up now", the USB stick and its passphrase; nobody else's page."""

from __future__ import annotations

from pathlib import Path

from nicegui.testing import User

from kiosk.models import AuditLog
from kiosk.services import accounts, backup, backup_nightly
from tests.pages import state
from tests.pages.conftest import stick_folder
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"
PASSPHRASE = "padi menguning di sawah kami"


async def _open_as(user: User, username: str, role: str) -> None:
    accounts.create_user(username, PASSWORD, role, actor="test")
    await login(user, username, PASSWORD)
    await user.should_see("Daftar tunggu" if role == "viewer" else "Loket saya", retries=30)
    await user.open("/operator/backup")


async def _set_passphrase(user: User, first: str, second: str) -> None:
    user.find(marker="passphrase-1").type(first)
    user.find(marker="passphrase-2").type(second)
    user.find(marker="passphrase-save").click()


async def test_admin_sets_the_passphrase_and_backs_up_now(office: User) -> None:
    settings = state.ctx.settings  # type: ignore[union-attr]
    await _open_as(office, "kades", "admin")
    await office.should_see("Cadangan data", retries=30)
    await office.should_see(marker="nav-backup")
    await office.should_see("Belum ada cadangan.")
    await office.should_see("Belum pernah ada pencadangan malam.")
    await office.should_see("Tidak ada flashdisk terpasang.")
    await office.should_see(marker="backup-passphrase-not-set")
    await office.should_see("balai restore")  # restoring is explained, not offered

    await _set_passphrase(office, "pendek", "pendek")
    await office.should_see("Kata sandi minimal 12 karakter", retries=30)
    await _set_passphrase(office, PASSPHRASE, PASSPHRASE + " ya")
    await office.should_see("Kedua kata sandi tidak sama.", retries=30)
    assert not backup_nightly.usb_key_file(settings).exists()

    await _set_passphrase(office, PASSPHRASE, PASSPHRASE)
    await office.should_see("Kata sandi flashdisk disimpan.", retries=50)
    await office.should_see(marker="backup-passphrase-set")
    assert backup_nightly.usb_key(settings) is not None

    office.find(marker="backup-now").click()
    await office.should_see("Cadangan ditulis dan diperiksa: balai-3204122001-", retries=50)
    await office.should_see(marker="backup-list")
    await office.should_see("oleh kades: berhasil")
    await office.should_see("Flashdisk: tidak ada yang terpasang, tidak ada salinan.")
    files = backup.backup_files(backup.nightly_dir(settings))
    assert len(files) == 1 and backup.verify_backup(files[0]).village == "3204122001"
    assert AuditLog.select().where((AuditLog.action == "backup.nightly") & (AuditLog.actor == "kades")).count() == 1
    assert AuditLog.select().where(AuditLog.action == "backup.usb_passphrase_set").count() == 1

    office.find(marker="passphrase-remove").click()
    await office.should_see("Kata sandi flashdisk dihapus", retries=30)
    assert not backup_nightly.usb_key_file(settings).exists()


async def test_back_up_now_writes_an_encrypted_copy_to_the_stick(office_with_stick: User, tmp_path: Path) -> None:
    user = office_with_stick
    await _open_as(user, "kades", "admin")
    await user.should_see("Flashdisk terpasang: FLASHDISK", retries=30)
    await _set_passphrase(user, PASSPHRASE, PASSPHRASE)
    await user.should_see("Kata sandi flashdisk disimpan.", retries=50)
    user.find(marker="backup-now").click()
    await user.should_see("Flashdisk: salinan terenkripsi ditulis (1).", retries=50)
    copies = backup.backup_files(stick_folder(tmp_path) / "balai-backup")
    assert len(copies) == 1 and backup.verify_backup(copies[0], PASSPHRASE).encrypted


async def test_operator_and_viewer_cannot_reach_the_backup_page(office: User) -> None:
    for username, role in (("siti", "operator"), ("tamu", "viewer")):
        await _open_as(office, username, role)
        await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
        await office.should_not_see(marker="backup-now")
        await office.should_not_see(marker="nav-backup")
        await office.open("/logout")
