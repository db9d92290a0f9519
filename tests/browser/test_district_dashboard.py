"""The district's day, in a real browser against a real `balai hub serve`: a village has synced, the officer
signs in, sees the village and its numbers, checks a letter's QR, sends an announcement, and the village
receives it at its next sync."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from kiosk.app import prepare_database
from kiosk.db import close_database, database
from kiosk.seal import load_or_create_private_key
from kiosk.services import accounts, letter_requests, letter_signing, letter_types
from kiosk.services.demo import seed_demo
from kiosk.services.announcements import current as current_announcements
from kiosk.services.hub_items import apply_items
from kiosk.settings import load_settings
from sync.client import Uploader, enrol
from tests.support.letter_answers import sample_answers
from tests.support.sync_procs import HubProcess, run_balai

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "Kabupaten-Bandung-2026"


@pytest.fixture
def district(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A hub process with one account, and the demo village enrolled and synced with one signed letter."""
    hub_dir, logs = tmp_path / "hub", tmp_path / "logs"
    hub = HubProcess(hub_dir, logs).start()
    try:
        assert run_balai(["hub", "user", "kab", "--data", hub_dir], logs, "user", stdin=PASSWORD + "\n").returncode == 0
        code = run_balai(["hub", "enrol", "32.04.12.2001", "--data", hub_dir], logs, "enrol").stdout.strip()
        settings = load_settings(environ={}, overrides={"data_dir": tmp_path / "village", "mdns_enabled": False})
        prepare_database(settings)
        seed_demo(population=True)
        letter_types.install_builtins()
        accounts.create_user("kades", "Rahasia-Kades-2026", "signer", full_name="H. Asep Saepudin")
        options = letter_signing.options_from_settings(settings, "http://127.0.0.1:8080")
        letter_signing.publish_public_key(options.key)
        kind = next(t for t in letter_types.list_types() if t.code == "SKD")
        person = database.execute_sql("SELECT id FROM penduduk WHERE status_dasar = 1 LIMIT 1").fetchone()[0]
        request = letter_requests.create_request(kind.code, person, sample_answers([f.to_dict() for f in kind.fields]),
                                                 channel="operator", actor="op", checked=True)
        qr = letter_signing.sign(request.id, signer="kades", options=options).qr
        key = load_or_create_private_key(settings.signing_key_file)
        enrol(database, key, hub.url, code)
        Uploader(database, key).once()
        yield {"hub": hub, "qr": qr, "key": key}
    finally:
        close_database()
        hub.stop()


def _sign_in(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.get_by_label("Nama pengguna").fill("kab")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_the_district_sees_the_village_checks_a_letter_and_sends_an_announcement(
        district: dict[str, Any], open_page: Callable[..., Any], screenshot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    url = district["hub"].url
    page = open_page("district", 1366, 768)
    page.goto(url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    _sign_in(page, url)
    table = page.locator(".q-table")
    expect(table.get_by_text("Sukamaju")).to_be_visible()
    residents = database.execute_sql("SELECT COUNT(*) FROM penduduk WHERE status_dasar = 1 AND deleted_at IS NULL") \
        .fetchone()[0]
    expect(table.get_by_text(f"{residents:,}".replace(",", "."))
           .or_(table.get_by_text(str(residents)))).to_be_visible()
    screenshot(page, "villages")

    page.goto(url + "/desa/3204122001")
    expect(page.get_by_text("Sukamaju").first).to_be_visible()
    screenshot(page, "village")

    page.goto(url + "/verifikasi")
    box = page.locator("textarea").first
    box.fill(district["qr"])
    page.get_by_role("button", name="Periksa").click()
    expect(page.get_by_text("SAH", exact=True)).to_be_visible()
    screenshot(page, "verify-genuine")
    body, signature = district["qr"].rsplit(".", 1)
    box.fill(body + "." + ("A" if signature[0] != "A" else "B") + signature[1:])
    page.get_by_role("button", name="Periksa").click()
    expect(page.get_by_text("TIDAK SAH", exact=True).first).to_be_visible()

    page.goto(url + "/kirim")
    page.get_by_label("Judul").fill("Vaksinasi Rabies Gratis")
    page.get_by_label("Isi pengumuman").fill("Hari Sabtu pukul 08.00 di balai desa.")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text(re.compile("menunggu diambil desa")).first).to_be_visible()
    screenshot(page, "announcement-sent")

    Uploader(database, district["key"], apply_pulled=apply_items).once()
    assert [a["title"] for a in current_announcements(date.today())] == ["Vaksinasi Rabies Gratis"]
