"""/m/pengumuman: the announcements showing today, as a light phone page (plain HTML, escaped text, no
NiceGUI client); /pengumuman/gambar/{name}: their pictures, public and cacheable, for the phone, kiosk and TV."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from nicegui import app, run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.announcement import date_range
from kiosk.pages.phone_letters import render, template_env
from kiosk.services import announcements
from kiosk.services.errors import ServiceError

IMAGE_PATH = "/pengumuman/gambar/"


def register(ctx: AppContext) -> None:
    env = template_env()
    folder = ctx.settings.announcements_dir

    @app.get(IMAGE_PATH + "{name}", include_in_schema=False)
    async def announcement_image(name: str) -> Response:
        try:
            data = await run.io_bound(announcements.image_bytes, name, folder)
        except ServiceError:
            return Response(status_code=404)
        return Response(data, media_type="image/jpeg", headers={
            "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

    @app.get("/m/pengumuman", response_class=HTMLResponse, include_in_schema=False)
    async def phone_announcements(request: Request) -> HTMLResponse:
        t = Translator(request.query_params.get("lang") or ctx.settings.language)
        items = await run.io_bound(lambda: announcements.current(announcements.village_today())) or []
        shown = [dict(item, dates=date_range(item, t)) for item in items]
        return render(env, "phone_announcements.html", t, title=t("announce.phone_title"), path="/m/pengumuman",
                      items=shown)
