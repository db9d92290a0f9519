"""The seal printed on a signed letter: a compact Ed25519-signed payload inside the QR code.

Pure (no database, no network), so the office server, `balai verify` on a laptop with no connection, and the
district hub all check a letter the same way, given the village's public key.

The QR holds a URL, so a phone on the office Wi-Fi opens the verification page directly:

    http://<server>/v/<base64url(body)>.<base64url(signature)>

`body` is UTF-8 text, fields separated by `|`: format version, village code (10 digits), letter number,
letter type code, letter date (YYYYMMDD), the subject's masked name, and the first 16 bytes of the SHA-256
of the letter's canonical content (base64url). ~230 characters in all: a QR a phone reads from paper.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = "1"
_TOKEN = re.compile(r"([A-Za-z0-9_-]{20,400})\.([A-Za-z0-9_-]{86})")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- keys -------------------------------------------------------------------------------------------------

def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """The village's signing key, made on this machine the first time (0600, written atomically)."""
    if path.exists():
        seed = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(seed) == 32:
            return Ed25519PrivateKey.from_private_bytes(seed)
        raise ValueError(f"{path} does not hold an Ed25519 key")
    key = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    from kiosk.private_file import write_private

    write_private(path, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex().encode("ascii"))
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as base64url of its 32 raw bytes: short enough to read out over the phone."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    raw = _unb64(text.strip())
    if len(raw) != 32:
        raise ValueError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_file_json(village_code: str, village_name: str, public_key: str) -> str:
    """What `balai key export` writes and `balai verify --key` reads."""
    return json.dumps({"format": "balai-village-key/1", "village_code": village_code, "village_name": village_name,
                       "public_key": public_key}, ensure_ascii=False, indent=2) + "\n"


def read_key_file(text: str) -> tuple[str, Ed25519PublicKey]:
    """(village code digits, public key) from an exported key file."""
    data = json.loads(text)
    if data.get("format") != "balai-village-key/1":
        raise ValueError("not a Balai village key file")
    return digits(str(data["village_code"])), public_key_from_text(str(data["public_key"]))


# --- payload ----------------------------------------------------------------------------------------------

def digits(code: str) -> str:
    return re.sub(r"\D", "", code)


def mask_name(name: str) -> str:
    """'SITI AMINAH' -> 'S**I A****H': enough to match the paper, not enough to learn a name from a QR."""
    words = []
    for word in name.split():
        if len(word) <= 2:
            words.append(word[0] + "*" * (len(word) - 1))
        else:
            words.append(word[0] + "*" * (len(word) - 2) + word[-1])
    return " ".join(words)


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of what a letter says: any change of a word changes it."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SealFacts:
    village_code: str   # 10 digits
    number: str
    type_code: str
    letter_date: date
    masked_name: str
    content_hash: str   # hex SHA-256; the seal carries its first 16 bytes

    def body(self) -> str:
        parts = [VERSION, digits(self.village_code), self.number, self.type_code,
                 self.letter_date.strftime("%Y%m%d"), self.masked_name,
                 _b64(bytes.fromhex(self.content_hash)[:16])]
        if any("|" in part for part in parts):
            raise ValueError("a seal field contains '|'")
        return "|".join(parts)


def make_seal(facts: SealFacts, key: Ed25519PrivateKey, base_url: str) -> str:
    """The QR text of a signed letter."""
    body = facts.body().encode("utf-8")
    return f"{base_url.rstrip('/')}/v/{_b64(body)}.{_b64(key.sign(body))}"


@dataclass(frozen=True)
class SealReading:
    """What a QR says, before and after checking the signature."""

    valid: bool
    reason: str            # "ok", "format", "unknown_village", "signature"
    village_code: str = ""
    number: str = ""
    type_code: str = ""
    letter_date: date | None = None
    masked_name: str = ""
    hash_prefix: str = ""  # base64url of the first 16 bytes of the content hash

    def matches_content_hash(self, full_hash_hex: str) -> bool:
        try:
            return _b64(bytes.fromhex(full_hash_hex)[:16]) == self.hash_prefix
        except ValueError:
            return False

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": self.reason, "village_code": self.village_code,
                "number": self.number, "type": self.type_code,
                "date": self.letter_date.isoformat() if self.letter_date else None, "name": self.masked_name}


def find_token(text: str) -> str | None:
    """The `<body>.<signature>` part of a QR text, a /v/ URL, or the token itself."""
    match = _TOKEN.search(text.strip())
    return match.group(0) if match else None


def read_seal(text: str, keys: Mapping[str, Ed25519PublicKey]) -> SealReading:
    """Decode and check a QR text against the public keys known here (village code digits -> key).

    Never raises for bad input: a damaged or forged QR is an answer ("TIDAK SAH"), not an error."""
    token = find_token(text)
    if token is None:
        return SealReading(False, "format")
    body_text, signature_text = token.split(".")
    try:
        body = _unb64(body_text)
        signature = _unb64(signature_text)
        parts = body.decode("utf-8").split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return SealReading(False, "format")
    if _b64(body) != body_text or _b64(signature) != signature_text:
        # Only the one canonical spelling is accepted: a changed character must never read as the same seal.
        return SealReading(False, "format")
    if len(parts) != 7 or parts[0] != VERSION or not re.fullmatch(r"\d{10}", parts[1]):
        return SealReading(False, "format")
    try:
        day = date(int(parts[4][:4]), int(parts[4][4:6]), int(parts[4][6:8]))
    except ValueError:
        return SealReading(False, "format")
    facts = dict(village_code=parts[1], number=parts[2], type_code=parts[3], letter_date=day,
                 masked_name=parts[5], hash_prefix=parts[6])
    key = keys.get(parts[1])
    if key is None:
        return SealReading(False, "unknown_village", **facts)
    try:
        key.verify(signature, body)
    except InvalidSignature:
        return SealReading(False, "signature", **facts)
    return SealReading(True, "ok", **facts)
