"""Complaints and aspirations (pengaduan / aspirasi) from the kiosk, a phone or the office counter.

Who: a complaint is anonymous, or carries a resident proven by NIK + PIN (the letter flow's check and rate
limit, done by the page before it calls here with the person's id), or just a name and phone number somebody
typed: a non-registered person may complain too, but such a name is never treated as verified.
Statuses are the words residents know: Diterima -> Diproses -> Selesai, or Ditolak with a reason. Each move is
checked against `MOVES` inside the transaction that makes it, so two operators acting at once cannot both win.
The due time is fixed when the complaint arrives (the category's days then); the overdue list is every open
complaint past it. Tracking codes are random (ADU-XXXX-XXXX, no 0/O/1/I/L/U), not a counter a stranger could
walk through; an unknown code and a malformed one get the same answer.
"""

from __future__ import annotations

import re
import secrets
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from peewee import JOIN, fn

from kiosk.db import database, reading
from kiosk.identity import mask_nik
from kiosk.models import Complaint, ComplaintCategory, ComplaintReply, Penduduk, PersonalDataRead
from kiosk.services import attachments, audit, complaint_categories
from kiosk.services.attachments import CheckedFile
from kiosk.services.clock import utc_now
from kiosk.services.complaint_checks import (BODY_MAX, BODY_MIN, NAME_MAX, REASON_MAX, REASON_MIN, REPLY_MAX,
                                             clean_phone, clean_text)
from kiosk.services.errors import NotFound, ServiceError

STATUSES = ("diterima", "diproses", "selesai", "ditolak")
OPEN_STATUSES = ("diterima", "diproses")
MOVES: dict[str, tuple[str, ...]] = {
    "diterima": ("diproses", "ditolak"),
    "diproses": ("selesai", "ditolak"),
    "selesai": (),
    "ditolak": (),
}
IDENTITIES = ("anonim", "warga", "nama")
CHANNELS = ("kiosk", "phone", "operator")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "ADU"
_PHOTO_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")
# Categories live in their own module; named here too, so pages find every complaint call in one place.
CategoryInfo = complaint_categories.CategoryInfo
DUE_DAYS_MAX = complaint_categories.DUE_DAYS_MAX
categories = complaint_categories.categories
update_category = complaint_categories.update_category
add_category = complaint_categories.add_category


@dataclass(frozen=True)
class ComplaintSummary:
    id: int
    tracking_code: str          # ADU-XXXX-XXXX
    category: str
    body: str
    who: str                    # what an operator's list may show: masked NIK and name, a name, or ''
    identity: str
    channel: str
    status: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    has_photo: bool


@dataclass(frozen=True)
class ReplyInfo:
    body: str
    status: str | None
    author: str
    created_at: datetime


@dataclass(frozen=True)
class ComplaintDetail:
    summary: ComplaintSummary
    reporter_name: str
    reporter_phone: str
    nik_masked: str
    reject_reason: str
    replies: list[ReplyInfo]
    moves: tuple[str, ...]


@dataclass(frozen=True)
class PublicComplaint:
    """What anyone holding the tracking code may see: nothing about who sent it."""

    tracking_code: str
    category: str
    body: str
    status: str
    reject_reason: str
    created_at: datetime
    due_at: datetime
    has_photo: bool
    replies: list[ReplyInfo]


# --- tracking codes -------------------------------------------------------------------------------------------

def format_code(code: str) -> str:
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str:
    """'adu-k7m2 9qxd' -> 'K7M2QXD9'-style 8 characters; the ADU prefix is optional when typed."""
    value = re.sub(r"[^A-Z0-9]", "", str(text or "").upper())[:16]
    if value.startswith(PREFIX) and len(value) == 8 + len(PREFIX):
        value = value[len(PREFIX):]
    return value


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        if not Complaint.select().where(Complaint.tracking_code == code).exists():
            return code


def _valid_code(code: str) -> bool:
    return len(code) == 8 and all(ch in ALPHABET for ch in code)


# --- filing ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewComplaint:
    """What a person filled in; checked by `create` before anything is written."""

    category: str               # category code
    body: str
    identity: str = "anonim"    # anonim | warga | nama
    person_id: int | None = None  # a resident proven by NIK + PIN (identity warga)
    name: str = ""              # identity nama
    phone: str = ""


def check_new(new: NewComplaint, *, person_checked: bool = True) -> tuple[str, str, str]:
    """(body, name, phone) as they would be stored, or the first refusal. Pages call it before asking for a
    PIN (`person_checked=False`), so a typo in the text never costs the resident a PIN attempt."""
    body = clean_text(new.body, field="body", minimum=BODY_MIN, maximum=BODY_MAX)
    if new.identity not in IDENTITIES:
        raise ServiceError("complaint.identity_invalid")
    name = phone = ""
    if new.identity == "nama":
        name = clean_text(new.name, field="name", minimum=3, maximum=NAME_MAX, one_line=True)
        phone = clean_phone(new.phone)
    elif new.identity == "warga" and new.person_id is None and person_checked:
        raise ServiceError("complaint.identity_invalid")
    return body, name, phone


