"""Enrolment written down at first boot, done by the uploader as soon as it can.

At first boot (kiosk/firstboot.py) the district's hub URL and one-time code are known, but the village is not
set up yet (a person creates it with its admin on the first visit) and the internet may be down for days. So
the code waits in `<data>/pending-enrolment.json` (0600) and `balai sync run` tries it before it starts
sending: again and again while the village is missing or the hub cannot be reached, once and for all when the
hub answers. A code the hub refuses (expired, used, unknown) is set aside as `pending-enrolment.failed.json`
and logged; the admin then enrols from the sync page with a new code.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from pathlib import Path
from typing import Any

import httpx

from sync.client import SyncError, enrol

log = logging.getLogger(__name__)

PENDING_NAME = "pending-enrolment.json"
FAILED_NAME = "pending-enrolment.failed.json"
# Worth waiting for: the village is not set up yet, no network, the hub is down or answers garbage (a proxy).
TRANSIENT = {"no_village", "network", "hub_unavailable", "bad_answer"}
MAX_WAIT_SECONDS = 300.0


def _already_enrolled(database: Any) -> bool:
    row = database.execute_sql("SELECT hub_url, enrolled_at FROM sync_state WHERE id = 1").fetchone()
    return bool(row and row[0] and row[1])


def enrol_pending(database: Any, key: Any, data_dir: Path, stop: threading.Event,
                  transport: httpx.BaseTransport | None = None, first_wait: float = 5.0) -> str:
    """Returns "none" (nothing pending), "enrolled", "refused" or "stopped"."""
    path = data_dir / PENDING_NAME
    if not path.is_file():
        return "none"
    try:
        pending = json.loads(path.read_text(encoding="utf-8"))
        hub_url, code = str(pending["hub_url"]), str(pending["code"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.error("pending enrolment file %s is unreadable (%s); set aside", path, error)
        path.replace(path.with_name(FAILED_NAME))
        return "refused"
    wait = first_wait
    while not stop.is_set():
        try:
            if not _already_enrolled(database):
                enrol(database, key, hub_url, code, transport=transport)
                log.info("enrolled at %s with the code from first boot", hub_url)
            path.unlink()
            return "enrolled"
        except SyncError as error:
            if error.code not in TRANSIENT:
                log.error("the hub refused the enrolment code from first boot (%s); enrol from the sync page", error)
                path.replace(path.with_name(FAILED_NAME))
                return "refused"
            log.info("enrolment at %s not possible yet (%s); again in %.0f s", hub_url, error.code, wait)
        except Exception as error:  # noqa: BLE001 - e.g. the database is not migrated yet: try again later
            log.warning("enrolment at %s failed (%s); again in %.0f s", hub_url, error, wait)
        stop.wait(random.uniform(wait / 2, wait))
        wait = min(wait * 2, MAX_WAIT_SECONDS)
    return "stopped"
