"""The first visit after a first boot: the set-up page carries the village the district wrote on the card; the
office only chooses its admin account."""

from __future__ import annotations

import json

from nicegui.testing import User

from kiosk.firstboot import PRESET_NAME
from kiosk.services import village
from tests.pages import state


async def test_set_up_page_is_filled_in_from_the_first_boot_file(fresh_office: User) -> None:
    assert state.ctx is not None
    preset = {"name": "Mekarsari", "code": "3204122003", "kecamatan": "Cileunyi", "kabupaten": "Bandung",
              "address": "Jl. Mekarsari 2", "timezone": "Asia/Makassar"}
    (state.ctx.settings.data_dir / PRESET_NAME).write_text(json.dumps(preset), encoding="utf-8")
    await fresh_office.open("/setup")
    await fresh_office.should_see("Penyiapan Balai", retries=30)
    for marker, value in (("village-name", "Mekarsari"), ("village-code", "3204122003"), ("kecamatan", "Cileunyi"),
                          ("kabupaten", "Bandung"), ("address", "Jl. Mekarsari 2"), ("timezone", "Asia/Makassar")):
        element = next(iter(fresh_office.find(marker=marker).elements))
        assert element.value == value, marker
    fresh_office.find(marker="admin-full-name").type("Siti Aminah")
    fresh_office.find(marker="admin-username").type("siti")
    fresh_office.find(marker="admin-password").type("sandi-admin-desa-2026")
    fresh_office.find(marker="admin-password2").type("sandi-admin-desa-2026")
    fresh_office.find(marker="setup-submit").click()
    await fresh_office.should_see("Masuk Petugas", retries=30)
    info = village.get_village()
    assert info is not None and info.name == "Mekarsari" and info.code == "32.04.12.2003"
    assert info.timezone == "Asia/Makassar"
