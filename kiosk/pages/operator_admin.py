"""Admin pages: services and counters, users, and the audit log."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import notify_error
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import accounts, audit, queue
from kiosk.services.accounts import ROLES
from kiosk.services.clock import utc_now


def _forbidden(t) -> None:  # noqa: ANN001
    ui.label(t("error.forbidden")).classes("text-h6 text-negative q-pa-lg").mark("forbidden")


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/services", title="Balai · Layanan")
    def services_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        with operator_frame(t("nav.services"), account, t, lang_default):
            if not account.may("admin"):
                _forbidden(t)
                return None
            services_box = ui.column().classes("w-full")
            counters_box = ui.column().classes("w-full")

        def run_action(action, *args, **kwargs) -> None:  # noqa: ANN001
            if still_allowed("admin") is None:
                return
            try:
                action(*args, actor=account.username, client=client, **kwargs)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
                return
            ui.notify(t("common.saved"), type="positive")
            ctx.queue_changed()
            draw()

        def draw() -> None:
            services = queue.list_services()
            prefixes = {s.prefix: f"{s.prefix} · {s.name}" for s in services}
            services_box.clear()
            with services_box:
                ui.label(t("admin.services")).classes("text-h6")
                for service in services:
                    with ui.row().classes("items-center gap-3"):
                        ui.label(service.prefix).classes("text-h6 w-8")
                        name = ui.input(t("admin.name"), value=service.name).props("outlined dense").classes("w-72")
                        active = ui.switch(t("common.active"), value=service.active)
                        ui.button(t("common.save"), on_click=lambda s=service, n=name, a=active: run_action(
                            queue.update_service, s.id, name=n.value or "", active=a.value)).props("outline dense")
                with ui.row().classes("items-center gap-3"):
                    new_prefix = ui.input(t("admin.prefix")).props("outlined dense maxlength=1").classes("w-20") \
                        .mark("new-service-prefix")
                    new_name = ui.input(t("admin.name")).props("outlined dense").classes("w-72").mark("new-service-name")
                    ui.button(t("admin.add_service"), icon="add", on_click=lambda: run_action(
                        queue.create_service, new_prefix.value or "", new_name.value or "",
                        sort_order=len(services))).mark("add-service")
            counters_box.clear()
            with counters_box:
                ui.label(t("admin.counters")).classes("text-h6 q-mt-md")
                counters = queue.list_counters()
                for counter in counters:
                    with ui.row().classes("items-center gap-3"):
                        name = ui.input(t("admin.name"), value=counter.name).props("outlined dense").classes("w-48")
                        serves = ui.select(prefixes, value=list(counter.prefixes), multiple=True,
                                           label=t("admin.serves")).props("outlined dense use-chips").classes("w-96")
                        active = ui.switch(t("common.active"), value=counter.active)
                        ui.button(t("common.save"), on_click=lambda c=counter, n=name, s=serves, a=active: run_action(
                            queue.update_counter, c.id, name=n.value or "", active=a.value,
                            prefixes=list(s.value or []))).props("outline dense")
                with ui.row().classes("items-center gap-3"):
                    new_counter = ui.input(t("admin.name")).props("outlined dense").classes("w-48").mark("new-counter")
                    new_serves = ui.select(prefixes, multiple=True, label=t("admin.serves")) \
                        .props("outlined dense use-chips").classes("w-96")
                    ui.button(t("admin.add_counter"), icon="add", on_click=lambda: run_action(
                        queue.create_counter, new_counter.value or "", list(new_serves.value or []),
                        sort_order=len(counters))).mark("add-counter")

        draw()
        return None

    @ui.page("/operator/users", title="Balai · Pengguna")
    def users_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        with operator_frame(t("nav.users"), account, t, lang_default):
            if not account.may("admin"):
                _forbidden(t)
                return None
            box = ui.column().classes("w-full")

        async def add() -> None:
            if still_allowed("admin") is None:
                return
            try:
                await run.io_bound(accounts.create_user, username.value or "", password.value or "",
                                   role.value or "", full_name=full_name.value or "", actor=account.username,
                                   client=client, must_change_password=True)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
                return
            ui.notify(t("common.saved"), type="positive")
            draw()

        def set_active(username: str, active: bool) -> None:
            if still_allowed("admin") is None:
                return
            try:
                accounts.set_user_active(username, active, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
            draw()

        def save_title(username: str, text: str) -> None:
            if still_allowed("admin") is None:
                return
            try:
                accounts.set_title(username, text, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
                return
            ui.notify(t("common.saved"), type="positive")
            draw()

        def signer_titles(container: ui.column) -> None:
            """The title (jabatan) printed under each signing account's signature."""
            titles = accounts.user_titles()
            with container, ui.card().classes("w-full").mark("signer-titles"):
                ui.label(t("admin.signer_titles")).classes("text-h6")
                ui.label(t("admin.signer_titles_hint")).classes("text-caption text-grey-7")
                for user in accounts.list_users():
                    if user.role not in ("signer", "admin"):
                        continue
                    with ui.row().classes("w-full items-center gap-3"):
                        ui.label(f"{user.full_name or user.username} ({user.username})").classes("w-64")
                        title = ui.textarea(t("admin.signer_title"), value=titles.get(user.username, "")) \
                            .props("outlined dense autogrow maxlength=120").classes("w-96") \
                            .mark(f"title-{user.username}")
                        ui.button(t("common.save"),
                                  on_click=lambda u=user, x=title: save_title(u.username, x.value or "")) \
                            .props("outline dense").mark(f"save-title-{user.username}")

        def draw() -> None:
            box.clear()
            with box:
                rows = [{"username": u.username, "full_name": u.full_name, "role": t("role." + u.role),
                         "active": t("common.yes") if u.active else t("common.no")} for u in accounts.list_users()]
                ui.table(columns=[
                    {"name": "username", "label": t("login.username"), "field": "username", "align": "left"},
                    {"name": "full_name", "label": t("admin.full_name"), "field": "full_name", "align": "left"},
                    {"name": "role", "label": t("admin.role"), "field": "role", "align": "left"},
                    {"name": "active", "label": t("common.active"), "field": "active", "align": "left"},
                ], rows=rows, row_key="username").classes("w-full").mark("users-table")
                for user in accounts.list_users():
                    if user.username != account.username:
                        ui.button(f"{t('admin.deactivate') if user.active else t('admin.activate')}: {user.username}",
                                  on_click=lambda u=user: set_active(u.username, not u.active)).props("flat dense")
                signer_titles(box)

        with ui.card().classes("w-full"):
            ui.label(t("admin.add_user")).classes("text-h6")
            with ui.row().classes("items-end gap-3"):
                username = ui.input(t("login.username")).props("outlined dense").mark("new-username")
                full_name = ui.input(t("admin.full_name")).props("outlined dense")
                role = ui.select({r: t("role." + r) for r in ROLES}, value="operator", label=t("admin.role")) \
                    .props("outlined dense").classes("w-56")
                password = ui.input(t("login.password"), password=True).props("outlined dense autocomplete=new-password") \
                    .mark("new-password")
                ui.button(t("admin.add_user"), icon="person_add", on_click=add).mark("add-user")
        draw()
        return None

    @ui.page("/operator/audit", title="Balai · Log Audit")
    def audit_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        with operator_frame(t("nav.audit"), account, t, lang_default):
            if not account.may("admin"):
                _forbidden(t)
                return None
            rows = [{"at": e.at.strftime("%Y-%m-%d %H:%M:%S") + " UTC", "actor": e.actor, "action": e.action,
                     "target": e.target, "detail": e.detail, "client": e.client} for e in audit.recent(500)]
            ui.table(columns=[
                {"name": key, "label": t(f"admin.audit.{key}") if key != "detail" else "", "field": key,
                 "align": "left", "sortable": True}
                for key in ("at", "actor", "action", "target", "detail", "client")
            ], rows=rows, pagination=50).classes("w-full").mark("audit-table")
            ui.label(f"{len(rows)} · {utc_now():%Y-%m-%d %H:%M} UTC").classes("text-caption")
        return None
