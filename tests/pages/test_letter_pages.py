"""Operators and letters: the list, a request on a resident's behalf, checking, signing, printing, revoking,
the resident's PIN, the village logo, and who may not do any of it."""

from __future__ import annotations

import io
import re

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image

from kiosk.models import LetterAttachment, LetterRequest, PrintJob, User as Account
from kiosk.services import accounts, letter_requests, resident_pins
from kiosk.services.resident_pins import PinPolicy
from tests.pages import state
from tests.pages.test_operator_pages import login
from tests.services.letters_support import LetterWorld, make_world

PASSWORD = "loket-satu-2026"
SIGNER_PASSWORD = "Rahasia-Kades-2026"  # make_world's signer "kades"
SLOW = 150  # retries of 0.1 s: signing and PDF rendering take a moment


def _world() -> LetterWorld:
    assert state.ctx is not None
    world = make_world(state.ctx.settings)
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    return world


def _png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _request(world: LetterWorld, status: str = "diperiksa") -> letter_requests.LetterSummary:
    summary = letter_requests.create_request("TES", world.siti, {"keperluan": "Melamar kerja"}, channel="kiosk",
                                             actor="kiosk")
    if status == "menunggu_ttd":
        letter_requests.move(summary.id, "menunggu_ttd", actor="op")
    return summary


async def _upload(user: User, marker: str, name: str, content_type: str, data: bytes) -> None:
    upload = next(iter(user.find(marker=marker).elements))
    assert isinstance(upload, ui.upload)
    with user:
        await upload.handle_uploads([SmallFileUpload(name, content_type, data)])


async def test_list_shows_requests_with_their_status_and_refreshes_live(office: User) -> None:
    world = _world()
    first = _request(world)
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/letters")
    await office.should_see(first.tracking_code, retries=30)
    await office.should_see("Sedang Diperiksa")
    await office.should_see("Siti Aminah")
    await office.should_see(first.nik_masked)
    await office.should_see("Anjungan")
    await office.should_see("Semua (1)")
    await office.should_not_see("3204125505900001")
    # A request made elsewhere (the kiosk) appears without a reload.
    second = letter_requests.create_request("TES", world.budi, {"keperluan": "Sekolah"}, channel="phone",
                                            actor="phone")
    state.ctx.letters_changed()
    await office.should_see(second.tracking_code, retries=50)
    await office.should_see("Sedang Diperiksa (2)", retries=30)
    office.find(marker="tab-siap").click()
    await office.should_see(marker="letters-empty", retries=30)


