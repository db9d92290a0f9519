"""/operator/letters/{id}: one request — resident, answers, requirements, attachments, history — and the
actions its status and the reader's role allow (checking for operators; signing, sending back and revoking
for signers). The draft, the signed PDF and the attachments are served by routes that check the session and
log the read; nothing here is a static file.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, run, ui
from nicegui.events import UploadEventArguments

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.operator_letters import answers, field_inputs, show_problems, shown_time, status_badges, zone_name
from kiosk.pages.session import client_address, current_account, translator
from kiosk.services import letter_print, letter_requests, letter_signing, letter_types
from kiosk.services.accounts import Account
from kiosk.services.clock import format_date
from kiosk.services.errors import ServiceError
from kiosk.services.letter_requests import OPEN_STATUSES, LetterDetail

EDITABLE = ("belum_lengkap", "diperiksa")


def route_account(role: str) -> tuple[Account | None, bool]:
    """(account, logged in) for a plain HTTP route: the same checks as `require`, without a page."""
    try:
        account = current_account()
    except (RuntimeError, AssertionError, KeyError):
        account = None
    if account is None or account.must_change_password:
        return None, False
    return (account if account.may(role) else None), True


def refusal(request: Request, logged_in: bool, t: Translator) -> Response:
    if not logged_in:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return PlainTextResponse(t("error.forbidden"), status_code=403)


def _day(iso: str | None) -> str:
    try:
        return format_date(date.fromisoformat(iso or ""))
    except ValueError:
        return iso or "-"


def event_label(action: str, t: Translator) -> str:
    """An audit action of a request in the operator's words ("letter.belum_lengkap" -> "Belum Lengkap")."""
    kind = action.removeprefix("letter.")
    if kind in letter_requests.STATUSES:
        return t(f"letter.status.{kind}")
    key = f"opletters.event.{kind}"
    text = t(key)
    return kind if text == key else text


