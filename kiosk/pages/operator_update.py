"""/operator/update (admin only): install a signed update from a USB stick, and see how earlier ones went.

The admin plugs in the stick the district sent, presses "Periksa" (the signature and version are checked right
away, so a wrong or tampered file is refused here in words) and then "Pasang pembaruan". The page cannot replace
the server it is served by, so it leaves a request for balai-update.service (see kiosk.services.update_requests)
and says what happens next; NiceGUI reconnects by itself once the new server answers, and the history then
shows the result. Checking a bundle reads ~60 MB of wheels' names and a signature: off the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.operator_backup import size_text
from kiosk.pages.session import client_address, translator
from kiosk.services import update_requests
from kiosk.services.errors import ServiceError
from kiosk.services.update_install import Installer

POLL_SECONDS = 3.0


def _reason(entry: dict[str, Any], t: Translator) -> str:
    """Why it was undone (a short reason) or refused (the refusal's own sentence)."""
    reason = str(entry.get("reason") or "")
    if not reason:
        return ""
    if entry.get("outcome") == "rolled_back":
        return t(f"update.reason.{reason}")
    params = entry.get("params")
    return t(reason, **params) if isinstance(params, dict) else t(reason)


def history_rows(history: list[dict[str, Any]], t: Translator) -> list[dict[str, str]]:
    rows = []
    for index, entry in enumerate(history):
        outcome = t(f"update.outcome.{entry.get('outcome', 'refused')}")
        reason = _reason(entry, t)
        rows.append({"key": str(index), "at": str(entry.get("at", "")).replace("T", " ").rstrip("Z"),
                     "from": str(entry.get("from", "")), "to": str(entry.get("to", "")),
                     "outcome": f"{outcome}: {reason}" if reason else outcome, "by": str(entry.get("by", ""))})
    return rows


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    settings = ctx.settings

    @ui.page("/operator/update", title="Balai · Pembaruan")
    def update_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        seen: dict[str, Any] = {"bundles": None, "status": None}

        with operator_frame(t("update.title"), account, t, lang_default):
            with ui.card().classes("w-full max-w-3xl").mark("update-version-card"):
                version_label = ui.label("").classes("text-h6").mark("update-version")
                ui.label(t("update.how")).classes("text-grey-8")
                progress = ui.label("").classes("text-weight-medium text-orange-10").mark("update-progress")
            bundles_box = ui.column().classes("w-full max-w-3xl gap-2")
            message = ui.label("").classes("text-weight-medium").mark("update-message")
            history_box = ui.column().classes("w-full max-w-3xl gap-2")

        def draw_status() -> None:
            current = update_requests.status(settings)
            if current == seen["status"]:
                return
            seen["status"] = current
            version_label.set_text(t("update.running", version=current["version"]))
            state, pending = current["state"], current["pending"]
            if state:
                progress.set_text(t("update.in_progress", old=state.get("from", "?"), new=state.get("to", "?"),
                                    phase=state.get("phase", "?")))
            elif pending:
                progress.set_text(t("update.pending", version=pending.get("version", "?")))
            elif not current["appliance"]:
                progress.set_text(t("update.not_appliance"))
            else:
                progress.set_text("")
            history_box.clear()
            with history_box, ui.card().classes("w-full"):
                ui.label(t("update.history")).classes("text-h6")
                if not current["history"]:
                    ui.label(t("update.history_none")).classes("text-grey-7").mark("update-history-none")
                    return
                with ui.column().classes("w-full gap-1").mark("update-history"):
                    ui.label(f"{t('update.col.at')} · {t('update.col.from')} → {t('update.col.to')} · "
                             f"{t('update.col.outcome')} · {t('update.col.by')}").classes("text-caption text-grey-7")
                    for row in history_rows(current["history"][:20], t):
                        ui.label(f"{row['at']} · {row['from']} → {row['to']} · {row['outcome']} · {row['by']}") \
                            .classes("text-body2").mark("update-history-entry")

        def draw_bundles() -> None:
            found = update_requests.find_bundles(settings)
            names = [(bundle.path, bundle.size) for bundle in found]
            if names == seen["bundles"]:
                return
            seen["bundles"] = names
            bundles_box.clear()
            with bundles_box:
                if not found:
                    ui.label(t("update.sticks_none")).classes("text-grey-8").mark("update-none")
                for bundle in found:
                    bundle_card(bundle.path, bundle.size)

        def bundle_card(path: Path, size: int) -> None:
            with ui.card().classes("w-full").mark("update-bundle"):
                ui.label(t("update.found", file=path.name, size=size_text(size, t))).classes("text-weight-medium")
                details = ui.column().classes("gap-1")
                check_button = ui.button(t("update.check"), icon="verified").props("color=teal-8") \
                    .mark("update-check", f"update-check-{path.name}")

            async def check() -> None:
                if still_allowed("admin") is None:
                    return
                check_button.props("loading")
                details.clear()
                try:
                    manifest = await run.io_bound(Installer(settings).check, path)
                except ServiceError as error:
                    with details:
                        ui.label(error_text(error, t)).classes("text-negative").mark("update-refused")
                    return
                finally:
                    check_button.props(remove="loading")
                with details:
                    ui.label(t("update.checked", version=manifest.version, key_id=manifest.key_id,
                               created=manifest.created_at)).classes("text-positive").mark("update-valid")
                    if manifest.notes:
                        ui.label(t("update.notes")).classes("text-weight-medium")
                        ui.label(manifest.notes).classes("whitespace-pre-wrap").mark("update-notes")
                    ui.button(t("update.install"), icon="system_update",
                              on_click=lambda: confirm(path, manifest.version)).props("color=orange-9") \
                        .mark("update-install")

            check_button.on_click(check)

        def confirm(path: Path, version: str) -> None:
            with ui.dialog() as dialog, ui.card().mark("update-confirm"):
                ui.label(t("update.confirm", version=version))
                with ui.row():
                    ui.button(t("update.cancel"), on_click=dialog.close).props("flat").mark("update-cancel")

                    async def go() -> None:
                        dialog.close()
                        if still_allowed("admin") is None:
                            return
                        try:
                            manifest = await run.io_bound(update_requests.request_update, settings, path,
                                                          actor=account.username, client=client)
                        except ServiceError as error:
                            message.set_text(error_text(error, t))
                            message.classes(replace="text-negative")
                            return
                        message.set_text(t("update.requested", version=manifest.version))
                        message.classes(replace="text-positive")
                        draw_status()

                    ui.button(t("update.install"), on_click=go).props("color=orange-9").mark("update-go")
            dialog.open()

        draw_status()
        draw_bundles()
        ui.timer(POLL_SECONDS, lambda: (draw_status(), draw_bundles()))
        return None
