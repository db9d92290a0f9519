"""Letters end to end in the services: request, check, sign (number, seal, PDF), verify, revoke, print."""

from __future__ import annotations

import io
import json
import threading

import pytest
from pypdf import PdfReader

from kiosk.db import database
from kiosk.models import LetterNumberCounter, LetterRequest, PrintJob
from kiosk.seal import public_key_from_text, public_key_text, read_seal
from kiosk.services import letter_print, letter_requests, letter_signing
from kiosk.services.errors import ServiceError
from kiosk.services.letter_fields import FieldErrors
from kiosk.services.letter_verify import verify_qr
from kiosk.services.clock import MONTHS_ID, local_day, utc_now
from kiosk.services.letter_numbers import ROMAN_MONTHS
from printing.pdf_qr import qr_texts_in_pdf

from tests.services.letters_support import make_world


@pytest.fixture
def world(demo_db):
    return make_world(demo_db)


def _ready(world, person=None, fields=None) -> int:
    summary = letter_requests.create_request("TES", person or world.siti, fields or {"keperluan": "Melamar kerja"},
                                             channel="kiosk", actor="kiosk")
    letter_requests.move(summary.id, "menunggu_ttd", actor="op")
    return summary.id


def test_request_is_checked_against_the_type_and_nothing_is_stored_on_error(world):
    with pytest.raises(FieldErrors) as refused:
        letter_requests.create_request("TES", world.siti, {"keperluan": "", "tanggal_acara": "2026-02-30",
                                                            "smuggled": "x"}, channel="kiosk", actor="kiosk")
    assert set(refused.value.problems) == {"keperluan", "tanggal_acara", "smuggled"}
    assert LetterRequest.select().count() == 0


def test_statuses_follow_the_rules_and_need_notes(world):
    summary = letter_requests.create_request("TES", world.siti, {"keperluan": "x"}, channel="phone", actor="phone")
    assert summary.status == "diperiksa" and len(summary.tracking_code) == 9
    with pytest.raises(ServiceError) as missing_note:
        letter_requests.move(summary.id, "belum_lengkap", actor="op")
    assert missing_note.value.key == "letter.note_required"
    letter_requests.move(summary.id, "belum_lengkap", actor="op", note="Bawa KTP asli")
    assert letter_requests.public_status(summary.tracking_code).status_note == "Bawa KTP asli"
    with pytest.raises(ServiceError):
        letter_requests.move(summary.id, "siap", actor="op")  # only signing makes a letter ready
    letter_requests.move(summary.id, "diperiksa", actor="op")
    letter_requests.move(summary.id, "menunggu_ttd", actor="op")
    with pytest.raises(ServiceError) as twice:
        letter_requests.move(summary.id, "menunggu_ttd", actor="op2")
    assert twice.value.key == "letter.bad_move"


def test_signing_numbers_seals_and_stores_the_pdf(world):
    request_id = _ready(world)
    signed = letter_signing.sign(request_id, signer="kades", options=world.options)
    today = local_day(utc_now(), "Asia/Jakarta")
    assert signed.number == f"470/001/2001/{ROMAN_MONTHS[today.month - 1]}/{today.year}"
    data = letter_signing.signed_pdf(request_id, options=world.options)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert signed.number in text and "Siti Aminah" in text
    assert f"{today.day} {MONTHS_ID[today.month - 1]} {today.year}" in text
    assert "H. Asep Saepudin" in text
    [qr] = qr_texts_in_pdf(data)
    assert qr == signed.qr and qr.startswith("http://192.168.1.10:8080/v/")
    result = verify_qr(qr, world.options.key.public_key())
    assert result.valid and result.reason == "ok" and result.seal.masked_name == "S**i A****h"
    row = LetterRequest.get_by_id(request_id)
    assert row.status == "siap" and row.pdf_sha256 and json.loads(row.content)["nik"] == "3204125505900001"


def test_signed_letter_is_immutable_and_cannot_be_signed_twice(world):
    request_id = _ready(world)
    letter_signing.sign(request_id, signer="kades", options=world.options)
    with pytest.raises(ServiceError):
        letter_signing.sign(request_id, signer="kades", options=world.options)
    with pytest.raises(Exception, match="signed letter cannot be changed"):
        with database.atomic():
            LetterRequest.update(fields='{"keperluan": "lain"}').where(LetterRequest.id == request_id).execute()
    with pytest.raises(ServiceError):
        letter_requests.update_fields(request_id, {"keperluan": "lain"}, actor="op")


def test_tampered_payload_wrong_key_and_revocation_are_not_valid(world):
    request_id = _ready(world)
    signed = letter_signing.sign(request_id, signer="kades", options=world.options)
    key = world.options.key.public_key()
    token = signed.qr.rsplit("/", 1)[1]
    body, signature = token.split(".")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    assert verify_qr(f"{flipped}.{signature}", key).reason in ("signature", "format")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    assert verify_qr(signed.qr, Ed25519PrivateKey.generate().public_key()).reason == "signature"
    assert verify_qr("https://example.com/not-a-letter", key).reason == "format"
    letter_signing.revoke(request_id, "Salah orang", actor="kades")
    result = verify_qr(signed.qr, key)
    assert not result.valid and result.reason == "revoked" and result.revoke_reason == "Salah orang"
    # Offline: the seal alone still reads as genuine (revocation needs the office or the district).
    offline = read_seal(signed.qr, {"3204122001": public_key_from_text(public_key_text(key))})
    assert offline.valid


