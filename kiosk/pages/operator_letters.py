"""/operator/letters: letter requests by status, live; /operator/letters/new: a request on a resident's behalf.

The form is generated from the letter type's fields, and the service's per-field problems are shown under
each input. Attachments are checked by content when they arrive and stored once the request exists.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui
from nicegui.events import UploadEventArguments

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import attachments, letter_requests, letter_types, residents, village
from kiosk.services.clock import local_time
from kiosk.services.letter_fields import FieldErrors, FieldSpec
from kiosk.services.letter_requests import MAX_ATTACHMENTS, STATUSES, LetterSummary

STATUS_COLORS = {"belum_lengkap": "orange-9", "diperiksa": "blue-8", "menunggu_ttd": "purple-7", "siap": "green-8",
                 "diambil": "grey-7", "dibatalkan": "red-9"}


def zone_name() -> str:
    info = village.get_village()
    return info.timezone if info else "Asia/Jakarta"


def shown_time(moment: datetime | None, zone: str) -> str:
    return "-" if moment is None else f"{local_time(moment, zone):%d-%m-%Y %H:%M}"


def status_badges(status: str, revoked: bool, t: Translator, size: str = "") -> None:
    ui.badge(t(f"letter.status.{status}"), color=STATUS_COLORS.get(status, "grey-7")) \
        .classes(size).mark("letter-status")
    if revoked:
        ui.badge(t("letter.status.revoked"), color="negative").classes(size).mark("letter-revoked")


def field_inputs(specs: tuple[FieldSpec, ...], values: dict[str, str], t: Translator) -> dict[str, Any]:
    """One input per asked field, in the type's order; returns name -> input element."""
    inputs: dict[str, Any] = {}
    for spec in specs:
        label = spec.label + (" *" if spec.required else f" ({t('opletters.optional')})")
        value = values.get(spec.name, "") or ""
        if spec.type == "textarea":
            element = ui.textarea(label, value=value).props(f"outlined autogrow maxlength={spec.max_length}")
        elif spec.type == "select":
            element = ui.select(list(spec.options), value=value if value in spec.options else None, label=label,
                                clearable=not spec.required).props("outlined")
        elif spec.type == "date":
            element = ui.input(label, value=value).props("outlined type=date stack-label")
        elif spec.type == "time":
            element = ui.input(label, value=value.replace(".", ":")).props("outlined type=time stack-label")
        elif spec.type == "money":
            element = ui.input(label, value=value).props('outlined inputmode=numeric prefix="Rp"')
        elif spec.type == "number":
            element = ui.input(label, value=value).props("outlined inputmode=decimal")
        elif spec.type == "nik":
            element = ui.input(label, value=value).props("outlined inputmode=numeric maxlength=20")
        else:
            element = ui.input(label, value=value).props(f"outlined maxlength={spec.max_length}")
        if spec.help:
            element._props["hint"] = spec.help
        inputs[spec.name] = element.classes("w-full max-w-2xl").mark(f"field-{spec.name}")
    return inputs


def answers(inputs: dict[str, Any]) -> dict[str, str]:
    return {name: "" if element.value is None else str(element.value) for name, element in inputs.items()}


