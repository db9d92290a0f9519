"""The wire format shared by the village uploader, USB bundles and the district hub.

A *batch* carries journal changes `first..last` of one (village, epoch): each change is (seq, entity, key,
record-or-tombstone). Its id is `<village>:<epoch>:<first>-<last>` and its identity is that id plus the
SHA-256 of its exact bytes. A batch is sealed once on the village and stored, so a resend (network or
USB) is byte-identical: the hub can tell "the same batch again" (fine) from "a different batch with the same
id" (a hard error: two databases claim the same sequence numbers).

Body: zstd-compressed JSON, at most 64 KB on the wire. Version 2 (current) stores each entity's records as
columns + rows, which compresses to well under the 150 bytes per change we aim for; version 1 (one object
per change) is still accepted and upgraded by `decode_batch`, so a village that has not been updated yet
keeps syncing.

Requests are signed with the village's Ed25519 key over method, path, village, the village's clock, its
pending count and oldest pending age, and the body's hash. The hub signs its acknowledgements and what it
sends back with its own key, so a forged "received" can never make a village forget unsent data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import zstandard
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CURRENT_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
MAX_BATCH_BYTES = 64 * 1024          # compressed, on the wire
MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024  # a batch that inflates beyond this is refused (zip bomb)
ZSTD_LEVEL = 12
VILLAGE_CODE = re.compile(r"^\d{10}$")
EPOCH = re.compile(r"^[0-9a-f]{16}$")
BATCH_ID = re.compile(r"^(\d{10}):([0-9a-f]{16}):(\d{1,18})-(\d{1,18})$")
KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
ENTITY = re.compile(r"^[a-z_]{1,32}$")

# Headers of a signed request. The time is the village's clock: recorded (skew), never trusted for order.
H_VILLAGE = "X-Balai-Village"
H_TIME = "X-Balai-Time"
H_PENDING = "X-Balai-Pending"
H_OLDEST = "X-Balai-Oldest-Pending"
H_SIGNATURE = "X-Balai-Signature"
H_BATCH_SHA = "X-Balai-Batch-Sha256"
H_HUB_SIGNATURE = "X-Balai-Hub-Signature"


class ProtocolError(ValueError):
    """Bytes that are not a well-formed batch, bundle or signed message. `code` is stable for the other side."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Change:
    seq: int
    entity: str
    key: str
    data: dict[str, Any] | None  # None: the record no longer exists


@dataclass
class Batch:
    village: str
    epoch: str
    first: int
    last: int
    sealed_at: str
    changes: list[Change] = field(default_factory=list)
    version: int = CURRENT_VERSION  # the version it was written in; decoded changes are always current-shaped

    @property
    def batch_id(self) -> str:
        return batch_id(self.village, self.epoch, self.first, self.last)


def batch_id(village: str, epoch: str, first: int, last: int) -> str:
    return f"{village}:{epoch}:{first}-{last}"


def parse_batch_id(text: str) -> tuple[str, str, int, int]:
    match = BATCH_ID.match(text)
    if not match:
        raise ProtocolError("bad_batch_id", text[:80])
    first, last = int(match.group(3)), int(match.group(4))
    if first > last or first < 1:
        raise ProtocolError("bad_batch_id", text[:80])
    return match.group(1), match.group(2), first, last


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ProtocolError("bad_base64") from error


# --- batches ----------------------------------------------------------------------------------------------

def _tables(changes: Iterable[Change]) -> list[dict[str, Any]]:
    """Group changes per entity; each table lists the union of its records' columns once."""
    tables: dict[str, dict[str, Any]] = {}
    for change in changes:
        table = tables.setdefault(change.entity, {"entity": change.entity, "cols": [], "rows": [], "_index": {}})
        if change.data is None:
            table["rows"].append([change.seq, change.key, None])
            continue
        index = table["_index"]
        for name in change.data:
            if name not in index:
                index[name] = len(table["cols"])
                table["cols"].append(name)
        table["rows"].append([change.seq, change.key, change.data])
    out = []
    for table in tables.values():
        columns = table.pop("cols")
        index = table.pop("_index")
        rows = []
        for seq, key, data in table["rows"]:
            if data is None:
                rows.append([seq, key, None])
                continue
            values: list[Any] = [None] * len(columns)
            for name, value in data.items():
                values[index[name]] = value
            rows.append([seq, key, values])
        out.append({"entity": table["entity"], "cols": columns, "rows": rows})
    return out


def encode_batch(batch: Batch, level: int = ZSTD_LEVEL) -> bytes:
    """The batch's bytes on the wire (version 2). Deterministic for the same batch and zstd release."""
    document = {"v": CURRENT_VERSION, "village": batch.village, "epoch": batch.epoch, "first": batch.first,
                "last": batch.last, "sealed_at": batch.sealed_at, "tables": _tables(batch.changes)}
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=False, default=str)
    return zstandard.ZstdCompressor(level=level).compress(raw.encode("utf-8"))


def encode_batch_v1(batch: Batch) -> bytes:
    """The first wire format (one object per change). Only old villages send it; tests prove the hub reads it."""
    document = {"v": 1, "village": batch.village, "epoch": batch.epoch, "first": batch.first, "last": batch.last,
                "sealed_at": batch.sealed_at,
                "changes": [{"seq": c.seq, "entity": c.entity, "key": c.key, "data": c.data} for c in batch.changes]}
    return zstandard.ZstdCompressor(level=3).compress(json.dumps(document, default=str).encode("utf-8"))