def file_response(data: bytes, media_type: str, name: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    async def serve_pdf(request: Request, request_id: int, signed: bool) -> Response:
        t = translator(lang_default)
        account, logged_in = route_account("operator")
        if account is None:
            return refusal(request, logged_in, t)
        try:
            detail = await run.io_bound(letter_requests.get_detail, request_id, actor=account.username,
                                        client=client_address(request))
            make = letter_signing.signed_pdf if signed else letter_signing.draft_pdf
            data = await run.io_bound(make, request_id, options=ctx.letters)
        except ServiceError as error:
            return PlainTextResponse(t(error.key, **error.params), status_code=error.status)
        code = detail.summary.tracking_code
        return file_response(data, "application/pdf", f"{'surat' if signed else 'draf'}-{code}.pdf")

    @app.get("/operator/letters/{request_id}/draft.pdf", include_in_schema=False)
    async def draft_route(request: Request, request_id: int) -> Response:
        return await serve_pdf(request, request_id, signed=False)

    @app.get("/operator/letters/{request_id}/letter.pdf", include_in_schema=False)
    async def letter_route(request: Request, request_id: int) -> Response:
        return await serve_pdf(request, request_id, signed=True)

    @app.get("/operator/letters/attachments/{attachment_id}", include_in_schema=False)
    async def attachment_route(request: Request, attachment_id: int) -> Response:
        t = translator(lang_default)
        account, logged_in = route_account("operator")
        if account is None:
            return refusal(request, logged_in, t)
        try:
            media_type, data = await run.io_bound(
                letter_requests.attachment_file, attachment_id, folder=ctx.settings.attachments_dir,
                actor=account.username, client=client_address(request))
        except ServiceError as error:
            return PlainTextResponse(t(error.key, **error.params), status_code=error.status)
        except OSError:
            return PlainTextResponse(t("error.not_found"), status_code=404)
        extension = "pdf" if media_type == "application/pdf" else "jpg"
        return file_response(data, media_type, f"lampiran-{attachment_id}.{extension}")

    @ui.page("/operator/letters/{request_id}", title="Balai · Surat")
    def detail_page(request: Request, request_id: int, created: int = 0) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        zone = zone_name()
        state: dict[str, Any] = {"editing": False, "created": bool(created), "inputs": {}, "busy": False}

        with operator_frame(t("opletters.detail_title"), account, t, lang_default):
            ui.link(t("opletters.back"), "/operator/letters").mark("letters-back")
            body = ui.column().classes("w-full gap-4").mark("letter-detail")

        def fail(error: Exception) -> None:
            ui.notify(error_text(error, t), type="negative", position="top", timeout=6000)

        async def act(role: str, work: Callable[[], Any], done: Callable[[Any], str]) -> None:
            """Every action: the role checked again, the work off the event loop, the error shown, a redraw."""
            if still_allowed(role) is None or state["busy"]:
                return
            state["busy"] = True  # a double click must not sign (or print) twice
            try:
                result = await run.io_bound(work)
            except Exception as error:  # noqa: BLE001 - shown to the person (unexpected ones are logged)
                fail(error)
                draw()
                return
            finally:
                state["busy"] = False
            state["created"] = False
            ctx.letters_changed()
            ui.notify(done(result), type="positive", position="top")
            draw()

        def move(target: str, note: str = "") -> Callable[[], Any]:
            return lambda: letter_requests.move(request_id, target, actor=account.username, note=note, client=client,
                                                role=account.role)

        def ask_note(title: str, confirm: str, then: Callable[[str], Any], warning: str = "",
                     danger: bool = False) -> None:
            """A dialog asking the note every send-back, cancellation and revocation needs."""
            with body, ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
                ui.label(title).classes("text-h6")
                if warning:
                    ui.label(warning).classes("text-negative").mark("note-warning")
                note = ui.textarea(t("opletters.note")).props("outlined autogrow maxlength=300 autofocus") \
                    .classes("w-full").mark("note-input")
                problem = ui.label("").classes("text-negative").mark("note-error")

                async def go() -> None:
                    text = " ".join((note.value or "").split())
                    if not text:
                        problem.set_text(t("letter.note_required"))
                        return
                    dialog.close()
                    await then(text)

                with ui.row().classes("w-full justify-end"):
                    ui.button(t("common.cancel"), on_click=dialog.close).props("flat").mark("note-cancel")
                    ui.button(confirm, on_click=go).props(f"color={'negative' if danger else 'teal-8'}") \
                        .mark("note-confirm")
            dialog.open()

        async def sign() -> None:
            await act("signer", lambda: letter_signing.sign(request_id, signer=account.username,
                                                            options=ctx.letters, client=client, role=account.role),
                      lambda signed: t("opletters.signed", number=signed.number))

        async def save_answers() -> None:
            if still_allowed("operator") is None:
                return
            try:
                await run.io_bound(letter_requests.update_fields, request_id, answers(state["inputs"]),
                                   actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                show_problems(state["inputs"], error, t)
                fail(error)
                return
            state["editing"] = False
            ctx.letters_changed()
            ui.notify(t("common.saved"), type="positive")
            draw()

        async def attach(event: UploadEventArguments) -> None:
            name = event.file.name
            data = await event.file.read()
            await act("operator", lambda: letter_requests.add_attachment(
                request_id, upload_label.get("value") or name, data, folder=ctx.settings.attachments_dir,
                max_bytes=ctx.upload_max_bytes, actor=account.username, client=client, by_resident=False),
                lambda _: t("opletters.attached", name=name))

        upload_label: dict[str, str] = {}

        def edit(on: bool) -> None:
            if still_allowed("operator") is None:
                return
            state["editing"] = on
            draw()

        def open_pdf(kind: str) -> None:
            ui.navigate.to(f"/operator/letters/{request_id}/{kind}.pdf", new_tab=True)

        def actions(detail: LetterDetail) -> None:
            summary = detail.summary
            status = summary.status
            signer = account.may("signer")
            with ui.row().classes("w-full gap-2"):
                if status == "belum_lengkap":
                    ui.button(t("opletters.action.check"), icon="fact_check",
                              on_click=lambda: act("operator", move("diperiksa"), lambda _: t("opletters.moved"))) \
                        .props("color=blue-8").mark("action-check")
                if status == "diperiksa":
                    ui.button(t("opletters.action.approve"), icon="task_alt",
                              on_click=lambda: act("operator", move("menunggu_ttd"), lambda _: t("opletters.moved"))) \
                        .props("color=teal-8").mark("action-approve")
                    ui.button(t("opletters.action.incomplete"), icon="report", on_click=lambda: ask_note(
                        t("opletters.action.incomplete"), t("opletters.action.incomplete"),
                        lambda note: act("operator", move("belum_lengkap", note), lambda _: t("opletters.moved")))) \
                        .props("outline color=orange-9").mark("action-incomplete")
                if status == "menunggu_ttd" and signer:
                    ui.button(t("opletters.action.sign"), icon="draw", on_click=sign) \
                        .props("size=lg color=purple-8").mark("action-sign")
                    ui.button(t("opletters.action.send_back"), icon="undo", on_click=lambda: ask_note(
                        t("opletters.action.send_back"), t("opletters.action.send_back"),
                        lambda note: act("signer", move("diperiksa", note), lambda _: t("opletters.moved")))) \
                        .props("outline").mark("action-send-back")
                if status in OPEN_STATUSES:
                    ui.button(t("opletters.action.draft"), icon="preview", on_click=lambda: open_pdf("draft")) \
                        .props("outline").mark("action-draft")
                if detail.has_pdf:
                    ui.button(t("opletters.action.download"), icon="download", on_click=lambda: open_pdf("letter")) \
                        .props("outline").mark("action-download")
                    if not summary.revoked:
                        ui.button(t("opletters.action.print"), icon="print", on_click=lambda: act(
                            "operator", lambda: letter_print.enqueue_letter(request_id, actor=account.username,
                                                                            client=client),
                            lambda _: t("opletters.print_queued"))).props("color=teal-8").mark("action-print")
                if status == "siap":
                    ui.button(t("opletters.action.picked_up"), icon="how_to_reg", on_click=lambda: act(
                        "operator", move("diambil"), lambda _: t("opletters.moved"))).props("outline") \
                        .mark("action-picked-up")
                if status != "dibatalkan":
                    ui.button(t("opletters.action.slip"), icon="receipt", on_click=lambda: act(
                        "operator", lambda: letter_print.enqueue_slip(request_id,
                                                                      status_url_base=ctx.letter_status_url_base,
                                                                      language=t.lang),
                        lambda _: t("opletters.slip_queued"))).props("outline").mark("action-slip")
                if status in OPEN_STATUSES:
                    ui.button(t("opletters.action.cancel"), icon="block", on_click=lambda: ask_note(
                        t("opletters.action.cancel"), t("opletters.action.cancel"),
                        lambda note: act("operator", move("dibatalkan", note), lambda _: t("opletters.moved")),
                        danger=True)).props("flat color=negative").mark("action-cancel")
                if detail.signed_at is not None and not summary.revoked and signer:
                    ui.button(t("opletters.action.revoke"), icon="gpp_bad", on_click=lambda: ask_note(
                        t("opletters.revoke_title", number=summary.number or ""), t("opletters.action.revoke"),
                        lambda note: act("signer", lambda: letter_signing.revoke(
                            request_id, note, actor=account.username, client=client, role=account.role),
                            lambda _: t("opletters.revoked")),
                        warning=t("opletters.revoke_warning"), danger=True)) \
                        .props("flat color=negative").mark("action-revoke")

        def facts(detail: LetterDetail) -> None:
            summary = detail.summary
            lines = [(t("opletters.history.requested"), f"{shown_time(summary.created_at, zone)} · "
                      f"{detail.requested_by} · {t('opletters.channel.' + summary.channel)}")]
            if detail.checked_by:
                lines.append((t("opletters.history.checked"), detail.checked_by))
            if detail.signed_at:
                lines.append((t("opletters.history.signed"), f"{shown_time(detail.signed_at, zone)} · "
                              f"{detail.signer_name} · {_day(detail.letter_date)}"))
            if detail.picked_up_at:
                lines.append((t("opletters.history.picked_up"), shown_time(detail.picked_up_at, zone)))
            if detail.revoked_at:
                lines.append((t("opletters.history.revoked"), f"{shown_time(detail.revoked_at, zone)} · "
                              f"{detail.revoke_reason}"))
            lines.append((t("opletters.history.updated"), shown_time(summary.updated_at, zone)))
            with ui.grid(columns="auto 1fr").classes("gap-x-4 gap-y-1"):
                for caption, value in lines:
                    ui.label(caption).classes("text-grey-7")
                    ui.label(value).mark("history-line")
            if detail.events:
                with ui.column().classes("gap-0 q-mt-sm").mark("history-events"):
                    for at, actor, action, note in detail.events:
                        text = f"{shown_time(at, zone)} · {actor} · {event_label(action, t)}"
                        ui.label(f"{text} · {note}" if note else text).classes("text-caption")

        def draw() -> None:
            body.clear()
            try:
                detail = letter_requests.get_detail(request_id, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                with body:
                    ui.label(error_text(error, t)).classes("text-h6 text-negative").mark("letter-missing")
                return
            summary = detail.summary
            with body:
                if state["created"]:
                    with ui.card().classes("w-full bg-green-1").mark("letter-created"):
                        ui.label(t("opletters.created", code=summary.tracking_code)).classes("text-h6")
                with ui.card().classes("w-full"):
                    with ui.row().classes("w-full items-center gap-4"):
                        ui.label(summary.tracking_code).classes("text-h4 font-mono text-weight-bold") \
                            .mark("letter-code")
                        status_badges(summary.status, summary.revoked, t, "text-subtitle1")
                        ui.space()
                        if summary.number:
                            ui.label(t("opletters.number", number=summary.number)).classes("text-h6 font-mono") \
                                .mark("letter-number")
                    ui.label(f"{summary.type_name} ({summary.type_code})").classes("text-h6").mark("letter-type")
                    if summary.status_note:
                        ui.label(t("opletters.note_shown", note=summary.status_note)) \
                            .classes("text-orange-10 text-subtitle1").mark("letter-note")
                    if detail.revoke_reason:
                        ui.label(t("opletters.revoked_because", reason=detail.revoke_reason)) \
                            .classes("text-negative text-subtitle1").mark("letter-revoke-reason")
                with ui.card().classes("w-full"):
                    ui.label(t("opletters.actions")).classes("text-h6")
                    actions(detail)
                with ui.row().classes("w-full items-start gap-4 no-wrap"):
                    with ui.column().classes("grow gap-4"):
                        resident_card(detail)
                        answers_card(detail)
                    with ui.column().classes("w-[28rem] gap-4"):
                        files_card(detail)
                        with ui.card().classes("w-full"):
                            ui.label(t("opletters.history")).classes("text-h6")
                            facts(detail)

        def resident_card(detail: LetterDetail) -> None:
            summary = detail.summary
            with ui.card().classes("w-full"):
                ui.label(t("opletters.resident")).classes("text-h6")
                with ui.row().classes("items-center gap-4"):
                    ui.link(summary.person_name, f"/operator/residents/{summary.person_id}") \
                        .classes("text-subtitle1").mark("letter-person")
                    ui.label(summary.nik_masked).classes("font-mono")

        def answers_card(detail: LetterDetail) -> None:
            status = detail.summary.status
            with ui.card().classes("w-full"):
                with ui.row().classes("w-full items-center"):
                    ui.label(t("opletters.answers")).classes("text-h6")
                    ui.space()
                    if status in EDITABLE and not state["editing"]:
                        ui.button(t("opletters.edit_answers"), icon="edit", on_click=lambda: edit(True)) \
                            .props("flat dense").mark("edit-answers")
                if state["editing"] and status in EDITABLE:
                    specs = letter_types.get_type(detail.summary.type_code).fields
                    state["inputs"] = field_inputs(specs, detail.field_values, t)
                    with ui.row().classes("gap-2"):
                        ui.button(t("common.save"), icon="save", on_click=save_answers).mark("save-answers")
                        ui.button(t("common.cancel"), on_click=lambda: edit(False)).props("flat")
                    return
                state["editing"] = False
                with ui.grid(columns="auto 1fr").classes("gap-x-6 gap-y-1"):
                    for caption, value in detail.fields:
                        ui.label(caption).classes("text-grey-7")
                        ui.label(value or "-").mark("letter-answer")

        def files_card(detail: LetterDetail) -> None:
            status = detail.summary.status
            with ui.card().classes("w-full"):
                ui.label(t("opletters.requirements")).classes("text-h6")
                if not detail.requirements:
                    ui.label(t("opletters.no_requirements")).classes("text-grey-7")
                for item in detail.requirements:
                    ui.checkbox(item).mark("requirement-check")
                if status in EDITABLE:
                    ui.label(t("opletters.requirements_hint")).classes("text-caption text-grey-7")
                ui.label(t("opletters.attachments")).classes("text-subtitle1 q-mt-sm")
                if not detail.attachments:
                    ui.label(t("opletters.no_attachments")).classes("text-grey-7").mark("no-attachments")
                for item in detail.attachments:
                    with ui.row().classes("items-center gap-2 no-wrap"):
                        ui.icon("picture_as_pdf" if item.media_type == "application/pdf" else "image")
                        ui.link(item.label, f"/operator/letters/attachments/{item.id}", new_tab=True) \
                            .mark("attachment-link")
                        ui.label(f"{item.size // 1024 + 1} KB · {item.uploaded_by}").classes("text-caption")
                if status in OPEN_STATUSES:
                    options = list(detail.requirements) or [t("opletters.attachment")]
                    upload_label["value"] = options[0]
                    ui.select(options, value=options[0], label=t("opletters.attachment_for"), with_input=True,
                              new_value_mode="add-unique",
                              on_change=lambda e: upload_label.update(value=e.value or "")) \
                        .props("outlined dense").classes("w-full").mark("attachment-label")
                    ui.upload(label=t("opletters.add_file"), auto_upload=True, on_upload=attach,
                              max_file_size=ctx.upload_max_bytes,
                              on_rejected=lambda: fail(ServiceError(
                                  "upload.too_large", max_mb=f"{ctx.upload_max_bytes / 1_000_000:g}"))) \
                        .props("accept=image/*,application/pdf flat bordered").classes("w-full") \
                        .mark("letter-upload")

        draw()
        return None
