"""/m/complaint and /m/complaint/{code}: complaints from a resident's phone. Plain HTML forms like the other
/m pages (no NiceGUI client, nothing from a CDN, escaped text only).

/m/complaint                 the form: category, text, an optional photo, anonymous / resident (NIK + PIN) / name
/m/complaint/cek?kode=...    a typed tracking code -> its page
/m/complaint/{code}          status, due date and the office's replies; nothing about who sent it
/m/complaint/{code}/photo    the photo, for whoever holds the code (never cached)

Code lookups are rate-limited per address and every unknown or malformed code gets the same answer. A NIK +
PIN goes through the letter flow's check (`resident_login`: its rate limit, its one slow answer for every
failure). Bad input changes nothing: the form comes back with the problem next to its box.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from nicegui import app, run
from starlette.datastructures import UploadFile

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.letter_inputs import resident_login
from kiosk.pages.phone_letters import FORM_OVERHEAD_BYTES, SECURITY_HEADERS, render, template_env
from kiosk.pages.session import client_address
from kiosk.services import complaints, village
from kiosk.services.clock import format_date, local_day, local_time
from kiosk.services.complaint_checks import BODY_MAX, check_photo
from kiosk.services.complaints import NewComplaint
from kiosk.services.errors import ServiceError
from kiosk.services.ratelimit import RateLimiter

LOOKUPS_PER_MINUTE = 60
_FIELD_OF = {"body": "body", "name": "identity", "phone": "identity", "identity": "identity", "pin": "identity",
             "category": "category", "photo": "photo"}


def _lang(ctx: AppContext, request: Request, form: Any = None) -> Translator:
    chosen = (form.get("lang") if form is not None else None) or request.query_params.get("lang")
    return Translator(str(chosen or ctx.settings.language))


def _box(key: str) -> str:
    """Which box of the form a refusal belongs next to."""
    part = key.removeprefix("complaint.").split("_")[0]
    if key.startswith(("pin.", "complaint.identity", "complaint.phone")):
        return "identity"
    if key.startswith(("upload.", "complaint.photo")):
        return "photo"
    return _FIELD_OF.get(part, "body")


def _zone() -> str:
    info = village.get_village()
    return info.timezone if info else "Asia/Jakarta"


def register(ctx: AppContext) -> None:
    env = template_env()
    lookups = RateLimiter(LOOKUPS_PER_MINUTE)
    folder = complaints.photo_folder(ctx.settings.data_dir)
    max_mb = f"{ctx.upload_max_bytes / 1_000_000:g}"

    def form_page(t: Translator, values: dict[str, str], problems: dict[str, str], *, message: str = "",
                  status_code: int = 200) -> HTMLResponse:
        return render(env, "phone_complaint_form.html", t, title=t("madu.title"), path="/m/complaint",
                      status_code=status_code, categories=complaints.categories(), values=values, problems=problems,
                      message=message, max_mb=max_mb, body_max=BODY_MAX)

    def message_page(t: Translator, message: str, status_code: int) -> HTMLResponse:
        return render(env, "phone_message.html", t, title=t("madu.title"), path="/m/complaint",
                      status_code=status_code, message=message, back_url=f"/m/complaint?lang={t.lang}")

    @app.get("/m/complaint", response_class=HTMLResponse, include_in_schema=False)
    def complaint_form(request: Request) -> Response:
        return form_page(_lang(ctx, request), {}, {})

    @app.post("/m/complaint", response_class=HTMLResponse, include_in_schema=False)
    async def complaint_submit(request: Request) -> Response:
        t = _lang(ctx, request)
        limit = ctx.upload_max_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD_BYTES:
            # Refused before reading: a phone must not fill the SD card with a video.
            return form_page(t, {}, {"photo": t("madu.too_large", max_mb=max_mb)}, message=t("madu.fix"),
                             status_code=413)
        try:
            form = await request.form(max_files=1, max_fields=12)
        except Exception:  # noqa: BLE001 - a broken form is a plain message
            return form_page(t, {}, {}, message=t("msurat.bad_form"), status_code=400)
        t = _lang(ctx, request, form)
        values = {name: str(form.get(name) or "")[:4000] for name in ("kategori", "isi", "identitas", "nama", "hp")}
        values["nik"] = "".join(ch for ch in str(form.get("nik") or "")[:40] if ch.isdigit())
        pin = str(form.get("pin") or "")[:20]
        upload = form.get("foto")
        data = b""
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(limit + 1)
        await form.close()
        problems: dict[str, str] = {}
        photo = None
        if data:
            try:
                photo = await run.io_bound(check_photo, data, limit)
            except ServiceError as error:
                problems["photo"] = error_text(error, t)
        identity = values["identitas"] or "anonim"
        new = NewComplaint(values["kategori"], values["isi"], identity=identity if identity in complaints.IDENTITIES
                           else "?", name=values["nama"], phone=values["hp"])
        try:  # every text rule before the (slow, rate-limited) PIN check, so a typo costs no PIN attempt
            complaints.check_new(new, person_checked=False)
        except ServiceError as error:
            problems[_box(error.key)] = error_text(error, t)
        if not values["kategori"]:
            problems.setdefault("category", t("complaint.category_invalid"))
        if problems:
            if data and "photo" not in problems:
                problems["photo"] = t("madu.photo_again")
            return form_page(t, values, problems, message=t("madu.fix"), status_code=422)
        client = client_address(request)
        person_id = None
        if identity == "warga":
            try:
                person_id = await resident_login(ctx, values["nik"], pin, client)
            except ServiceError as error:
                problems = {"identity": error_text(error, t)}
                if data:
                    problems["photo"] = t("madu.photo_again")
                return form_page(t, values, problems, message=t("madu.fix"), status_code=error.status)
        new = NewComplaint(values["kategori"], values["isi"], identity=identity, person_id=person_id,
                           name=values["nama"], phone=values["hp"])
        try:
            code = await run.io_bound(complaints.create, new, photo, folder=folder, channel="phone", actor="phone",
                                      client=client)
        except ServiceError as error:
            return form_page(t, values, {_box(error.key): error_text(error, t)}, message=t("madu.fix"),
                             status_code=error.status)
        return RedirectResponse(f"/m/complaint/{complaints.normalize_code(code)}?lang={t.lang}&baru=1",
                                status_code=303)

    @app.get("/m/complaint/cek", include_in_schema=False)
    def complaint_by_code(request: Request, kode: str = "") -> Response:
        t = _lang(ctx, request)
        code = complaints.normalize_code(kode)
        if not code:
            return RedirectResponse(f"/m/complaint?lang={t.lang}", status_code=303)
        return RedirectResponse(f"/m/complaint/{quote(code)}?lang={t.lang}", status_code=303)

    @app.get("/m/complaint/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def complaint_status(code: str, request: Request) -> Response:
        t = _lang(ctx, request)
        if not lookups.allow(client_address(request)):
            return message_page(t, t("error.rate_limited"), 429)
        try:
            item = await run.io_bound(complaints.public_status, code)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status)
        zone = _zone()
        replies = [{"when": f"{format_date(local_day(r.created_at, zone))} {local_time(r.created_at, zone):%H:%M}",
                    "status": r.status, "body": r.body} for r in item.replies]
        return render(env, "phone_complaint_status.html", t, title=t("madu.status_title", code=item.tracking_code),
                      path=f"/m/complaint/{complaints.normalize_code(code)}", item=item, replies=replies,
                      code=complaints.normalize_code(code), fresh=request.query_params.get("baru") == "1",
                      sent_on=format_date(local_day(item.created_at, zone)),
                      due_on=format_date(local_day(item.due_at, zone)))

    @app.get("/m/complaint/{code}/photo", include_in_schema=False)
    async def complaint_photo(code: str, request: Request) -> Response:
        if not lookups.allow(client_address(request)):
            return Response(status_code=429)
        try:
            data = await run.io_bound(complaints.photo_for_code, code, folder)
        except ServiceError:
            return Response(status_code=404)
        return Response(data, media_type="image/jpeg", headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})
