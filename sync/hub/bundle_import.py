"""`balai hub import DIR`: ingest USB bundles through the same path as the network.

A bundle whose manifest is not signed by the enrolled key of the village it names is refused whole and
logged as an incident (tampered, or from an impostor); a batch that fails to decrypt or hash is refused
alone; every good batch goes to `ingest`, which deduplicates, so importing twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync.bundle import find_bundles, open_bundle, village_of
from sync.hub.ingest import IngestError, ingest, record_incident
from sync.hub.store import HubVillage, hub_database, utc_now
from sync.keys import ed25519_public
from sync.protocol import ProtocolError


@dataclass
class ImportReport:
    bundles: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    rejected_records: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_bundles(root: Path, box: X25519PrivateKey) -> ImportReport:
    report = ImportReport()
    for folder in find_bundles(root):
        report.bundles += 1
        try:
            village_id = village_of(folder)
            with hub_database.connection_context():
                village = HubVillage.get_or_none(HubVillage.village_id == village_id[:10])
            if village is None:
                raise ProtocolError("not_enrolled", village_id[:10])
            opened = open_bundle(folder, ed25519_public(village.public_key), box)
        except ProtocolError as error:
            if error.code != "not_enrolled":
                record_incident(village_of_safe(folder), "bundle_refused", f"{folder.name}: {error}")
            report.refused.append({"bundle": folder.name, "reason": error.code})
            continue
        for batch_id, reason in opened.problems:
            record_incident(opened.village, "bundle_batch_refused", f"{folder.name} {batch_id}: {reason}")
            report.refused.append({"bundle": folder.name, "batch": batch_id, "reason": reason})
        for batch in opened.batches:
            try:
                with hub_database.connection_context():
                    result = ingest(opened.village, batch.body, via="usb", claimed_sha256=batch.sha256)
                    if not result.duplicate:
                        HubVillage.update(last_success_at=utc_now()).where(
                            HubVillage.village_id == opened.village).execute()
            except IngestError as error:
                report.refused.append({"bundle": folder.name, "batch": batch.batch_id, "reason": error.code})
                continue
            if result.duplicate:
                report.duplicates += 1
            else:
                report.stored += 1
                report.rejected_records += len(result.rejected)
    return report


def village_of_safe(folder: Path) -> str:
    try:
        return village_of(folder)[:10] or "?"
    except (ProtocolError, OSError):
        return "?"