async def test_operator_creates_a_request_on_behalf_of_a_resident(office: User) -> None:
    _world()
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/letters/new")
    await office.should_see("Permohonan Surat Baru", retries=30)
    office.find(marker="letter-submit").click()
    await office.should_see("Pilih penduduk pemohon terlebih dahulu.", retries=30)
    office.find(marker="person-search").type("siti ami")
    office.find(marker="person-search-go").click()
    await office.should_see(marker="person-hit", retries=30)
    office.find(marker="person-hit").click()
    await office.should_see(marker="chosen-person", content="Siti Aminah", retries=30)
    office.find(marker="letter-type").click()
    office.find("Surat Keterangan Percobaan (TES)").click()
    await office.should_see("Fotokopi KTP", retries=30)
    office.find(marker="field-tanggal_acara").type("1800-01-01")
    office.find(marker="letter-submit").click()
    await office.should_see("Keperluan wajib diisi.", retries=30)
    await office.should_see("Tanggal Acara: tanggal tidak valid.", retries=30)
    assert LetterRequest.select().count() == 0
    await _upload(office, "letter-upload", "ktp.txt", "text/plain", b"just text")
    await office.should_see("Berkas harus foto (JPG, PNG, WebP) atau PDF.", retries=30)
    await _upload(office, "letter-upload", "ktp.png", "image/png", _png())
    await office.should_see(marker="pending-file", retries=30)
    office.find(marker="field-keperluan").type("Melamar pekerjaan")
    office.find(marker="field-tanggal_acara").clear().type("2026-12-01")
    office.find(marker="letter-submit").click()
    await office.should_see(marker="letter-created", retries=50)
    row = LetterRequest.get()
    assert row.channel == "operator" and row.status == "diperiksa" and row.requested_by == "siti"
    assert LetterAttachment.select().where(LetterAttachment.request == row.id).count() == 1
    await office.should_see("Melamar pekerjaan")
    await office.should_see(marker="attachment-link")
    # The attachment is served only through the checked route.
    attachment = LetterAttachment.get()
    answer = await office.http_client.get(f"/operator/letters/attachments/{attachment.id}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    office.find(marker="action-slip").click()
    await office.should_see("Struk masuk antrean cetak.", retries=30)
    assert PrintJob.select().where(PrintJob.kind == "letter_slip").count() == 1


async def test_operator_approves_but_cannot_sign(office: User) -> None:
    world = _world()
    summary = _request(world)
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open(f"/operator/letters/{summary.id}")
    await office.should_see(summary.tracking_code, retries=30)
    office.find(marker="action-incomplete").click()
    office.find(marker="note-confirm").click()
    await office.should_see("Tuliskan alasannya untuk pemohon.", retries=30)
    assert LetterRequest.get_by_id(summary.id).status == "diperiksa"
    office.find(marker="action-approve").click()
    await office.should_see(marker="letter-status", content="Menunggu Tanda Tangan", retries=30)
    row = LetterRequest.get_by_id(summary.id)
    assert row.status == "menunggu_ttd" and row.checked_by == "siti"
    await office.should_not_see(marker="action-sign")
    draft = await office.http_client.get(f"/operator/letters/{summary.id}/draft.pdf")
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    assert draft.headers["cache-control"] == "no-store"


async def test_signer_signs_prints_and_revokes_with_a_reason(office: User) -> None:
    world = _world()
    summary = _request(world, "menunggu_ttd")
    await login(office, "kades", SIGNER_PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open(f"/operator/letters/{summary.id}")
    await office.should_see(summary.tracking_code, retries=30)
    office.find(marker="action-sign").click()
    await office.should_see(marker="letter-number", retries=SLOW)
    row = LetterRequest.get_by_id(summary.id)
    assert row.status == "siap" and row.number
    await office.should_see(f"Nomor: {row.number}")
    await office.should_see(marker="letter-status", content="Siap Diambil")
    office.find(marker="action-print").click()
    await office.should_see("Surat masuk antrean cetak.", retries=30)
    assert PrintJob.select().where(PrintJob.kind == "letter").count() == 1
    signed = await office.http_client.get(f"/operator/letters/{summary.id}/letter.pdf")
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF")
    office.find(marker="action-revoke").click()
    await office.should_see(marker="note-warning", retries=30)
    office.find(marker="note-confirm").click()
    await office.should_see("Tuliskan alasannya untuk pemohon.", retries=30)
    assert LetterRequest.get_by_id(summary.id).revoked_at is None
    office.find(marker="note-input").type("Salah orang")
    office.find(marker="note-confirm").click()
    await office.should_see(marker="letter-revoked", retries=30)
    row = LetterRequest.get_by_id(summary.id)
    assert row.revoked_at is not None and row.revoke_reason == "Salah orang"
    await office.should_not_see(marker="action-print")
    # The request's history: every step with who did it, from the audit trail.
    await office.should_see("kades · Ditandatangani", retries=30)
    await office.should_see("kades · Dikirim ke printer")
    await office.should_see("kades · Dicabut · Salah orang")


async def test_a_signer_demoted_while_the_page_is_open_is_refused(office: User) -> None:
    world = _world()
    summary = _request(world, "menunggu_ttd")
    await login(office, "kades", SIGNER_PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open(f"/operator/letters/{summary.id}")
    await office.should_see(marker="action-sign", retries=30)
    Account.update(role="operator").where(Account.username == "kades").execute()
    office.find(marker="action-sign").click()
    await office.should_see("Masuk Petugas", retries=30)
    row = LetterRequest.get_by_id(summary.id)
    assert row.status == "menunggu_ttd" and row.signed_at is None and row.number is None


async def test_viewer_and_strangers_are_refused(office: User) -> None:
    world = _world()
    summary = _request(world)
    accounts.create_user("tamu", PASSWORD, "viewer", actor="test")
    stranger = await office.http_client.get(f"/operator/letters/{summary.id}/draft.pdf")
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
    await login(office, "tamu", PASSWORD)
    await office.should_see("Daftar tunggu", retries=30)
    for path in ("/operator/letters", "/operator/letters/new", f"/operator/letters/{summary.id}",
                 "/operator/letters/types", "/operator/letters/types/TES"):
        await office.open(path)
        await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
    for path in (f"/operator/letters/{summary.id}/draft.pdf", f"/operator/letters/{summary.id}/letter.pdf"):
        answer = await office.http_client.get(path)
        assert answer.status_code == 403
    await office.should_not_see(marker="nav-letters")


async def test_pin_is_shown_once_and_set(office: User) -> None:
    world = _world()
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open(f"/operator/residents/{world.siti}")
    await office.should_see("PIN layanan mandiri", retries=30)
    await office.should_see("belum diatur")
    office.find(marker="pin-typed").type("111111")
    office.find(marker="pin-save-typed").click()
    await office.should_see("PIN terlalu mudah ditebak. Pilih 6 angka lain.", retries=30)
    assert not resident_pins.has_pin(world.siti)
    office.find(marker="pin-generate").click()
    await office.should_see(marker="pin-shown", retries=30)
    pin = next(iter(office.find(marker="pin-shown").elements)).text
    assert re.fullmatch(r"\d{6}", pin)
    await office.should_see("Berikan kepada warga setelah memeriksa KTP asli")
    assert resident_pins.has_pin(world.siti)
    assert resident_pins.check_resident("3204125505900001", pin, "10.0.0.9", PinPolicy()) == world.siti
    office.find(marker="pin-done").click()
    await office.should_not_see(pin, retries=30)
    await office.should_see("sudah diatur")
    office.find(marker="pin-clear").click()
    await office.should_see("belum diatur", retries=30)
    assert not resident_pins.has_pin(world.siti)
    office.find(marker="person-new-letter").click()
    await office.should_see(marker="chosen-person", content="Siti Aminah", retries=30)


async def test_logo_upload_checks_the_content(office: User) -> None:
    accounts.create_user("kepala", PASSWORD, "admin", actor="test")
    assert state.ctx is not None
    logo = state.ctx.settings.data_dir / "logo.png"
    logo.unlink(missing_ok=True)
    await login(office, "kepala", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/village")
    await office.should_see("Logo desa (kop surat)", retries=30)
    await _upload(office, "logo-upload", "logo.png", "image/png", b"<svg>not really a png</svg>")
    await office.should_see("Logo harus berupa gambar PNG atau JPEG.", retries=30)
    assert not logo.exists()
    await _upload(office, "logo-upload", "logo.png", "image/png", _png(1200, 400))
    await office.should_see(marker="logo-image", retries=30)
    with Image.open(logo) as stored:
        assert stored.format == "PNG" and max(stored.size) == 600
    answer = await office.http_client.get("/operator/village/logo.png")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"


async def test_signing_title_is_saved_for_a_signer(office: User) -> None:
    _world()
    accounts.create_user("kepala", PASSWORD, "admin", actor="test")
    await login(office, "kepala", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/users")
    await office.should_see("Jabatan penanda tangan", retries=30)
    office.find(marker="title-kades").type("a.n. Kepala Desa\nSekretaris Desa")
    office.find(marker="save-title-kades").click()
    await office.should_see("Tersimpan.", retries=30)
    assert accounts.user_titles()["kades"] == "a.n. Kepala Desa\nSekretaris Desa"
    office.find(marker="title-kades").clear().type("x" * 130)
    office.find(marker="save-title-kades").click()
    await office.should_see("Jabatan paling banyak 120 huruf", retries=30)