def create(new: NewComplaint, photo: CheckedFile | None, *, folder: Path | None, channel: str, actor: str,
           client: str = "") -> str:
    """File a complaint in one transaction; returns its tracking code (ADU-XXXX-XXXX).

    The photo, already checked by `complaint_checks.check_photo`, is written first and removed again when the
    row is not: a refused complaint leaves no file behind."""
    if channel not in CHANNELS:
        raise ValueError(channel)
    body, name, phone = check_new(new)
    if photo is not None and photo.media_type != "image/jpeg":
        raise ServiceError("complaint.photo_not_image")
    if photo is not None and folder is None:
        raise ValueError("a photo needs its folder")
    stored = attachments.store(folder, photo) if photo is not None and folder is not None else None
    try:
        with database.atomic():
            category = ComplaintCategory.get_or_none((ComplaintCategory.code == new.category)
                                                     & (ComplaintCategory.enabled == 1))
            if category is None:
                raise ServiceError("complaint.category_invalid")
            person = None
            if new.identity == "warga":
                person = Penduduk.get_or_none((Penduduk.id == new.person_id) & Penduduk.deleted_at.is_null()
                                              & (Penduduk.status_dasar == 1))
                if person is None:
                    raise ServiceError("complaint.identity_invalid")
            now = utc_now()
            code = _new_code()
            uid = str(uuid_module.uuid4())
            Complaint.create(uuid=uid, tracking_code=code, category=category, body=body, identity=new.identity,
                             penduduk=person, reporter_name=name, reporter_phone=phone, photo=stored,
                             channel=channel, status="diterima", created_by=actor, created_at=now,
                             due_at=now + timedelta(days=category.due_days), updated_at=now)
            audit.record(actor, "complaint.create", uid, f"{category.code} via {channel} ({new.identity})", client)
    except BaseException:
        if stored is not None and folder is not None:
            (folder / stored).unlink(missing_ok=True)
        raise
    return format_code(code)


# --- reading --------------------------------------------------------------------------------------------------

def _who(row: Complaint) -> str:
    if row.identity == "warga" and row.penduduk is not None:
        return f"{row.penduduk.nama} · {mask_nik(row.penduduk.nik)}"
    if row.identity == "nama":
        return row.reporter_name
    return ""


def _summary(row: Complaint, now: datetime) -> ComplaintSummary:
    return ComplaintSummary(
        id=row.id, tracking_code=format_code(row.tracking_code), category=row.category.name, body=row.body,
        who=_who(row), identity=row.identity, channel=row.channel, status=row.status, created_at=row.created_at,
        due_at=row.due_at, overdue=row.status in OPEN_STATUSES and row.due_at < now, has_photo=bool(row.photo))


def _query():
    return (Complaint.select(Complaint, ComplaintCategory, Penduduk).join(ComplaintCategory)
            .switch(Complaint).join(Penduduk, JOIN.LEFT_OUTER))


def list_complaints(*, status: str | None = None, category: str | None = None, overdue_only: bool = False,
                    limit: int = 200, now: datetime | None = None) -> list[ComplaintSummary]:
    """The operator's list, newest first; the overdue list is open complaints past their due time, oldest due
    first (what to answer next)."""
    now = now or utc_now()
    with reading():
        query = _query()
        if status:
            query = query.where(Complaint.status == status)
        if category:
            query = query.where(ComplaintCategory.code == category)
        if overdue_only:
            query = query.where(Complaint.status.in_(OPEN_STATUSES) & (Complaint.due_at < now)) \
                .order_by(Complaint.due_at)
        else:
            query = query.order_by(Complaint.id.desc())
        return [_summary(row, now) for row in query.limit(limit)]


def overdue(now: datetime | None = None, limit: int = 200) -> list[ComplaintSummary]:
    return list_complaints(overdue_only=True, now=now, limit=limit)


def counts(now: datetime | None = None) -> dict[str, int]:
    """Per status, plus `overdue`: the operator's summary line."""
    now = now or utc_now()
    with reading():
        found = {status: 0 for status in STATUSES}
        for status, number in Complaint.select(Complaint.status, fn.COUNT(Complaint.id)).group_by(Complaint.status) \
                .tuples():
            found[status] = number
        found["overdue"] = Complaint.select().where(Complaint.status.in_(OPEN_STATUSES)
                                                    & (Complaint.due_at < now)).count()
    return found


def _replies(complaint_id: int) -> list[ReplyInfo]:
    return [ReplyInfo(r.body, r.status, r.author, r.created_at) for r in
            ComplaintReply.select().where(ComplaintReply.complaint == complaint_id).order_by(ComplaintReply.id)]


