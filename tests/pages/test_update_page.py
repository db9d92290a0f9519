"""/operator/update: the admin checks a bundle on the stick, asks for it, and reads the history; nobody else may."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from nicegui.testing import User

from kiosk.services import accounts, update_requests
from kiosk.services.update_bundle import generate_key, load_private_key, pack
from kiosk.services.update_install import Layout, remember
from tests.pages import state
from tests.pages.conftest import stick_folder
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"


@pytest.fixture
def appliance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Release 0.1.0 behind the link and a trusted publisher key; set up before the simulated office starts."""
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    generate_key(tmp_path / "release.key", trusted / "release.pub")
    root = tmp_path / "opt"
    (root / "releases" / "0.1.0").mkdir(parents=True)
    Layout(root).point_to("0.1.0")
    monkeypatch.setenv("BALAI_TEST_INSTALL_ROOT", str(root))
    monkeypatch.setenv("BALAI_TEST_UPDATE_KEYS", str(trusted))
    return tmp_path / "release.key"


def _bundle(folder: Path, key: Path, version: str, notes: str = "") -> Path:
    wheels = folder.parent / f"wheels-{version}-{key.stem}"
    wheels.mkdir()
    (wheels / f"balai-{version}-py3-none-any.whl").write_bytes(os.urandom(800))
    out = folder / f"balai-update-{version}.tar"
    pack(wheels, load_private_key(key), out, notes)
    return out


async def _open_as(user: User, username: str, role: str) -> None:
    accounts.create_user(username, PASSWORD, role, actor="test")
    await login(user, username, PASSWORD)
    await user.should_see("Daftar tunggu" if role == "viewer" else "Loket saya", retries=30)
    await user.open("/operator/update")


async def test_admin_checks_and_asks_for_an_update_from_the_stick(appliance: Path, office_with_stick: User,
                                                                  tmp_path: Path) -> None:
    office = office_with_stick
    settings = state.ctx.settings  # type: ignore[union-attr]
    await _open_as(office, "kades", "admin")
    await office.should_see("Pembaruan perangkat lunak", retries=30)
    await office.should_see(marker="nav-update")
    await office.should_see("Versi yang berjalan: Balai")
    await office.should_see("Tidak ada berkas pembaruan di flashdisk.")
    await office.should_see("Belum ada pembaruan.")

    stick = stick_folder(tmp_path)
    foreign = tmp_path / "foreign.key"
    generate_key(foreign, tmp_path / "foreign.pub")
    _bundle(stick, foreign, "0.3.0")
    _bundle(stick, appliance, "0.2.0", notes="Perbaikan antrean <script>alert(1)</script>")
    await office.should_see("Ditemukan: balai-update-0.2.0.tar", retries=60)  # the page notices the stick
    await office.should_see("Ditemukan: balai-update-0.3.0.tar")

    assert len(office.find(marker="update-check").elements) == 2
    office.find(marker="update-check-balai-update-0.3.0.tar").click()
    await office.should_see("bukan dari penerbit yang dipercaya", retries=50)  # 0.3.0: a stranger's key
    await office.should_not_see(marker="update-install")
    office.find(marker="update-check-balai-update-0.2.0.tar").click()
    await office.should_see("Balai 0.2.0, ditandatangani kunci", retries=50)
    await office.should_see("Perbaikan antrean <script>alert(1)</script>")  # shown as text, never run

    office.find(marker="update-install").click()
    await office.should_see("Pasang Balai 0.2.0?", retries=30)
    office.find(marker="update-go").click()
    await office.should_see("Pembaruan ke 0.2.0 dimulai", retries=50)
    await office.should_see("Menunggu pemasangan Balai 0.2.0", retries=30)
    request = json.loads(update_requests.request_file(settings).read_text())
    assert request["version"] == "0.2.0" and request["by"] == "kades"


async def test_the_history_says_in_words_what_happened(appliance: Path, office_with_stick: User) -> None:
    settings = state.ctx.settings  # type: ignore[union-attr]
    remember(settings, {"outcome": "installed", "from": "0.1.0", "to": "0.2.0", "reason": "", "by": "kades"})
    remember(settings, {"outcome": "rolled_back", "from": "0.2.0", "to": "0.3.0", "reason": "health_failed",
                        "by": "kades"})
    remember(settings, {"outcome": "refused", "from": "0.2.0", "to": "0.4.0", "reason": "update.bundle_missing",
                        "params": {"path": "/media/FLASHDISK/balai-update-0.4.0.tar"}, "by": "admin"})
    await _open_as(office_with_stick, "kades", "admin")
    await office_with_stick.should_see(marker="update-history", retries=30)
    await office_with_stick.should_see("dibatalkan, versi lama kembali: versi baru tidak menjawab dengan sehat")
    # the refusal's own sentence, with its details
    await office_with_stick.should_see("ditolak: Berkas pembaruan /media/FLASHDISK/balai-update-0.4.0.tar tidak")
    await office_with_stick.should_see("terpasang")


async def test_operator_and_viewer_cannot_reach_the_update_page(appliance: Path, office: User) -> None:
    for username, role in (("siti", "operator"), ("tamu", "viewer")):
        await _open_as(office, username, role)
        await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
        await office.should_not_see(marker="update-check")
        await office.should_not_see(marker="nav-update")
        await office.open("/logout")
