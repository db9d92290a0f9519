"""/operator/backup (admin only): the backups on the device, "back up now", the USB stick and its passphrase.

What an admin who is not a technician needs: did last night's backup work (in words), which backups exist,
is a stick plugged in, and is the stick's copy encrypted (the passphrase: set, changed or removed here,
typed twice, never shown again). Restoring is not on this page on purpose: the server must be stopped
while its database is replaced, and a page is served by that very server; the page says how to do it
(`balai restore`, docs/backup.md). Backups and the passphrase's key derivation run off the event loop.
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
from kiosk.services import backup, backup_nightly, village
from kiosk.services.clock import format_stamp

STICK_POLL_SECONDS = 3.0


def size_text(size: int, t: Translator) -> str:
    """'8,4 MB' / '750 kB' (a decimal comma in Indonesian)."""
    text = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"
    return text.replace(".", ",") if t.lang == "id" else text


def _when(stamp: str, zone: str) -> str:
    try:
        return format_stamp(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"), zone)
    except (TypeError, ValueError):
        return stamp or "-"


def last_run_text(last: dict[str, Any], zone: str, t: Translator) -> list[tuple[str, bool]]:
    """The last run in sentences, each with whether it is bad news."""
    when, actor = _when(last.get("at", ""), zone), last.get("actor", "")
    local = last.get("local")
    if local is None:
        lines = [(t("backup.last_failed", when=when, actor=actor, message=t(last.get("local_error") or "")), True)]
    else:
        lines = [(t("backup.last_ok", when=when, actor=actor, file=local.get("file", "")), False)]
    usb = last.get("usb", "skipped")
    lines.append((t(f"backup.usb.{usb}", count=len(last.get("usb_copies", [])),
                    message=t(last.get("usb_error") or "backup.write_failed")), usb == "failed"))
    return lines


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    settings = ctx.settings

    @ui.page("/operator/backup", title="Balai · Cadangan")
    def backup_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        info = village.get_village()
        zone = info.timezone if info else "Asia/Jakarta"
        state: dict[str, Any] = {"usb": None}

        with operator_frame(t("backup.title"), account, t, lang_default):
            with ui.card().classes("w-full max-w-3xl").mark("backup-now-card"):
                ui.label(t("backup.now_hint")).classes("text-grey-8")
                with ui.row().classes("items-center gap-3"):
                    now_button = ui.button(t("backup.now"), icon="backup").props("color=teal-8") \
                        .mark("backup-now")
                message = ui.label("").mark("backup-message")
            last_box = ui.column().classes("w-full gap-2")
            list_box = ui.column().classes("w-full gap-2")
            usb_box = ui.column().classes("w-full gap-2")
            with ui.card().classes("w-full max-w-3xl").mark("backup-restore"):
                ui.label(t("backup.restore")).classes("text-h6")
                ui.label(t("backup.restore_hint")).classes("text-grey-8")

        async def back_up_now() -> None:
            if still_allowed("admin") is None:
                return
            now_button.props("loading")
            message.classes(remove="text-negative text-positive")
            try:
                result = await run.io_bound(backup.nightly, settings, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001 - shown in words, logged when unexpected
                message.set_text(error_text(error, t))
                message.classes(add="text-negative")
            else:
                if result.local is None:
                    message.set_text(t(result.local_error))
                    message.classes(add="text-negative")
                else:
                    message.set_text(t("backup.done", file=result.local.path.name))
                    message.classes(add="text-negative" if result.usb == "failed" else "text-positive")
            finally:
                now_button.props(remove="loading")
            draw()

        now_button.on_click(back_up_now)

        def draw_last() -> None:
            last_box.clear()
            with last_box, ui.card().classes("w-full max-w-3xl").mark("backup-last"):
                ui.label(t("backup.last")).classes("text-h6")
                last = backup_nightly.last_run(settings)
                if last is None:
                    ui.label(t("backup.last_none")).classes("text-grey-7").mark("backup-last-none")
                    return
                for text, bad in last_run_text(last, zone, t):
                    ui.label(text).classes("text-negative" if bad else "").mark("backup-last-line")

        def draw_list() -> None:
            list_box.clear()
            rows = backup.list_backups(settings)
            with list_box, ui.card().classes("w-full max-w-3xl"):
                ui.label(t("backup.list")).classes("text-h6")
                if not rows:
                    ui.label(t("backup.list_none")).classes("text-grey-7").mark("backup-list-none")
                    return
                table_rows = [{"file": row["file"], "at": format_stamp(row["at"], zone),
                               "size": size_text(row["size"], t)} for row in rows]
                ui.table(columns=[{"name": c, "label": t(f"backup.col.{c}"), "field": c, "align": "left"}
                                  for c in ("at", "size", "file")],
                         rows=table_rows, row_key="file", pagination=10) \
                    .props("flat dense").classes("w-full").mark("backup-list")

        async def save_passphrase() -> None:
            if still_allowed("admin") is None:
                return
            first, second = passphrase.value or "", repeat.value or ""
            passphrase.value, repeat.value = "", ""
            try:
                await run.io_bound(backup_nightly.set_usb_passphrase, settings, first, second,
                                   actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                usb_message.set_text(error_text(error, t))
                usb_message.classes(remove="text-positive", add="text-negative")
                return
            draw_usb(t("backup.passphrase_saved"))

        def remove_passphrase() -> None:
            if still_allowed("admin") is None:
                return
            backup_nightly.remove_usb_passphrase(settings, actor=account.username, client=client)
            draw_usb(t("backup.passphrase_removed"))

        def draw_usb(note: str = "") -> None:
            nonlocal passphrase, repeat, usb_message
            current = backup_nightly.usb_state(settings)
            state["usb"] = ([(s.path, s.label) for s in current["sticks"]], current["passphrase_set"])
            usb_box.clear()
            with usb_box, ui.card().classes("w-full max-w-3xl").mark("backup-usb"):
                ui.label(t("backup.usb")).classes("text-h6")
                for stick in current["sticks"]:
                    with ui.row().classes("items-center gap-2"):
                        ui.icon("usb")
                        ui.label(t("backup.stick", label=stick.label, free=size_text(stick.free_bytes, t))) \
                            .mark("backup-stick")
                if not current["sticks"]:
                    ui.label(t("backup.no_stick")).classes("text-grey-8").mark("backup-no-stick")
                if current["passphrase_set"]:
                    ui.label(t("backup.passphrase_set")).classes("text-positive").mark("backup-passphrase-set")
                else:
                    ui.label(t("backup.passphrase_not_set")).classes("text-orange-10") \
                        .mark("backup-passphrase-not-set")
                ui.label(t("backup.usb_hint")).classes("text-caption text-grey-7")
                passphrase = ui.input(t("backup.passphrase"), password=True).props("outlined") \
                    .classes("w-96").mark("passphrase-1")
                repeat = ui.input(t("backup.passphrase_repeat"), password=True).props("outlined") \
                    .classes("w-96").mark("passphrase-2")
                with ui.row().classes("items-center gap-3"):
                    ui.button(t("backup.passphrase_save"), icon="key", on_click=save_passphrase) \
                        .mark("passphrase-save")
                    if current["passphrase_set"]:
                        ui.button(t("backup.passphrase_remove"), icon="key_off", on_click=remove_passphrase) \
                            .props("flat color=negative").mark("passphrase-remove")
                usb_message = ui.label(note).classes("text-positive" if note else "").mark("passphrase-message")

        def poll_usb() -> None:
            """Redraw the USB card only when a stick came or went (keeps what is being typed otherwise)."""
            current = backup_nightly.usb_state(settings)
            if ([(s.path, s.label) for s in current["sticks"]], current["passphrase_set"]) != state["usb"]:
                draw_usb()

        def draw() -> None:
            draw_last()
            draw_list()

        passphrase: Any = None
        repeat: Any = None
        usb_message: Any = None
        draw()
        draw_usb()
        ui.timer(STICK_POLL_SECONDS, poll_usb)
        return None
