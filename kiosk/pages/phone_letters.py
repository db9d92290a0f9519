"""/m/surat and /m/s/{code}: letters from a resident's phone. Plain HTML forms, no NiceGUI client, nothing
from a CDN: light on weak office Wi-Fi and usable on any phone browser.

/m/surat            NIK + PIN (the same one answer for every failure) -> a session cookie for /m/surat only
/m/surat/jenis      the letter types and the resident's own requests
/m/surat/isi/{type} the type's fields and an optional photo/PDF -> a new request (channel "phone")
/m/surat/terkirim/{code}  the tracking code, with a link to its status page
/m/s/{code}         status by tracking code, no login, nothing personal (masked name); refreshes itself
/m/s/{code}/pdf     POST NIK + PIN: the signed PDF, only for the resident the letter is about
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FunctionLoader, select_autoescape
from nicegui import app, run
from starlette.datastructures import UploadFile

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.letter_inputs import FAILURE_SECONDS, field_problems, resident_login
from kiosk.pages.session import client_address
from kiosk.services import attachments, ikm, letter_requests, letter_signing, letter_types, village
from kiosk.services.clock import format_date, local_day
from kiosk.services.errors import ServiceError
from kiosk.services.letter_fields import FieldErrors, clean_fields
from kiosk.services.letter_types import LetterTypeInfo
from kiosk.services.ratelimit import RateLimiter

COOKIE = "balai_surat"
COOKIE_PATH = "/m/surat"
SESSION_SECONDS = 15 * 60
FORM_OVERHEAD_BYTES = 256 * 1024      # the answers and multipart framing around the attachment
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "manifest-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_FINAL = ("diambil", "dibatalkan")


def _load(name: str) -> str | None:
    source = resources.files("kiosk.templates").joinpath(name)
    return source.read_text(encoding="utf-8") if source.is_file() else None


def template_env() -> Environment:
    return Environment(loader=FunctionLoader(_load),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def render(env: Environment, name: str, t: Translator, *, title: str, path: str, status_code: int = 200,
           **values: Any) -> HTMLResponse:
    """One of the light pages: the shared frame (village name, language link) around a template."""
    info = village.get_village()
    other = "en" if t.lang == "id" else "id"
    html = env.get_template(name).render(
        lang=t.lang, t=t, title=title, header=t("msurat.village", village=info.name) if info else "Balai",
        other_lang_label=t("common.language"), lang_url=f"{path}?lang={other}", **values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


class PhoneSessions:
    """Who logged in on which phone: random tokens kept in memory (a restart just asks for the PIN again),
    expiring after 15 idle minutes."""

    def __init__(self, seconds: float = SESSION_SECONDS, limit: int = 5000) -> None:
        self.seconds = seconds
        self.limit = limit
        self._items: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def open(self, person_id: int) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            if len(self._items) >= self.limit:
                for key in [k for k, (_, until) in self._items.items() if until < now] or list(self._items)[:100]:
                    self._items.pop(key, None)
            self._items[token] = (person_id, now + self.seconds)
        return token

    def person(self, token: str | None) -> int | None:
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            found = self._items.get(token)
            if found is None or found[1] < now:
                self._items.pop(token, None)
                return None
            self._items[token] = (found[0], now + self.seconds)
            return found[0]

    def close(self, token: str | None) -> None:
        with self._lock:
            self._items.pop(token or "", None)


def _lang(ctx: AppContext, request: Request, form: Any = None) -> Translator:
    chosen = (form.get("lang") if form is not None else None) or request.query_params.get("lang")
    return Translator(str(chosen or ctx.settings.language))


def _status_word(t: Translator, status: Any) -> tuple[str, str]:
    if status.revoked:
        return t("letter.status.revoked"), "revoked"
    return t(f"letter.status.{status.status}"), status.status


def _zone() -> str:
    info = village.get_village()
    return info.timezone if info else "Asia/Jakarta"


def register(ctx: AppContext) -> None:
    env = template_env()
    sessions = PhoneSessions()
    lookups = RateLimiter(120)

    def message_page(t: Translator, message: str, status_code: int, path: str, back_url: str = "") -> HTMLResponse:
        return render(env, "phone_message.html", t, title=t("msurat.title"), path=path, status_code=status_code,
                      message=message, back_url=back_url)

    def login_page(t: Translator, message: str = "", nik: str = "", status_code: int = 200) -> HTMLResponse:
        return render(env, "phone_letter_login.html", t, title=t("msurat.title"), path="/m/surat",
                      status_code=status_code, message=message, nik=nik)

    def session_person(request: Request) -> int | None:
        return sessions.person(request.cookies.get(COOKIE))

    def to_login(t: Translator) -> RedirectResponse:
        response = RedirectResponse(f"/m/surat?lang={t.lang}&habis=1", status_code=303)
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    @app.get("/m/surat", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request) -> Response:
        t = _lang(ctx, request)
        if session_person(request) is not None:
            return RedirectResponse(f"/m/surat/jenis?lang={t.lang}", status_code=303)
        expired = request.query_params.get("habis") == "1"
        return login_page(t, t("msurat.session_expired") if expired else "")

    @app.post("/m/surat", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request) -> Response:
        try:
            form = await request.form(max_files=0, max_fields=10)
        except Exception:  # noqa: BLE001 - a broken form is a plain message, never a stack trace
            return login_page(_lang(ctx, request), _lang(ctx, request)("msurat.bad_form"), status_code=400)
        t = _lang(ctx, request, form)
        nik = "".join(ch for ch in str(form.get("nik") or "")[:40] if ch.isdigit())
        try:
            person_id = await resident_login(ctx, nik, str(form.get("pin") or "")[:20], client_address(request))
        except ServiceError as error:
            return login_page(t, error_text(error, t), nik=nik, status_code=error.status)
        response = RedirectResponse(f"/m/surat/jenis?lang={t.lang}", status_code=303)
        response.set_cookie(COOKIE, sessions.open(person_id), max_age=SESSION_SECONDS, path=COOKIE_PATH,
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.get("/m/surat/keluar", include_in_schema=False)
    def logout(request: Request) -> Response:
        t = _lang(ctx, request)
        sessions.close(request.cookies.get(COOKIE))
        response = RedirectResponse(f"/m/surat?lang={t.lang}", status_code=303)
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
        return response

    @app.get("/m/surat/jenis", response_class=HTMLResponse, include_in_schema=False)
    async def choose_type(request: Request) -> Response:
        t = _lang(ctx, request)
        person_id = session_person(request)
        if person_id is None:
            return to_login(t)
        known = await run.io_bound(letter_types.list_types)
        mine = await run.io_bound(letter_requests.list_requests, limit=30, person_id=person_id)
        zone = _zone()
        rows = [{"code": letter_requests.normalize_code(item.tracking_code), "tracking_code": item.tracking_code,
                 "type_name": item.type_name, "status": _status_word(t, item)[0],
                 "date": format_date(local_day(item.created_at, zone))} for item in mine]
        return render(env, "phone_letter_types.html", t, title=t("msurat.choose_type"), path="/m/surat/jenis",
                      types=known, requests=rows)

    def form_page(t: Translator, info: LetterTypeInfo, values: dict[str, str], problems: dict[str, str], *, message: str = "",
                  file_problem: str = "", status_code: int = 200) -> HTMLResponse:
        rows = [{"spec": spec, "value": values.get(spec.name, ""), "problem": problems.get(spec.name, "")}
                for spec in info.fields]
        return render(env, "phone_letter_form.html", t, title=info.name, path=f"/m/surat/isi/{info.code}",
                      status_code=status_code, info=info, rows=rows, message=message, file_problem=file_problem,
                      max_mb=f"{ctx.settings.upload_max_mb:g}")

    def enabled_type(type_code: str) -> LetterTypeInfo:
        info = letter_types.get_type(type_code)
        if not info.enabled:
            raise ServiceError("letter_type.not_found", status=404)
        return info

    def signed_in_form(type_code: str, request: Request) -> tuple[Translator, int, LetterTypeInfo] | Response:
        """(language, resident, letter type) for the form pages, or where to send the phone instead."""
        t = _lang(ctx, request)
        person_id = session_person(request)
        if person_id is None:
            return to_login(t)
        try:
            return t, person_id, enabled_type(type_code)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status, "/m/surat/jenis",
                                f"/m/surat/jenis?lang={t.lang}")

    @app.get("/m/surat/isi/{type_code}", response_class=HTMLResponse, include_in_schema=False)
    def fill_form(type_code: str, request: Request) -> Response:
        found = signed_in_form(type_code, request)
        if isinstance(found, Response):
            return found
        t, _, info = found
        return form_page(t, info, {}, {})

    @app.post("/m/surat/isi/{type_code}", response_class=HTMLResponse, include_in_schema=False)
    async def submit(type_code: str, request: Request) -> Response:
        found = signed_in_form(type_code, request)
        if isinstance(found, Response):
            return found
        t, person_id, info = found
        limit = ctx.upload_max_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD_BYTES:
            # Refused before reading: a phone must not fill the SD card with a 2 GB video.
            return form_page(t, info, {}, {}, file_problem=t("msurat.too_large", max_mb=f"{limit / 1_000_000:g}"),
                             status_code=413)
        try:
            form = await request.form(max_files=1, max_fields=len(info.fields) + 5)
        except Exception:  # noqa: BLE001 - a broken form is a plain message
            return form_page(t, info, {}, {}, message=t("msurat.bad_form"), status_code=400)
        t = _lang(ctx, request, form)
        values = {spec.name: str(form.get(spec.name) or "")[:4000] for spec in info.fields}
        upload = form.get("lampiran")
        data = b""
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(limit + 1)
        await form.close()
        problems: dict[str, str] = {}
        try:
            clean_fields(info.fields, values)
        except FieldErrors as error:
            problems = field_problems(error, t)
        file_problem = ""
        checked = None
        if data:
            try:
                checked = await run.io_bound(attachments.check_upload, data, limit)
            except ServiceError as error:
                file_problem = f"{error_text(error, t)} {t('msurat.attachment_again')}"
        if problems or file_problem:
            if problems and data and not file_problem:
                file_problem = t("msurat.attachment_again")
            return form_page(t, info, values, problems, message=t("letter.fields_invalid") if problems else "",
                             file_problem=file_problem, status_code=422)
        client = client_address(request)
        try:
            summary = await run.io_bound(letter_requests.create_request, info.code, person_id, values,
                                         channel="phone", actor="phone", client=client)
        except FieldErrors as error:
            return form_page(t, info, values, field_problems(error, t), message=t("letter.fields_invalid"),
                             status_code=422)
        except ServiceError as error:
            return form_page(t, info, values, {}, message=error_text(error, t), status_code=error.status)
        code = letter_requests.normalize_code(summary.tracking_code)
        warning = ""
        if checked is not None:
            try:
                await run.io_bound(letter_requests.add_attachment, summary.id, t("msurat.attachment_label"), checked,
                                   folder=ctx.settings.attachments_dir, max_bytes=limit, actor="phone", client=client)
            except Exception as error:  # noqa: BLE001 - the request stands; say what happened to the file
                warning = t("msurat.attachment_failed", reason=error_text(error, t))
        ctx.letters_changed()
        if warning:
            return sent_page(t, code, warning)
        return RedirectResponse(f"/m/surat/terkirim/{code}?lang={t.lang}", status_code=303)

    def sent_page(t: Translator, code: str, message: str = "") -> Response:
        try:
            status = letter_requests.public_status(code)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status, "/m/surat")
        return render(env, "phone_letter_sent.html", t, title=t("msurat.sent_title"),
                      path=f"/m/surat/terkirim/{code}", status=status, status_word=_status_word(t, status)[0],
                      status_url=f"/m/s/{code}?lang={t.lang}", message=message)

    @app.get("/m/surat/terkirim/{code}", response_class=HTMLResponse, include_in_schema=False)
    def sent(code: str, request: Request) -> Response:
        t = _lang(ctx, request)
        if not lookups.allow(client_address(request)):
            return message_page(t, t("error.rate_limited"), 429, "/m/surat")
        return sent_page(t, letter_requests.normalize_code(code))

    # --- status by tracking code, and the signed PDF ------------------------------------------------------------

    def status_page(t: Translator, code: str, *, message: str = "", status_code: int = 200,
                    refresh: bool = True) -> Response:
        try:
            status = letter_requests.public_status(code)
        except ServiceError as error:
            return message_page(t, error_text(error, t), error.status, f"/m/s/{code}", f"/m/surat?lang={t.lang}")
        word, css = _status_word(t, status)
        downloadable = bool(status.number) and not status.revoked and status.status in ("siap", "diambil")
        offer = ikm.offer_for_letter(code) if status.status == "diambil" else None
        return render(env, "phone_letter_status.html", t, title=t("msurat.status_title", code=status.tracking_code),
                      path=f"/m/s/{code}", status_code=status_code, status=status, status_word=word,
                      survey_url=f"/m/survey/{offer.token}?lang={t.lang}" if offer else "",
                      status_class=css, code=code, downloadable=downloadable, message=message,
                      requested=format_date(local_day(status.created_at, _zone())),
                      refresh=refresh and not status.revoked and status.status not in _FINAL)

    @app.get("/m/s", include_in_schema=False)
    def by_code(request: Request, kode: str = "") -> Response:
        t = _lang(ctx, request)
        code = letter_requests.normalize_code(kode)[:16]
        if not code:
            return RedirectResponse(f"/m/surat?lang={t.lang}", status_code=303)
        return RedirectResponse(f"/m/s/{quote(code)}?lang={t.lang}", status_code=303)

    @app.get("/m/s/{code}", response_class=HTMLResponse, include_in_schema=False)
    def letter_status(code: str, request: Request) -> Response:
        t = _lang(ctx, request)
        if not lookups.allow(client_address(request)):
            return message_page(t, t("error.rate_limited"), 429, f"/m/s/{code}")
        return status_page(t, letter_requests.normalize_code(code)[:16])

    @app.post("/m/s/{code}/pdf", include_in_schema=False)
    async def letter_pdf(code: str, request: Request) -> Response:
        code = letter_requests.normalize_code(code)[:16]
        try:
            form = await request.form(max_files=0, max_fields=10)
        except Exception:  # noqa: BLE001 - a broken form is a plain message
            t = _lang(ctx, request)
            return status_page(t, code, message=t("msurat.bad_form"), status_code=400, refresh=False)
        t = _lang(ctx, request, form)
        nik = "".join(ch for ch in str(form.get("nik") or "")[:40] if ch.isdigit())
        started = time.monotonic()
        try:
            person_id = await resident_login(ctx, nik, str(form.get("pin") or "")[:20], client_address(request))
        except ServiceError as error:
            return status_page(t, code, message=error_text(error, t), status_code=error.status, refresh=False)
        mine = await run.io_bound(letter_requests.list_requests, limit=1000, person_id=person_id)
        wanted = letter_requests.format_code(code) if len(code) == 8 else ""
        found = next((item for item in mine if item.tracking_code == wanted), None)
        if found is None:
            # Someone's right NIK + PIN, but not the letter's owner: the same answer as a wrong PIN, as slowly.
            await asyncio.sleep(max(0.0, FAILURE_SECONDS - (time.monotonic() - started)))
            return status_page(t, code, message=t("pin.wrong"), status_code=401, refresh=False)
        if found.revoked or not found.number:
            key = "letter.revoked" if found.revoked else "letter.not_signed"
            return status_page(t, code, message=t(key), status_code=409, refresh=False)
        try:
            data = await run.io_bound(letter_signing.resident_copy, found.id, person_id, options=ctx.letters,
                                      channel="phone", client=client_address(request))
        except ServiceError as error:
            return status_page(t, code, message=error_text(error, t), status_code=error.status, refresh=False)
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="surat-{found.tracking_code}.pdf"'}
        return Response(data, media_type="application/pdf", headers=headers)