def show_problems(inputs: dict[str, Any], error: Exception | None, t: Translator) -> None:
    """Clear the marks, then put each of a FieldErrors' problems under its input."""
    for element in inputs.values():
        element.error = None
    if isinstance(error, FieldErrors):
        for name, (key, params) in error.problems.items():
            if name in inputs:
                inputs[name].error = t(key, **params)


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/letters", title="Balai · Surat")
    def letters_page(request: Request, status: str = "") -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        zone = zone_name()
        state: dict[str, Any] = {"status": status if status in STATUSES else "all", "version": -1}
        tabs: dict[str, ui.tab] = {}

        def choose(event: Any) -> None:
            state["status"] = event.value or "all"
            refresh()

        with operator_frame(t("opletters.title"), account, t, lang_default):
            with ui.row().classes("w-full items-center gap-3"):
                ui.button(t("opletters.new"), icon="note_add",
                          on_click=lambda: ui.navigate.to("/operator/letters/new")) \
                    .props("color=teal-8").mark("letters-new")
                if account.may("admin"):
                    ui.button(t("opletters.types"), icon="tune",
                              on_click=lambda: ui.navigate.to("/operator/letters/types")).props("outline") \
                        .mark("letters-types")
                ui.space()
                ui.button(t("opletters.refresh"), icon="refresh", on_click=lambda: refresh()).props("flat") \
                    .mark("letters-refresh")
            with ui.tabs(value=state["status"], on_change=choose).props("align=left dense no-caps") \
                    .classes("w-full").mark("letter-tabs"):
                for name in ("all", *STATUSES):
                    tabs[name] = ui.tab(name, label=t(f"opletters.tab.{name}")).mark(f"tab-{name}")
            box = ui.column().classes("w-full gap-0").mark("letter-list")

        def row(summary: LetterSummary) -> None:
            with ui.row().classes("w-full items-center gap-4 q-py-sm no-wrap cursor-pointer hover:bg-grey-2") \
                    .style("border-bottom: 1px solid #e0e0e0").mark("letter-row") as line:
                ui.link(summary.tracking_code, f"/operator/letters/{summary.id}") \
                    .classes("font-mono text-weight-bold w-28 shrink-0").mark("letter-code")
                ui.label(summary.type_name).classes("w-64 shrink-0")
                with ui.column().classes("w-64 gap-0 shrink-0"):
                    ui.label(summary.person_name).classes("text-weight-medium")
                    ui.label(summary.nik_masked).classes("font-mono text-caption")
                ui.label(t(f"opletters.channel.{summary.channel}")).classes("w-24 shrink-0")
                ui.label(shown_time(summary.updated_at, zone)).classes("w-36 shrink-0")
                with ui.row().classes("gap-1 w-56 shrink-0"):
                    status_badges(summary.status, summary.revoked, t)
                ui.label(summary.number or "").classes("font-mono")
            line.on("click", lambda s=summary: ui.navigate.to(f"/operator/letters/{s.id}"))

        def refresh() -> None:
            state["version"] = ctx.feed.version
            counts = letter_requests.counts_by_status()
            counts["all"] = sum(counts.values())
            for name, tab in tabs.items():
                tab._props["label"] = f"{t(f'opletters.tab.{name}')} ({counts.get(name, 0)})"
                tab.update()
            found = letter_requests.list_requests(None if state["status"] == "all" else state["status"])
            box.clear()
            with box:
                if not found:
                    ui.label(t("opletters.none")).classes("text-grey-7 q-pa-md").mark("letters-empty")
                with ui.row().classes("w-full gap-4 no-wrap text-caption text-grey-7"):
                    for key, width in (("code", "w-28"), ("type", "w-64"), ("person", "w-64"), ("channel", "w-24"),
                                       ("updated", "w-36"), ("status", "w-56"), ("number", "")):
                        ui.label(t(f"opletters.col.{key}")).classes(f"{width} shrink-0")
                for summary in found:
                    row(summary)

        refresh()
        ui.timer(1.0, lambda: refresh() if state["version"] != ctx.feed.version else None)
        return None

    @ui.page("/operator/letters/new", title="Balai · Surat baru")
    def new_page(request: Request, person: int | None = None, jenis: str = "") -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        state: dict[str, Any] = {"person": None, "type": None, "inputs": {}, "files": []}
        max_mb = f"{ctx.upload_max_bytes / 1_000_000:g}"
        known = {info.code: info for info in letter_types.list_types()}

        def pick(person_id: int, text: str) -> None:
            state["person"] = person_id
            chosen.set_text(text)
            chosen.classes(replace="text-h6 text-teal-9")
            hits_box.clear()

        async def find() -> None:
            if still_allowed("operator") is None:
                return
            text = (query.value or "").strip()
            hits_box.clear()
            if not text:
                return
            try:
                hits = await run.io_bound(residents.search_logged, text, actor=account.username, client=client,
                                          limit=10)
            except Exception as error:  # noqa: BLE001
                ui.notify(error_text(error, t), type="negative")
                return
            with hits_box:
                if not hits:
                    ui.label(t("opletters.no_hits")).classes("text-grey-7").mark("person-no-hits")
                for hit in hits:
                    text_shown = f"{hit.nama} · {hit.nik_masked} · {hit.alamat or '-'}"
                    if hit.status_dasar != 1:
                        text_shown += f" · {t('opletters.not_living')}"
                    ui.button(text_shown, on_click=lambda h=hit, s=text_shown: pick(h.id, s)) \
                        .props("flat no-caps align=left").classes("w-full").mark("person-hit")

        def choose_type(event: Any) -> None:
            info = known.get(event.value or "")
            state["type"] = info
            requirements_box.clear()
            form_box.clear()
            state["inputs"] = {}
            if info is None:
                return
            with requirements_box:
                if info.requirements:
                    ui.label(t("opletters.requirements")).classes("text-subtitle2")
                    for item in info.requirements:
                        ui.label(f"• {item}").mark("type-requirement")
                file_label.set_options(list(info.requirements) or [t("opletters.attachment")])
                file_label.set_value(file_label.options[0])
            with form_box:
                state["inputs"] = field_inputs(info.fields, {}, t)

        async def take_file(event: UploadEventArguments) -> None:
            if still_allowed("operator") is None:
                return
            data = await event.file.read()
            if len(state["files"]) >= MAX_ATTACHMENTS:
                ui.notify(t("upload.too_many"), type="negative")
                return
            try:
                upload = await run.io_bound(attachments.check_upload, data, ctx.upload_max_bytes)
            except Exception as error:  # noqa: BLE001
                ui.notify(f"{event.file.name}: {error_text(error, t)}", type="negative")
                file_message.set_text(f"{event.file.name}: {error_text(error, t)}")
                return
            file_message.set_text("")
            state["files"].append((file_label.value or Path(event.file.name).stem or t("opletters.attachment"), upload))
            show_files()

        def show_files() -> None:
            files_box.clear()
            with files_box:
                for index, (name, upload) in enumerate(state["files"]):
                    with ui.row().classes("items-center gap-2"):
                        ui.icon("attach_file")
                        ui.label(f"{name} · {len(upload.data) // 1024 + 1} KB").mark("pending-file")
                        ui.button(icon="close", on_click=lambda i=index: (state["files"].pop(i), show_files())) \
                            .props("flat dense")

        async def submit() -> None:
            if still_allowed("operator") is None:
                return
            message.set_text("")
            show_problems(state["inputs"], None, t)
            if state["person"] is None or state["type"] is None:
                message.set_text(t("opletters.pick_person" if state["person"] is None else "opletters.pick_type"))
                return
            button.props("loading")
            try:
                summary = await run.io_bound(
                    letter_requests.create_request, state["type"].code, state["person"], answers(state["inputs"]),
                    channel="operator", actor=account.username, client=client, checked=bool(checked.value))
            except Exception as error:  # noqa: BLE001 - shown to the person
                show_problems(state["inputs"], error, t)
                message.set_text(error_text(error, t))
                return
            finally:
                button.props(remove="loading")
            failed = []
            for name, upload in state["files"]:
                try:
                    await run.io_bound(letter_requests.add_attachment, summary.id, name, upload,
                                       folder=ctx.settings.attachments_dir, max_bytes=ctx.upload_max_bytes,
                                       actor=account.username, client=client, by_resident=False)
                except Exception as error:  # noqa: BLE001
                    failed.append(f"{name}: {error_text(error, t)}")
            ctx.letters_changed()
            if failed:  # the request exists; say what did not attach and let the operator go on from there
                message.set_text(" · ".join(failed))
                ui.button(t("opletters.open_request", code=summary.tracking_code), icon="arrow_forward",
                          on_click=lambda: ui.navigate.to(f"/operator/letters/{summary.id}?created=1"))
                return
            ui.navigate.to(f"/operator/letters/{summary.id}?created=1")

        with operator_frame(t("opletters.new_title"), account, t, lang_default):
            with ui.card().classes("w-full"):
                ui.label(t("opletters.step_person")).classes("text-h6")
                chosen = ui.label(t("opletters.no_person")).classes("text-grey-7").mark("chosen-person")
                with ui.row().classes("items-center gap-3"):
                    query = ui.input(t("opletters.search_person")).props("outlined dense clearable") \
                        .classes("w-96").mark("person-search")
                    query.on("keydown.enter", find)
                    ui.button(t("opletters.search"), icon="search", on_click=find).props("outline") \
                        .mark("person-search-go")
                hits_box = ui.column().classes("w-full gap-0")
            with ui.card().classes("w-full"):
                ui.label(t("opletters.step_type")).classes("text-h6")
                type_select = ui.select({code: f"{info.name} ({code})" for code, info in known.items()},
                                        label=t("opletters.type"), with_input=True, on_change=choose_type) \
                    .props("outlined").classes("w-full max-w-2xl").mark("letter-type")
                if not known:
                    ui.label(t("opletters.no_types")).classes("text-negative")
                requirements_box = ui.column().classes("gap-0")
                form_box = ui.column().classes("w-full gap-2")
            with ui.card().classes("w-full"):
                ui.label(t("opletters.step_files")).classes("text-h6")
                ui.label(t("opletters.files_hint", max_mb=max_mb)) \
                    .classes("text-caption text-grey-7")
                with ui.row().classes("items-start gap-3"):
                    file_label = ui.select([t("opletters.attachment")], value=t("opletters.attachment"),
                                           label=t("opletters.attachment_for"), with_input=True,
                                           new_value_mode="add-unique") \
                        .props("outlined dense").classes("w-72").mark("attachment-label")
                    ui.upload(label=t("opletters.add_file"), multiple=True, auto_upload=True, on_upload=take_file,
                              max_file_size=ctx.upload_max_bytes,
                              on_rejected=lambda: ui.notify(t("upload.too_large", max_mb=max_mb), type="negative")) \
                        .props("accept=image/*,application/pdf flat bordered").mark("letter-upload")
                file_message = ui.label("").classes("text-negative").mark("file-error")
                files_box = ui.column().classes("gap-0")
            checked = ui.checkbox(t("opletters.already_checked")).mark("letter-checked")
            message = ui.label("").classes("text-negative text-subtitle1").mark("letter-error")
            button = ui.button(t("opletters.submit"), icon="send", on_click=submit).props("size=lg color=teal-8") \
                .mark("letter-submit")

        if jenis.upper() in known:
            type_select.set_value(jenis.upper())
        if person is not None:
            try:
                record = residents.person_record(person, actor=account.username, client=client)
                pick(person, f"{record['nama']} · {record['nik']}")
            except Exception as error:  # noqa: BLE001
                message.set_text(error_text(error, t))
        return None
