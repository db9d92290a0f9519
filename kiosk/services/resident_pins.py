"""Residents' 6-digit PINs: how a resident proves at the kiosk or on a phone that a NIK is theirs.

An operator sets or resets a PIN after seeing the KTP. Checking a NIK + PIN gives one answer for every
failure (unknown NIK, no PIN yet, wrong PIN, person no longer living here), takes the same argon2 time for
each, and is rate-limited per client address and per NIK, so nobody learns which NIKs exist.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.db import database, reading
from kiosk.identity import normalize_number
from kiosk.models import Penduduk, PinAttempt, ResidentPin
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import NotFound, ServiceError

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("000000-not-a-pin")
WINDOW = timedelta(minutes=15)
_WEAK = {"123456", "654321", "012345", "123123", "111222", "121212"}


@dataclass(frozen=True)
class PinPolicy:
    attempts: int = 5            # failures per client address per window
    attempts_per_nik: int = 10   # failures per NIK per window, whatever the address


def is_kiosk_client(client: str) -> bool:
    """The kiosk's own browser runs on the server (http://127.0.0.1:8080/kiosk): only a loopback address may
    use the kiosk's wider per-address limit. A phone opening /kiosk over Wi-Fi gets the phones' limit."""
    try:
        return ipaddress.ip_address(client.strip().removeprefix("::ffff:")).is_loopback
    except ValueError:
        return False


def _nik_hash(nik: str) -> str:
    return hashlib.sha256(f"balai-pin|{nik}".encode()).hexdigest()


def validate_pin(pin: str) -> str:
    pin = pin.strip()
    if not re.fullmatch(r"\d{6}", pin):
        raise ServiceError("pin.format")
    if len(set(pin)) == 1 or pin in _WEAK:
        raise ServiceError("pin.weak")
    return pin


def generate_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10**6):06d}"
        try:
            return validate_pin(pin)
        except ServiceError:
            continue


def set_pin(person_id: int, pin: str | None = None, *, actor: str, client: str = "") -> str:
    """Set (or reset) a resident's PIN; `None` makes one. Returns the PIN to tell the resident once."""
    pin = generate_pin() if pin is None else validate_pin(pin)
    digest = _HASHER.hash(pin)
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        ResidentPin.insert(penduduk=person_id, pin_hash=digest, set_by=actor, set_at=utc_now()) \
            .on_conflict_replace().execute()
        audit.record(actor, "pin.set", person.uuid, "", client)
    return pin


def clear_pin(person_id: int, *, actor: str, client: str = "") -> None:
    with database.atomic():
        ResidentPin.delete().where(ResidentPin.penduduk == person_id).execute()
        audit.record(actor, "pin.clear", str(person_id), "", client)


def has_pin(person_id: int) -> bool:
    with reading():
        return ResidentPin.select().where(ResidentPin.penduduk == person_id).exists()


def _failures(since_field: object, value: str) -> int:
    return PinAttempt.select().where((since_field == value) & (PinAttempt.success == 0)
                                     & (PinAttempt.at >= utc_now() - WINDOW)).count()


def check_resident(nik: str, pin: str, client: str, policy: PinPolicy) -> int:
    """The person id for a NIK + PIN, or ServiceError: "pin.wrong" for any mismatch, "pin.locked" (429)
    after too many failures from this address or on this NIK."""
    digits = normalize_number(nik)
    nik_hash = _nik_hash(digits)
    with reading():
        locked = (_failures(PinAttempt.client, client) >= policy.attempts
                  or _failures(PinAttempt.nik_hash, nik_hash) >= policy.attempts_per_nik)
        row = None
        if not locked and re.fullmatch(r"\d{16}", digits):
            row = (ResidentPin.select(ResidentPin, Penduduk).join(Penduduk)
                   .where((Penduduk.nik == digits) & Penduduk.deleted_at.is_null() & (Penduduk.status_dasar == 1))
                   .first())
    if locked:
        raise ServiceError("pin.locked", status=429)
    ok = False
    try:
        ok = _HASHER.verify(row.pin_hash if row else _DUMMY_HASH, pin.strip()) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with database.atomic():
        PinAttempt.create(at=utc_now(), client=client, nik_hash=nik_hash, success=int(ok))
        PinAttempt.delete().where(PinAttempt.at < utc_now() - timedelta(days=30)).execute()
    if not ok:
        raise ServiceError("pin.wrong", status=401)
    return row.penduduk.id
