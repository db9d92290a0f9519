"""Offline update bundles: one tar of wheels with a manifest signed by the publisher's Ed25519 key.

An office without internet gets new releases on a USB stick, so the stick is the attack surface: anyone can put
a file on it. The device therefore trusts nothing in the bundle but the manifest's signature by a key in
`update_keys_dir` (installed by the image build, root-owned), and the manifest pins every wheel by SHA-256 and
size. Members are read by name from a strict list (no links, no paths, no extras), so a crafted tar can neither
write outside the staging folder nor slip in a wheel the publisher did not sign.

Layout: `manifest.json`, `manifest.sig` (base64 Ed25519 over the manifest's exact bytes), `wheels/<file>.whl`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from packaging.version import InvalidVersion, Version

from kiosk.services.errors import ServiceError

FORMAT = 1
PRODUCT = "balai"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
WHEEL_NAME = re.compile(r"^[A-Za-z0-9_.+-]{1,200}\.whl$")
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024  # a full release of wheels is ~60 MB; a GiB leaves room and stops a bomb
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_NOTES_CHARS = 4000


@dataclass(frozen=True)
class WheelEntry:
    file: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    version: str
    created_at: str
    notes: str
    wheels: tuple[WheelEntry, ...]
    key_id: str = ""  # which trusted key signed it (filled in by verification)

    @property
    def parsed_version(self) -> Version:
        return Version(self.version)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint people can compare by phone: the first 16 hex digits of SHA-256 of the raw key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key(private_path: Path, public_path: Path) -> str:
    """Make a publisher key pair; the private key never goes near a village device. Returns its key id."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    for path in (private_path, public_path):
        if path.exists():
            raise ServiceError("update.key_exists", path=str(path))
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_path.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                              serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(private.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ServiceError("update.key_unreadable", path=str(path)) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ServiceError("update.key_unreadable", path=str(path))
    return key


def trusted_keys(folder: Path) -> dict[str, Ed25519PublicKey]:
    """Every readable Ed25519 `*.pub` in `folder` by key id; unreadable files are skipped (and named nowhere)."""
    keys: dict[str, Ed25519PublicKey] = {}
    if not folder.is_dir():
        return keys
    for path in sorted(folder.glob("*.pub")):
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError, TypeError):
            continue
        if isinstance(key, Ed25519PublicKey):
            keys[key_id(key)] = key
    return keys


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_version(wheels: list[Path]) -> str:
    """The Balai version a set of wheels installs: from the one `balai-<version>-*.whl` among them."""
    found = [path.name.split("-")[1] for path in wheels if path.name.lower().startswith(f"{PRODUCT}-")]
    if len(found) != 1:
        raise ServiceError("update.no_balai_wheel")
    return found[0]


