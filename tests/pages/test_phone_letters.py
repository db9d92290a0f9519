"""Letters from a phone (/m/surat, /m/s/{code}, the PDF for its owner only) and the public /v/ page."""

from __future__ import annotations

import io
import time
from urllib.parse import urlparse

import httpx
from nicegui.testing import User
from PIL import Image

from kiosk.models import LetterAttachment, LetterRequest
from kiosk.pages.letter_inputs import FAILURE_SECONDS
from kiosk.services import letter_requests, letter_signing
from kiosk.services.clock import format_date
from tests.pages import state
from tests.pages.test_kiosk_letters import (NIK, OTHER_NIK, OTHER_PIN, PIN, ensure_test_type, make_resident,
                                            signed_request)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(out, "PNG")
    return out.getvalue()


async def _login(http: httpx.AsyncClient, nik: str = NIK, pin: str = PIN) -> httpx.Response:
    return await http.post("/m/surat", data={"nik": nik, "pin": pin, "lang": "id"})


async def test_phone_request_with_attachment(office: User) -> None:
    person = make_resident()
    ensure_test_type()
    http = office.http_client
    page = await http.get("/m/surat")
    assert page.status_code == 200 and "Masukkan NIK dan PIN Anda" in page.text
    assert 'inputmode="numeric"' in page.text and "cdn" not in page.text.lower()
    refused = await _login(http, pin="000001")
    assert refused.status_code == 401 and "NIK atau PIN salah." in refused.text
    assert (await http.get("/m/surat/jenis")).headers["location"].startswith("/m/surat?")  # no session yet
    accepted = await _login(http)
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/m/surat/jenis")
    types = await http.get(accepted.headers["location"])
    assert types.status_code == 200 and "Surat Keterangan Percobaan" in types.text
    form = await http.get("/m/surat/isi/TES")
    assert form.status_code == 200 and 'name="keperluan"' in form.text and 'type="date"' in form.text

    empty = await http.post("/m/surat/isi/TES", data={"keperluan": "", "tanggal_acara": "", "lang": "id"})
    assert empty.status_code == 422 and "Keperluan wajib diisi." in empty.text
    bad_file = await http.post("/m/surat/isi/TES", data={"keperluan": "Beasiswa", "lang": "id"},
                               files={"lampiran": ("ktp.png", b"<?php echo 1; ?>", "image/png")})
    assert bad_file.status_code == 422 and "Berkas harus foto (JPG, PNG, WebP) atau PDF." in bad_file.text
    assert 'value="Beasiswa"' in bad_file.text  # what was typed stays
    huge = await http.post("/m/surat/isi/TES", data={"keperluan": "Beasiswa", "lang": "id"},
                           files={"lampiran": ("video.png", b"\0" * 6_000_000, "image/png")})
    assert huge.status_code == 413 and "Berkas terlalu besar" in huge.text
    assert LetterRequest.select().count() == 0

    sent = await http.post("/m/surat/isi/TES", data={"keperluan": "Beasiswa", "tanggal_acara": "2026-11-22",
                                                      "lang": "id"},
                           files={"lampiran": ("ktp.png", _png(), "image/png")})
    assert sent.status_code == 303, sent.text
    row = LetterRequest.get()
    assert row.penduduk_id == person and row.channel == "phone" and row.status == "diperiksa"
    assert sent.headers["location"].startswith(f"/m/surat/terkirim/{row.tracking_code}")
    attachment = LetterAttachment.get()
    assert attachment.request_id == row.id and attachment.media_type == "image/jpeg"
    done = await http.get(sent.headers["location"])
    assert done.status_code == 200 and letter_requests.format_code(row.tracking_code) in done.text
    assert f'href="/m/s/{row.tracking_code}?lang=id"' in done.text
    status = await http.get(f"/m/s/{row.tracking_code}")
    assert status.status_code == 200 and "Sedang Diperiksa" in status.text
    mine = await http.get("/m/surat/jenis")
    assert letter_requests.format_code(row.tracking_code) in mine.text  # the resident's own list
    out = await http.get("/m/surat/keluar")
    assert out.status_code == 303
    assert (await http.get("/m/surat/isi/TES")).status_code == 303  # logged out: back to the login


async def test_status_page_by_tracking_code(office: User) -> None:
    person = make_resident()
    ensure_test_type()
    summary = letter_requests.create_request("TES", person, {"keperluan": "Beasiswa"}, channel="phone", actor="phone")
    letter_requests.move(summary.id, "belum_lengkap", actor="op", note="Lampirkan surat pengantar RT")
    http = office.http_client
    code = letter_requests.normalize_code(summary.tracking_code)
    for path in (f"/m/s/{code}", f"/m/s/{summary.tracking_code}", f"/m/s/{code.lower()}"):
        page = await http.get(path)
        assert page.status_code == 200, path
        for text in ("Surat Keterangan Percobaan", "S**i A****h", "Belum Lengkap", "Lampirkan surat pengantar RT",
                     "setInterval", "20000"):
            assert text in page.text, (path, text)
        assert "Siti" not in page.text and NIK not in page.text
        assert "Unduh PDF" not in page.text  # nothing signed, nothing to download
    by_form = await http.get("/m/s", params={"kode": summary.tracking_code.lower()})
    assert by_form.status_code == 303 and by_form.headers["location"].startswith(f"/m/s/{code}")
    unknown = await http.get("/m/s/ABCD2345")
    assert unknown.status_code == 404 and "Kode pelacakan tidak ditemukan" in unknown.text


