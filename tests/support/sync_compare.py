"""Comparing what a village holds with what the hub holds: every sync test ends here.

The village side is read with the same reader that seals batches (every travelling record, by entity and
key); the hub side is every non-deleted HubRecord of that village. Equal means: nothing lost, nothing
duplicated (keys are unique on both sides), nothing stale.
"""

from __future__ import annotations

import json
from typing import Any

from peewee import Database

from sync.entities import ENTITIES, RecordReader
from sync.hub.store import HubRecord, hub_database
from sync.journal import SNAPSHOT_SQL


def village_content(database: Database) -> dict[tuple[str, str], Any]:
    reader = RecordReader(database)
    content: dict[tuple[str, str], Any] = {}
    with database.atomic("DEFERRED"):
        for entity in ENTITIES:
            for _, key in database.execute_sql(SNAPSHOT_SQL[entity]).fetchall():
                record = reader.read(entity, key)
                if record is not None:
                    content[(entity, key)] = json.loads(json.dumps(record, default=str))
    return content


def hub_content(village_id: str) -> dict[tuple[str, str], Any]:
    with hub_database.connection_context():
        rows = HubRecord.select().where((HubRecord.village_id == village_id) & (HubRecord.deleted == False))  # noqa: E712
        return {(r.entity, r.key): json.loads(r.data) for r in rows}


def differences(village: dict[tuple[str, str], Any], hub: dict[tuple[str, str], Any], limit: int = 5) -> list[str]:
    """Human-readable differences (empty when equal), for assertion messages."""
    out = []
    for key in sorted(set(village) | set(hub)):
        if village.get(key) != hub.get(key):
            out.append(f"{key}: village={str(village.get(key))[:120]} hub={str(hub.get(key))[:120]}")
            if len(out) >= limit:
                break
    return out
