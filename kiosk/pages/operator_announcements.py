"""/operator/announcements: operators post announcements (text, an optional picture, start and end dates)
and withdraw the office's own; the list shows where each came from and whether it is showing."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui
from nicegui.events import UploadEventArguments

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.announcement import date_range
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import announcements

STATUS_COLORS = {"tayang": "green-8", "terjadwal": "blue-8", "berakhir": "grey-7", "ditarik": "red-9"}


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    folder = ctx.settings.announcements_dir

    @ui.page("/operator/announcements", title="Balai · Pengumuman")
    def announcements_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        max_mb = f"{ctx.upload_max_bytes / 1_000_000:g}"
        state: dict[str, Any] = {"image": None}

        async def take_image(event: UploadEventArguments) -> None:
            if still_allowed("operator") is None:
                return
            data = await event.file.read()
            upload.reset()
            try:
                state["image"] = await run.io_bound(announcements.check_image, data, ctx.upload_max_bytes)
            except Exception as error:  # noqa: BLE001 - shown to the operator
                state["image"] = None
                image_message.set_text(f"{event.file.name}: {error_text(error, t)}")
                show_image()
                return
            image_message.set_text("")
            show_image()

        def drop_image() -> None:
            state["image"] = None
            show_image()

        def show_image() -> None:
            image_box.clear()
            if state["image"] is None:
                return
            with image_box:
                ui.icon("image")
                ui.label(t("opannounce.image_ready", kb=len(state["image"].data) // 1024 + 1)) \
                    .mark("announce-image-ready")
                ui.button(t("opannounce.image_remove"), icon="close", on_click=drop_image).props("flat dense")

        async def submit() -> None:
            if still_allowed("operator") is None:
                return
            message.set_text("")
            button.props("loading")
            try:
                await run.io_bound(announcements.create, title.value or "", body.value or "", starts.value or "",
                                   ends.value or None, state["image"], folder=folder, actor=account.username,
                                   client=client)
            except Exception as error:  # noqa: BLE001 - shown to the operator
                message.set_text(error_text(error, t))
                return
            finally:
                button.props(remove="loading")
            ctx.feed.bump()
            ui.notify(t("opannounce.posted"), type="positive")
            title.set_value("")
            body.set_value("")
            ends.set_value("")
            drop_image()
            await refresh()

        async def withdraw(uid: str) -> None:
            if still_allowed("operator") is None:
                return
            try:
                await run.io_bound(announcements.withdraw, uid, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                ui.notify(error_text(error, t), type="negative")
            else:
                ctx.feed.bump()
                ui.notify(t("opannounce.withdrawn"), type="positive")
            await refresh()

        def row(item: dict[str, Any]) -> None:
            with ui.row().classes("w-full items-center gap-4 q-py-sm no-wrap") \
                    .style("border-bottom: 1px solid #e0e0e0").mark("announce-row"):
                with ui.column().classes("gap-0 grow"):
                    ui.label(item["title"]).classes("text-weight-bold").mark("announce-title")
                    if item["body"]:
                        ui.label(announcements.shortened(item["body"], 140)).classes("text-caption text-grey-8")
                ui.label(t(f"opannounce.source.{item['source']}")).classes("w-28 shrink-0") \
                    .mark(f"announce-source-{item['source']}")
                ui.label(date_range(item, t)).classes("w-64 shrink-0")
                ui.label(t("opannounce.has_image") if item["image"] else "").classes("w-24 shrink-0 text-caption")
                with ui.row().classes("w-24 shrink-0"):
                    ui.badge(t(f"opannounce.status.{item['status']}"),
                             color=STATUS_COLORS.get(item["status"], "grey-7")).mark("announce-status")
                with ui.row().classes("w-24 shrink-0"):
                    if item["source"] == "local" and item["status"] != "ditarik":
                        ui.button(t("opannounce.withdraw"), icon="block",
                                  on_click=lambda uid=item["uuid"]: withdraw(uid)) \
                            .props("flat dense color=negative").mark("announce-withdraw")

        async def refresh() -> None:
            found = await run.io_bound(announcements.all_recent, 100) or []
            box.clear()
            with box:
                if not found:
                    ui.label(t("opannounce.none")).classes("text-grey-7 q-pa-md").mark("announce-empty")
                for item in found:
                    row(item)

        with operator_frame(t("opannounce.title"), account, t, lang_default):
            with ui.card().classes("w-full max-w-3xl"):
                ui.label(t("opannounce.new")).classes("text-h6")
                title = ui.input(t("opannounce.field_title")) \
                    .props(f"outlined counter maxlength={announcements.TITLE_MAX}").classes("w-full") \
                    .mark("announce-title-input")
                body = ui.textarea(t("opannounce.field_body")) \
                    .props(f"outlined autogrow counter maxlength={announcements.BODY_MAX}").classes("w-full") \
                    .mark("announce-body-input")
                with ui.row().classes("gap-3"):
                    starts = ui.input(t("opannounce.starts"), value=announcements.village_today().isoformat()) \
                        .props("outlined type=date stack-label").mark("announce-starts")
                    ends = ui.input(t("opannounce.ends")).props("outlined type=date stack-label clearable") \
                        .classes("w-72").mark("announce-ends")
                ui.label(t("opannounce.image")).classes("text-subtitle2")
                ui.label(t("opannounce.image_hint", max_mb=max_mb)).classes("text-caption text-grey-7")
                upload = ui.upload(label=t("opannounce.image"), auto_upload=True, on_upload=take_image,
                                   max_file_size=ctx.upload_max_bytes,
                                   on_rejected=lambda: image_message.set_text(t("upload.too_large", max_mb=max_mb))) \
                    .props("accept=image/jpeg,image/png,image/webp flat bordered").mark("announce-upload")
                image_box = ui.row().classes("items-center gap-2")
                image_message = ui.label("").classes("text-negative").mark("announce-image-error")
                message = ui.label("").classes("text-negative text-subtitle1").mark("announce-error")
                button = ui.button(t("opannounce.submit"), icon="campaign", on_click=submit) \
                    .props("color=teal-8").mark("announce-submit")
            ui.label(t("opannounce.recent")).classes("text-h6")
            box = ui.column().classes("w-full gap-0").mark("announce-list")
        ui.timer(0.0, refresh, once=True)
        return None
