"""The district verifies any village's letter: the village's enrolled key, then the letter record it synced."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.hub.letter_check import verify_at_hub
from tests.hub.support import CODE, add_record, add_village, seal_letter, tamper

pytestmark = pytest.mark.usefixtures("any_hub_db")


def test_a_genuine_letter_is_valid_with_its_facts() -> None:
    key = add_village(CODE, "Sukamaju")
    letter = seal_letter(key)
    add_record(CODE, "letter", "u1", letter.record)

    result = verify_at_hub(letter.qr)

    assert result["verdict"] == "valid" and result["valid"] and result["reason"] == "ok"
    facts = result["facts"]
    assert facts["village_name"] == "Sukamaju" and facts["village_code"] == CODE
    assert facts["number"] == "470/001/2001/III/2026" and facts["type"] == "SKD"
    assert facts["type_name"] == "Surat Keterangan Domisili" and facts["date"] == "2026-03-02"
    assert facts["name"] == "S**i A****h" and facts["signer"] == "H. Ahmad"
    assert "Aminah" not in str(result)  # only the masked name ever leaves
    # The bare token (without the office's URL) works the same.
    assert verify_at_hub(letter.qr.rsplit("/", 1)[1])["reason"] == "ok"


def test_a_tampered_seal_is_refused_without_facts() -> None:
    key = add_village(CODE, "Sukamaju")
    letter = seal_letter(key)
    add_record(CODE, "letter", "u1", letter.record)

    result = verify_at_hub(tamper(letter.qr, b"S**i", b"B**i"))

    assert result["verdict"] == "invalid" and result["reason"] == "signature" and result["facts"] == {}


def test_a_seal_from_another_key_is_refused() -> None:
    add_village(CODE, "Sukamaju")
    letter = seal_letter(Ed25519PrivateKey.generate())
    add_record(CODE, "letter", "u1", letter.record)
    assert verify_at_hub(letter.qr)["reason"] == "signature"


def test_revoked_letter_is_invalid_and_says_why() -> None:
    key = add_village(CODE, "Sukamaju")
    letter = seal_letter(key)
    add_record(CODE, "letter", "u1", {**letter.record, "revoked_at": "2026-03-05 09:00:00",
                                      "revoke_reason": "salah nama"})

    result = verify_at_hub(letter.qr)

    assert result["verdict"] == "invalid" and result["reason"] == "revoked"
    assert result["facts"]["revoke_reason"] == "salah nama" and result["facts"]["number"] == "470/001/2001/III/2026"


def test_unknown_village_unknown_letter_mismatch_and_garbage() -> None:
    stranger = seal_letter(Ed25519PrivateKey.generate(), village_code="3204122099")
    assert verify_at_hub(stranger.qr)["reason"] == "unknown_village"
    assert verify_at_hub(stranger.qr)["facts"] == {}

    key = add_village(CODE, "Sukamaju")
    unsynced = seal_letter(key)
    result = verify_at_hub(unsynced.qr)
    assert result["reason"] == "unknown_letter" and result["facts"]["number"] == "470/001/2001/III/2026"

    changed = seal_letter(key, number="470/002/2001/III/2026", body="Isi yang kemudian diubah")
    add_record(CODE, "letter", "u2", {**changed.record, "content_hash": "f" * 64})
    assert verify_at_hub(changed.qr)["reason"] == "content_mismatch"

    for text in ("", "hello", "http://kantor.desa/v/abc.def", "x" * 5000):
        assert verify_at_hub(text) == {"verdict": "invalid", "valid": False, "reason": "format",
                                       "village_code": "", "facts": {}}


def test_a_number_repeated_in_another_year_or_village_is_told_apart() -> None:
    key = add_village(CODE, "Sukamaju")
    other = add_village("3204122002", "Mekarsari")
    this_year = seal_letter(key, number="001/SKD", day=date(2026, 3, 2))
    last_year = seal_letter(key, number="001/SKD", day=date(2025, 3, 2), body="tahun lalu")
    elsewhere = seal_letter(other, village_code="3204122002", number="001/SKD", day=date(2026, 3, 2), body="lain")
    add_record(CODE, "letter", "old", {**last_year.record, "revoked_at": "2025-04-01 10:00:00"})
    add_record(CODE, "letter", "new", this_year.record)
    add_record("3204122002", "letter", "x", elsewhere.record)

    assert verify_at_hub(this_year.qr)["reason"] == "ok"
    assert verify_at_hub(last_year.qr)["reason"] == "revoked"
    assert verify_at_hub(elsewhere.qr)["facts"]["village_name"] == "Mekarsari"


def test_a_letter_deleted_at_the_village_is_unknown() -> None:
    key = add_village(CODE, "Sukamaju")
    letter = seal_letter(key)
    add_record(CODE, "letter", "u1", None)
    assert verify_at_hub(letter.qr)["reason"] == "unknown_letter"