def detail(complaint_id: int, *, actor: str, client: str = "") -> ComplaintDetail:
    """One complaint for an operator. Opening a resident's complaint is a personal-data read and is logged."""
    now = utc_now()
    with database.atomic():
        row = _query().where(Complaint.id == complaint_id).first()
        if row is None:
            raise NotFound()
        if row.penduduk is not None:
            PersonalDataRead.create(at=now, actor=actor, penduduk=row.penduduk, what="complaint.view", client=client)
        elif row.identity == "nama":
            audit.record(actor, "complaint.view", row.uuid, "", client)
        return ComplaintDetail(
            summary=_summary(row, now), reporter_name=row.reporter_name, reporter_phone=row.reporter_phone,
            nik_masked=mask_nik(row.penduduk.nik) if row.penduduk is not None else "",
            reject_reason=row.reject_reason, replies=_replies(row.id), moves=MOVES[row.status])


def public_status(code: str) -> PublicComplaint:
    """By tracking code, for the resident: status, replies, never who sent it. Unknown and malformed codes
    raise the same NotFound."""
    code = normalize_code(code)
    if not _valid_code(code):
        raise NotFound("complaint.code_unknown")
    with reading():
        row = (Complaint.select(Complaint, ComplaintCategory).join(ComplaintCategory)
               .where(Complaint.tracking_code == code).first())
        if row is None:
            raise NotFound("complaint.code_unknown")
        return PublicComplaint(
            tracking_code=format_code(row.tracking_code), category=row.category.name, body=row.body,
            status=row.status, reject_reason=row.reject_reason, created_at=row.created_at, due_at=row.due_at,
            has_photo=bool(row.photo), replies=_replies(row.id))


# --- answering ------------------------------------------------------------------------------------------------

def respond(complaint_id: int, *, reply: str = "", status: str | None = None, reason: str = "", actor: str,
            client: str = "") -> None:
    """An operator's answer: a reply the resident reads, a status move, or both, in one transaction.

    Ditolak needs a reason (it is what the resident reads); a move not in `MOVES` is refused, also when another
    operator moved the complaint a moment ago."""
    text = clean_text(reply, field="reply", minimum=0, maximum=REPLY_MAX) if reply.strip() else ""
    why = ""
    if status == "ditolak":
        why = clean_text(reason, field="reason", minimum=REASON_MIN, maximum=REASON_MAX)
    elif status is not None and status not in STATUSES:
        raise ServiceError("complaint.move_invalid")
    if not text and status is None:
        raise ServiceError("complaint.reply_empty")
    now = utc_now()
    with database.atomic():
        row = Complaint.get_or_none(Complaint.id == complaint_id)
        if row is None:
            raise NotFound()
        if status is not None:
            if status not in MOVES[row.status]:
                raise ServiceError("complaint.move_invalid", status=409)
            changes = {"status": status, "updated_at": now}
            if status == "ditolak":
                changes["reject_reason"] = why
            if status in ("selesai", "ditolak"):
                changes["closed_at"] = now
            updated = Complaint.update(**changes).where((Complaint.id == complaint_id)
                                                        & (Complaint.status == row.status)).execute()
            if updated != 1:
                raise ServiceError("complaint.move_invalid", status=409)
        elif row.status not in OPEN_STATUSES:
            raise ServiceError("complaint.closed", status=409)
        else:
            Complaint.update(updated_at=now).where(Complaint.id == complaint_id).execute()
        ComplaintReply.create(uuid=str(uuid_module.uuid4()), complaint=complaint_id,
                              body=text or (why if status == "ditolak" else ""), status=status, author=actor,
                              created_at=now)
        audit.record(actor, "complaint.respond", row.uuid, f"{row.status}->{status or row.status}", client)


# --- photos ---------------------------------------------------------------------------------------------------

def photo_folder(data_dir: Path) -> Path:
    """Where photos live: under the data folder, which nothing serves."""
    return data_dir / "complaints"


def _read_photo(name: str | None, folder: Path) -> bytes:
    if not name or not _PHOTO_NAME.match(name):
        raise NotFound()
    try:
        return attachments.read_stored(folder, name)
    except FileNotFoundError as error:
        raise NotFound() from error


def photo_for_operator(complaint_id: int, folder: Path) -> bytes:
    with reading():
        row = Complaint.get_or_none(Complaint.id == complaint_id)
    return _read_photo(row.photo if row else None, folder)


def photo_for_code(code: str, folder: Path) -> bytes:
    """The photo for whoever holds the tracking code; NotFound for anything else, the same for every miss."""
    code = normalize_code(code)
    if not _valid_code(code):
        raise NotFound("complaint.code_unknown")
    with reading():
        row = Complaint.get_or_none(Complaint.tracking_code == code)
    return _read_photo(row.photo if row else None, folder)
