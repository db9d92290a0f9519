"""Verifying a letter's QR on the office server: the seal's signature, then what this office knows about it
(does the letter exist, does its content match, was it revoked).

`balai verify` on a laptop checks only the seal (it has no database); the server and the district hub can
also answer "revoked". Every answer carries a reason code the pages and the API translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.db import reading
from kiosk.models import LetterRequest, LetterType, Village
from kiosk.seal import SealReading, digits, read_seal

REASONS = ("ok", "format", "unknown_village", "signature", "unknown_letter", "content_mismatch", "revoked")


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    seal: SealReading
    type_name: str = ""
    signer_name: str = ""
    signer_title: str = ""
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = self.seal.as_dict()
        out.update(valid=self.valid, reason=self.reason, type_name=self.type_name, signer=self.signer_name,
                   revoked=self.revoked_at is not None, revoke_reason=self.revoke_reason)
        return out


def verify_qr(text: str, public_key: Ed25519PublicKey) -> Verification:
    """Check a QR text (URL or token) against this village's key and its letter book."""
    with reading():
        village = Village.get_or_none(Village.id == 1)
    if village is None:
        return Verification(False, "unknown_village", SealReading(False, "unknown_village"))
    seal = read_seal(text, {digits(village.code): public_key})
    if not seal.valid:
        return Verification(False, seal.reason, seal)
    with reading():
        row = (LetterRequest.select(LetterRequest, LetterType).join(LetterType)
               .where((LetterRequest.number == seal.number) & (LetterType.code == seal.type_code)
                      & (LetterRequest.letter_date == seal.letter_date.isoformat()))
               .first())
    if row is None:
        return Verification(False, "unknown_letter", seal)
    details = dict(type_name=row.letter_type.name, signer_name=row.signer_name or "",
                   signer_title=row.signer_title or "")
    if not seal.matches_content_hash(row.content_hash or ""):
        return Verification(False, "content_mismatch", seal, **details)
    if row.revoked_at is not None:
        return Verification(False, "revoked", seal, revoked_at=row.revoked_at, revoke_reason=row.revoke_reason or "",
                            **details)
    return Verification(True, "ok", seal, **details)
