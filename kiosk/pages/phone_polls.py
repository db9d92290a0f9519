"""/m/polls: village polls on a resident's phone. Plain HTML forms like the phone letter pages (no NiceGUI
client, nothing from a CDN, autoescaped templates), light on weak office Wi-Fi.

/m/polls                 the polls residents may see: open, scheduled, and finished ones with public results
/m/polls/{uuid}          the question; while open, a form: one option, NIK, PIN -> POST here
/m/polls/{uuid}/hasil    results, when the poll shows them; reloads itself while the poll is running

The vote needs no session: NIK + PIN go with the choice in one POST, are checked with the letters' check
(`resident_login`: one answer, the same delay, the per-phone rate limit) and are never echoed back except
the NIK the resident typed, when the page must be shown again.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from nicegui import app, run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.letter_inputs import resident_login
from kiosk.pages.phone_letters import render, template_env
from kiosk.pages.poll_view import percent, when, zone_name
from kiosk.pages.session import client_address
from kiosk.services import polls
from kiosk.services.errors import ServiceError
from kiosk.services.polls import PollInfo
from kiosk.services.ratelimit import RateLimiter


def _lang(ctx: AppContext, request: Request, form: object = None) -> Translator:
    chosen = (form.get("lang") if form is not None else None) or request.query_params.get("lang")  # type: ignore[attr-defined]
    return Translator(str(chosen or ctx.settings.language))


def _period(info: PollInfo, t: Translator, zone: str) -> str:
    if info.phase == "open":
        return t("kpoll.open_until", when=when(info.ends_at, zone))
    if info.phase == "scheduled":
        return t("kpoll.opens_at", when=when(info.starts_at, zone))
    return t("kpoll.over")


def register(ctx: AppContext) -> None:
    env = template_env()
    lookups = RateLimiter(120)

    def message_page(t: Translator, message: str, status_code: int, path: str) -> HTMLResponse:
        return render(env, "phone_message.html", t, title=t("mpoll.title"), path=path, status_code=status_code,
                      message=message, back_url=f"/m/polls?lang={t.lang}")

    def poll_page(t: Translator, info: PollInfo, *, message: str = "", nik: str = "", chosen: int = 0,
                  status_code: int = 200) -> HTMLResponse:
        return render(env, "phone_poll.html", t, title=info.question, path=f"/m/polls/{info.uuid}",
                      status_code=status_code, poll=info, period=_period(info, t, zone_name()), message=message,
                      nik=nik, chosen=chosen)

    @app.get("/m/polls", response_class=HTMLResponse, include_in_schema=False)
    async def poll_list(request: Request) -> Response:
        t = _lang(ctx, request)
        found = await run.io_bound(polls.public_list)
        zone = zone_name()
        items = [{"uuid": p.uuid, "question": p.question, "period": _period(p, t, zone)} for p in found]
        return render(env, "phone_polls.html", t, title=t("mpoll.title"), path="/m/polls", items=items)

    @app.get("/m/polls/{uid}", response_class=HTMLResponse, include_in_schema=False)
    async def poll_form(uid: str, request: Request) -> Response:
        t = _lang(ctx, request)
        if not lookups.allow(client_address(request)):
            return message_page(t, t("error.rate_limited"), 429, f"/m/polls/{uid}")
        try:
            info = await run.io_bound(polls.get, uid[:64], public=True)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status, f"/m/polls/{uid}")
        return poll_page(t, info)

    @app.post("/m/polls/{uid}", response_class=HTMLResponse, include_in_schema=False)
    async def poll_vote(uid: str, request: Request) -> Response:
        t = _lang(ctx, request)
        try:
            info = await run.io_bound(polls.get, uid[:64], public=True)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status, f"/m/polls/{uid}")
        try:
            form = await request.form(max_files=0, max_fields=10)
        except Exception:  # noqa: BLE001 - a broken form is a plain message, never a stack trace
            return poll_page(t, info, message=t("mpoll.bad_form"), status_code=400)
        t = _lang(ctx, request, form)
        nik = "".join(ch for ch in str(form.get("nik") or "")[:40] if ch.isdigit())
        raw_option = str(form.get("option") or "")[:12]
        chosen = int(raw_option) if raw_option.isdigit() else 0
        if chosen not in {o.id for o in info.options}:
            return poll_page(t, info, message=t("mpoll.pick_one"), nik=nik, status_code=422)
        client = client_address(request)
        try:
            person_id = await resident_login(ctx, nik, str(form.get("pin") or "")[:20], client)
        except ServiceError as error:
            return poll_page(t, info, message=error_text(error, t), nik=nik, chosen=chosen, status_code=error.status)
        try:
            await run.io_bound(polls.cast_vote, info.uuid, chosen, person_id, channel="phone", client=client)
        except ServiceError as error:
            fresh = await run.io_bound(polls.get, info.uuid, public=True)
            return poll_page(t, fresh, message=error_text(error, t), status_code=error.status)
        ctx.feed.bump()
        return render(env, "phone_poll_done.html", t, title=t("kpoll.done"), path=f"/m/polls/{info.uuid}",
                      poll=info)

    @app.get("/m/polls/{uid}/hasil", response_class=HTMLResponse, include_in_schema=False)
    async def poll_results(uid: str, request: Request) -> Response:
        t = _lang(ctx, request)
        if not lookups.allow(client_address(request)):
            return message_page(t, t("error.rate_limited"), 429, f"/m/polls/{uid}/hasil")
        try:
            found = await run.io_bound(polls.results, uid[:64], public=True)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status, f"/m/polls/{uid}/hasil")
        options = [{"position": o.position, "label": o.label, "votes": o.votes, "pct": percent(o.percent, t),
                    "width": f"{o.percent:.1f}"} for o in found.options]
        over = found.poll.phase == "over"
        return render(env, "phone_poll_results.html", t, title=found.poll.question, path=f"/m/polls/{uid}/hasil",
                      poll=found.poll, options=options, caption=t("kpoll.final") if over else t("kpoll.live"),
                      total=t("kpoll.total", total=found.total),
                      turnout=t("kpoll.turnout", pct=percent(found.turnout, t), eligible=found.eligible),
                      refresh=not over)
