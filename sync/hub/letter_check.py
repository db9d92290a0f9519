"""The district checks any village's letter: the seal's signature against the key the village enrolled with,
then what the village reported about that letter (does it exist, does its content match, was it revoked).

The same reasons as the office's own check (kiosk.services.letter_verify), so an answer reads the same
wherever it is given. One difference: the hub knows a letter only once the village has synced it, so
`unknown_letter` here may also mean "not sent yet" — the page says so.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.seal import SealReading, public_key_from_text, read_seal
from sync.hub.overview import json_text
from sync.hub.store import HubRecord, HubVillage, hub_database

log = logging.getLogger(__name__)

REASONS = ("ok", "format", "unknown_village", "signature", "unknown_letter", "content_mismatch", "revoked")
MAX_TEXT = 2000  # a real seal URL is ~250 characters; anything much longer is not one


def _answer(reason: str, seal: SealReading | None = None, village_name: str = "",
            letter: dict[str, Any] | None = None) -> dict[str, Any]:
    """The verdict, and the facts only when the village's signature on them checked out: a forged QR must not
    be able to put words on the district's screen."""
    valid = reason == "ok"
    out: dict[str, Any] = {"verdict": "valid" if valid else "invalid", "valid": valid, "reason": reason,
                           "village_code": seal.village_code if seal is not None else "", "facts": {}}
    if seal is not None and seal.valid:
        letter = letter or {}
        out["facts"] = {
            "village_code": seal.village_code, "village_name": village_name, "number": seal.number,
            "type": seal.type_code, "type_name": str(letter.get("type_name") or ""),
            "date": seal.letter_date.isoformat() if seal.letter_date else "", "name": seal.masked_name,
            "signer": str(letter.get("signer_name") or ""), "signer_title": str(letter.get("signer_title") or ""),
            "revoked_at": str(letter.get("revoked_at") or ""), "revoke_reason": str(letter.get("revoke_reason") or ""),
        }
    return out


def _village_key(village: HubVillage) -> Ed25519PublicKey | None:
    try:
        return public_key_from_text(village.public_key)
    except ValueError:
        log.error("hub: village %s has an unreadable public key", village.village_id)
        return None


def _village_name(village: HubVillage) -> str:
    if village.name:
        return str(village.name)
    record = HubRecord.get_or_none((HubRecord.village_id == village.village_id) & (HubRecord.entity == "village")
                                   & (HubRecord.deleted == False))  # noqa: E712
    try:
        return str(json.loads(record.data).get("name", "")) if record is not None else ""
    except ValueError:
        return ""


def _candidates(village_id: str, seal: SealReading) -> list[dict[str, Any]]:
    """The village's letter records with the seal's number, type and date (a number format without the year
    repeats every year, so the number alone is not enough)."""
    rows = (HubRecord.select(HubRecord.data)
            .where((HubRecord.village_id == village_id) & (HubRecord.entity == "letter")
                   & (HubRecord.deleted == False) & (json_text("number") == seal.number)))  # noqa: E712
    day = seal.letter_date.isoformat() if seal.letter_date else ""
    found = []
    for row in rows:
        try:
            data = json.loads(row.data)
        except ValueError:
            continue
        if str(data.get("type", "")) == seal.type_code and str(data.get("letter_date", ""))[:10] == day:
            found.append(data)
    return found


def verify_at_hub(text: str) -> dict[str, Any]:
    """Check a QR text (the /v/ URL or its token). Never raises for bad input: a damaged or forged QR is an
    answer ("invalid" with a reason), not an error. Opens its own connection (call through run.io_bound)."""
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        return _answer("format")
    unchecked = read_seal(text, {})  # decodes the fields; with no keys it can only say format/unknown_village
    if unchecked.reason == "format":
        return _answer("format")
    with hub_database.connection_context():
        village = HubVillage.get_or_none(HubVillage.village_id == unchecked.village_code)
        key = _village_key(village) if village is not None else None
        if village is None or key is None:
            return _answer("unknown_village", unchecked)
        seal = read_seal(text, {unchecked.village_code: key})
        if not seal.valid:
            return _answer(seal.reason, seal)
        name = _village_name(village)
        candidates = _candidates(village.village_id, seal)
    if not candidates:
        return _answer("unknown_letter", seal, name)
    matching = [c for c in candidates if seal.matches_content_hash(str(c.get("content_hash") or ""))]
    if not matching:
        return _answer("content_mismatch", seal, name, candidates[0])
    letter = matching[0]
    if letter.get("revoked_at"):
        return _answer("revoked", seal, name, letter)
    return _answer("ok", seal, name, letter)
