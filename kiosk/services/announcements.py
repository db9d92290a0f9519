"""Announcements (pengumuman): written in the office or sent by the district, shown on the kiosk, the TV's
running text and the phone pages between their start and end dates.

Text is stored as typed (pages show it as text, never as HTML). A picture is checked by content with
`attachments.check_upload` (re-encoded as JPEG, which drops EXIF) and stored under a name we make up;
only the pictures of announcements that exist and are not withdrawn are ever served.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.db import database, reading
from kiosk.services import attachments, audit, village
from kiosk.services.attachments import CheckedFile
from kiosk.services.clock import local_day, utc_now
from kiosk.services.errors import NotFound, ServiceError

TITLE_MIN = 3
TITLE_MAX = 120
BODY_MAX = 2000
STATUSES = ("tayang", "terjadwal", "berakhir", "ditarik")
_IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")
_COLUMNS = "uuid, source, title, body, starts_on, ends_on, image, created_by, created_at, withdrawn_at"


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    keys = [name.strip() for name in _COLUMNS.split(",")]
    return dict(zip(keys, row))


def village_today() -> date:
    """Today in the village's time zone (an announcement ends at local midnight, not UTC midnight)."""
    info = village.get_village()
    return local_day(utc_now(), info.timezone if info else "Asia/Jakarta")


def check_image(data: bytes, max_bytes: int) -> CheckedFile:
    """An uploaded picture for an announcement, or ServiceError with a message for the operator.

    The same content checks as letter attachments; a PDF, or a file that only pretends to be a picture,
    is refused with the announcement's own message (a PDF cannot be shown on the TV or the kiosk)."""
    if data.startswith(b"%PDF-"):
        raise ServiceError("announce.image_pdf")
    try:
        checked = attachments.check_upload(data, max_bytes)
    except ServiceError as error:
        if error.key in {"upload.bad_type", "upload.bad_pdf"}:
            raise ServiceError("announce.image_bad_type") from error
        raise
    if checked.media_type != "image/jpeg":
        raise ServiceError("announce.image_pdf")
    return checked


def _day(value: date | str | None, *, required: bool) -> date | None:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        if required:
            raise ServiceError("announce.start_missing")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ServiceError("announce.date_invalid", value=text[:20]) from error


def create(title: str, body: str, starts_on: date | str, ends_on: date | str | None, image: CheckedFile | None,
           *, folder: Path, actor: str, client: str = "") -> str:
    """A new announcement from the office; returns its uuid."""
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ServiceError("announce.title_length", min=TITLE_MIN, max=TITLE_MAX)
    if len(body) > BODY_MAX:
        raise ServiceError("announce.body_too_long", max=BODY_MAX)
    starts = _day(starts_on, required=True)
    ends = _day(ends_on, required=False)
    assert starts is not None
    if ends is not None and ends < starts:
        raise ServiceError("announce.end_before_start")
    if image is not None and image.media_type != "image/jpeg":
        raise ServiceError("announce.image_pdf")
    uid = str(uuid_module.uuid4())
    stored = attachments.store(folder, image) if image is not None else None
    try:
        with database.atomic():
            database.execute_sql(
                "INSERT INTO announcement (uuid, source, title, body, starts_on, ends_on, created_at, image, "
                "created_by) VALUES (?, 'local', ?, ?, ?, ?, ?, ?, ?)",
                (uid, title, body, starts.isoformat(), ends.isoformat() if ends else None,
                 utc_now().strftime("%Y-%m-%d %H:%M:%S.%f"), stored, actor))
            audit.record(actor, "announcement.create", uid, title, client)
    except Exception:
        if stored is not None:  # the row never existed: no orphan picture
            (folder / stored).unlink(missing_ok=True)
        raise
    return uid


def withdraw(uid: str, *, actor: str, client: str = "") -> None:
    """Stop showing an office announcement everywhere (the row stays, for the record)."""
    with database.atomic():
        row = database.execute_sql("SELECT source, withdrawn_at, title FROM announcement WHERE uuid = ?",
                                   (uid,)).fetchone()
        if row is None:
            raise NotFound()
        if row[0] != "local":
            raise ServiceError("announce.not_local")
        if row[1] is not None:
            raise ServiceError("announce.already_withdrawn")
        database.execute_sql("UPDATE announcement SET withdrawn_at = ? WHERE uuid = ?",
                             (utc_now().strftime("%Y-%m-%d %H:%M:%S.%f"), uid))
        audit.record(actor, "announcement.withdraw", uid, row[2], client)


def current(today: date, limit: int = 20) -> list[dict[str, Any]]:
    """Announcements showing on `today` from both sources, newest first."""
    with reading():
        rows = database.execute_sql(
            f"SELECT {_COLUMNS} FROM announcement WHERE withdrawn_at IS NULL AND starts_on <= ? "
            "AND (ends_on IS NULL OR ends_on >= ?) ORDER BY starts_on DESC, id DESC LIMIT ?",
            (today.isoformat(), today.isoformat(), limit)).fetchall()
    return [_row(row) for row in rows]


def status_of(item: dict[str, Any], today: date) -> str:
    """tayang (showing), terjadwal (scheduled), berakhir (ended) or ditarik (withdrawn)."""
    if item.get("withdrawn_at"):
        return "ditarik"
    if item["starts_on"] > today.isoformat():
        return "terjadwal"
    if item.get("ends_on") and item["ends_on"] < today.isoformat():
        return "berakhir"
    return "tayang"


def all_recent(limit: int = 100, today: date | None = None) -> list[dict[str, Any]]:
    """The operator's list: every announcement, newest first, each with its status on `today`."""
    today = today or village_today()
    with reading():
        rows = database.execute_sql(f"SELECT {_COLUMNS} FROM announcement ORDER BY id DESC LIMIT ?",
                                    (limit,)).fetchall()
    return [dict(item, status=status_of(item, today)) for item in map(_row, rows)]


def image_bytes(name: str, folder: Path) -> bytes:
    """The JPEG of an announcement that exists and is not withdrawn; NotFound for anything else."""
    if not _IMAGE_NAME.match(name or ""):
        raise NotFound()
    with reading():
        known = database.execute_sql("SELECT 1 FROM announcement WHERE image = ? AND withdrawn_at IS NULL",
                                     (name,)).fetchone()
    if known is None:
        raise NotFound()
    try:
        return attachments.read_stored(folder, name)
    except FileNotFoundError as error:
        raise NotFound() from error


def shortened(text: str, limit: int) -> str:
    """One line of at most `limit` characters (the TV's running text, the kiosk's tile)."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
