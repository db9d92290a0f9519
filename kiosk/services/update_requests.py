"""The admin page's side of an offline update: find bundles on a USB stick, ask for one, show how it went.

The web server runs as the unprivileged `balai` user and cannot (and must not) replace its own code, so the page
only checks a bundle and leaves a request in the data folder. `balai-update.path` sees that file and starts
`balai-update.service` (root), which runs `balai update run-pending`: the request is taken (renamed) first, so a
failing update can never loop, and the result lands in the history the page shows after the restart.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.db import database
from kiosk.services import audit
from kiosk.services.errors import ServiceError
from kiosk.services.roles import require_role
from kiosk.services.update_bundle import Manifest
from kiosk.services.update_install import (Installer, Layout, UpdateResult, write_json, read_history, read_state,
                                           remember)
from kiosk.settings import Settings

log = logging.getLogger(__name__)
BUNDLE_PATTERN = "balai-update-*.tar"


@dataclass(frozen=True)
class FoundBundle:
    path: Path
    size: int


def request_file(settings: Settings) -> Path:
    return settings.data_dir / "update-request.json"


def find_bundles(settings: Settings) -> list[FoundBundle]:
    """Bundles in the top folder of every mounted USB stick (where the release notes tell people to put them)."""
    from kiosk.services.backup_nightly import sticks

    found = []
    for stick in sticks(settings):
        for path in sorted(stick.path.glob(BUNDLE_PATTERN)):
            if path.is_file() and not path.is_symlink():
                found.append(FoundBundle(path, path.stat().st_size))
    return found


def request_update(settings: Settings, bundle: Path, *, actor: str, client: str = "") -> Manifest:
    """Check the bundle now (so a wrong file is refused on the page, not later in a log), then ask for it."""
    require_role(actor, "admin")
    if not any(found.path == bundle for found in find_bundles(settings)):
        raise ServiceError("update.bundle_missing", path=bundle.name)
    if request_file(settings).exists() or read_state(settings) is not None:
        raise ServiceError("update.busy")
    manifest = Installer(settings, actor=actor).check(bundle)
    write_json(request_file(settings), {"bundle": str(bundle), "version": manifest.version, "by": actor,
                                         "client": client})
    with database.atomic():
        audit.record(actor, "update.request", manifest.version, f"{bundle.name}, key {manifest.key_id}", client)
    return manifest


def take_request(settings: Settings) -> dict[str, Any] | None:
    """The pending request, moved aside first: whatever happens next, it is acted on once."""
    path = request_file(settings)
    taken = path.with_name(path.name + ".taken")
    try:
        os.replace(path, taken)
    except FileNotFoundError:
        return None
    try:
        value = json.loads(taken.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        value = None
    finally:
        taken.unlink(missing_ok=True)
    return value if isinstance(value, dict) and isinstance(value.get("bundle"), str) else {"bundle": ""}


def run_pending(settings: Settings, config_file: Path | None = None) -> list[UpdateResult | dict[str, Any]]:
    """What balai-update.service does: finish an interrupted update, then carry out the page's request."""
    done: list[UpdateResult | dict[str, Any]] = []
    recovered = Installer(settings, config_file, actor="boot").recover()
    if recovered is not None:
        done.append(recovered)
    request = take_request(settings)
    if request is None:
        return done
    actor = str(request.get("by") or "admin")
    try:
        done.append(Installer(settings, config_file, actor=actor).apply(Path(request["bundle"])))
    except ServiceError as error:
        log.error("update requested by %s refused: %s", actor, error.key)
        entry = {"outcome": "refused", "reason": error.key, "params": {k: str(v) for k, v in error.params.items()},
                 "to": str(request.get("version", "")), "by": actor,
                 "from": Layout(settings.install_root).current() or ""}
        remember(settings, entry)
        done.append(entry)
    return done


def status(settings: Settings) -> dict[str, Any]:
    """For the page: the running version, an update under way or asked for, and the history."""
    from kiosk import balai_version

    pending = None
    try:
        pending = json.loads(request_file(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pending = None
    return {"version": balai_version(), "appliance": Layout(settings.install_root).current() is not None,
            "state": read_state(settings), "pending": pending, "history": read_history(settings)}
