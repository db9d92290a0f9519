"""Events (mutasi): birth, death, moving out or in, missing, leaving for a while and coming back.

Each event records its date, reason, document number and the operator, and moves the person's status
dasar with it, in one transaction; the person's history is the list of their events.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

from kiosk.db import database
from kiosk.models import Penduduk, PendudukEvent
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.codes import label
from kiosk.services.errors import NotFound, ServiceError

# kind -> status dasar afterwards (codes of the national list: 1 hidup, 2 mati, 3 pindah, 4 hilang, 6 pergi)
PERSON_EVENTS: dict[str, int] = {
    "lahir": 1, "datang": 1, "kembali": 1, "mati": 2, "pindah_keluar": 3, "hilang": 4, "pergi": 6,
}
FAMILY_EVENTS = ("kk_baru", "pecah_kk", "pindah_kk")
# The statuses each event may follow: nobody comes back from death by a "kembali" or "datang".
ALLOWED_FROM: dict[str, frozenset[int]] = {
    "lahir": frozenset({1}), "datang": frozenset({1, 3}), "kembali": frozenset({4, 6}),
    "mati": frozenset({1, 4, 6}), "pindah_keluar": frozenset({1, 6}), "hilang": frozenset({1, 6}),
    "pergi": frozenset({1}),
}


@dataclass(frozen=True)
class EventInput:
    kind: str
    event_date: date
    reason: str = ""
    document_no: str = ""
    detail: dict | None = None


def _validate(event: EventInput, today: date) -> None:
    if event.kind not in PERSON_EVENTS and event.kind not in FAMILY_EVENTS:
        raise ServiceError("event.kind_invalid")
    if event.event_date > today:
        raise ServiceError("event.date_future")
    if len(event.reason) > 500 or len(event.document_no) > 100:
        raise ServiceError("event.text_too_long")


def add_event(person: Penduduk, event: EventInput, *, actor: str) -> PendudukEvent:
    """Inside a caller's transaction: store the event and move the status dasar."""
    row = PendudukEvent.create(
        uuid=str(uuid.uuid4()), penduduk=person, keluarga=person.keluarga_id, kind=event.kind,
        event_date=event.event_date, reason=event.reason.strip(), document_no=event.document_no.strip(),
        detail=json.dumps(event.detail or {}, default=str), operator=actor, created_at=utc_now(),
    )
    if event.kind in PERSON_EVENTS:
        person.status_dasar = PERSON_EVENTS[event.kind]
        person.updated_at = utc_now()
        person.save()
    return row


def record_event(person_id: int, event: EventInput, *, actor: str, client: str = "",
                 today: date | None = None) -> None:
    """What the operator's event form calls."""
    _validate(event, today or date.today())
    with database.atomic():
        person = Penduduk.get_or_none((Penduduk.id == person_id) & Penduduk.deleted_at.is_null())
        if person is None:
            raise NotFound()
        if event.kind == "mati" and person.status_dasar == 2:
            raise ServiceError("event.already_dead")
        allowed = ALLOWED_FROM.get(event.kind)
        if allowed is not None and person.status_dasar not in allowed:
            raise ServiceError("event.not_allowed", status=409, status_name=label("status_dasar", person.status_dasar))
        add_event(person, event, actor=actor)
        audit.record(actor, f"residents.event.{event.kind}", person.uuid, event.document_no, client)
