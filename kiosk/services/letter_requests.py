"""Letter requests from the kiosk, a phone, an operator or the API, and their way to "Siap Diambil".

Statuses are the words residents know: Belum Lengkap, Sedang Diperiksa, Menunggu Tanda Tangan, Siap Diambil,
Sudah Diambil, Dibatalkan. Each move is checked against `MOVES` in the same transaction that makes it, so two
operators acting on one request at once cannot both win. Tracking codes are random (not a counter a stranger
can walk through) and read well aloud: no 0/O, 1/I/L or U.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.db import database, reading
from kiosk.identity import mask_nik, normalize_number
from kiosk.models import AuditLog, LetterAttachment, LetterRequest, LetterType, Penduduk, PersonalDataRead
from kiosk.seal import mask_name
from kiosk.services import attachments, audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import NotFound, ServiceError
from kiosk.services.letter_fields import clean_fields
from kiosk.services.letter_types import get_type, get_type_by_id

STATUSES = ("belum_lengkap", "diperiksa", "menunggu_ttd", "siap", "diambil", "dibatalkan")
OPEN_STATUSES = ("belum_lengkap", "diperiksa", "menunggu_ttd")
# status -> statuses it may move to by hand (signing, siap, is the signing service's move).
MOVES: dict[str, tuple[str, ...]] = {
    "belum_lengkap": ("diperiksa", "dibatalkan"),
    "diperiksa": ("belum_lengkap", "menunggu_ttd", "dibatalkan"),
    "menunggu_ttd": ("diperiksa", "dibatalkan"),
    "siap": ("diambil",),
    "diambil": (),
    "dibatalkan": (),
}
CHANNELS = ("kiosk", "phone", "operator", "api")
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class LetterSummary:
    id: int
    tracking_code: str
    type_code: str
    type_name: str
    person_id: int
    person_name: str
    nik_masked: str
    status: str
    status_note: str
    channel: str
    created_at: datetime
    updated_at: datetime
    number: str | None
    revoked: bool


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    label: str
    media_type: str
    size: int
    uploaded_by: str
    created_at: datetime


@dataclass(frozen=True)
class LetterDetail:
    summary: LetterSummary
    fields: list[tuple[str, str]]        # (label, value) in the type's order
    field_values: dict[str, str]
    requirements: tuple[str, ...]
    attachments: list[AttachmentInfo]
    requested_by: str
    checked_by: str
    signed_at: datetime | None
    signer_name: str
    letter_date: str | None
    picked_up_at: datetime | None
    revoked_at: datetime | None
    revoke_reason: str
    has_pdf: bool
    events: list[tuple[datetime, str, str, str]] = field(default_factory=list)  # (at, actor, action, detail)


@dataclass(frozen=True)
class PublicStatus:
    """What anyone holding the tracking code may see: no NIK, a masked name."""

    tracking_code: str
    type_name: str
    masked_name: str
    status: str
    status_note: str
    created_at: datetime
    updated_at: datetime
    number: str | None
    revoked: bool


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(text).upper())


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not LetterRequest.select().where(LetterRequest.tracking_code == code).exists():
            return code


def _summary(row: LetterRequest) -> LetterSummary:
    person = row.penduduk
    return LetterSummary(
        id=row.id, tracking_code=format_code(row.tracking_code), type_code=row.letter_type.code,
        type_name=row.letter_type.name, person_id=person.id, person_name=person.nama, nik_masked=mask_nik(person.nik),
        status=row.status, status_note=row.status_note, channel=row.channel, created_at=row.created_at,
        updated_at=row.updated_at, number=row.number, revoked=row.revoked_at is not None)


def _query():
    return (LetterRequest.select(LetterRequest, LetterType, Penduduk)
            .join(LetterType).switch(LetterRequest).join(Penduduk))


def create_request(type_code: str, person_id: int, fields: dict[str, object], *, channel: str, actor: str,
                   client: str = "", checked: bool = False) -> LetterSummary:
    """A new request, "Sedang Diperiksa" — or "Menunggu Tanda Tangan" when an operator entering it on the
    resident's behalf has already checked it (`checked`). Fields are checked against the type; nothing is
    stored on error."""
    if channel not in CHANNELS:
        raise ValueError(channel)
    letter_type = get_type(type_code)
    if not letter_type.enabled:
        raise NotFound("letter_type.not_found")
    clean = clean_fields(letter_type.fields, fields)
    now = utc_now()
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        if person.status_dasar != 1 and not letter_type.for_deceased:
            # Only a type meant for it (a death certificate) may be asked for someone no longer living here.
            raise ServiceError("letter.person_not_resident")
        row = LetterRequest.create(
            uuid=str(uuid.uuid4()), tracking_code=_new_code(), letter_type=letter_type.id, penduduk=person,
            fields=json.dumps(clean, ensure_ascii=False), status="menunggu_ttd" if checked else "diperiksa",
            channel=channel, requested_by=actor, checked_by=actor if checked else "", created_at=now, updated_at=now)
        audit.record(actor, "letter.request", row.uuid, f"{letter_type.code} via {channel}", client)
        return _summary(_query().where(LetterRequest.id == row.id).get())


def create_for_nik(type_code: str, nik: str, fields: dict[str, object], *, actor: str, client: str = "",
                   channel: str = "api", checked: bool = False) -> LetterSummary:
    """An operator (or the API) asks on a resident's behalf, naming them by NIK."""
    digits = normalize_number(nik)
    with reading():
        person = Penduduk.get_or_none((Penduduk.nik == digits) & Penduduk.deleted_at.is_null())
    if person is None:
        raise NotFound("letter.nik_unknown")
    return create_request(type_code, person.id, fields, channel=channel, actor=actor, client=client,
                          checked=checked)


