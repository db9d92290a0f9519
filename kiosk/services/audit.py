"""The audit log: who did what, from where. Written in the same transaction as the action it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.db import reading
from kiosk.models import AuditLog
from kiosk.services.clock import utc_now


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    detail: str
    client: str


def record(actor: str, action: str, target: str = "", detail: str = "", client: str = "") -> None:
    """Append one entry; callers inside a transaction get it committed (or rolled back) with their change."""
    AuditLog.create(at=utc_now(), actor=actor, action=action, target=target, detail=detail[:500], client=client)


def recent(limit: int = 200, action_prefix: str = "") -> list[AuditEntry]:
    with reading():
        query = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
        if action_prefix:
            query = query.where(AuditLog.action.startswith(action_prefix))
        return [AuditEntry(e.at, e.actor, e.action, e.target, e.detail, e.client) for e in query]
