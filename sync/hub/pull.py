"""What the district sends down to villages: announcements and letter templates.

An item is addressed to one village or to all ('*'); a village asks for items after the last id it applied
and reports back what became of each (a template that fails the village's own checks is refused there, and
the district sees why).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sync.hub.enrolment import normalize_village
from sync.hub.store import ALL_VILLAGES, HubOutbox, HubPullResult, hub_database, utc_now

KINDS = ("announcement", "letter_type")
MAX_ITEMS = 50


class OutboxError(ValueError):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _target(village: str) -> str:
    return ALL_VILLAGES if village in ("", ALL_VILLAGES) else normalize_village(village)


def add_announcement(village: str, title: str, body: str, starts_on: date, ends_on: date | None, *,
                     actor: str) -> int:
    """Queue an announcement for one village ('' or '*' for all). Returns its item id."""
    title, body = " ".join(title.split()), body.strip()
    if not 3 <= len(title) <= 120:
        raise OutboxError("title_invalid")
    if len(body) > 4000:
        raise OutboxError("body_too_long")
    if ends_on is not None and ends_on < starts_on:
        raise OutboxError("dates_invalid")
    payload = {"uuid": uuid.uuid4().hex, "title": title, "body": body, "starts_on": starts_on.isoformat(),
               "ends_on": ends_on.isoformat() if ends_on else None}
    return _add(_target(village), "announcement", payload, actor)


def add_letter_type(village: str, definition: dict[str, Any], body: str, *, actor: str) -> int:
    """Queue a letter type (definition + template), checked here with the same rules a village applies
    (fields, classification code, a sandboxed test render), so the district hears of a mistake at once rather
    than from every village's refusal. Villages check it again before using it."""
    from kiosk.services.errors import ServiceError
    from kiosk.services.letter_types import parse_definition

    if not isinstance(definition, dict) or not definition.get("code") or not body.strip():
        raise OutboxError("letter_type_invalid")
    if len(body) > 100_000:
        raise OutboxError("body_too_long")
    try:
        parse_definition(definition, body)
    except ServiceError as error:
        raise OutboxError("letter_type_invalid", str(error.params.get("detail", error.key))) from error
    return _add(_target(village), "letter_type", {"definition": definition, "body": body}, actor)


def _add(village_id: str, kind: str, payload: dict[str, Any], actor: str) -> int:
    with hub_database.atomic():
        row = HubOutbox.create(village_id=village_id, kind=kind, payload=json.dumps(payload, ensure_ascii=False),
                               created_at=utc_now(), created_by=actor)
    return int(row.item_id)


def items_for(village_id: str, after: int) -> list[dict[str, Any]]:
    with hub_database.connection_context():
        rows = (HubOutbox.select().where((HubOutbox.item_id > after)
                                         & (HubOutbox.village_id.in_([village_id, ALL_VILLAGES])))
                .order_by(HubOutbox.item_id).limit(MAX_ITEMS))
        return [{"item_id": r.item_id, "kind": r.kind, "payload": json.loads(r.payload)} for r in rows]


def record_results(village_id: str, results: list[Any]) -> int:
    count = 0
    with hub_database.connection_context(), hub_database.atomic():
        for item in results[:MAX_ITEMS]:
            if not isinstance(item, dict) or not isinstance(item.get("item_id"), int):
                continue
            outcome = "ok" if item.get("outcome") == "ok" else "refused"
            (HubPullResult.insert(village_id=village_id, item_id=item["item_id"], outcome=outcome,
                                  message=str(item.get("message", ""))[:500], at=utc_now())
             .on_conflict(conflict_target=[HubPullResult.village_id, HubPullResult.item_id],
                          update={HubPullResult.outcome: outcome,
                                  HubPullResult.message: str(item.get("message", ""))[:500]})
             .execute())
            count += 1
    return count


def outbox(limit: int = 100) -> list[dict[str, Any]]:
    """Recent items with how many villages applied or refused each (for the dashboard)."""
    with hub_database.connection_context():
        rows = list(HubOutbox.select().order_by(HubOutbox.item_id.desc()).limit(limit))
        results: dict[int, list[HubPullResult]] = {}
        for result in HubPullResult.select().where(HubPullResult.item_id.in_([r.item_id for r in rows])):
            results.setdefault(result.item_id, []).append(result)
    out = []
    for row in rows:
        payload = json.loads(row.payload)
        done = results.get(row.item_id, [])
        out.append({"item_id": row.item_id, "village_id": row.village_id, "kind": row.kind,
                    "title": payload.get("title") or payload.get("definition", {}).get("code", ""),
                    "created_at": row.created_at, "applied": sum(r.outcome == "ok" for r in done),
                    "refused": [(r.village_id, r.message) for r in done if r.outcome != "ok"]})
    return out
