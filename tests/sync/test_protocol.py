"""The wire format: round trips, the old version upgraded, malformed input refused with a stable code."""

from __future__ import annotations

import json

import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.protocol import (MAX_BATCH_BYTES, Batch, Change, ProtocolError, decode_batch, encode_batch, encode_batch_v1,
                           parse_batch_id, request_message, sign, verify)

EPOCH = "0001a1b2c3d4e5f6"


def _batch() -> Batch:
    return Batch("3204122001", EPOCH, 5, 9, "2026-11-23 10:00:00", [
        Change(5, "penduduk", "u-1", {"nik": "3204120101800001", "nama": "Siti Aminah", "sex": 2}),
        Change(7, "keluarga", "k-1", {"no_kk": "3204120101800002", "alamat": "Jl. Mawar"}),
        Change(9, "penduduk", "u-2", None),
    ])


def test_round_trip_keeps_every_change_and_drops_nothing() -> None:
    batch, problems = decode_batch(encode_batch(_batch()))
    assert problems == []
    assert batch.batch_id == f"3204122001:{EPOCH}:5-9"
    assert batch.changes == _batch().changes
    assert batch.version == 2


def test_version_1_is_read_and_upgraded_to_the_same_changes() -> None:
    batch, problems = decode_batch(encode_batch_v1(_batch()))
    assert problems == [] and batch.version == 1
    assert batch.changes == _batch().changes


def test_a_bad_change_is_reported_alone() -> None:
    raw = {"v": 1, "village": "3204122001", "epoch": EPOCH, "first": 1, "last": 3, "changes": [
        {"seq": 1, "entity": "penduduk", "key": "ok-1", "data": {"nama": "A"}},
        {"seq": 2, "entity": "Robert'); DROP TABLE", "key": "x", "data": {}},
        {"seq": 3, "entity": "penduduk", "key": "k" * 200, "data": {}},
    ]}
    body = zstandard.ZstdCompressor().compress(json.dumps(raw).encode())
    batch, problems = decode_batch(body)
    assert [c.key for c in batch.changes] == ["ok-1"]
    assert problems == [(2, "bad_entity"), (3, "bad_key")]


@pytest.mark.parametrize("body, code", [
    (b"not zstd at all", "not_zstd"),
    (zstandard.ZstdCompressor().compress(b"{not json"), "not_json"),
    (zstandard.ZstdCompressor().compress(b'{"v": 9}'), "unsupported_version"),
    (zstandard.ZstdCompressor().compress(b'{"v": 2, "village": "32.04", "epoch": "0001a1b2c3d4e5f6"}'), "bad_field"),
    (b"\x00" * (MAX_BATCH_BYTES + 1), "too_large"),
])
def test_whole_batch_refusals_have_stable_codes(body: bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_batch(body)
    assert raised.value.code == code


def test_a_zip_bomb_is_refused_without_inflating_it() -> None:
    bomb = zstandard.ZstdCompressor(level=19).compress(b'{"v":2,"pad":"' + b"a" * 20_000_000 + b'"}')
    assert len(bomb) < MAX_BATCH_BYTES
    with pytest.raises(ProtocolError) as raised:
        decode_batch(bomb)
    assert raised.value.code == "too_large"


def test_a_sequence_outside_the_range_refuses_the_batch() -> None:
    batch = _batch()
    batch.changes.append(Change(10, "penduduk", "u-3", {}))
    with pytest.raises(ProtocolError):
        decode_batch(encode_batch(batch))


def test_batch_ids_parse_and_refuse_nonsense() -> None:
    assert parse_batch_id(f"3204122001:{EPOCH}:1-64") == ("3204122001", EPOCH, 1, 64)
    for bad in ("3204122001:zz:1-2", f"3204122001:{EPOCH}:5-4", f"3204122001:{EPOCH}:0-4", "../../etc"):
        with pytest.raises(ProtocolError):
            parse_batch_id(bad)


def test_request_signatures_bind_every_field() -> None:
    key = Ed25519PrivateKey.generate()
    message = request_message("POST", "/api/hub/v1/batches", "3204122001", "2026-11-23T10:00:00", "5", "60", b"body")
    signature = sign(key, message)
    assert verify(key.public_key(), message, signature)
    for changed in (request_message("POST", "/api/hub/v1/batches", "3204122002", "2026-11-23T10:00:00", "5", "60",
                                    b"body"),
                    request_message("POST", "/api/hub/v1/batches", "3204122001", "2026-11-23T10:00:00", "5", "60",
                                    b"bodY")):
        assert not verify(key.public_key(), changed, signature)
    assert not verify(key.public_key(), message, "not-base64!!")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_the_decoder_never_crashes_on_random_bytes(body: bytes) -> None:
    try:
        decode_batch(body)
    except ProtocolError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=30))
def test_the_decoder_never_crashes_on_random_json(document: object) -> None:
    body = zstandard.ZstdCompressor().compress(json.dumps(document).encode())
    try:
        decode_batch(body)
    except ProtocolError:
        pass
