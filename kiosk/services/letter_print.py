"""Putting letters and request slips in the durable print queue.

A signed letter goes to the office printer (CUPS) as its stored, hash-checked PDF; the slip with the
tracking code goes to the thermal printer. Both are rows in `print_job` before anything is sent, so a
printer that is off only delays them.
"""

from __future__ import annotations

import json
import uuid

from kiosk.db import database
from kiosk.models import LetterRequest, PrintJob, Village
from kiosk.services import audit
from kiosk.services.clock import format_stamp, utc_now
from kiosk.services.errors import NotFound, ServiceError
from kiosk.services.letter_requests import format_code


def enqueue_letter(request_id: int, *, actor: str, client: str = "", hand_over: bool = False) -> int:
    """Queue the signed PDF for the office printer. `hand_over` (a resident printing their own letter at the
    kiosk) also marks it "Sudah Diambil" in the same transaction."""
    now = utc_now()
    with database.atomic():
        row = LetterRequest.get_or_none(LetterRequest.id == request_id)
        if row is None:
            raise NotFound()
        if row.signed_at is None or not row.pdf_path:
            raise ServiceError("letter.not_signed", status=409)
        if row.revoked_at is not None:
            raise ServiceError("letter.revoked", status=409)
        payload = {"request": row.uuid, "path": row.pdf_path, "sha256": row.pdf_sha256, "number": row.number}
        job = PrintJob.create(uuid=str(uuid.uuid4()), kind="letter", payload=json.dumps(payload), status="pending",
                              next_attempt_at=now, created_at=now)
        if hand_over and row.status == "siap":
            LetterRequest.update(status="diambil", picked_up_at=now, updated_at=now) \
                .where(LetterRequest.id == request_id).execute()
        audit.record(actor, "letter.print", row.uuid, row.number or "", client)
        return job.id


def enqueue_slip(request_id: int, *, status_url_base: str, language: str = "id") -> int:
    """Queue the small slip a resident takes home: letter type, tracking code, a QR to follow it."""
    now = utc_now()
    with database.atomic():
        row = LetterRequest.get_or_none(LetterRequest.id == request_id)
        if row is None:
            raise NotFound()
        village = Village.get(Village.id == 1)
        code = format_code(row.tracking_code)
        payload = {"village_name": village.name, "service_name": row.letter_type.name, "number": code,
                   "issued_at": format_stamp(now, village.timezone), "qr_url": f"{status_url_base}{row.tracking_code}",
                   "lang": language}
        job = PrintJob.create(uuid=str(uuid.uuid4()), kind="letter_slip", payload=json.dumps(payload),
                              status="pending", next_attempt_at=now, created_at=now)
        return job.id