def pack(wheel_dir: Path, private_key: Ed25519PrivateKey, out: Path, notes: str = "",
         now: datetime | None = None) -> Manifest:
    """Write a signed bundle of every wheel in `wheel_dir` (the publisher's side, on a build machine)."""
    wheels = sorted(path for path in wheel_dir.glob("*.whl") if path.is_file())
    for path in wheels:
        if not WHEEL_NAME.match(path.name):
            raise ServiceError("update.bad_wheel_name", name=path.name)
    version = wheel_version(wheels)
    if len(notes) > MAX_NOTES_CHARS:
        raise ServiceError("update.notes_too_long", maximum=MAX_NOTES_CHARS)
    created = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entries = tuple(WheelEntry(path.name, _sha256(path), path.stat().st_size) for path in wheels)
    document = {"format": FORMAT, "product": PRODUCT, "version": version, "created_at": created, "notes": notes,
                "wheels": [{"file": e.file, "sha256": e.sha256, "size": e.size} for e in entries]}
    manifest_bytes = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    signature = base64.b64encode(private_key.sign(manifest_bytes))
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in ((MANIFEST, manifest_bytes), (SIGNATURE, signature)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, int((now or datetime.now(timezone.utc)).timestamp())
            tar.addfile(info, io.BytesIO(data))
        for path in wheels:
            tar.add(path, arcname=f"wheels/{path.name}", recursive=False)
    os.replace(partial, out)
    return Manifest(version, created, notes, entries, key_id(private_key.public_key()))


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Name -> member, refusing anything that is not a plain file at an expected name, and duplicates."""
    members: dict[str, tarfile.TarInfo] = {}
    for member in tar.getmembers():
        name = member.name
        if member.isdir() and name == "wheels":
            continue
        allowed = name in (MANIFEST, SIGNATURE) or (name.startswith("wheels/") and WHEEL_NAME.match(name[7:]))
        if not member.isreg() or not allowed or name in members:
            raise ServiceError("update.bundle_invalid")
        members[name] = member
    return members


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    if member.size > limit:
        raise ServiceError("update.bundle_invalid")
    handle = tar.extractfile(member)
    if handle is None:
        raise ServiceError("update.bundle_invalid")
    return handle.read(limit + 1)


def _parse_manifest(data: bytes) -> Manifest:
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != FORMAT or document.get("product") != PRODUCT:
            raise ServiceError("update.bundle_format")
        wheels = tuple(WheelEntry(str(w["file"]), str(w["sha256"]), int(w["size"])) for w in document["wheels"])
        manifest = Manifest(str(document["version"]), str(document["created_at"]),
                            str(document.get("notes", ""))[:MAX_NOTES_CHARS], wheels)
        manifest.parsed_version  # noqa: B018 - raises InvalidVersion for a version pip could not compare
    except ServiceError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, InvalidVersion) as error:
        raise ServiceError("update.bundle_invalid") from error
    names = [wheel.file for wheel in wheels]
    if len(set(names)) != len(names) or not all(WHEEL_NAME.match(name) for name in names):
        raise ServiceError("update.bundle_invalid")
    if wheel_version([Path(name) for name in names]) != manifest.version:
        raise ServiceError("update.bundle_invalid")
    return manifest


def read_manifest(bundle: Path, keys: dict[str, Ed25519PublicKey]) -> Manifest:
    """The bundle's manifest once its signature checks out against one of `keys`; wheels are not read yet."""
    tar = _open(bundle)
    with tar:
        members = _members(tar)
        if MANIFEST not in members or SIGNATURE not in members:
            raise ServiceError("update.bundle_invalid")
        manifest_bytes = _read_member(tar, members[MANIFEST], MAX_MANIFEST_BYTES)
        signature_text = _read_member(tar, members[SIGNATURE], 1024)
    if not keys:
        raise ServiceError("update.no_trusted_keys")
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ServiceError("update.signature_invalid") from error
    for kid, key in keys.items():
        try:
            key.verify(signature, manifest_bytes)
        except InvalidSignature:
            continue
        manifest = _parse_manifest(manifest_bytes)
        return Manifest(manifest.version, manifest.created_at, manifest.notes, manifest.wheels, kid)
    raise ServiceError("update.signature_invalid")


def _open(bundle: Path) -> tarfile.TarFile:
    try:
        if not bundle.is_file():
            raise ServiceError("update.bundle_missing", path=str(bundle))
        if bundle.stat().st_size > MAX_BUNDLE_BYTES:
            raise ServiceError("update.bundle_too_large")
        return tarfile.open(bundle, "r:")
    except (tarfile.TarError, OSError) as error:
        raise ServiceError("update.bundle_invalid") from error


def extract_wheels(bundle: Path, manifest: Manifest, target: Path) -> list[Path]:
    """Copy the signed wheels into `target`, each checked against its pinned size and SHA-256.

    The set of wheels in the tar must be exactly the manifest's: an extra file is as suspicious as a missing one.
    """
    expected = {wheel.file: wheel for wheel in manifest.wheels}
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        tar = _open(bundle)
        with tar:
            members = _members(tar)
            present = {name[7:] for name in members if name.startswith("wheels/")}
            if present != set(expected):
                raise ServiceError("update.bundle_tampered")
            for name, entry in expected.items():
                member = members[f"wheels/{name}"]
                if member.size != entry.size:
                    raise ServiceError("update.bundle_tampered")
                source = tar.extractfile(member)
                if source is None:
                    raise ServiceError("update.bundle_invalid")
                path = target / name
                digest = hashlib.sha256()
                with path.open("wb") as sink:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        digest.update(block)
                        sink.write(block)
                    sink.flush()
                    os.fsync(sink.fileno())
                written.append(path)
                if digest.hexdigest() != entry.sha256:
                    raise ServiceError("update.bundle_tampered")
    except (tarfile.TarError, OSError) as error:
        raise ServiceError("update.bundle_invalid") from error
    return written
