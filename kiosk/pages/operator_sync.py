"""/operator/sync: is the village's data reaching the district, and what came back.

Plain Indonesian for people who are not technicians: enrolled or not, how many changes wait and for how
long, when data last went through, the last problem in words (never an exception text), a "send now"
button, the records the district refused, what the district sent (announcements, letter types). When the
link is down for long, a USB stick that is plugged in is offered for an export; the admin enrols the
village here when it is not enrolled yet. Network and USB work run off the event loop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import sync_status
from kiosk.services.clock import format_date, format_stamp
from sync.keys import fingerprint

STICK_POLL_SECONDS = 3.0


def age_text(seconds: float | None, t: Translator) -> str:
    """'3 jam', '12 menit', '2 hari': how long the oldest change has waited."""
    if seconds is None or seconds < 60:
        return t("syncpage.age.now")
    for unit, size, limit in (("minute", 60, 3600), ("hour", 3600, 2 * 86400), ("day", 86400, None)):
        if limit is None or seconds < limit:
            count = int(seconds // size)
            return t(f"syncpage.age.{unit}" if count == 1 else f"syncpage.age.{unit}s", n=count)
    return ""  # pragma: no cover - the loop always returns


def size_text(free_bytes: int, t: Translator) -> str:
    """'3,2 GB' / '750 MB' (a decimal comma in Indonesian)."""
    text = f"{free_bytes / 1e9:.1f} GB" if free_bytes >= 1e9 else f"{free_bytes / 1e6:.0f} MB"
    return text.replace(".", ",") if t.lang == "id" else text


def stamp_text(moment: datetime | None, zone: str) -> str:
    return "-" if moment is None else format_stamp(moment, zone)


def _entity(name: str, t: Translator) -> str:
    text = t(f"syncpage.entity.{name}")
    return name if text.startswith("syncpage.") else text


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/sync", title="Balai · Kirim Data")
    def sync_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        key = ctx.letters.key
        state: dict[str, Any] = {"sticks": None}

        with operator_frame(t("syncpage.title"), account, t, lang_default):
            status_box = ui.column().classes("w-full gap-2")
            outcome = ui.label("").mark("sync-outcome")
            usb_box = ui.column().classes("w-full gap-2")
            enrol_box = ui.column().classes("w-full gap-2")
            rejected_box = ui.column().classes("w-full gap-2")
            received_box = ui.column().classes("w-full gap-2")

        async def send() -> None:
            if still_allowed("operator") is None:
                return
            send_button.props("loading")
            outcome.classes(remove="text-negative text-positive")
            try:
                result = await run.io_bound(sync_status.send_now, key)
            except Exception as error:  # noqa: BLE001 - shown in words, logged when unexpected
                outcome.set_text(error_text(error, t))
                outcome.classes(add="text-negative")
            else:
                outcome.set_text(t("syncpage.sent", acknowledged=result.acknowledged, already=result.already_at_hub,
                                   rejected=result.rejected, pulled=result.pulled))
                outcome.classes(add="text-positive")
            finally:
                send_button.props(remove="loading")
            draw()

        async def export(path: str) -> None:
            if still_allowed("operator") is None:
                return
            usb_message.classes(remove="text-negative text-positive")
            usb_message.set_text("")
            try:
                done = await run.io_bound(sync_status.export_to_stick, key, path, ctx.settings, account.username,
                                          client)
            except Exception as error:  # noqa: BLE001
                usb_message.set_text(error_text(error, t))
                usb_message.classes(add="text-negative")
                return
            usb_message.set_text(t("syncpage.usb_done", batches=done.batches, changes=done.changes,
                                   folder=done.folder.name))
            usb_message.classes(add="text-positive")
            draw()

        async def enrol() -> None:
            if still_allowed("admin") is None:
                return
            enrol_message.set_text("")
            try:
                answer = await run.io_bound(sync_status.enrol, key, hub_url.value or "", code.value or "",
                                            account.username, client)
            except Exception as error:  # noqa: BLE001
                enrol_message.set_text(error_text(error, t))
                return
            ui.notify(t("syncpage.enrol_done", fingerprint=fingerprint(answer["hub_sign_key"])), type="positive",
                      timeout=15000)
            draw()

        def draw_status(info: dict[str, Any]) -> None:
            nonlocal send_button
            status = info["status"]
            status_box.clear()
            with status_box, ui.card().classes("w-full max-w-3xl").mark("sync-status"):
                if status.enrolled:
                    ui.label(t("syncpage.enrolled", url=status.hub_url)).mark("sync-enrolled")
                else:
                    ui.label(t("syncpage.not_enrolled")).classes("text-orange-10").mark("sync-not-enrolled")
                if status.pending_changes:
                    text = t("syncpage.pending", count=f"{status.pending_changes:,}".replace(",", "." if t.lang == "id" else ","))
                    text += f" · {t('syncpage.oldest', age=age_text(status.oldest_pending_age_s, t))}"
                    ui.label(text).classes("text-h6").mark("sync-pending")
                else:
                    ui.label(t("syncpage.pending_none")).classes("text-h6 text-positive").mark("sync-pending")
                if info["last_success"] is not None:
                    ui.label(t("syncpage.last_success", when=stamp_text(info["last_success"], info["zone"]))) \
                        .mark("sync-last-success")
                else:
                    ui.label(t("syncpage.never_sent")).classes("text-grey-7").mark("sync-last-success")
                if info["error_key"]:
                    ui.label(t("syncpage.last_error", message=t(info["error_key"], **info["error_params"]))) \
                        .classes("text-negative").mark("sync-last-error")
                with ui.row().classes("items-center gap-3"):
                    send_button = ui.button(t("syncpage.send_now"), icon="cloud_upload", on_click=send) \
                        .props("color=teal-8").mark("sync-send")
                    ui.button(t("syncpage.refresh"), icon="refresh", on_click=lambda: draw()).props("flat") \
                        .mark("sync-refresh")

        def draw_usb() -> None:
            nonlocal usb_message
            found = sync_status.sticks(ctx.settings)
            state["sticks"] = [(s.path, s.label) for s in found]
            usb_box.clear()
            with usb_box, ui.card().classes("w-full max-w-3xl").mark("sync-usb"):
                ui.label(t("syncpage.usb")).classes("text-h6")
                if not found:
                    ui.label(t("syncpage.usb_hint")).classes("text-grey-8").mark("usb-hint")
                for stick in found:
                    with ui.row().classes("items-center gap-3"):
                        ui.icon("usb")
                        ui.label(t("syncpage.usb_stick", label=stick.label, free=size_text(stick.free_bytes, t))) \
                            .mark("usb-stick")
                        ui.button(t("syncpage.usb_export"), icon="save_alt",
                                  on_click=lambda p=str(stick.path): export(p)).props("outline").mark("usb-export")
                usb_message = ui.label("").mark("usb-message")

        def poll_sticks() -> None:
            """Redraw the USB section only when a stick came or went (keeps its message otherwise)."""
            current = [(s.path, s.label) for s in sync_status.sticks(ctx.settings)]
            if current != state["sticks"]:
                draw_usb()

        def draw_enrol(info: dict[str, Any]) -> None:
            nonlocal hub_url, code, enrol_message
            enrol_box.clear()
            if info["status"].enrolled or not account.may("admin"):
                return
            with enrol_box, ui.card().classes("w-full max-w-3xl").mark("sync-enrol"):
                ui.label(t("syncpage.enrol")).classes("text-h6")
                ui.label(t("syncpage.enrol_hint")).classes("text-caption text-grey-7")
                hub_url = ui.input(t("syncpage.enrol_url"), placeholder="https://").props("outlined") \
                    .classes("w-full").mark("enrol-url")
                code = ui.input(t("syncpage.enrol_code")).props("outlined").classes("w-64").mark("enrol-code")
                ui.button(t("syncpage.enrol_submit"), icon="how_to_reg", on_click=enrol).mark("enrol-submit")
                enrol_message = ui.label("").classes("text-negative").mark("enrol-error")

        def draw_rejections(info: dict[str, Any]) -> None:
            rejected_box.clear()
            with rejected_box, ui.card().classes("w-full max-w-5xl"):
                ui.label(t("syncpage.rejections")).classes("text-h6")
                if not info["rejections"]:
                    ui.label(t("syncpage.rejections_none")).classes("text-grey-7").mark("rejections-none")
                    return
                rows = [{"id": i, "entity": _entity(r["entity"], t), "key": r["key"], "reason": r["reason"],
                         "at": stamp_text(r["at"], info["zone"])} for i, r in enumerate(info["rejections"])]
                ui.table(columns=[{"name": c, "label": t(f"syncpage.col.{c}"), "field": c, "align": "left"}
                                  for c in ("entity", "key", "reason", "at")],
                         rows=rows, row_key="id", pagination=20) \
                    .props("flat dense wrap-cells").classes("w-full").mark("rejections-table")

        def draw_received(info: dict[str, Any]) -> None:
            received_box.clear()
            with received_box, ui.card().classes("w-full max-w-5xl"):
                ui.label(t("syncpage.announcements")).classes("text-h6")
                if not info["announcements"]:
                    ui.label(t("syncpage.announcements_none")).classes("text-grey-7")
                for item in info["announcements"]:
                    with ui.column().classes("gap-0 q-mb-sm").mark("district-announcement"):
                        ui.label(item["title"]).classes("text-subtitle1 text-weight-medium")
                        if item["body"]:
                            ui.label(item["body"]).classes("whitespace-pre-line")
                        start = format_date(datetime.fromisoformat(item["starts_on"]).date())
                        period = (t("syncpage.until", start=start,
                                    end=format_date(datetime.fromisoformat(item["ends_on"]).date()))
                                  if item["ends_on"] else t("syncpage.from", start=start))
                        ui.label(period).classes("text-caption text-grey-7")
                ui.label(t("syncpage.received")).classes("text-h6 q-mt-md")
                if not info["pulled"]:
                    ui.label(t("syncpage.pulled_none")).classes("text-grey-7").mark("pulled-none")
                for item in info["pulled"]:
                    refused = item["outcome"] != "ok"
                    with ui.row().classes("items-center gap-3").mark("pulled-item"):
                        ui.badge(t(f"syncpage.outcome.{'refused' if refused else 'ok'}"),
                                 color="negative" if refused else "positive")
                        kind = t(f"syncpage.kind.{item['kind']}")
                        ui.label(item["kind"] if kind.startswith("syncpage.") else kind).classes("w-32")
                        ui.label(item["message"])
                        ui.label(stamp_text(item["applied_at"], info["zone"])).classes("text-caption text-grey-7")

        def draw() -> None:
            try:
                info = sync_status.overview()
            except Exception as error:  # noqa: BLE001 - a broken status must not take the page down
                status_box.clear()
                with status_box:
                    ui.label(error_text(error, t)).classes("text-negative")
                return
            draw_status(info)
            draw_enrol(info)
            draw_rejections(info)
            draw_received(info)

        send_button: Any = None
        usb_message: Any = None
        hub_url: Any = None
        code: Any = None
        enrol_message: Any = None
        draw()
        draw_usb()
        ui.timer(STICK_POLL_SECONDS, poll_sticks)
        return None
