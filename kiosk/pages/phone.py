"""/m/t/{id}: the phone page a ticket's QR opens. Plain HTML and a few lines of script, not a NiceGUI
client: it loads in a few kilobytes over weak office Wi-Fi and fifty phones cost the server almost nothing.
It polls the public ticket API and makes the status unmissable when the number is called."""

from __future__ import annotations

import json
from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, select_autoescape
from nicegui import app

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.services import ikm, queue, village
from kiosk.services.errors import ServiceError
from kiosk.services.ratelimit import RateLimiter


def _template():  # noqa: ANN202 - a jinja2 Template
    source = resources.files("kiosk.templates").joinpath("phone_ticket.html").read_text(encoding="utf-8")
    return Environment(autoescape=select_autoescape(default=True)).from_string(source)


def register(ctx: AppContext) -> None:
    template = _template()
    lookups = RateLimiter(120)  # ticket ids are random; still, no address may try them by the thousand

    @app.get("/m/t/{public_id}", response_class=HTMLResponse, include_in_schema=False)
    def phone_ticket(public_id: str, request: Request, lang: str | None = None) -> HTMLResponse:
        t = Translator(lang or ctx.settings.language)
        if not lookups.allow(request.client.host if request.client else ""):
            return HTMLResponse(t("error.rate_limited"), status_code=429,
                                media_type="text/plain", headers={"Cache-Control": "no-store"})
        try:
            ticket = queue.ticket_status(public_id)
        except ServiceError as error:
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
                                f"<h2 style='font-family:sans-serif;text-align:center'>{t(error.key)}</h2>",
                                status_code=error.status)
        info = village.get_village()
        texts = {
            "waiting": t("phone.status.waiting"), "called": t("phone.status.called", counter="{counter}"),
            "done": t("phone.status.done"), "skipped": t("phone.status.skipped"), "offline": t("phone.offline"),
            "ahead": t("kiosk.ahead", count="{count}"), "ahead_none": t("kiosk.ahead_none"),
        }
        status_text = (t("phone.status.called", counter=ticket.counter or "") if ticket.status == "called"
                       else texts[ticket.status])
        ahead_text = ""
        if ticket.status == "waiting":
            ahead_text = t("kiosk.ahead", count=ticket.ahead) if ticket.ahead else t("kiosk.ahead_none")
        other = "en" if t.lang == "id" else "id"
        offer = ikm.offer_for_ticket(ticket.id) if ticket.status == "done" else None
        html = template.render(
            lang=t.lang, title=t("phone.title", number=ticket.number), village=info.name if info else "",
            ticket=ticket, status_text=status_text, ahead_text=ahead_text, other_lang=other,
            other_lang_label=t("common.language"),
            texts_json=_script_json(texts), api_url_json=_script_json(f"/api/v1/queue/tickets/{ticket.id}"),
            status_json=_script_json(ticket.status),
            survey_url=f"/m/survey/{offer.token}?lang={t.lang}" if offer else "", survey_label=t("ikm.rate_us"),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def _script_json(value: object) -> str:
    """JSON safe to place inside <script>: no closing tags or HTML comment openers can break out."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