def _inflate(body: bytes) -> Any:
    if len(body) > MAX_BATCH_BYTES:
        raise ProtocolError("too_large", f"{len(body)} bytes")
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(body)
        raw = reader.read(MAX_DECOMPRESSED_BYTES + 1)
    except zstandard.ZstdError as error:
        raise ProtocolError("not_zstd", str(error)) from error
    if len(raw) > MAX_DECOMPRESSED_BYTES:
        raise ProtocolError("too_large", "inflates beyond the limit")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError("not_json", str(error)[:120]) from error


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 2**62:
        raise ProtocolError("bad_field", name)
    return value


def _header(document: Any) -> Batch:
    if not isinstance(document, dict):
        raise ProtocolError("bad_document")
    version = document.get("v")
    if version not in SUPPORTED_VERSIONS:
        raise ProtocolError("unsupported_version", str(version)[:20])
    village, epoch = document.get("village"), document.get("epoch")
    if not isinstance(village, str) or not VILLAGE_CODE.match(village):
        raise ProtocolError("bad_field", "village")
    if not isinstance(epoch, str) or not EPOCH.match(epoch):
        raise ProtocolError("bad_field", "epoch")
    first, last = _int(document.get("first"), "first"), _int(document.get("last"), "last")
    if first < 1 or first > last:
        raise ProtocolError("bad_field", "range")
    sealed_at = document.get("sealed_at")
    return Batch(village, epoch, first, last, sealed_at if isinstance(sealed_at, str) else "", version=version)


def _changes_v1(document: dict[str, Any]) -> list[tuple[Any, Any, Any, Any]]:
    changes = document.get("changes")
    if not isinstance(changes, list):
        raise ProtocolError("bad_field", "changes")
    out = []
    for item in changes:
        if not isinstance(item, dict):
            raise ProtocolError("bad_field", "change")
        out.append((item.get("seq"), item.get("entity"), item.get("key"), item.get("data")))
    return out


def _changes_v2(document: dict[str, Any]) -> list[tuple[Any, Any, Any, Any]]:
    tables = document.get("tables")
    if not isinstance(tables, list):
        raise ProtocolError("bad_field", "tables")
    out = []
    for table in tables:
        if not isinstance(table, dict) or not isinstance(table.get("cols"), list) \
                or not isinstance(table.get("rows"), list):
            raise ProtocolError("bad_field", "table")
        columns = table["cols"]
        if not all(isinstance(c, str) for c in columns):
            raise ProtocolError("bad_field", "cols")
        for row in table["rows"]:
            if not isinstance(row, list) or len(row) != 3:
                raise ProtocolError("bad_field", "row")
            seq, key, values = row
            if values is None:
                data = None
            elif isinstance(values, list) and len(values) == len(columns):
                data = {name: value for name, value in zip(columns, values) if value is not None}
            else:
                data = values  # left for the per-record check to refuse, without blocking the rest
            out.append((seq, table.get("entity"), key, data))
    return out


def decode_batch(body: bytes) -> tuple[Batch, list[tuple[int, str]]]:
    """The batch in `body`, upgraded to the current shape, plus the changes that are malformed one by one.

    Whole-batch problems (not zstd, not JSON, wrong header, a sequence outside the range) raise
    ProtocolError; a single malformed change is returned as (seq, reason) so the hub can refuse it and still
    store the rest.
    """
    document = _inflate(body)
    batch = _header(document)
    raw = _changes_v1(document) if batch.version == 1 else _changes_v2(document)
    problems: list[tuple[int, str]] = []
    seen: set[int] = set()
    for seq, entity, key, data in raw:
        seq = _int(seq, "seq")
        if not batch.first <= seq <= batch.last or seq in seen:
            raise ProtocolError("bad_field", f"seq {seq} outside {batch.first}-{batch.last} or repeated")
        seen.add(seq)
        if not isinstance(entity, str) or not ENTITY.match(entity):
            problems.append((seq, "bad_entity"))
        elif not isinstance(key, str) or not KEY.match(key):
            problems.append((seq, "bad_key"))
        elif data is not None and not isinstance(data, dict):
            problems.append((seq, "bad_record"))
        else:
            batch.changes.append(Change(seq, entity, key, data))
    batch.changes.sort(key=lambda change: change.seq)
    return batch, problems


# --- signatures -------------------------------------------------------------------------------------------

def request_message(method: str, path: str, village: str, moment: str, pending: str, oldest: str,
                    body: bytes) -> bytes:
    """What a village signs for one request: everything the hub acts on or records."""
    return "\n".join(["balai-sync/1", method.upper(), path, village, moment, pending, oldest,
                      sha256_hex(body)]).encode("utf-8")


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return b64(key.sign(message))


def verify(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public.verify(unb64(signature), message)
        return True
    except (InvalidSignature, ProtocolError, ValueError):
        return False


def canonical_json(value: Mapping[str, Any] | list[Any]) -> bytes:
    """The bytes a hub document is signed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def hub_message(kind: str, document: Mapping[str, Any]) -> bytes:
    """What the hub signs: an acknowledgement, a status answer or pulled items, bound to their kind."""
    return b"balai-hub/1\n" + kind.encode("ascii") + b"\n" + canonical_json(document)
