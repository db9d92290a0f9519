"""Residents' PINs (identical answers, rate limits) and attachment checks (content, size, re-encoding)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kiosk.models import LetterAttachment
from kiosk.services import letter_requests, resident_pins
from kiosk.services.attachments import check_upload
from kiosk.services.errors import ServiceError
from kiosk.services.resident_pins import PinPolicy
from tests.services.letters_support import make_world

POLICY = PinPolicy(attempts=5, attempts_per_nik=8)


@pytest.fixture
def world(demo_db):
    return make_world(demo_db)


def _refusal(nik: str, pin: str, client: str = "10.0.0.9") -> str:
    with pytest.raises(ServiceError) as refused:
        resident_pins.check_resident(nik, pin, client, POLICY)
    return f"{refused.value.key}/{refused.value.status}"


def test_pin_checks_give_one_answer_for_every_failure(world):
    pin = resident_pins.set_pin(world.siti, actor="op")
    assert len(pin) == 6 and pin.isdigit() and resident_pins.has_pin(world.siti)
    assert resident_pins.check_resident("3204125505900001", pin, "10.0.0.1", POLICY) == world.siti
    wrong_pin = _refusal("3204125505900001", "000001")
    unknown_nik = _refusal("3204129999990009", pin, "10.0.0.10")
    no_pin_set = _refusal("3204120101850003", pin, "10.0.0.11")
    garbage = _refusal("abc", "x", "10.0.0.12")
    assert wrong_pin == unknown_nik == no_pin_set == garbage == "pin.wrong/401"


def test_pin_lockout_per_address_and_per_nik(world):
    pin = resident_pins.set_pin(world.siti, "482913", actor="op")
    for _ in range(5):
        _refusal("3204125505900001", "111112")
    assert _refusal("3204125505900001", pin) == "pin.locked/429"  # even the right PIN, from that address
    assert resident_pins.check_resident("3204125505900001", pin, "10.0.0.2", POLICY) == world.siti
    for n in range(8):  # spread over many addresses: the NIK itself locks
        _refusal("3204120101850003", "111112", f"10.1.0.{n}")
    assert _refusal("3204120101850003", "111112", "10.2.0.1") == "pin.locked/429"
    # An unknown NIK locks the same way, so the lock reveals nothing either.
    for n in range(8):
        _refusal("3204129999990009", "111112", f"10.3.0.{n}")
    assert _refusal("3204129999990009", "111112", "10.4.0.1") == "pin.locked/429"


@pytest.mark.parametrize("pin, key", [("12345", "pin.format"), ("12a456", "pin.format"), ("111111", "pin.weak"),
                                      ("123456", "pin.weak")])
def test_weak_or_malformed_pins_are_refused(world, pin, key):
    with pytest.raises(ServiceError) as refused:
        resident_pins.set_pin(world.siti, pin, actor="op")
    assert refused.value.key == key and not resident_pins.has_pin(world.siti)


def _png(size=(50, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_uploads_are_checked_by_content_and_images_reencoded(world):
    checked = check_upload(_png() + b"<?php system($_GET['c']); ?>", 1_000_000)
    assert checked.media_type == "image/jpeg" and b"<?php" not in checked.data
    assert Image.open(io.BytesIO(checked.data)).size == (50, 40)
    for bad in (b"<?php echo 1; ?>", b"GIF89a\x00\x00garbage", b"<svg xmlns='http://www.w3.org/2000/svg'/>"):
        with pytest.raises(ServiceError) as refused:
            check_upload(bad, 1_000_000)
        assert refused.value.key == "upload.bad_type"
    with pytest.raises(ServiceError) as big:
        check_upload(_png((2000, 2000)), 1000)
    assert big.value.key == "upload.too_large" and big.value.status == 413
    with pytest.raises(ServiceError) as fake_pdf:
        check_upload(b"%PDF-1.7 this is not really a pdf", 1_000_000)
    assert fake_pdf.value.key == "upload.bad_pdf"


def test_attachment_is_stored_outside_served_folders_and_completes_a_request(world):
    summary = letter_requests.create_request("TES", world.siti, {"keperluan": "x"}, channel="phone", actor="phone")
    letter_requests.move(summary.id, "belum_lengkap", actor="op", note="Lampirkan foto KTP")
    folder = world.settings.attachments_dir
    info = letter_requests.add_attachment(summary.id, "Foto KTP", _png(), folder=folder, max_bytes=1_000_000,
                                          actor="phone")
    stored = LetterAttachment.get_by_id(info.id).stored_name
    assert (folder / stored).stat().st_mode & 0o777 == 0o600 and stored.endswith(".jpg")
    assert letter_requests.public_status(summary.tracking_code).status == "diperiksa"
    media, data = letter_requests.attachment_file(info.id, folder=folder, actor="op")
    assert media == "image/jpeg" and data[:2] == b"\xff\xd8"
    with pytest.raises(ServiceError):
        letter_requests.add_attachment(summary.id, "x", b"not an image", folder=folder, max_bytes=1_000_000,
                                       actor="phone")
    assert LetterAttachment.select().count() == 1 and len(list(folder.iterdir())) == 1
