"""/v/{token}: what a phone opens when it scans the QR on a signed letter. Public, plain light HTML.

A big green SAH or a big red TIDAK SAH with the reason, and the facts to compare with the paper (number,
type, date, masked name, signer) — only when the village's signature on them checks out, so a forged QR
cannot put words on this page. Nothing personal beyond the masked name. A bad token is an answer, never an
error page.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import app, run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.phone_letters import render, template_env
from kiosk.pages.session import client_address
from kiosk.seal import SealReading
from kiosk.services import village
from kiosk.services.clock import format_date
from kiosk.services.letter_verify import Verification, verify_qr
from kiosk.services.ratelimit import RateLimiter

log = logging.getLogger(__name__)
MAX_TOKEN = 1000


def facts(result: Verification, t: Translator) -> list[tuple[str, str, str]]:
    """(label, value, key) rows to hold against the paper; none unless the seal is genuinely this village's."""
    seal = result.seal
    if not seal.valid:
        return []
    rows = [(t("vsurat.number"), seal.number, "number"),
            (t("vsurat.type"), result.type_name or seal.type_code, "type"),
            (t("vsurat.date"), format_date(seal.letter_date), "date"),
            (t("vsurat.name"), seal.masked_name, "name")]
    if result.signer_name:
        signer = f"{result.signer_name}, {result.signer_title}" if result.signer_title else result.signer_name
        rows.append((t("vsurat.signer"), signer, "signer"))
    return rows


def register(ctx: AppContext) -> None:
    env = template_env()
    limiter = RateLimiter(60)

    @app.get("/v/{token:path}", response_class=HTMLResponse, include_in_schema=False)
    async def verify_page(token: str, request: Request) -> HTMLResponse:
        t = Translator(request.query_params.get("lang") or ctx.settings.language)
        path = f"/v/{token}"[:MAX_TOKEN]
        if not limiter.allow(client_address(request)):
            return render(env, "phone_message.html", t, title=t("vsurat.title"), path=path, status_code=429,
                          message=t("error.rate_limited"), back_url="")
        text = f"{ctx.base_url}/v/{token}"[:MAX_TOKEN + 100]
        try:
            result = await run.io_bound(verify_qr, text, ctx.letters.key.public_key())
        except Exception:  # noqa: BLE001 - whatever went wrong, the holder sees "not valid", never a crash
            log.exception("verifying a letter QR failed")
            result = Verification(False, "format", SealReading(False, "format"))
        reason = t(f"verify.reason.{result.reason}", reason=result.revoke_reason or "-")
        info = village.get_village()
        return render(env, "verify.html", t, title=t("vsurat.title"), path=path, result=result,
                      verdict=t("verify.valid") if result.valid else t("verify.invalid"), reason=reason,
                      facts=facts(result, t), village=info.name if info else "")