def update_fields(request_id: int, fields: dict[str, object], *, actor: str, client: str = "") -> None:
    """Correct the answers while the request is still being checked."""
    with database.atomic():
        row = _locked(request_id)
        if row.status not in ("belum_lengkap", "diperiksa"):
            raise ServiceError("letter.not_editable", status=409)
        clean = clean_fields(get_type_by_id(row.letter_type_id).fields, fields)
        LetterRequest.update(fields=json.dumps(clean, ensure_ascii=False), updated_at=utc_now()) \
            .where(LetterRequest.id == request_id).execute()
        audit.record(actor, "letter.edit", row.uuid, "", client)


def _locked(request_id: int) -> LetterRequest:
    row = LetterRequest.get_or_none(LetterRequest.id == request_id)
    if row is None:
        raise NotFound()
    return row


def move(request_id: int, target: str, *, actor: str, note: str = "", client: str = "",
         role: str | None = None) -> None:
    """Move a request by hand. Belum Lengkap, a send-back and a cancellation need a note for the resident.
    Sending a request back from "Menunggu Tanda Tangan" is the signer's decision."""
    note = " ".join(note.split())[:300]
    with database.atomic():
        row = _locked(request_id)
        if target not in MOVES.get(row.status, ()):
            raise ServiceError("letter.bad_move", status=409)
        if row.status == "menunggu_ttd" and target == "diperiksa":
            from kiosk.services.letter_signing import require_signer

            require_signer(actor, role)
        if target in ("belum_lengkap", "dibatalkan") and not note:
            raise ServiceError("letter.note_required")
        if target == "diperiksa" and row.status == "menunggu_ttd" and not note:
            raise ServiceError("letter.note_required")
        changes: dict[str, object] = {"status": target, "status_note": note, "updated_at": utc_now()}
        if target == "menunggu_ttd":
            changes["checked_by"] = actor
        if target == "diambil":
            changes["picked_up_at"] = utc_now()
        LetterRequest.update(**changes).where(LetterRequest.id == request_id).execute()
        audit.record(actor, f"letter.{target}", row.uuid, note, client)


def get_detail(request_id: int, *, actor: str, client: str = "") -> LetterDetail:
    """One request with its answers; the read is logged like any read of a resident's record."""
    with database.atomic():
        row = _query().where(LetterRequest.id == request_id).first()
        if row is None:
            raise NotFound()
        PersonalDataRead.create(at=utc_now(), actor=actor, penduduk=row.penduduk, what="letter.view", client=client)
        letter_type = get_type_by_id(row.letter_type_id)
        values = json.loads(row.fields)
        files = [AttachmentInfo(a.id, a.label, a.media_type, a.size, a.uploaded_by, a.created_at)
                 for a in LetterAttachment.select().where(LetterAttachment.request == row).order_by(LetterAttachment.id)]
        return LetterDetail(
            summary=_summary(row),
            fields=[(spec.label, values.get(spec.name, "")) for spec in letter_type.fields], field_values=values,
            requirements=letter_type.requirements, attachments=files, requested_by=row.requested_by,
            checked_by=row.checked_by, signed_at=row.signed_at, signer_name=row.signer_name or "",
            letter_date=row.letter_date, picked_up_at=row.picked_up_at, revoked_at=row.revoked_at,
            revoke_reason=row.revoke_reason or "", has_pdf=bool(row.pdf_path),
            # The request's history is its audit trail: every move, print and download, with who and when.
            events=[(e.at, e.actor, e.action, e.detail) for e in
                    AuditLog.select().where(AuditLog.target == row.uuid).order_by(AuditLog.id)])


