"""The letter QR seal: a genuinely sealed payload always verifies; arbitrary text and every mutation of a real
seal is an answer ("not valid" with a reason), never an exception — on the office server (`verify_qr`),
offline (`read_seal`) and through `balai verify`."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.seal import SealFacts, find_token, key_file_json, make_seal, public_key_text, read_seal
from kiosk.services import letter_requests, letter_signing
from kiosk.services.letter_verify import REASONS, verify_qr
from kiosk.settings import Settings
from kiosk.verify_cli import run_verify
from tests.services.letters_support import make_world

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(3, 35)))
VILLAGE = "3204122001"
KEYS = {VILLAGE: KEY.public_key()}
BASE_URL = "http://192.168.1.10:8080"
SEAL_REASONS = ("ok", "format", "unknown_village", "signature")
FAST = settings(max_examples=150, deadline=None)
WITH_DB = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
field_text = st.text(alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cs",)),
                     min_size=1, max_size=24)
facts = st.builds(
    SealFacts,
    village_code=st.just(VILLAGE),
    number=field_text,
    type_code=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=12),
    letter_date=st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
    masked_name=field_text,
    content_hash=st.binary(min_size=32, max_size=32).map(bytes.hex),
)


@st.composite
def mutated_seal(draw: st.DrawFn, qr: str) -> str:
    """A real seal changed the way paper, a camera or a forger changes it."""
    kind = draw(st.sampled_from(["replace", "delete", "insert", "truncate", "swap_signature", "resign"]))
    token = find_token(qr)
    assert token is not None
    start = qr.index(token)
    at = draw(st.integers(start, len(qr) - 1))
    if kind == "replace":
        char = draw(st.sampled_from(B64).filter(lambda c: c != qr[at]))
        return qr[:at] + char + qr[at + 1:]
    if kind == "delete":
        return qr[:at] + qr[at + 1:]
    if kind == "insert":
        return qr[:at] + draw(st.sampled_from(B64 + "=./ ")) + qr[at:]
    if kind == "truncate":
        return qr[:at]
    body, _ = token.split(".")
    if kind == "swap_signature":  # someone else's signature over the same body
        return qr.replace(token, f"{body}.{draw(st.text(alphabet=B64, min_size=86, max_size=86))}")
    # a body changed and properly re-signed with a key that is not the village's
    import base64

    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    changed = raw.replace(b"|", b"|X", 1) if draw(st.booleans()) else raw
    sig = base64.urlsafe_b64encode(OTHER.sign(changed)).rstrip(b"=").decode()
    return qr.replace(token, base64.urlsafe_b64encode(changed).rstrip(b"=").decode() + "." + sig)


@FAST
@given(facts)
def test_a_sealed_payload_always_verifies_and_reads_back(sealed: SealFacts) -> None:
    body = sealed.body()
    # The QR keeps the body below 400 base64 characters (300 bytes); longer ones are not seals Balai makes.
    if len(body.encode()) > 300:
        return
    qr = make_seal(sealed, KEY, BASE_URL)
    reading = read_seal(qr, KEYS)
    assert reading.valid and reading.reason == "ok", (body, reading)
    assert (reading.number, reading.type_code, reading.letter_date, reading.masked_name) == (
        sealed.number, sealed.type_code, sealed.letter_date, sealed.masked_name)
    assert reading.matches_content_hash(sealed.content_hash)
    assert read_seal(find_token(qr) or "", KEYS).valid  # the bare token too
    assert read_seal(qr, {VILLAGE: OTHER.public_key()}).reason == "signature"
    assert read_seal(qr, {}).reason == "unknown_village"


@FAST
@given(st.one_of(st.text(), st.text(alphabet=B64 + "./:", max_size=600),
                 st.builds(lambda a, b: f"{BASE_URL}/v/{a}.{b}", st.text(alphabet=B64, min_size=20, max_size=400),
                           st.text(alphabet=B64, min_size=86, max_size=86))))
def test_arbitrary_text_is_never_a_valid_seal_and_never_raises(text: str) -> None:
    reading = read_seal(text, KEYS)
    assert not reading.valid and reading.reason in SEAL_REASONS
    json.dumps(reading.as_dict())


REAL_QR = make_seal(SealFacts(VILLAGE, "470/012/2001/XI/2026", "SKD", date(2026, 11, 22), "S**i A****h",
                              "ab" * 32), KEY, BASE_URL)


@FAST
@given(st.data())
def test_every_mutation_of_a_seal_is_not_valid(data: st.DataObject) -> None:
    changed = data.draw(mutated_seal(REAL_QR))
    reading = read_seal(changed, KEYS)
    if find_token(changed) == find_token(REAL_QR):
        return  # the change fell outside the token (e.g. a truncation after it): still the same seal
    assert not reading.valid and reading.reason in SEAL_REASONS, (changed, reading)


# --- a really signed letter, on the office server and through `balai verify` ----------------------------------

@pytest.fixture
def signed_letter(demo_db: Settings):
    world = make_world(demo_db)
    request = letter_requests.create_request("TES", world.siti, {"keperluan": "Bank"}, channel="operator",
                                             actor="op", checked=True)
    letter = letter_signing.sign(request.id, signer="kades", options=world.options)
    return letter, world


@WITH_DB
@given(data=st.data())
def test_a_signed_letter_verifies_and_its_mutations_do_not(signed_letter, data: st.DataObject) -> None:
    letter, world = signed_letter
    public = world.options.key.public_key()
    assert verify_qr(letter.qr, public).reason == "ok"
    changed = data.draw(st.one_of(mutated_seal(letter.qr), st.text(max_size=200)))
    result = verify_qr(changed, public)
    assert result.reason in REASONS
    if find_token(changed) != find_token(letter.qr):
        assert not result.valid, (changed, result)
    json.dumps(result.as_dict(), default=str)


@WITH_DB
@given(data=st.data())
def test_balai_verify_answers_every_text(signed_letter, data: st.DataObject) -> None:
    letter, world = signed_letter
    with tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "desa.pub.json"
        key_file.write_text(key_file_json("32.04.12.2001", "Sukamaju", public_key_text(world.options.key)))
        changed = data.draw(st.one_of(mutated_seal(letter.qr), st.text(max_size=200).filter(lambda t: "\x00" not in t
                                                                                             and t.strip())))
        for as_json in (True, False):
            out = io.StringIO()
            args = argparse.Namespace(key=[str(key_file)], target=changed, json=as_json, lang="id")
            with contextlib.redirect_stdout(out):
                code = run_verify(args, world.settings)
            expected = 0 if find_token(changed) == find_token(letter.qr) else 1
            assert code == expected, (changed, out.getvalue())
            if as_json:
                [answer] = json.loads(out.getvalue())
                assert answer["valid"] is (code == 0)
