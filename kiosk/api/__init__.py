"""The JSON API under /api/v1: thin routers that parse, call a service, and shape the answer."""

from __future__ import annotations

import sqlite3

import peewee
from fastapi import Request
from fastapi.responses import JSONResponse
from nicegui import app

from kiosk.context import AppContext
from kiosk.i18n import translate
from kiosk.services.errors import DiskFull, ServiceError, is_disk_full


def register_api(ctx: AppContext) -> None:
    from kiosk.api import health, letters, queue, residents

    async def service_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceError)
        lang = "en" if request.headers.get("accept-language", "").lower().startswith("en") else ctx.settings.language
        return JSONResponse({"error": error.key, "message": translate(error.key, lang, **error.params)},
                            status_code=error.status)

    async def disk_full(request: Request, error: Exception) -> JSONResponse:
        """A full disk is the one non-ServiceError a person must see as a clear answer (507, `disk.full`)."""
        if not is_disk_full(error):
            raise error  # a bug: the usual 500
        return await service_error(request, DiskFull())

    app.add_exception_handler(ServiceError, service_error)
    for kind in (OSError, sqlite3.Error, peewee.PeeweeException):
        app.add_exception_handler(kind, disk_full)
    app.include_router(health.router(ctx))
    app.include_router(queue.router(ctx))
    app.include_router(residents.router(ctx))
    app.include_router(letters.router(ctx))
