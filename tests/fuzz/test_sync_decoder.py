"""Sync batches and USB bundles: random and mutated bytes are refused with the protocol's own errors (never
another exception), a changed body never passes a signature check, and a refused batch leaves the hub's store
exactly as it was."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sync.bundle import MANIFEST, open_bundle, write_bundle
from sync.hub.ingest import IngestError, ingest
from sync.hub.store import (HubBatch, HubRange, HubRecord, HubRejection, HubVillage, close_hub_database,
                            hub_database, open_hub_database)
from sync.keys import public_text
from sync.protocol import (ENTITY, KEY, Batch, Change, ProtocolError, canonical_json, decode_batch, encode_batch,
                           encode_batch_v1, request_message, sha256_hex, sign, verify)

VILLAGE = "3204122001"
EPOCH = "0001a1b2c3d4e5f6"
PERSON = {"nik": "3204124508900003", "nama": "Siti Aminah", "sex": 2}
FAST = settings(max_examples=150, deadline=None)
WITH_STORE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _batch(first: int = 1, last: int = 4) -> Batch:
    return Batch(VILLAGE, EPOCH, first, last, "2026-11-23 10:00:00", [
        Change(first, "penduduk", "p1", PERSON),
        Change(first + 1, "keluarga", "k1", {"no_kk": "3204121503100001", "alamat": "Jl. Mawar 3"}),
        Change(last, "penduduk", "p2", None),
    ])


VALID = {1: encode_batch_v1(_batch()), 2: encode_batch(_batch())}


@st.composite
def mutated(draw: st.DrawFn, body: bytes) -> bytes:
    """One of: flip bits of one byte, truncate, extend, insert or delete bytes; always different from `body`."""
    kind = draw(st.sampled_from(["flip", "truncate", "extend", "insert", "delete"]))
    if kind == "flip":
        at = draw(st.integers(0, len(body) - 1))
        mask = draw(st.integers(1, 255))
        return body[:at] + bytes([body[at] ^ mask]) + body[at + 1:]
    if kind == "truncate":
        return body[:draw(st.integers(0, len(body) - 1))]
    if kind == "extend":
        return body + draw(st.binary(min_size=1, max_size=64))
    at = draw(st.integers(0, len(body) - 1))
    if kind == "insert":
        return body[:at] + draw(st.binary(min_size=1, max_size=8)) + body[at:]
    return body[:at] + body[at + draw(st.integers(1, 8)):]


def _well_formed(batch: Batch, problems: list[tuple[int, str]]) -> None:
    """A batch that decodes anyway (zstd frames carry no checksum here) is still internally consistent."""
    seqs = [c.seq for c in batch.changes] + [seq for seq, _ in problems]
    assert len(seqs) == len(set(seqs)) and all(batch.first <= s <= batch.last for s in seqs)
    for change in batch.changes:
        assert ENTITY.match(change.entity) and KEY.match(change.key)
        assert change.data is None or isinstance(change.data, dict)


@FAST
@given(st.data())
def test_mutated_batches_decode_or_raise_protocol_error(data: st.DataObject) -> None:
    version = data.draw(st.sampled_from([1, 2]))
    body = data.draw(mutated(VALID[version]))
    try:
        batch, problems = decode_batch(body)
    except ProtocolError as error:
        assert error.code
        return
    _well_formed(batch, problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**63) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@FAST
@given(st.data())
def test_valid_documents_with_one_field_replaced_never_crash_the_decoder(data: st.DataObject) -> None:
    """Structure-aware: keep a real batch document and replace one field, table, row or value with anything."""
    document = json.loads(zstandard.ZstdDecompressor().decompress(VALID[2]))
    target = data.draw(st.sampled_from(["v", "village", "epoch", "first", "last", "sealed_at", "tables", "table",
                                        "cols", "rows", "row", "cell"]))
    junk = data.draw(json_values)
    table = document["tables"][0]
    if target in document:
        document[target] = junk
    elif target == "table":
        document["tables"][0] = junk
    elif target in ("cols", "rows"):
        table[target] = junk
    elif target == "row":
        table["rows"][0] = junk
    else:
        table["rows"][0][data.draw(st.integers(0, 2))] = junk
    body = zstandard.ZstdCompressor().compress(json.dumps(document).encode())
    try:
        batch, problems = decode_batch(body)
    except ProtocolError:
        return
    _well_formed(batch, problems)


# --- the hub's store ------------------------------------------------------------------------------------------

@pytest.fixture
def hub_store() -> Iterator[None]:
    with tempfile.TemporaryDirectory() as folder:
        open_hub_database("", Path(folder))
        with hub_database.connection_context():
            HubVillage.create(village_id=VILLAGE, public_key="x", enrolled_at="2026-01-01 00:00:00")
        yield
        close_hub_database()


def _store_state() -> tuple:
    with hub_database.connection_context():
        return tuple(sorted(tuple(row.values()) for row in model.select().dicts())
                     for model in (HubBatch, HubRecord, HubRejection, HubRange))


@WITH_STORE
@given(st.data())
def test_a_mutated_batch_is_refused_whole_or_stored_whole(hub_store: None, data: st.DataObject) -> None:
    version = data.draw(st.sampled_from([1, 2]))
    original = VALID[version]
    body = data.draw(mutated(original))
    before = _store_state()
    # The sender announced the hash of what it sent: any change on the way is refused before decoding.
    with pytest.raises(IngestError) as refused:
        with hub_database.connection_context():
            ingest(VILLAGE, body, claimed_sha256=sha256_hex(original))
    assert refused.value.code == "hash_mismatch"
    assert _store_state() == before
    # Without a claimed hash (the request signature covers it instead): all or nothing.
    try:
        with hub_database.connection_context():
            result = ingest(VILLAGE, body)
    except IngestError as error:
        assert error.code in ("bad_batch", "wrong_village", "conflict")
        assert _store_state() == before
        return
    after = _store_state()
    if result.duplicate:
        assert after == before
    else:
        assert len(after[0]) == len(before[0]) + 1  # exactly one batch row, with its records and range


@WITH_STORE
@given(st.binary(max_size=512))
def test_random_bytes_never_touch_the_store(hub_store: None, body: bytes) -> None:
    before = _store_state()
    with pytest.raises(IngestError) as refused:
        with hub_database.connection_context():
            ingest(VILLAGE, body)
    assert refused.value.code == "bad_batch"
    assert _store_state() == before


# --- request signatures ---------------------------------------------------------------------------------------

KEY_A = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY_B = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def _message(body: bytes) -> bytes:
    return request_message("POST", "/api/hub/v1/batches", VILLAGE, "2026-11-23T10:00:00", "3", "60", body)


@FAST
@given(st.data())
def test_a_changed_body_or_another_key_never_passes_the_request_signature(data: st.DataObject) -> None:
    original = VALID[2]
    signature = sign(KEY_A, _message(original))
    assert verify(KEY_A.public_key(), _message(original), signature)
    body = data.draw(mutated(original))
    assert not verify(KEY_A.public_key(), _message(body), signature)
    # re-signed by someone else's key: refused by the village's public key
    assert not verify(KEY_A.public_key(), _message(body), sign(KEY_B, _message(body)))
    assert not verify(KEY_A.public_key(), _message(original), sign(KEY_B, _message(original)))


@FAST
@given(st.text(max_size=120))
def test_signature_text_of_any_shape_is_a_plain_no(signature: str) -> None:
    assert verify(KEY_A.public_key(), _message(VALID[2]), signature) is False


# --- USB bundles ----------------------------------------------------------------------------------------------

BOX = X25519PrivateKey.from_private_bytes(bytes(range(2, 34)))


@pytest.fixture(scope="module")
def bundle_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        batches = []
        for first, last in ((1, 4), (5, 8)):
            body = encode_batch(_batch(first, last))
            batches.append((f"{VILLAGE}:{EPOCH}:{first}-{last}", sha256_hex(body), body))
        yield write_bundle(Path(folder), VILLAGE, batches, KEY_A, public_text(BOX))


def _copy(folder: Path, target: Path) -> Path:
    shutil.copytree(folder, target)
    return target


def test_an_untouched_bundle_opens(bundle_folder: Path) -> None:
    opened = open_bundle(bundle_folder, KEY_A.public_key(), BOX)
    assert opened.problems == [] and len(opened.batches) == 2 and opened.village == VILLAGE


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_tampered_bundle_file_is_refused_by_the_protocol(bundle_folder: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from([MANIFEST, "00001.bin", "00002.bin"]))
    with tempfile.TemporaryDirectory() as scratch:
        folder = _copy(bundle_folder, Path(scratch) / bundle_folder.name)
        original = (folder / name).read_bytes()
        changed = data.draw(mutated(original))
        (folder / name).write_bytes(changed)
        try:
            opened = open_bundle(folder, KEY_A.public_key(), BOX)
        except ProtocolError as error:
            assert name == MANIFEST and error.code in ("manifest_unreadable", "bundle_signature")
            return
    if name == MANIFEST:
        # only a change JSON does not see (white space) leaves the signed manifest intact
        assert json.loads(changed) == json.loads(original)
        assert len(opened.batches) == 2
    else:
        refused = {batch_id for batch_id, _ in opened.problems}
        assert len(opened.batches) == 1 and len(refused) == 1  # the other batch still opens


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_manifest_changed_and_signed_with_another_key_is_refused(bundle_folder: Path,
                                                                    data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = _copy(bundle_folder, Path(scratch) / bundle_folder.name)
        manifest = json.loads((folder / MANIFEST).read_text())
        manifest.pop("signature")
        field = data.draw(st.sampled_from(sorted(manifest)))
        manifest[field] = data.draw(json_values)
        manifest["signature"] = sign(KEY_B, canonical_json(manifest))
        (folder / MANIFEST).write_text(json.dumps(manifest))
        with pytest.raises(ProtocolError) as refused:
            open_bundle(folder, KEY_A.public_key(), BOX)
    assert refused.value.code in ("bundle_signature", "manifest_unreadable")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_correctly_signed_but_malformed_manifest_is_refused_by_the_protocol(bundle_folder: Path,
                                                                               data: st.DataObject) -> None:
    """A village's own key over nonsense (a bug or a broken exporter): refused, never a crash of the import."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = _copy(bundle_folder, Path(scratch) / bundle_folder.name)
        manifest = json.loads((folder / MANIFEST).read_text())
        manifest.pop("signature")
        field = data.draw(st.sampled_from(["ephemeral_key", "batches", "batch_entry", "entry_field", "village"]))
        junk = data.draw(json_values)
        if field == "batch_entry":
            manifest["batches"][0] = junk
        elif field == "entry_field":
            manifest["batches"][0][data.draw(st.sampled_from(["file", "batch_id", "sha256"]))] = junk
        else:
            manifest[field] = junk
        assume(json.loads(json.dumps(manifest)) == manifest)
        manifest["signature"] = sign(KEY_A, canonical_json(manifest))
        (folder / MANIFEST).write_text(json.dumps(manifest))
        try:
            opened = open_bundle(folder, KEY_A.public_key(), BOX)
        except ProtocolError:
            return
    assert len(opened.batches) + len(opened.problems) <= 2 or field == "batches"
