"""The JSON API under /api/v1: thin routers that parse, call a service, and shape the answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from nicegui import app

from kiosk.context import AppContext
from kiosk.i18n import translate
from kiosk.services.errors import ServiceError


def register_api(ctx: AppContext) -> None:
    from kiosk.api import health, letters, queue, residents

    async def service_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceError)
        lang = "en" if request.headers.get("accept-language", "").lower().startswith("en") else ctx.settings.language
        return JSONResponse({"error": error.key, "message": translate(error.key, lang, **error.params)},
                            status_code=error.status)

    app.add_exception_handler(ServiceError, service_error)
    app.include_router(health.router(ctx))
    app.include_router(queue.router(ctx))
    app.include_router(residents.router(ctx))
    app.include_router(letters.router(ctx))
