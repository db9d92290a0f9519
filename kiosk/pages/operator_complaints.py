"""/operator/complaints: the complaints list (filters by status and category, the overdue ones on top and
highlighted), a counter form for a complaint told in person, and the categories with their due times (admin);
/operator/complaints/{id}: one complaint — text, sender (NIK masked), photo, replies — with the reply and
status form. Operator role and up; every text is set as text (labels), never as HTML."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app, run, ui
from nicegui.events import UploadEventArguments

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.operator_letter_detail import file_response, refusal, route_account
from kiosk.pages.session import client_address, translator
from kiosk.services import complaints, village
from kiosk.services.complaint_checks import check_photo
from kiosk.services.complaints import ComplaintSummary, NewComplaint
from kiosk.services.clock import format_date, local_day, local_time
from kiosk.services.errors import ServiceError

STATUS_COLORS = {"diterima": "blue-8", "diproses": "orange-9", "selesai": "green-8", "ditolak": "red-9"}


def _zone() -> str:
    info = village.get_village()
    return info.timezone if info else "Asia/Jakarta"


def when(moment: datetime, zone: str) -> str:
    """'24 November 2026 09:15' in the village's time."""
    return f"{format_date(local_day(moment, zone))} {local_time(moment, zone):%H:%M}"


def status_badge(status: str, t: Translator) -> None:
    ui.badge(t(f"complaint.status.{status}"), color=STATUS_COLORS.get(status, "grey-7")).mark(f"status-{status}")


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    folder = complaints.photo_folder(ctx.settings.data_dir)

    _photo_route(ctx, folder)

    @ui.page("/operator/complaints", title="Balai · Pengaduan")
    def list_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        zone = _zone()
        known = complaints.categories(enabled_only=False)
        filters: dict[str, Any] = {"status": "", "category": ""}
        state: dict[str, Any] = {"photo": None}
        max_mb = f"{ctx.upload_max_bytes / 1_000_000:g}"

        def row(item: ComplaintSummary) -> None:
            style = "border-bottom: 1px solid #e0e0e0" + ("; background: #fee2e2" if item.overdue else "")
            with ui.row().classes("w-full items-center gap-3 q-py-sm q-px-sm no-wrap").style(style) \
                    .mark("complaint-row" + (" complaint-overdue" if item.overdue else "")):
                ui.label(item.tracking_code).classes("w-36 shrink-0 text-weight-bold").mark("complaint-code")
                with ui.column().classes("gap-0 grow").style("min-width: 0"):
                    ui.label(item.category).classes("text-caption text-grey-8")
                    ui.label(complaints_short(item.body)).classes("ellipsis w-full").mark("complaint-body")
                ui.label(item.who or t("opcomplaint.anonymous")).classes("w-48 shrink-0 ellipsis")
                with ui.column().classes("w-44 shrink-0 gap-0"):
                    ui.label(f"{t('opcomplaint.received')}: {when(item.created_at, zone)}").classes("text-caption")
                    ui.label(f"{t('opcomplaint.due')}: {when(item.due_at, zone)}") \
                        .classes("text-caption" + (" text-red-9 text-weight-bold" if item.overdue else ""))
                with ui.row().classes("w-28 shrink-0 gap-1"):
                    status_badge(item.status, t)
                    if item.overdue:
                        ui.badge(t("opcomplaint.overdue"), color="red-9").mark("complaint-late")
                ui.button(t("opcomplaint.open"), icon="open_in_new",
                          on_click=lambda i=item.id: ui.navigate.to(f"/operator/complaints/{i}")) \
                    .props("flat dense color=teal-9").mark(f"complaint-open-{item.id}")

        async def refresh() -> None:
            found = await run.io_bound(lambda: complaints.list_complaints(
                status=filters["status"] or None, category=filters["category"] or None))
            late = await run.io_bound(complaints.overdue)
            numbers = await run.io_bound(complaints.counts)
            summary.set_text(t("opcomplaint.summary", **numbers))
            late_box.clear()
            with late_box:
                ui.label(t("opcomplaint.overdue_title", count=len(late))).classes("text-h6 text-red-9")
                if not late:
                    ui.label(t("opcomplaint.overdue_none")).classes("text-grey-7").mark("complaint-overdue-none")
                for item in late:
                    row(item)
            box.clear()
            with box:
                if not found:
                    ui.label(t("opcomplaint.none")).classes("text-grey-7 q-pa-md").mark("complaint-empty")
                for item in found:
                    row(item)

        async def set_filter(name: str, value: str | None) -> None:
            filters[name] = value or ""
            await refresh()

        async def take_photo(event: UploadEventArguments) -> None:
            if still_allowed("operator") is None:
                return
            data = await event.file.read()
            upload.reset()
            try:
                state["photo"] = await run.io_bound(check_photo, data, ctx.upload_max_bytes)
                photo_message.set_text(t("opcomplaint.photo_ready", kb=len(state["photo"].data) // 1024 + 1))
            except Exception as error:  # noqa: BLE001 - shown to the operator
                state["photo"] = None
                photo_message.set_text(error_text(error, t))

        async def save() -> None:
            if still_allowed("operator") is None:
                return
            message.set_text("")
            name = (new_name.value or "").strip()
            new = NewComplaint(category=new_category.value or "", body=new_body.value or "",
                               identity="nama" if name else "anonim", name=name, phone=new_phone.value or "")
            try:
                code = await run.io_bound(complaints.create, new, state["photo"], folder=folder, channel="operator",
                                          actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001 - shown to the operator
                message.set_text(error_text(error, t))
                return
            ui.notify(t("opcomplaint.saved", code=code), type="positive")
            saved.set_text(t("opcomplaint.saved", code=code))
            for element in (new_body, new_name, new_phone):
                element.set_value("")
            state["photo"] = None
            photo_message.set_text("")
            await refresh()

        with operator_frame(t("opcomplaint.title"), account, t, lang_default):
            summary = ui.label("").classes("text-subtitle1").mark("complaint-summary")
            late_box = ui.column().classes("w-full gap-0 q-pa-sm rounded-borders bg-red-1").mark("complaint-overdue")
            with ui.row().classes("items-center gap-3"):
                ui.select({"": t("opcomplaint.all"), **{s: t(f"complaint.status.{s}") for s in complaints.STATUSES}},
                          value="", label=t("opcomplaint.filter_status"),
                          on_change=lambda e: set_filter("status", e.value)).classes("w-48") \
                    .mark("complaint-filter-status")
                ui.select({"": t("opcomplaint.all"), **{c.code: c.name for c in known}}, value="",
                          label=t("opcomplaint.filter_category"),
                          on_change=lambda e: set_filter("category", e.value)).classes("w-64") \
                    .mark("complaint-filter-category")
            box = ui.column().classes("w-full gap-0").mark("complaint-list")
            with ui.expansion(t("opcomplaint.new"), icon="add_comment").classes("w-full max-w-3xl") \
                    .mark("complaint-new"):
                enabled = {c.code: f"{c.name} ({t('complaint.days', days=c.due_days)})" for c in known if c.enabled}
                new_category = ui.select(enabled, value=next(iter(enabled), None),
                                         label=t("opcomplaint.filter_category")).classes("w-full") \
                    .mark("complaint-new-category")
                new_body = ui.textarea(t("opcomplaint.body")).props("outlined counter maxlength=2000") \
                    .classes("w-full").mark("complaint-new-body")
                with ui.row().classes("w-full gap-3"):
                    new_name = ui.input(t("opcomplaint.name")).props("outlined maxlength=80").classes("grow") \
                        .mark("complaint-new-name")
                    new_phone = ui.input(t("opcomplaint.phone")).props("outlined maxlength=20").classes("w-56") \
                        .mark("complaint-new-phone")
                ui.label(t("opcomplaint.photo_hint", max_mb=max_mb)).classes("text-caption text-grey-7")
                upload = ui.upload(label=t("opcomplaint.photo"), auto_upload=True, on_upload=take_photo,
                                   max_file_size=ctx.upload_max_bytes,
                                   on_rejected=lambda: photo_message.set_text(
                                       t("complaint.photo_too_large", max_mb=max_mb))) \
                    .props("accept=image/jpeg,image/png,image/webp flat bordered").mark("complaint-new-photo")
                photo_message = ui.label("").mark("complaint-new-photo-message")
                message = ui.label("").classes("text-negative text-subtitle1").mark("complaint-new-error")
                saved = ui.label("").classes("text-positive text-subtitle1").mark("complaint-new-saved")
                ui.button(t("opcomplaint.save"), icon="save", on_click=save).props("color=teal-8") \
                    .mark("complaint-new-save")
            if account.may("admin"):
                categories_editor(t, account.username, client)
        ui.timer(0.0, refresh, once=True)
        return None

    @ui.page("/operator/complaints/{complaint_id}", title="Balai · Pengaduan")
    def detail_page(request: Request, complaint_id: int) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        zone = _zone()
        try:
            found = complaints.detail(complaint_id, actor=account.username, client=client)
        except ServiceError as error:
            with operator_frame(t("opcomplaint.title"), account, t, lang_default):
                ui.label(error_text(error, t)).classes("text-h6").mark("complaint-missing")
            return None
        item = found.summary

        async def send() -> None:
            if still_allowed("operator") is None:
                return
            error_label.set_text("")
            target = new_status.value or None
            try:
                await run.io_bound(complaints.respond, complaint_id, reply=reply.value or "", status=target,
                                   reason=reason.value or "", actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001 - shown to the operator
                error_label.set_text(error_text(error, t))
                return
            ui.notify(t("opcomplaint.sent"), type="positive")
            ui.navigate.to(f"/operator/complaints/{complaint_id}")

        with operator_frame(t("opcomplaint.detail", code=item.tracking_code), account, t, lang_default):
            ui.link(t("opcomplaint.back"), "/operator/complaints").mark("complaint-back")
            with ui.card().classes("w-full max-w-3xl"):
                with ui.row().classes("items-center gap-3"):
                    ui.label(item.tracking_code).classes("text-h6").mark("complaint-detail-code")
                    status_badge(item.status, t)
                    if item.overdue:
                        ui.badge(t("opcomplaint.overdue"), color="red-9").mark("complaint-late")
                ui.label(f"{item.category} · {t('complaint.channel.' + item.channel)}").classes("text-subtitle2")
                ui.label(item.body).classes("text-body1").style("white-space: pre-line; overflow-wrap: anywhere") \
                    .mark("complaint-detail-body")
                ui.label(f"{t('opcomplaint.received')}: {when(item.created_at, zone)} · "
                         f"{t('opcomplaint.due')}: {when(item.due_at, zone)}").classes("text-caption")
                sender = t("opcomplaint.anonymous")
                if item.identity == "warga":
                    sender = item.who
                elif item.identity == "nama":
                    sender = found.reporter_name + (
                        f" · {t('opcomplaint.phone_short')} {found.reporter_phone}" if found.reporter_phone else "")
                ui.label(f"{t('opcomplaint.from')}: {sender}").mark("complaint-detail-from")
                if found.reject_reason:
                    ui.label(t("opcomplaint.reject_reason", reason=found.reject_reason)).classes("text-red-9")
                if item.has_photo:
                    ui.label(t("opcomplaint.photo_view")).classes("text-subtitle2")
                    ui.image(f"/operator/complaints/{complaint_id}/photo").props("fit=contain") \
                        .style("max-width: 480px; max-height: 360px").mark("complaint-photo")
            ui.label(t("opcomplaint.replies")).classes("text-h6")
            with ui.column().classes("w-full max-w-3xl gap-1").mark("complaint-replies"):
                if not found.replies:
                    ui.label(t("opcomplaint.no_replies")).classes("text-grey-7")
                for answer in found.replies:
                    with ui.card().classes("w-full q-pa-sm").mark("complaint-reply"):
                        head = f"{when(answer.created_at, zone)} · {answer.author}"
                        if answer.status:
                            head += " · " + t("opcomplaint.status_set", status=t(f"complaint.status.{answer.status}"))
                        ui.label(head).classes("text-caption text-grey-8")
                        if answer.body:
                            ui.label(answer.body).style("white-space: pre-line; overflow-wrap: anywhere")
            if found.moves or item.status in complaints.OPEN_STATUSES:
                with ui.card().classes("w-full max-w-3xl"):
                    reply = ui.textarea(t("opcomplaint.reply")).props("outlined counter maxlength=1000") \
                        .classes("w-full").mark("complaint-reply-input")
                    options = {"": t("opcomplaint.keep_status"),
                               **{s: t(f"complaint.status.{s}") for s in found.moves}}
                    new_status = ui.select(options, value="", label=t("opcomplaint.new_status")).classes("w-64") \
                        .mark("complaint-new-status")
                    reason = ui.input(t("opcomplaint.reason")).props("outlined maxlength=300").classes("w-full") \
                        .mark("complaint-reason")
                    reason.bind_visibility_from(new_status, "value", backward=lambda v: v == "ditolak")
                    error_label = ui.label("").classes("text-negative text-subtitle1").mark("complaint-error")
                    ui.button(t("opcomplaint.send"), icon="send", on_click=send).props("color=teal-8") \
                        .mark("complaint-send")
            else:
                ui.label(t("opcomplaint.closed_note")).classes("text-grey-7").mark("complaint-closed")
        return None

    def categories_editor(t: Translator, actor: str, client: str) -> None:
        """The admin's table of categories: name, days, active; one Save per row, and a row to add one."""
        with ui.expansion(t("opcomplaint.categories"), icon="category").classes("w-full max-w-3xl") \
                .mark("complaint-categories"):
            for cat in complaints.categories(enabled_only=False):
                with ui.row().classes("items-center gap-2 no-wrap w-full"):
                    name = ui.input(t("opcomplaint.category_name"), value=cat.name).props("dense outlined") \
                        .classes("grow").mark(f"category-name-{cat.code}")
                    days = ui.number(t("opcomplaint.category_days"), value=cat.due_days, min=1,
                                     max=complaints.DUE_DAYS_MAX, precision=0).props("dense outlined") \
                        .classes("w-24").mark(f"category-days-{cat.code}")
                    active = ui.checkbox(t("opcomplaint.category_enabled"), value=cat.enabled) \
                        .mark(f"category-enabled-{cat.code}")

                    async def save_one(cid: int = cat.id, name: Any = name, days: Any = days, active: Any = active) \
                            -> None:
                        if still_allowed("admin") is None:
                            return
                        try:
                            await run.io_bound(complaints.update_category, cid, name.value or "",
                                               int(days.value or 0), bool(active.value), actor=actor, client=client)
                        except Exception as error:  # noqa: BLE001 - shown to the admin
                            ui.notify(error_text(error, t), type="negative")
                            return
                        ui.notify(t("opcomplaint.category_saved"), type="positive")

                    ui.button(t("opcomplaint.category_save"), on_click=save_one).props("flat color=teal-9") \
                        .mark(f"category-save-{cat.code}")
            with ui.row().classes("items-center gap-2 no-wrap w-full"):
                add_name = ui.input(t("opcomplaint.category_name")).props("dense outlined").classes("grow") \
                    .mark("category-add-name")
                add_days = ui.number(t("opcomplaint.category_days"), value=7, min=1, max=complaints.DUE_DAYS_MAX,
                                     precision=0).props("dense outlined").classes("w-24").mark("category-add-days")

                async def add() -> None:
                    if still_allowed("admin") is None:
                        return
                    try:
                        await run.io_bound(complaints.add_category, add_name.value or "", int(add_days.value or 0),
                                           actor=actor, client=client)
                    except Exception as error:  # noqa: BLE001 - shown to the admin
                        ui.notify(error_text(error, t), type="negative")
                        return
                    ui.navigate.to("/operator/complaints")

                ui.button(t("opcomplaint.category_add"), icon="add", on_click=add).props("flat color=teal-9") \
                    .mark("category-add")


def complaints_short(text: str, limit: int = 120) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _photo_route(ctx: AppContext, folder: Path) -> None:
    """/operator/complaints/{id}/photo: the photo for a logged-in operator only, never cached."""

    @app.get("/operator/complaints/{complaint_id}/photo", include_in_schema=False)
    async def photo(request: Request, complaint_id: int) -> Response:
        t = translator(ctx.settings.language)
        account, logged_in = route_account("operator")
        if account is None:
            return refusal(request, logged_in, t)
        try:
            data = await run.io_bound(complaints.photo_for_operator, complaint_id, folder)
        except ServiceError:
            return Response(status_code=404)
        return file_response(data, "image/jpeg", f"pengaduan-{complaint_id}.jpg")
