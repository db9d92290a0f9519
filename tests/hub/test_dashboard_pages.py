"""The district dashboard under NiceGUI's simulated user: login, villages, one village, verification, sending."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import qrcode
from PIL import Image
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from sync.hub.accounts import create_user
from sync.hub.store import HubOutbox, hub_database
from tests.hub.support import (CODE, add_incident, add_person, add_record, add_rejection, add_village, seal_letter,
                               tamper)

PASSWORD = "kabupaten-2026"


async def login(user: User, username: str = "camat", password: str = PASSWORD) -> None:
    await user.open("/login")
    user.find(marker="username").type(username)
    user.find(marker="password").type(password)
    user.find(marker="login").click()


async def signed_in(user: User) -> None:
    create_user("camat", PASSWORD, full_name="Pak Camat")
    await login(user)
    await user.should_see("Desa dan sinkronisasi", retries=50)


def _only(user: User, marker: str) -> Any:
    """The one element with this marker (typed loosely: labels, tables and inputs are all looked at)."""
    [element] = user.find(marker=marker).elements
    return element


def _pdf_with_qr(text: str | None) -> bytes:
    """A one-page PDF holding the QR as an image, the way a letter carries its seal (a blank one for None)."""
    if text is None:
        image = Image.new("RGB", (300, 300), "white")
    else:
        image = qrcode.make(text, box_size=6, border=4).get_image().convert("RGB")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


async def _upload(user: User, name: str, content_type: str, data: bytes) -> None:
    upload = _only(user, "verify-upload")
    assert isinstance(upload, ui.upload)
    with user:
        await upload.handle_uploads([SmallFileUpload(name, content_type, data)])


async def test_every_page_needs_an_account_and_there_is_no_default_one(district: User) -> None:
    for path in ("/", f"/desa/{CODE}", "/verifikasi", "/kirim"):
        await district.open(path)
        await district.should_see("Masuk Dasbor Kabupaten", retries=50)
    await district.should_see("balai hub user NAMA")
    await login(district, "admin", "admin")
    await district.should_see("Nama pengguna atau kata sandi salah", retries=50)


async def test_wrong_password_is_refused_and_the_right_one_lets_in_until_logout(district: User) -> None:
    create_user("camat", PASSWORD)
    await district.open("/kirim")
    await district.should_not_see("balai hub user NAMA")
    await login(district, "camat", "bukan-sandinya")
    await district.should_see("Nama pengguna atau kata sandi salah", retries=50)
    await district.should_not_see("Kirim pengumuman ke desa")
    await login(district)
    await district.should_see("Desa dan sinkronisasi", retries=50)
    await district.should_see("Belum ada desa yang terdaftar", retries=50)
    district.find(marker="logout").click()
    await district.should_see("Masuk Dasbor Kabupaten", retries=50)
    await district.open("/")
    await district.should_see("Masuk Dasbor Kabupaten", retries=50)


async def test_villages_table_shows_each_village_with_its_alert_and_the_totals(district: User) -> None:
    add_village(CODE, "Sukamaju", last_success=timedelta(hours=3), last_contact=timedelta(minutes=5), pending=2,
                oldest_pending_s=120)
    add_village("3204122002", "Mekarsari", last_contact=timedelta(hours=1), pending=40, oldest_pending_s=7200)
    add_person(CODE, "p1")
    add_person(CODE, "p2", sex=2)
    await signed_in(district)
    await district.should_see("Total 2 desa · 1 peringatan · 2 penduduk", retries=50)
    table = _only(district, "villages-table")
    assert isinstance(table, ui.table)
    rows = {row["code"]: row for row in table.rows}
    assert rows[CODE]["name"] == "Sukamaju" and rows[CODE]["code_text"] == "32.04.12.2001"
    assert rows[CODE]["last_sync_text"] == "3 jam lalu" and not rows[CODE]["alert"]
    assert rows[CODE]["residents"] == 2 and rows[CODE]["status"] == "Baik"
    never = rows["3204122002"]
    assert never["alert"] and never["status"] == "Belum pernah sinkron" and never["last_sync_text"] == "belum pernah"
    assert never["oldest_text"] == "3 jam" and never["pending"] == 40


async def test_village_page_shows_its_statistics_and_problems(district: User) -> None:
    add_village(CODE, "Sukamaju", last_success=timedelta(days=3))
    add_person(CODE, "p1", born="2024-01-01")
    add_person(CODE, "p2", sex=2, born="1990-01-01")
    add_person(CODE, "p3", status_dasar=2)
    add_record(CODE, "keluarga", "k1", {"no_kk": "3204120101800009"})
    add_record(CODE, "letter", "l1", {"number": "1", "type": "SKD", "type_name": "Domisili", "content_hash": "a"})
    add_incident(CODE, "bad_signature", "POST /api/hub/v1/batches")
    add_rejection(CODE, "b1", 7, "penduduk_nik_invalid")
    await signed_in(district)
    await district.open(f"/desa/{CODE}")
    await district.should_see("Sukamaju · 32.04.12.2001", retries=50)
    assert _only(district, "stat-residents").text == "2"
    assert _only(district, "stat-families").text == "1"
    assert _only(district, "stat-letters").text == "1"
    await district.should_see("Tidak menghubungi kabupaten")
    await district.should_see(marker="chart-age")
    incidents = _only(district, "village-incidents")
    assert isinstance(incidents, ui.table) and incidents.rows[0]["kind"] == "bad_signature"
    rejections = _only(district, "village-rejections")
    assert isinstance(rejections, ui.table) and rejections.rows[0]["reason"] == "NIK tidak 16 angka"
    await district.open("/desa/9999999999")
    await district.should_see("tidak terdaftar", retries=50)


async def test_verification_says_sah_for_a_genuine_qr_and_tidak_sah_for_a_tampered_one(district: User) -> None:
    key = add_village(CODE, "Sukamaju", last_success=timedelta(hours=1))
    letter = seal_letter(key)
    add_record(CODE, "letter", "u1", letter.record)
    await signed_in(district)
    await district.open("/verifikasi")
    await district.should_see("Verifikasi surat desa", retries=50)

    district.find(marker="verify-text").type(letter.qr)
    district.find(marker="verify-check").click()
    await district.should_see(marker="verify-verdict", retries=50)
    assert _only(district, "verify-verdict").text == "SAH"
    await district.should_see("470/001/2001/III/2026")
    await district.should_see("S**i A****h")

    district.find(marker="verify-text").clear().type(tamper(letter.qr, b"S**i", b"B**i"))
    district.find(marker="verify-check").click()
    await district.should_see("Isi kode QR telah diubah", retries=50)
    assert _only(district, "verify-verdict").text == "TIDAK SAH"
    await district.should_not_see("470/001/2001/III/2026")


async def test_verification_of_an_uploaded_pdf(district: User) -> None:
    key = add_village(CODE, "Sukamaju", last_success=timedelta(hours=1))
    letter = seal_letter(key)
    add_record(CODE, "letter", "u1", letter.record)
    await signed_in(district)
    await district.open("/verifikasi")
    await district.should_see("Verifikasi surat desa", retries=50)

    await _upload(district, "surat.pdf", "application/pdf", _pdf_with_qr(letter.qr))
    await district.should_see("Tanda tangan elektronik desa cocok", retries=50)
    assert _only(district, "verify-verdict").text == "SAH"

    await _upload(district, "foto.png", "image/png", b"\x89PNG not a letter")
    await district.should_see("bukan PDF surat", retries=50)
    assert _only(district, "verify-verdict").text == "TIDAK SAH"

    await _upload(district, "kosong.pdf", "application/pdf", _pdf_with_qr(None))
    await district.should_see("Tidak ada kode QR surat", retries=50)

    await _upload(district, "rusak.pdf", "application/pdf", b"%PDF-1.4 rusak")
    await district.should_see("bukan PDF surat", retries=50)
    assert _only(district, "verify-verdict").text == "TIDAK SAH"


async def test_announcement_is_queued_and_a_bad_title_is_refused(district: User) -> None:
    add_village(CODE, "Sukamaju", last_success=timedelta(hours=1))
    await signed_in(district)
    await district.open("/kirim")
    await district.should_see("Kirim pengumuman ke desa", retries=50)

    district.find(marker="send-title").type("ab")
    district.find(marker="send-submit").click()
    await district.should_see("Judul harus 3 sampai 120 karakter.", retries=50)
    district.find(marker="send-title").clear().type("Posyandu serentak")
    district.find(marker="send-ends").type("2020-01-01")
    district.find(marker="send-submit").click()
    await district.should_see("Tanggal selesai tidak boleh sebelum tanggal mulai.", retries=50)
    with hub_database.connection_context():
        assert HubOutbox.select().count() == 0

    district.find(marker="send-ends").clear().type("kapan-kapan")
    district.find(marker="send-submit").click()
    await district.should_see("Tanggal harus berbentuk TTTT-BB-HH", retries=50)

    _only(district, "send-village").set_value(CODE)
    district.find(marker="send-body").type("Bawa buku KIA.")
    district.find(marker="send-ends").clear()
    district.find(marker="send-submit").click()
    await district.should_see("Pengumuman #1 menunggu diambil desa.", retries=50)
    with hub_database.connection_context():
        [item] = HubOutbox.select()
    assert (item.village_id, item.kind, item.created_by) == (CODE, "announcement", "camat")
    assert '"title": "Posyandu serentak"' in item.payload and "Bawa buku KIA." in item.payload
    outbox = _only(district, "send-outbox")
    assert isinstance(outbox, ui.table)
    assert outbox.rows[0]["title"] == "Posyandu serentak" and outbox.rows[0]["applied"] == "0 / 1"


async def test_a_letter_type_is_checked_at_the_hub_before_it_is_queued(district: User) -> None:
    import json

    from kiosk.data import letter_type_files

    add_village(CODE, "Sukamaju", last_success=timedelta(hours=1))
    await signed_in(district)
    await district.open("/kirim")
    await district.should_see("Kirim jenis surat ke desa", retries=50)
    definition_file, body_file = letter_type_files()[0]
    definition = json.loads(definition_file.read_text(encoding="utf-8"))
    definition.update(code="KABUP", name="Surat Keterangan Kabupaten")

    async def upload(marker: str, name: str, data: bytes) -> None:
        element = _only(district, marker)
        assert isinstance(element, ui.upload)
        with district:
            await element.handle_uploads([SmallFileUpload(name, "application/octet-stream", data)])

    await upload("send-lt-json", "kabup.json", json.dumps(definition).encode())
    await upload("send-lt-html", "kabup.html", b"<p>{{ penduduk.nama }} {% if %}</p>")
    district.find(marker="send-lt-submit").click()
    await district.should_see("Jenis surat tidak valid", retries=50)
    with hub_database.connection_context():
        assert HubOutbox.select().count() == 0
    await upload("send-lt-html", "kabup.html", body_file.read_bytes())
    district.find(marker="send-lt-submit").click()
    await district.should_see("Jenis surat #1 menunggu diambil desa.", retries=50)
    with hub_database.connection_context():
        [item] = HubOutbox.select()
    assert item.kind == "letter_type" and '"KABUP"' in item.payload
