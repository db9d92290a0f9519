"""Applying what the district sent down: announcements and letter templates.

Each item is applied, recorded and the pull cursor moved in ONE transaction, so an item is applied exactly
once even if the agent is killed halfway. A letter template goes through the same checks as one an admin
types (definition, classification code, a sandboxed test render): one that fails is refused, recorded with
its reason, and reported back to the district; the village's existing template stays as it was.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from kiosk.db import database, reading
from kiosk.i18n import translate
from kiosk.models.letters import LetterType
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import ServiceError
from kiosk.services.letter_types import save_type

log = logging.getLogger(__name__)


def _announcement(payload: dict[str, Any]) -> str:
    title = " ".join(str(payload.get("title", "")).split())[:120]
    body = str(payload.get("body", ""))[:4000]
    uid = str(payload.get("uuid", ""))[:64]
    try:
        starts = date.fromisoformat(str(payload.get("starts_on")))
        ends = date.fromisoformat(str(payload["ends_on"])) if payload.get("ends_on") else None
    except ValueError as error:
        raise ServiceError("sync.item_invalid", detail="dates") from error
    if not title or not uid:
        raise ServiceError("sync.item_invalid", detail="title")
    database.execute_sql(
        "INSERT INTO announcement (uuid, source, title, body, starts_on, ends_on, created_at) "
        "VALUES (?, 'hub', ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET title = excluded.title, "
        "body = excluded.body, starts_on = excluded.starts_on, ends_on = excluded.ends_on",
        (uid, title, body, starts.isoformat(), ends.isoformat() if ends else None, utc_now()))
    audit.record("kabupaten", "announcement.receive", uid, title)
    return title


def _letter_type(payload: dict[str, Any]) -> str:
    definition = payload.get("definition")
    body = payload.get("body")
    if not isinstance(definition, dict) or not isinstance(body, str):
        raise ServiceError("sync.item_invalid", detail="letter_type")
    exists = LetterType.select().where(LetterType.code == str(definition.get("code", "")).upper()).exists()
    info = save_type(definition, body, actor="kabupaten", create=not exists)
    return info.code


APPLIERS = {"announcement": _announcement, "letter_type": _letter_type}


def _record(item_id: int, kind: str, outcome: str, message: str) -> None:
    database.execute_sql("INSERT OR REPLACE INTO sync_pulled (hub_item_id, kind, applied_at, outcome, message) "
                         "VALUES (?, ?, ?, ?, ?)", (item_id, kind, utc_now(), outcome, message[:500]))
    database.execute_sql("UPDATE sync_state SET pull_cursor = MAX(pull_cursor, ?) WHERE id = 1", (item_id,))


def apply_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply pulled items in order; returns one outcome per item for the district."""
    outcomes = []
    for item in sorted(items, key=lambda each: each["item_id"]):
        item_id, kind = int(item["item_id"]), str(item.get("kind", ""))
        payload = item.get("payload") if isinstance(item.get("payload"), dict) else {}
        try:
            with database.atomic():
                applier = APPLIERS.get(kind)
                if applier is None:
                    raise ServiceError("sync.item_unknown", kind=kind)
                detail = applier(payload)
                _record(item_id, kind, "ok", detail)
            outcomes.append({"item_id": item_id, "outcome": "ok", "message": detail})
        except ServiceError as error:
            message = translate(error.key, "id", **error.params)
            log.warning("refused item %s from the district: %s", item_id, message)
            with database.atomic():
                _record(item_id, kind, "refused", message)
            outcomes.append({"item_id": item_id, "outcome": "refused", "message": message})
    return outcomes


def pulled_log(limit: int = 50) -> list[dict[str, Any]]:
    with reading():
        rows = database.execute_sql("SELECT hub_item_id, kind, applied_at, outcome, message FROM sync_pulled "
                                    "ORDER BY hub_item_id DESC LIMIT ?", (limit,)).fetchall()
    return [{"item_id": r[0], "kind": r[1], "applied_at": r[2], "outcome": r[3], "message": r[4]} for r in rows]
