"""Building a hub's contents directly in its tables: villages in every sync state, their records, and letters
sealed exactly the way the office server seals them (kiosk.services.letter_signing.sign)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.seal import SealFacts, content_hash, make_seal, mask_name, public_key_text
from sync.hub.store import HubIncident, HubRecord, HubRejection, HubVillage, hub_database, utc_now

CODE = "3204122001"
OFFICE_URL = "http://kantor.desa:8080"


def add_village(code: str = CODE, name: str = "Sukamaju", *, key: Ed25519PrivateKey | None = None,
                kecamatan: str = "Cisarua", last_success: timedelta | None = None,
                last_contact: timedelta | None = None, pending: int | None = None,
                oldest_pending_s: float | None = None, skew: float | None = None) -> Ed25519PrivateKey:
    """Enrol a village (its key made here unless given); times are "this long ago". Returns its key."""
    key = key or Ed25519PrivateKey.generate()
    now = utc_now()
    with hub_database.connection_context():
        HubVillage.create(village_id=code, name=name, kecamatan=kecamatan, kabupaten="Bandung",
                          public_key=public_key_text(key), enrolled_at=now - timedelta(days=30),
                          last_success_at=now - last_success if last_success is not None else None,
                          last_contact_at=now - last_contact if last_contact is not None else None,
                          pending_reported=pending, oldest_pending_s=oldest_pending_s, clock_skew_s=skew)
    return key


def add_record(village: str, entity: str, key: str, data: dict[str, Any] | None, version: int = 1) -> None:
    """Store a record as ingest would (`None` is a tombstone)."""
    with hub_database.connection_context():
        HubRecord.insert(village_id=village, entity=entity, key=key, version=version, deleted=data is None,
                         data=json.dumps(data or {}, ensure_ascii=False, default=str),
                         updated_at=utc_now()).execute()


def add_person(village: str, key: str, *, sex: int = 1, born: str | None = "1980-01-01", **extra: Any) -> None:
    data: dict[str, Any] = {"nik": "3204120101800001", "nama": "WARGA " + key.upper(), "sex": sex, **extra}
    if born is not None:
        data["tanggallahir"] = born
    add_record(village, "penduduk", key, data)


def add_incident(village: str, kind: str, detail: str = "", ago: timedelta = timedelta()) -> None:
    with hub_database.connection_context():
        HubIncident.create(village_id=village, at=utc_now() - ago, kind=kind, detail=detail)


def add_rejection(village: str, batch: str, seq: int, reason: str, ago: timedelta = timedelta()) -> None:
    with hub_database.connection_context():
        HubRejection.create(village_id=village, batch_id=batch, seq=seq, entity="penduduk", key=f"p{seq}",
                            reason=reason, at=utc_now() - ago)


@dataclass(frozen=True)
class SealedLetter:
    qr: str
    record: dict[str, Any]


def seal_letter(key: Ed25519PrivateKey, *, village_code: str = "32.04.12.2001", number: str = "470/001/2001/III/2026",
                type_code: str = "SKD", type_name: str = "Surat Keterangan Domisili", nama: str = "Siti Aminah",
                day: date = date(2026, 3, 2), body: str = "Yang bertanda tangan di bawah ini ...") -> SealedLetter:
    """A letter signed the way the office signs it: the content's canonical hash in a seal signed by the
    village key, and the `letter` record the village would sync (sync.entities._letter's columns)."""
    content = {"village_code": village_code, "village": "Sukamaju", "number": number, "type": type_code,
               "type_name": type_name, "date": day.isoformat(), "nik": "3204120101800001", "nama": nama,
               "fields": {"keperluan": "Bank"}, "body": body, "signer": "H. Ahmad", "signer_title": "Kepala Desa"}
    digest = content_hash(content)
    qr = make_seal(SealFacts(village_code, number, type_code, day, mask_name(nama), digest), key, OFFICE_URL)
    signed = datetime.combine(day, datetime.min.time()) + timedelta(hours=3)
    record = {"number": number, "type": type_code, "type_name": type_name, "penduduk": "p-uuid-1",
              "letter_date": day.isoformat(), "signed_at": str(signed), "signer_name": "H. Ahmad",
              "signer_title": "Kepala Desa", "content_hash": digest, "pdf_sha256": "0" * 64, "channel": "operator",
              "created_at": str(signed - timedelta(hours=1))}
    return SealedLetter(qr, record)


def tamper(qr: str, old: bytes, new: bytes) -> str:
    """The same QR with bytes of its signed body replaced and the original signature kept."""
    import base64

    body, signature = qr.rsplit("/", 1)[1].split(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert old in raw
    forged = base64.urlsafe_b64encode(raw.replace(old, new)).rstrip(b"=").decode()
    return f"{OFFICE_URL}/v/{forged}.{signature}"
