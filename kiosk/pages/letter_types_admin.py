"""/operator/letters/types: the admin's letter types (switch on/off, add one) and the editor of one type, with
a live PDF preview of the unsaved template for a made-up resident. A broken template shows its error (with
its line) and keeps the last good preview; saving refuses it. Built-ins can be brought back as shipped.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app, run, ui

from kiosk.context import AppContext
from kiosk.data import letter_classifications
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.operator_letter_detail import file_response, refusal, route_account
from kiosk.pages.session import client_address, translator
from kiosk.services import letter_types
from kiosk.services.letter_templates import RESIDENT_FIELD_LABELS
from kiosk.services.letter_type_preview import preview_pdf
from kiosk.services.letter_types import LetterTypeInfo

DEBOUNCE_SECONDS = 1.0
EXAMPLE_FIELDS = ('[{"name": "keperluan", "label": "Keperluan", "type": "text", "required": true, '
                  '"max_length": 200}]')


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    previews: dict[str, tuple[str, bytes]] = {}  # editor token -> (admin's username, last good preview PDF)

    @app.get("/operator/letters/types/preview/{token}.pdf", include_in_schema=False)
    def preview_route(request: Request, token: str) -> Response:
        t = translator(lang_default)
        account, logged_in = route_account("admin")
        if account is None:
            return refusal(request, logged_in, t)
        found = previews.get(token)
        if found is None or found[0] != account.username:
            return Response(t("error.not_found"), status_code=404, media_type="text/plain")
        return file_response(found[1], "application/pdf", "pratinjau.pdf")

    @ui.page("/operator/letters/types", title="Balai · Jenis Surat")
    def types_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)

        def toggle(code: str, enabled: bool) -> None:
            if still_allowed("admin") is None:
                return
            try:
                letter_types.set_enabled(code, enabled, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                ui.notify(error_text(error, t), type="negative")
                return
            ui.notify(t("common.saved"), type="positive")

        with operator_frame(t("lettertypes.title"), account, t, lang_default):
            with ui.row().classes("w-full items-center gap-3"):
                ui.link(t("opletters.back"), "/operator/letters")
                ui.space()
                ui.button(t("lettertypes.add"), icon="add",
                          on_click=lambda: ui.navigate.to("/operator/letters/types/new")) \
                    .props("color=teal-8").mark("type-add")
            for info in letter_types.list_types(include_disabled=True):
                with ui.row().classes("w-full items-center gap-4 q-py-xs no-wrap") \
                        .style("border-bottom: 1px solid #e0e0e0").mark("type-row"):
                    ui.label(info.code).classes("font-mono text-weight-bold w-24")
                    ui.link(info.name, f"/operator/letters/types/{info.code}").classes("w-96").mark("type-link")
                    ui.label(info.klasifikasi).classes("font-mono w-20")
                    if info.builtin:
                        ui.badge(t("lettertypes.builtin"), color="blue-grey-6").mark("type-builtin")
                    ui.space()
                    ui.switch(t("common.active"), value=info.enabled,
                              on_change=lambda e, c=info.code: toggle(c, bool(e.value))) \
                        .mark(f"type-enabled-{info.code}")
        return None

    @ui.page("/operator/letters/types/{code}", title="Balai · Jenis Surat")
    def editor_page(request: Request, code: str) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        creating = code == "new"
        info: LetterTypeInfo | None = None
        title = t("lettertypes.new_title" if creating else "lettertypes.edit_title")
        with operator_frame(title, account, t, lang_default):
            ui.link(t("lettertypes.back"), "/operator/letters/types")
            if not creating:
                try:
                    info = letter_types.get_type(code)
                except Exception as error:  # noqa: BLE001
                    ui.label(error_text(error, t)).classes("text-h6 text-negative").mark("type-missing")
                    return None
            token = secrets.token_urlsafe(16)
            state: dict[str, Any] = {"changed_at": 0.0, "rendering": False, "shown": 0}
            ui.context.client.on_delete(lambda: previews.pop(token, None))
            classes = {kode: f"{kode} — {nama}" for kode, nama in letter_classifications().items()}

            with ui.row().classes("w-full items-start gap-4 no-wrap"):
                with ui.column().classes("w-1/2 gap-2"):
                    code_input = ui.input(t("lettertypes.code"), value=info.code if info else "") \
                        .props("outlined dense maxlength=12").classes("w-48").mark("type-code")
                    if info is not None:
                        code_input.disable()
                    name = ui.input(t("lettertypes.name"), value=info.name if info else "") \
                        .props("outlined dense maxlength=120").classes("w-full").mark("type-name")
                    klasifikasi = ui.select(classes, value=info.klasifikasi if info else None, with_input=True,
                                            label=t("lettertypes.klasifikasi")).props("outlined dense") \
                        .classes("w-full").mark("type-klasifikasi")
                    requirements = ui.textarea(t("lettertypes.requirements"),
                                               value="\n".join(info.requirements) if info else "") \
                        .props("outlined autogrow").classes("w-full").mark("type-requirements")
                    resident = ui.select(dict(RESIDENT_FIELD_LABELS), multiple=True,
                                         value=list(info.resident_fields) if info else ["nama", "nik", "ttl", "alamat"],
                                         label=t("lettertypes.resident_fields")).props("outlined dense use-chips") \
                        .classes("w-full").mark("type-resident-fields")
                    deceased = ui.checkbox(t("lettertypes.for_deceased"),
                                           value=info.for_deceased if info else False).mark("type-for-deceased")
                    fields = ui.textarea(t("lettertypes.fields"), value=json.dumps(
                        [spec.to_dict() for spec in info.fields], ensure_ascii=False, indent=1)
                        if info else EXAMPLE_FIELDS).props("outlined autogrow").classes("w-full font-mono") \
                        .mark("type-fields")
                    fields._props["input-style"] = "font-family: monospace"
                    ui.label(t("lettertypes.fields_help")).classes("text-caption text-grey-7 whitespace-pre-line")
                    body = ui.textarea(t("lettertypes.body"), value=info.body if info else "") \
                        .props("outlined autogrow").classes("w-full").mark("type-body")
                    body._props["input-style"] = "font-family: monospace; min-height: 18rem"
                    ui.label(t("lettertypes.body_help")).classes("text-caption text-grey-7 whitespace-pre-line")
                    message = ui.label("").classes("text-negative whitespace-pre-line").mark("type-error")
                    with ui.row().classes("gap-2"):
                        save_button = ui.button(t("common.save"), icon="save", on_click=lambda: save()) \
                            .props("color=teal-8").mark("type-save")
                        if info is not None and info.builtin:
                            ui.button(t("lettertypes.reset"), icon="restore", on_click=lambda: confirm_reset()) \
                                .props("outline color=orange-9").mark("type-reset")
                with ui.column().classes("w-1/2 gap-2"):
                    with ui.row().classes("items-center gap-2"):
                        ui.label(t("lettertypes.preview")).classes("text-h6")
                        spinner = ui.spinner(size="sm")
                        spinner.set_visibility(False)
                    preview_error = ui.label("").classes("text-negative whitespace-pre-line").mark("preview-error")
                    frame = ui.element("iframe").classes("w-full").style("height: 80vh; border: 1px solid #ccc") \
                        .mark("type-preview")

        def raw_definition() -> dict[str, Any]:
            """The form as a definition dict; the fields' JSON problem raises ValueError with its message."""
            try:
                parsed_fields = json.loads(fields.value or "[]")
            except json.JSONDecodeError as error:
                raise ValueError(t("lettertypes.fields_json", detail=f"{error.msg} (baris {error.lineno})")) from error
            return {"code": (code_input.value or "").strip().upper(), "name": name.value or "",
                    "klasifikasi": klasifikasi.value or "",
                    "requirements": [line for line in (requirements.value or "").splitlines() if line.strip()],
                    "resident_fields": list(resident.value or []), "fields": parsed_fields,
                    "for_deceased": bool(deceased.value)}

        def changed() -> None:
            state["changed_at"] = time.monotonic()

        async def render_preview() -> None:
            if still_allowed("admin") is None:
                return
            state["rendering"] = True
            spinner.set_visibility(True)
            try:
                raw = raw_definition()
                data = await run.io_bound(preview_pdf, raw, body.value or "", ctx.letters.layout)
            except ValueError as error:
                preview_error.set_text(str(error))
                return
            except Exception as error:  # noqa: BLE001 - the template's problem, shown; the last good preview stays
                preview_error.set_text(error_text(error, t))
                return
            finally:
                state["rendering"] = False
                spinner.set_visibility(False)
            preview_error.set_text("")
            previews[token] = (account.username, data)
            state["shown"] += 1
            frame._props["src"] = f"/operator/letters/types/preview/{token}.pdf?v={state['shown']}"
            frame.update()

        async def tick() -> None:
            waiting = state["changed_at"] is not None
            if waiting and not state["rendering"] and time.monotonic() - state["changed_at"] >= DEBOUNCE_SECONDS:
                state["changed_at"] = None
                await render_preview()

        async def save() -> None:
            if still_allowed("admin") is None:
                return
            message.set_text("")
            try:
                raw = raw_definition()
            except ValueError as error:
                message.set_text(str(error))
                return
            save_button.props("loading")
            try:
                saved = await run.io_bound(letter_types.save_type, raw, body.value or "", actor=account.username,
                                           client=client, create=creating)
            except Exception as error:  # noqa: BLE001
                message.set_text(error_text(error, t))
                return
            finally:
                save_button.props(remove="loading")
            ui.notify(t("lettertypes.saved", name=saved.name), type="positive")
            if creating:
                ui.navigate.to(f"/operator/letters/types/{saved.code}")

        def confirm_reset() -> None:
            if still_allowed("admin") is None:
                return
            with ui.dialog() as dialog, ui.card():
                ui.label(t("lettertypes.reset_confirm")).classes("text-subtitle1")
                with ui.row().classes("w-full justify-end"):
                    ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
                    ui.button(t("lettertypes.reset"), on_click=lambda: (dialog.close(), reset())) \
                        .props("color=orange-9").mark("type-reset-confirm")
            dialog.open()

        def reset() -> None:
            if still_allowed("admin") is None:
                return
            try:
                letter_types.reset_builtin(code, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                message.set_text(error_text(error, t))
                return
            ui.notify(t("lettertypes.reset_done"), type="positive")
            ui.navigate.reload()

        for element in (code_input, name, klasifikasi, requirements, resident, deceased, fields, body):
            element.on_value_change(changed)
        ui.timer(0.3, tick)
        return None