async def test_signed_pdf_only_for_its_owner(office: User) -> None:
    person = make_resident()
    make_resident(OTHER_NIK, OTHER_PIN, "Budi Santoso")
    summary, signed = signed_request(person)
    http = office.http_client
    code = letter_requests.normalize_code(summary.tracking_code)
    page = await http.get(f"/m/s/{code}")
    assert page.status_code == 200 and "Siap Diambil" in page.text and signed.number in page.text
    assert "Unduh PDF" in page.text and f'action="/m/s/{code}/pdf"' in page.text
    assert (await http.get(f"/m/s/{code}/pdf")).status_code == 405  # never by the code alone

    wrong = await http.post(f"/m/s/{code}/pdf", data={"nik": NIK, "pin": "000001"})
    assert wrong.status_code == 401 and "NIK atau PIN salah." in wrong.text
    assert wrong.headers["content-type"].startswith("text/html") and not wrong.content.startswith(b"%PDF")
    stranger = await http.post(f"/m/s/{code}/pdf", data={"nik": OTHER_NIK, "pin": OTHER_PIN})
    assert stranger.status_code == 401 and "NIK atau PIN salah." in stranger.text
    assert not stranger.content.startswith(b"%PDF")

    right = await http.post(f"/m/s/{code}/pdf", data={"nik": NIK, "pin": PIN})
    assert right.status_code == 200
    assert right.headers["content-type"] == "application/pdf"
    assert right.headers["content-disposition"].startswith("attachment;")
    assert right.content.startswith(b"%PDF")
    assert state.ctx is not None
    assert right.content == letter_signing.signed_pdf(summary.id, options=state.ctx.letters)


async def test_verification_page(office: User) -> None:
    person = make_resident()
    _, signed = signed_request(person)
    http = office.http_client
    path = urlparse(signed.qr).path
    assert path.startswith("/v/")
    page = await http.get(path)
    assert page.status_code == 200
    assert ">SAH<" in page.text and "TIDAK SAH" not in page.text
    for fact in (signed.number, "Surat Keterangan Percobaan", format_date(signed.letter_date), "S**i A****h",
                 "H. Asep Saepudin", "Tanda tangan elektronik cocok"):
        assert fact in page.text, fact
    assert "Siti" not in page.text and NIK not in page.text

    body, signature = path.removeprefix("/v/").split(".")
    forged = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    tampered = await http.get(f"/v/{body}.{forged}")
    assert tampered.status_code == 200 and "TIDAK SAH" in tampered.text
    assert "Isi kode QR telah diubah atau tidak ditandatangani dengan kunci desa ini." in tampered.text
    assert signed.number not in tampered.text  # a forged seal's words are not repeated

    for garbage in ("/v/abc", "/v/" + "x" * 3000, "/v/%00%ff.zz", "/v/a.b/c"):
        answer = await http.get(garbage)
        assert answer.status_code == 200 and "TIDAK SAH" in answer.text, garbage

    letter_signing.revoke(signed.id, "Salah nama ayah", actor="kades")
    revoked = await http.get(path)
    assert revoked.status_code == 200 and "TIDAK SAH" in revoked.text
    assert "Surat ini telah dicabut: Salah nama ayah" in revoked.text
    status = await http.get(f"/m/s/{LetterRequest.get_by_id(signed.id).tracking_code}")
    assert "Dicabut" in status.text and "Unduh PDF" not in status.text


async def test_refusals_take_the_same_time_and_lock_alike(office: User) -> None:
    make_resident()
    http = office.http_client
    english = await http.get("/m/surat", params={"lang": "en"})
    assert "Enter your NIK and PIN" in english.text and 'href="/m/surat?lang=id"' in english.text
    answers = []
    for nik, pin in ((NIK, "000001"), ("3204129999990009", PIN), (NIK, "000002"), ("12", "x"), (OTHER_NIK, PIN)):
        started = time.monotonic()
        answer = await _login(http, nik, pin)
        answers.append((answer.status_code, "NIK atau PIN salah." in answer.text))
        assert time.monotonic() - started >= FAILURE_SECONDS * 0.95
    assert set(answers) == {(401, True)}
    # Five refusals from this address (pin_attempts): even the right PIN is now refused, with the lock message.
    locked = await _login(http)
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.text
