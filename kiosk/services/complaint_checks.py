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

BODY_MIN = 10
BODY_MAX = 2000
REPLY_MAX = 1000
REASON_MIN = 5
REASON_MAX = 300
NAME_MAX = 80
PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")

_MARKUP = re.compile(
    r"<\s*/?\s*[a-z!?][^>]*>?"               # a tag, a comment or a doctype opener: <b>, </div, <!--, <?php
    r"|javascript\s*:|vbscript\s*:|data\s*:\s*text/html"
    r"|\bon[a-z]{3,20}\s*=",                  # onerror=, onclick=
    re.IGNORECASE)
_SQL = re.compile(
    r"\bunion\s+(all\s+)?select\b|\bdrop\s+(table|database)\b|\binsert\s+into\b.+\bvalues\b"
    r"|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b|\btruncate\s+table\b|\bxp_cmdshell\b|\bsleep\s*\(\s*\d"
    r"|['\"]\s*(or|and)\s+['\"]?\w+['\"]?\s*=\s*['\"]?\w+|;\s*--|'\s*--|/\*.*\*/",
    re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None, *, field: str, minimum: int, maximum: int, one_line: bool = False) -> str:
    """The text as stored (trimmed; one line where asked), or ServiceError naming the field.

    `field` names the box (body, name, reply, reason, category): the message key says which one."""
    value = _CONTROL.sub("", str(text or "")).replace("\r\n", "\n").strip()
    if one_line:
        value = " ".join(value.split())
    if len(value) < minimum:
        raise ServiceError(f"complaint.{field}_short", min=minimum)
    if len(value) > maximum:
        raise ServiceError(f"complaint.{field}_long", max=maximum)
    if _MARKUP.search(value):
        raise ServiceError(f"complaint.{field}_markup")
    if _SQL.search(value):
        raise ServiceError(f"complaint.{field}_sql")
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
