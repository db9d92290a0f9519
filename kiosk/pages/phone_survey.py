"""/m/survey/{token}: the satisfaction survey on a resident's phone (and /m/survey, where a phone that came
from the home page types today's ticket number or a tracking code, like the kiosk, to get there). A plain
HTML form like the other phone pages (no NiceGUI client, nothing from a CDN): nine questions with four faces
each, an optional profile and suggestion, one POST. A refused answer comes back with the resident's choices
still ticked and the reason on top; every token that is not a live invite gets the same page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from nicegui import app, run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.phone_letters import render, template_env
from kiosk.pages.session import client_address
from kiosk.services import ikm
from kiosk.services.errors import ServiceError
from kiosk.services.ikm import PROFILE_OPTIONS, SARAN_MAX, SurveySubject
from kiosk.services.ikm_index import ELEMENTS
from kiosk.services.ratelimit import RateLimiter

FIELDS = [f"u{n}" for n in range(1, ELEMENTS + 1)] + [*PROFILE_OPTIONS, "saran", "lang"]


def register(ctx: AppContext) -> None:
    env = template_env()
    lookups = RateLimiter(120)
    entries = RateLimiter(20)   # typed ticket numbers are guessable: fewer tries a minute than opened links

    def lang(request: Request, form: Any = None) -> Translator:
        chosen = (form.get("lang") if form is not None else None) or request.query_params.get("lang")
        return Translator(str(chosen or ctx.settings.language))

    def message(t: Translator, text: str, status_code: int, path: str) -> HTMLResponse:
        return render(env, "phone_message.html", t, title=t("ikm.title"), path=path, status_code=status_code,
                      message=text, back_url=f"/m?lang={t.lang}")

    def survey(t: Translator, subject: SurveySubject, *, chosen: dict[str, str] | None = None, text: str = "",
               status_code: int = 200, thanks: bool = False) -> HTMLResponse:
        return render(env, "phone_survey.html", t, title=t("ikm.title"), path=f"/m/survey/{subject.token}",
                      status_code=status_code, subject=subject, chosen=chosen or {}, message=text, thanks=thanks,
                      profile_options=list(PROFILE_OPTIONS.items()), saran_max=SARAN_MAX)

    def start_page(t: Translator, entry: str = "", text: str = "", status_code: int = 200) -> HTMLResponse:
        return render(env, "phone_survey_start.html", t, title=t("ikm.title"), path="/m/survey",
                      status_code=status_code, entry=entry, message=text)

    @app.get("/m/survey", response_class=HTMLResponse, include_in_schema=False)
    def survey_start(request: Request) -> Response:
        return start_page(lang(request))

    @app.post("/m/survey", response_class=HTMLResponse, include_in_schema=False)
    async def survey_lookup(request: Request) -> Response:
        try:
            form = await request.form(max_files=0, max_fields=5)
        except Exception:  # noqa: BLE001 - a broken form is a plain message, never a stack trace
            t = lang(request)
            return start_page(t, text=t("msurat.bad_form"), status_code=400)
        t = lang(request, form)
        entry = str(form.get("kode") or "")[:40]
        if not entries.allow(client_address(request)):
            return start_page(t, entry, t("error.rate_limited"), 429)
        try:
            subject = await run.io_bound(ikm.kiosk_subject, entry)
        except ServiceError as error:
            return start_page(t, entry, error_text(error, t), error.status)
        return RedirectResponse(f"/m/survey/{subject.token}?lang={t.lang}", status_code=303)

    @app.get("/m/survey/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def survey_form(token: str, request: Request) -> Response:
        t = lang(request)
        path = f"/m/survey/{quote(token[:100], safe='')}"
        if not lookups.allow(client_address(request)):
            return message(t, t("error.rate_limited"), 429, path)
        try:
            subject = await run.io_bound(ikm.subject_for_token, token[:100])
        except ServiceError as error:
            return message(t, error_text(error, t), error.status, path)
        if subject.answered:
            return message(t, t("ikm.already"), 409, path)
        return survey(t, subject)

    @app.post("/m/survey/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def survey_answer(token: str, request: Request) -> Response:
        path = f"/m/survey/{quote(token[:100], safe='')}"
        if not lookups.allow(client_address(request)):
            t = lang(request)
            return message(t, t("error.rate_limited"), 429, path)
        try:
            form = await request.form(max_files=0, max_fields=len(FIELDS) + 5)
        except Exception:  # noqa: BLE001 - a broken form is a plain message, never a stack trace
            t = lang(request)
            return message(t, t("msurat.bad_form"), 400, path)
        t = lang(request, form)
        chosen = {name: str(form.get(name) or "")[:SARAN_MAX + 100] for name in FIELDS if form.get(name) is not None}
        try:
            subject = await run.io_bound(ikm.subject_for_token, token[:100])
        except ServiceError as error:
            return message(t, error_text(error, t), error.status, path)
        try:
            await run.io_bound(
                ikm.submit, subject.token, [chosen.get(f"u{n}") for n in range(1, ELEMENTS + 1)],
                profile={name: chosen.get(name, "") for name in PROFILE_OPTIONS}, saran=chosen.get("saran", ""),
                channel="phone", client=client_address(request))
        except ServiceError as error:
            if error.key == "ikm.already":
                return message(t, error_text(error, t), error.status, path)
            return survey(t, subject, chosen=chosen, text=error_text(error, t), status_code=error.status)
        return survey(t, subject, thanks=True)