def list_requests(status: str | None = None, limit: int = 200, person_id: int | None = None) -> list[LetterSummary]:
    with reading():
        query = _query().order_by(LetterRequest.updated_at.desc()).limit(limit)
        if status:
            query = query.where(LetterRequest.status == status)
        if person_id is not None:
            query = query.where(LetterRequest.penduduk == person_id)
        return [_summary(row) for row in query]


def counts_by_status() -> dict[str, int]:
    from peewee import fn

    with reading():
        found = dict(LetterRequest.select(LetterRequest.status, fn.COUNT(LetterRequest.id))
                     .group_by(LetterRequest.status).tuples())
    return {status: found.get(status, 0) for status in STATUSES}


def public_status(code: str) -> PublicStatus:
    """Status by tracking code, for the phone page and the kiosk: no login, so nothing personal."""
    with reading():
        row = _query().where(LetterRequest.tracking_code == normalize_code(code)).first()
        if row is None:
            raise NotFound("letter.code_unknown")
        return PublicStatus(format_code(row.tracking_code), row.letter_type.name, mask_name(row.penduduk.nama),
                            row.status, row.status_note, row.created_at, row.updated_at, row.number,
                            row.revoked_at is not None)


def id_for_code(code: str) -> int:
    with reading():
        row = LetterRequest.get_or_none(LetterRequest.tracking_code == normalize_code(code))
        if row is None:
            raise NotFound("letter.code_unknown")
        return row.id


def add_attachment(request_id: int, label: str, data: bytes | attachments.CheckedFile, *, folder: Path,
                   max_bytes: int, actor: str, client: str = "", by_resident: bool = True) -> AttachmentInfo:
    """Check the file by content, store it outside anything served, and link it to the request. A resident
    completing a "Belum Lengkap" request puts it back to "Sedang Diperiksa" (an operator moves it by hand).
    A page that already checked the upload (to show its problem beside the form's) passes the CheckedFile,
    so an image is decoded and re-encoded once."""
    label = " ".join(label.split())[:80] or "Lampiran"
    checked = data if isinstance(data, attachments.CheckedFile) else attachments.check_upload(data, max_bytes)
    with reading():
        row = _locked(request_id)
        if row.status not in ("belum_lengkap", "diperiksa", "menunggu_ttd"):
            raise ServiceError("letter.not_editable", status=409)
        if LetterAttachment.select().where(LetterAttachment.request == request_id).count() >= MAX_ATTACHMENTS:
            raise ServiceError("upload.too_many")
    stored = attachments.store(folder, checked)
    try:
        with database.atomic():
            row = _locked(request_id)
            if row.status not in ("belum_lengkap", "diperiksa", "menunggu_ttd"):
                raise ServiceError("letter.not_editable", status=409)
            if LetterAttachment.select().where(LetterAttachment.request == request_id).count() >= MAX_ATTACHMENTS:
                raise ServiceError("upload.too_many")
            attachment = LetterAttachment.create(
                uuid=str(uuid.uuid4()), request=request_id, label=label, media_type=checked.media_type,
                stored_name=stored, size=len(checked.data), sha256=checked.sha256, uploaded_by=actor,
                created_at=utc_now())
            if row.status == "belum_lengkap" and by_resident:
                LetterRequest.update(status="diperiksa", updated_at=utc_now()).where(LetterRequest.id == request_id) \
                    .execute()
            audit.record(actor, "letter.attach", row.uuid, label, client)
    except Exception:
        (folder / stored).unlink(missing_ok=True)
        raise
    return AttachmentInfo(attachment.id, label, checked.media_type, len(checked.data), actor, attachment.created_at)


def attachment_file(attachment_id: int, *, folder: Path, actor: str, client: str = "") -> tuple[str, bytes]:
    """(media type, bytes) of an attachment for an operator; logged as a read of the resident's data."""
    with database.atomic():
        attachment = LetterAttachment.get_or_none(LetterAttachment.id == attachment_id)
        if attachment is None:
            raise NotFound()
        PersonalDataRead.create(at=utc_now(), actor=actor, penduduk=attachment.request.penduduk_id,
                                what="letter.attachment", client=client)
        return attachment.media_type, attachments.read_stored(folder, attachment.stored_name)
