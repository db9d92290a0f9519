"""USB bundles: the same sealed batches, carried on a stick when the link is down for weeks.

A bundle is a folder `balai-<village>-<UTC stamp>/` holding one encrypted file per batch and a signed
`manifest.json`. The manifest (batch ids and hashes only, no personal data) is signed with the village's
Ed25519 key; each batch file is encrypted to the district's X25519 key (ephemeral X25519 + HKDF-SHA256 ->
ChaCha20-Poly1305, the batch id as associated data), so a lost stick reveals nothing and a changed byte is
detected. The hub decrypts each batch and hands the exact bytes to the same ingest as the network path:
a bundle imported twice, or both by USB and by network in any order, changes nothing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync.keys import public_text, x25519_public
from sync.protocol import (MAX_BATCH_BYTES, ProtocolError, b64, canonical_json, parse_batch_id, sha256_hex, sign,
                           unb64, verify)

FORMAT = "balai-bundle/1"
MANIFEST = "manifest.json"
MAX_FILE_BYTES = MAX_BATCH_BYTES + 64


@dataclass(frozen=True)
class BundleBatch:
    batch_id: str
    sha256: str
    body: bytes


@dataclass
class OpenedBundle:
    village: str
    created_at: str
    batches: list[BundleBatch] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file or batch id, reason)


def _key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + recipient_public,
                info=FORMAT.encode()).derive(shared)


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_bundle(out_dir: Path, village: str, batches: list[tuple[str, str, bytes]], key: Ed25519PrivateKey,
                 hub_box_key: str) -> Path:
    """Write `batches` ((batch id, sha256, body), ...) as a bundle folder under `out_dir`; returns the folder.

    The manifest is written last (and fsynced), so a stick pulled out mid-copy leaves a folder the hub
    ignores instead of half a bundle.
    """
    recipient = x25519_public(hub_box_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = unb64(public_text(ephemeral))
    recipient_raw = unb64(hub_box_key)
    cipher = ChaCha20Poly1305(_key(ephemeral.exchange(recipient), ephemeral_public, recipient_raw))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = out_dir / f"balai-{village}-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    entries = []
    for number, (batch_id, sha, body) in enumerate(batches, start=1):
        name = f"{number:05d}.bin"
        nonce = os.urandom(12)
        _fsync_write(folder / name, nonce + cipher.encrypt(nonce, body, batch_id.encode()))
        entries.append({"file": name, "batch_id": batch_id, "sha256": sha, "size": len(body)})
    manifest: dict[str, Any] = {"format": FORMAT, "village": village, "created_at": stamp,
                                "ephemeral_key": b64(ephemeral_public), "recipient_key": hub_box_key,
                                "batches": entries}
    manifest["signature"] = sign(key, canonical_json(manifest))
    _fsync_write(folder / MANIFEST, json.dumps(manifest, indent=1).encode())
    return folder


def find_bundles(root: Path) -> list[Path]:
    """Bundle folders at or below `root` (a stick's mount point, or the folder itself), oldest first."""
    if (root / MANIFEST).is_file():
        return [root]
    return sorted(p.parent for p in root.glob(f"*/{MANIFEST}") if p.parent.name.startswith("balai-"))


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if path.stat().st_size > 1_000_000:
        raise ProtocolError("manifest_too_large")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError("manifest_unreadable", str(error)[:100]) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("batches"), list):
        raise ProtocolError("manifest_unreadable", "not a Balai bundle")
    return manifest


def open_bundle(folder: Path, village_key: Ed25519PublicKey, box: X25519PrivateKey) -> OpenedBundle:
    """Check the manifest's signature (whole bundle refused if it fails) and decrypt each batch (a batch
    that fails to decrypt or hash is refused alone)."""
    manifest = read_manifest(folder)
    signature = str(manifest.pop("signature", ""))
    if not verify(village_key, canonical_json(manifest), signature):
        raise ProtocolError("bundle_signature", "the manifest is not signed by this village's key")
    if manifest.get("recipient_key") != public_text(box):
        raise ProtocolError("bundle_recipient", "this bundle is encrypted for another hub")
    try:  # a signed manifest may still be malformed (a broken exporter): refused, not a crash
        ephemeral_public = unb64(str(manifest.get("ephemeral_key", "")))
        shared = box.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError as error:
        raise ProtocolError("manifest_unreadable", "bad ephemeral key") from error
    cipher = ChaCha20Poly1305(_key(shared, ephemeral_public, unb64(public_text(box))))
    opened = OpenedBundle(str(manifest.get("village", "")), str(manifest.get("created_at", "")))
    for entry in manifest["batches"]:
        if not isinstance(entry, dict):
            opened.problems.append((str(entry)[:80], "bad_entry"))
            continue
        name, batch_id, sha = str(entry.get("file", "")), str(entry.get("batch_id", "")), str(entry.get("sha256", ""))
        path = folder / name
        try:
            parse_batch_id(batch_id)
            if "/" in name or name.startswith(".") or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                raise ProtocolError("file_missing")
            raw = path.read_bytes()
            body = cipher.decrypt(raw[:12], raw[12:], batch_id.encode())
        except (ProtocolError, InvalidTag, ValueError, OSError) as error:
            opened.problems.append((batch_id or name, getattr(error, "code", "decrypt_failed")))
            continue
        if sha256_hex(body) != sha:
            opened.problems.append((batch_id, "hash_mismatch"))
            continue
        opened.batches.append(BundleBatch(batch_id, sha, body))
    return opened


def village_of(folder: Path) -> str:
    """The village a bundle claims to come from (to look up its key before checking the signature)."""
    return str(read_manifest(folder).get("village", ""))
