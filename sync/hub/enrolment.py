"""Enrolling a village: a one-time code made at the hub, redeemed by the village with its public key.

The code is the only secret that crosses between two people (read over the phone or written on paper), so
it is short, unambiguous (no 0/O, 1/I), valid for a limited time, used once, and stored only as a digest.
Redeeming it binds the village code to the key that will sign every later request: from then on a village
can write only its own data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sync.hub.ingest import record_incident
from sync.hub.store import HubEnrolment, HubVillage, hub_database, utc_now
from sync.keys import ed25519_public
from sync.protocol import VILLAGE_CODE, ProtocolError

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class EnrolmentError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Enrolled:
    village_id: str
    name: str
    replaced_key: bool


def normalize_village(code: str) -> str:
    digits = code.strip().replace(".", "")
    if not VILLAGE_CODE.match(digits):
        raise EnrolmentError("village_code_invalid")
    return digits


def _digest(code: str) -> str:
    return hashlib.sha256(re.sub(r"[^A-Z0-9]", "", code.upper()).encode("ascii")).hexdigest()


def create_code(village: str, *, valid_days: int = 14, actor: str = "cli") -> str:
    """A fresh code like `K7MQ-9XDA-P2RT` (60 bits) for `village`; earlier unused codes stay valid."""
    village_id = normalize_village(village)
    code = "".join(secrets.choice(ALPHABET) for _ in range(12))
    now = utc_now()
    with hub_database.atomic():
        HubEnrolment.create(village_id=village_id, code_hash=_digest(code), created_at=now,
                            expires_at=now + timedelta(days=valid_days), created_by=actor)
    return "-".join(code[i:i + 4] for i in range(0, 12, 4))


def redeem(village: str, code: str, public_key: str, *, name: str = "", kecamatan: str = "",
           kabupaten: str = "") -> Enrolled:
    """Register `public_key` for `village` if `code` is a valid, unused code made for that village."""
    village_id = normalize_village(village)
    try:
        ed25519_public(public_key)
    except (ProtocolError, ValueError) as error:
        raise EnrolmentError("public_key_invalid") from error
    now = utc_now()
    digest = _digest(code)
    with hub_database.atomic():
        row = HubEnrolment.get_or_none(HubEnrolment.code_hash == digest)
        if row is None or not hmac.compare_digest(row.village_id, village_id) or row.used_at is not None \
                or row.expires_at < now:
            raise EnrolmentError("code_invalid")
        row.used_at = now
        row.save()
        existing = HubVillage.get_or_none(HubVillage.village_id == village_id)
        replaced = existing is not None and existing.public_key != public_key
        if existing is None:
            HubVillage.create(village_id=village_id, name=name.strip()[:100], kecamatan=kecamatan.strip()[:100],
                              kabupaten=kabupaten.strip()[:100], public_key=public_key, enrolled_at=now)
        else:
            existing.public_key = public_key
            existing.name = name.strip()[:100] or existing.name
            existing.enrolled_at = now
            existing.save()
    if replaced:
        record_incident(village_id, "key_replaced", "a new enrolment replaced the village's key")
    return Enrolled(village_id, name, replaced)
