"""Checks on what a person types or uploads with a complaint, before anything is written.

Text is refused, not cleaned, when it carries HTML/script or an SQL injection attempt: nothing a resident
means to tell the office needs `<script>` or `' OR 1=1 --`, and silently changing their words would be worse
than asking them to write it again. Pages show stored text as text anyway (labels, autoescaped templates), so
this is a second wall, not the only one. Ordinary punctuation stays allowed: "jalan rusak < 5 m & licin" is fine.

A photo goes through the same content checks as letter attachments and announcement pictures (decoded by
Pillow, re-encoded as JPEG without EXIF/GPS, at most `upload_max_mb`); a PDF or anything that only pretends
to be a picture is refused with the complaint's own message.
"""

from __future__ import annotations

import re

from kiosk.services import attachments
from kiosk.services.attachments import CheckedFile
from kiosk.services.errors import ServiceError
from kiosk.services.text_checks import CONTROL, code_in

BODY_MIN = 10
BODY_MAX = 2000
REPLY_MAX = 1000
REASON_MIN = 5
REASON_MAX = 300
NAME_MAX = 80
PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")


def clean_text(text: str | None, *, field: str, minimum: int, maximum: int, one_line: bool = False) -> str:
    """The text as stored (trimmed; one line where asked), or ServiceError naming the field.

    `field` names the box (body, name, reply, reason, category): the message key says which one."""
    value = CONTROL.sub("", str(text or "")).replace("\r\n", "\n").strip()
    if one_line:
        value = " ".join(value.split())
    if len(value) < minimum:
        raise ServiceError(f"complaint.{field}_short", min=minimum)
    if len(value) > maximum:
        raise ServiceError(f"complaint.{field}_long", max=maximum)
    kind = code_in(value)
    if kind is not None:
        raise ServiceError(f"complaint.{field}_{kind}")
    return value


def clean_phone(text: str | None) -> str:
    """An Indonesian mobile number as digits (a leading + kept), or '' when none was given."""
    value = re.sub(r"[\s\-.()]", "", str(text or ""))
    if not value:
        return ""
    if not PHONE_RE.match(value):
        raise ServiceError("complaint.phone_invalid")
    return value


def check_photo(data: bytes, max_bytes: int) -> CheckedFile:
    """An uploaded photo, re-encoded as JPEG, or ServiceError with the complaint's message."""
    if not data:
        raise ServiceError("upload.empty")
    if len(data) > max_bytes:
        raise ServiceError("complaint.photo_too_large", status=413, max_mb=f"{max_bytes / 1_000_000:g}")
    if data.startswith(b"%PDF-"):
        raise ServiceError("complaint.photo_not_image")
    try:
        checked = attachments.check_upload(data, max_bytes)
    except ServiceError as error:
        if error.key in {"upload.bad_type", "upload.bad_pdf"}:
            raise ServiceError("complaint.photo_not_image") from error
        raise
    if checked.media_type != "image/jpeg":
        raise ServiceError("complaint.photo_not_image")
    return checked
