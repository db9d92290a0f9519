"""GET /api/v1/health: what a monitor, the kiosk launcher and the district ask first."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from fastapi import APIRouter
from pydantic import BaseModel

from kiosk import balai_version
from kiosk.context import AppContext
from kiosk.db import database


class PrinterHealth(BaseModel):
    name: str
    kind: str
    ready: bool
    detail: str
    pending_jobs: int


class DiskHealth(BaseModel):
    state: str  # ok | low | unknown
    free_bytes: int
    total_bytes: int


class Health(BaseModel):
    status: str
    version: str
    database: dict
    printers: list[PrinterHealth]
    disk: DiskHealth | None = None


LOW_DISK_BYTES = 200 * 1024 * 1024  # warn below 200 MB free...
LOW_DISK_SHARE = 0.10  # ...or below a tenth of a small disk, whichever is less


def disk_health(folder: Path) -> DiskHealth:
    """Free space where the database lives: `low` early enough that the operator frees space before the
    office's writes start to be refused (they are refused cleanly then, but refused)."""
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return DiskHealth(state="unknown", free_bytes=0, total_bytes=0)
    low = usage.free < min(LOW_DISK_BYTES, usage.total * LOW_DISK_SHARE)
    return DiskHealth(state="low" if low else "ok", free_bytes=usage.free, total_bytes=usage.total)


log = logging.getLogger(__name__)


def router(ctx: AppContext) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["health"])

    @api.get("/health", response_model=Health)
    def health() -> Health:
        """Status `ok` when the database answers; `degraded` when a printer has a problem or the disk is
        almost full."""
        from kiosk.services.print_jobs import open_jobs

        try:
            version = int(database.execute_sql("PRAGMA user_version").fetchone()[0])
            ok = database.execute_sql("SELECT 1").fetchone()[0] == 1
            db_state = {"state": "ok" if ok else "error", "schema_version": version,
                        "journal_mode": database.execute_sql("PRAGMA journal_mode").fetchone()[0]}
            pending = len(open_jobs(500))
        except Exception as error:  # noqa: BLE001 - health must answer even when the database does not
            log.warning("health check: database error: %s", error)  # details in the log, not to the LAN
            db_state, pending = {"state": "error", "detail": type(error).__name__}, 0
        printers = []
        if ctx.print_worker is not None:
            state = ctx.print_worker.state
            printers.append(PrinterHealth(name=ctx.print_worker.printer.name, kind="thermal", ready=state.ready,
                                          detail=state.detail, pending_jobs=pending))
        disk = disk_health(ctx.settings.data_dir)
        status = "ok"
        if db_state["state"] != "ok":
            status = "error"
        elif any(not p.ready for p in printers) or disk.state == "low":
            status = "degraded"
        return Health(status=status, version=balai_version(), database=db_state, printers=printers, disk=disk)

    return api
