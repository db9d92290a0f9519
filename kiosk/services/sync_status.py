"""What the operator's sync page asks of the sync machinery: status, sending now, enrolment, USB export.

Pages call these functions and never import `sync.*` themselves. Every failure of the sync layer (a
`SyncError` from the uploader, an `ExportError` from the USB export) becomes a `ServiceError` whose key is
a translated sentence (`sync.error.<code>`, `sync.export.<code>`), so a person never sees a raw error.
Network and USB work blocks: pages call `send_now`, `enrol` and `export_to_stick` through `run.io_bound`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import database, reading
from kiosk.i18n import ID
from kiosk.services import announcements, audit, hub_items, village
from kiosk.services.clock import local_day, parse_stamp, utc_now
from kiosk.services.errors import ServiceError
from sync import journal
from sync.client import RunResult, SyncError, Uploader
from sync.client import enrol as client_enrol
from sync.usb import ExportError, Exported, Stick, export_pending, find_sticks

log = logging.getLogger(__name__)

# One exchange at a time from this process: two tabs pressing "Kirim sekarang" together wait for nothing.
_sending = threading.Lock()


def error_message(stored: str) -> tuple[str, dict[str, Any]]:
    """The translation key (and parameters) for `sync_state.last_error` ("code" or "code: detail").

    The detail (an exception text from the network stack) is never shown; an unknown code is named.
    """
    code = stored.split(":", 1)[0].strip()
    if not code:
        return "", {}
    key = f"sync.error.{code}"
    if key in ID:
        return key, {}
    return "sync.error.other", {"code": code[:40]}


def rejections(limit: int = 50) -> list[dict[str, Any]]:
    """Records the hub refused, newest first: entity, key, reason, when."""
    with reading():
        rows = database.execute_sql("SELECT entity, key, reason, at, batch_id FROM sync_rejection "
                                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [{"entity": r[0], "key": r[1], "reason": r[2], "at": parse_stamp(r[3]), "batch_id": r[4]} for r in rows]


def overview() -> dict[str, Any]:
    """Everything the sync page shows, in one call.

    status: `sync.journal.SyncStatus` (pending changes, oldest pending age, enrolled, hub URL, ...);
    last_success / last_attempt: naive-UTC datetimes or None; error_key / error_params: the last error as a
    translation; rejections; pulled (what the district sent and what became of it); announcements (the
    district's announcements showing today in the village); zone: the village's time zone name.
    """
    info = village.get_village()
    zone = info.timezone if info else "Asia/Jakarta"
    current = journal.status(database)
    error_key, error_params = error_message(current.last_error)
    pulled = [dict(item, applied_at=parse_stamp(item["applied_at"])) for item in hub_items.pulled_log()]
    today = local_day(utc_now(), zone)
    district = [a for a in announcements.current(today) if a["source"] == "hub"]
    return {
        "status": current,
        "last_success": parse_stamp(current.last_success_at),
        "last_attempt": parse_stamp(current.last_attempt_at),
        "error_key": error_key,
        "error_params": error_params,
        "rejections": rejections(),
        "pulled": pulled,
        "announcements": district,
        "zone": zone,
    }


def send_now(key: Ed25519PrivateKey) -> RunResult:
    """One exchange with the hub (seal, send, pull and apply the district's items). Blocking."""
    if not _sending.acquire(blocking=False):
        raise ServiceError("sync.busy", status=409)
    try:
        return Uploader(database, key, apply_pulled=hub_items.apply_items).once()
    except SyncError as error:
        log.warning("sync from the operator page failed: %s", error)
        raise ServiceError(f"sync.error.{error.code}" if f"sync.error.{error.code}" in ID else "sync.error.other",
                           status=502, code=error.code[:40]) from error
    finally:
        _sending.release()


def _check_hub_url(hub_url: str) -> str:
    url = (hub_url or "").strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url)
            or parts.username or parts.password or parts.query or parts.fragment or len(url) > 300):
        raise ServiceError("sync.enrol.url_invalid")
    return url.rstrip("/")


def enrol(key: Ed25519PrivateKey, hub_url: str, code: str, actor: str, client: str = "") -> dict[str, str]:
    """Register this village's key at the district hub with its one-time code. Blocking (HTTP)."""
    url = _check_hub_url(hub_url)
    code = (code or "").strip()
    if not code or len(code) > 100:
        raise ServiceError("sync.enrol.code_missing")
    try:
        answer = client_enrol(database, key, url, code)
    except SyncError as error:
        with database.atomic():
            audit.record(actor, "sync.enrol_failed", url, error.code, client)
        raise ServiceError(f"sync.error.{error.code}" if f"sync.error.{error.code}" in ID else "sync.error.other",
                           status=502, code=error.code[:40]) from error
    with database.atomic():
        audit.record(actor, "sync.enrol", url, f"village {answer['village']}", client)
    return answer


def sticks(settings: Any) -> list[Stick]:
    """Writable USB sticks mounted right now under the configured roots."""
    return find_sticks(tuple(settings.usb_mount_roots), Path(settings.usb_mounts_file))


def export_to_stick(key: Ed25519PrivateKey, stick_path: str | Path, settings: Any, actor: str,
                    client: str = "") -> Exported:
    """Write every pending batch as a signed, encrypted bundle onto a stick. Blocking.

    Only a stick `sticks()` reports at this moment is written to: the path a browser sends back is matched
    against the mount table, never used as it comes.
    """
    wanted = Path(str(stick_path))
    stick = next((each for each in sticks(settings) if each.path == wanted), None)
    if stick is None:
        raise ServiceError("sync.export.not_a_stick")
    try:
        exported = export_pending(database, key, stick.path)
    except ExportError as error:
        raise ServiceError(f"sync.export.{error.code}") from error
    with database.atomic():
        audit.record(actor, "sync.usb_export", stick.label,
                     f"{exported.batches} batch, {exported.changes} perubahan, {exported.folder.name}", client)
    return exported


__all__ = ["overview", "send_now", "enrol", "sticks", "export_to_stick", "rejections", "error_message",
           "RunResult", "Exported", "Stick"]
