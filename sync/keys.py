"""Key files for sync: a 32-byte seed written once on the machine that owns it (0600, atomically).

The village signs with its letter-signing key (kiosk.seal); the hub has two keys of its own: Ed25519 to sign
acknowledgements and items it sends down, X25519 so villages can encrypt USB bundles to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.private_file import write_private
from kiosk.seal import public_key_from_text
from sync.protocol import ProtocolError, b64, unb64


def _load_or_create_seed(path: Path) -> bytes:
    if path.exists():
        seed = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(seed) != 32:
            raise ValueError(f"{path} does not hold a 32-byte key")
        return seed
    seed = os.urandom(32)
    write_private(path, seed.hex().encode("ascii"))
    return seed


def signing_key(path: Path) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_load_or_create_seed(path))


def box_key(path: Path) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_load_or_create_seed(path))


def public_text(key: Ed25519PrivateKey | X25519PrivateKey | Ed25519PublicKey | X25519PublicKey) -> str:
    """base64url of the 32 raw public bytes."""
    public = key.public_key() if isinstance(key, (Ed25519PrivateKey, X25519PrivateKey)) else key
    return b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def ed25519_public(text: str) -> Ed25519PublicKey:
    """A village's or the hub's key from its text (the same form as a letter seal's key), or ProtocolError."""
    try:
        return public_key_from_text(text)
    except (ValueError, TypeError) as error:
        raise ProtocolError("bad_key") from error


def x25519_public(text: str) -> X25519PublicKey:
    raw = unb64(text.strip())
    if len(raw) != 32:
        raise ProtocolError("bad_key")
    return X25519PublicKey.from_public_bytes(raw)


def fingerprint(public_text_value: str) -> str:
    """What two people compare over the phone: 4 groups of 4 characters of the key's SHA-256."""
    import hashlib

    digest = hashlib.sha256(public_text_value.encode("ascii")).hexdigest()[:16].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))

