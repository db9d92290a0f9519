"""/m: the phone home page the kiosk's and the ticket's address QR opens.

Plain HTML like the other /m pages (no NiceGUI client, nothing from a CDN, a few kilobytes): what is being
served right now, and big links to the resident's phone services — request a letter, check one by its
tracking code, the announcements, the village budget, a complaint, the satisfaction survey and the polls.
Following one's own queue number starts from the QR on the ticket (a ticket is found by its random public id,
never by a number anyone could type).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import app, run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages import manifest
from kiosk.pages.phone_letters import render, template_env
from kiosk.services import queue
from kiosk.services.errors import ServiceError

REFRESH_SECONDS = 30


def _board() -> queue.NowServing | None:
    """Today's board, or None before set-up (then the page still offers letters and announcements)."""
    try:
        return queue.now_serving()
    except ServiceError:
        return None


def register(ctx: AppContext) -> None:
    """/m, and with it the web app manifest whose start_url it is (one registration line in kiosk.pages)."""
    env = template_env()
    manifest.register(ctx)

    @app.get("/m", response_class=HTMLResponse, include_in_schema=False)
    async def phone_home(request: Request) -> HTMLResponse:
        t = Translator(request.query_params.get("lang") or ctx.settings.language)
        board = await run.io_bound(_board)
        response = render(env, "phone_home.html", t, title=t("phones.home_title"), path="/m", board=board,
                          refresh_seconds=REFRESH_SECONDS)
        return response