def test_a_failed_signing_takes_no_number(world, monkeypatch):
    first, second = _ready(world), _ready(world, world.budi)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(letter_signing, "_write_pdf", broken)
    with pytest.raises(OSError):
        letter_signing.sign(first, signer="kades", options=world.options)
    monkeypatch.undo()
    assert LetterRequest.get_by_id(first).status == "menunggu_ttd"
    assert LetterNumberCounter.select().count() == 0
    number = letter_signing.sign(second, signer="kades", options=world.options).number
    assert number.startswith("470/001/")


def test_concurrent_signing_gives_gap_free_unique_numbers(world):
    ids = [_ready(world, world.siti if i % 2 else world.budi, {"keperluan": f"Keperluan {i}"}) for i in range(12)]
    numbers: list[int] = []
    errors: list[BaseException] = []

    def signer(chunk: list[int]) -> None:
        try:
            for request_id in chunk:
                letter_signing.sign(request_id, signer="kades", options=world.options)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=signer, args=(ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(row.number_seq for row in LetterRequest.select())
    assert numbers == list(range(1, 13))
    assert len({row.number for row in LetterRequest.select()}) == 12


def test_printing_a_signed_letter_queues_its_pdf_and_hands_it_over(world):
    request_id = _ready(world)
    with pytest.raises(ServiceError):
        letter_print.enqueue_letter(request_id, actor="op")
    letter_signing.sign(request_id, signer="kades", options=world.options)
    job_id = letter_print.enqueue_letter(request_id, actor="kiosk", hand_over=True)
    job = PrintJob.get_by_id(job_id)
    assert job.kind == "letter" and LetterRequest.get_by_id(request_id).status == "diambil"
    from kiosk.services.ticket_print import make_letter_renderer

    data = make_letter_renderer(world.settings.letters_dir)("letter", json.loads(job.payload))
    assert data == letter_signing.signed_pdf(request_id, options=world.options)
    slip = letter_print.enqueue_slip(request_id, status_url_base="http://x/m/s/")
    assert PrintJob.get_by_id(slip).kind == "letter_slip"


def test_draft_has_no_number_and_no_qr(world):
    request_id = _ready(world)
    data = letter_signing.draft_pdf(request_id, options=world.options)
    assert qr_texts_in_pdf(data) == []
    assert "DRAF" in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_buku_agenda_surat_keluar_lists_signed_letters_in_number_order(world):
    from datetime import timedelta

    from kiosk.services import register_export, registers

    ids = [_ready(world, world.siti if i % 2 else world.budi) for i in range(3)]
    _ready(world)  # waiting for signature: not in the book
    numbers = [letter_signing.sign(i, signer="kades", options=world.options).number for i in ids]
    letter_signing.revoke(ids[1], "Salah ketik nama", actor="kades")
    today = local_day(utc_now(), "Asia/Jakarta")
    table = registers.build("agenda_keluar", (today - timedelta(days=1), today))
    assert [row[1] for row in table.rows] == numbers
    assert table.rows[1][-1] == "Dicabut: Salah ketik nama" and table.rows[0][-1] == "Belum diambil"
    assert table.rows[0][4] == "Budi Santoso" and table.rows[0][6] == "H. Asep Saepudin"
    header = registers.register_header(today)
    assert register_export.register_xlsx(table, header)[:2] == b"PK"
    assert registers.render_pdf(table, header)[:5] == b"%PDF-"
    assert registers.build("agenda_keluar", (today - timedelta(days=9), today - timedelta(days=2))).rows == []


def test_only_signers_sign_revoke_or_send_back_whatever_the_surface(world):
    from kiosk.services import accounts
    from kiosk.services.errors import Forbidden

    accounts.create_user("loket", "Rahasia-Loket-2026", "operator")
    request_id = _ready(world)
    with pytest.raises(Forbidden):
        letter_signing.sign(request_id, signer="loket", options=world.options)
    with pytest.raises(Forbidden):
        letter_signing.sign(request_id, signer="kades", options=world.options, role="operator")
    with pytest.raises(Forbidden):
        letter_requests.move(request_id, "diperiksa", actor="loket", note="cek lagi")
    signed = letter_signing.sign(request_id, signer="mesin-ttd", options=world.options, role="signer")
    # A machine token signs in the name of the office's signer, never with an empty signature block.
    assert LetterRequest.get_by_id(request_id).signer_name == "H. Asep Saepudin" and signed.number
    with pytest.raises(Forbidden):
        letter_signing.revoke(request_id, "x", actor="loket")


def test_only_a_type_for_the_deceased_may_be_asked_for_someone_who_died(world):
    from kiosk.models import Penduduk
    from kiosk.services.letter_types import install_builtins

    install_builtins()
    Penduduk.update(status_dasar=2).where(Penduduk.id == world.budi).execute()
    with pytest.raises(ServiceError) as refused:
        letter_requests.create_request("TES", world.budi, {"keperluan": "x"}, channel="operator", actor="op")
    assert refused.value.key == "letter.person_not_resident"
    from kiosk.services.letter_types import get_type
    from tests.support.letter_answers import sample_answers

    kind = get_type("SKM")
    assert kind.for_deceased
    answers = sample_answers([spec.to_dict() for spec in kind.fields])
    assert letter_requests.create_request("SKM", world.budi, answers, channel="operator", actor="op").status
