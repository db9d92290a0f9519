"""The operator pages' frame: header with navigation by role, language switch, logout."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from nicegui import ui

from kiosk.i18n import Translator
from kiosk.pages.session import toggle_language
from kiosk.services import clock_guard
from kiosk.services.accounts import Account


@contextmanager
def operator_frame(title: str, account: Account, t: Translator, default_lang: str) -> Iterator[None]:
    def switch() -> None:
        toggle_language(default_lang)
        ui.navigate.reload()

    with ui.header().classes("items-center bg-teal-800 text-white q-px-md q-py-sm gap-x-4 gap-y-1 wrap"):
        ui.label("Balai").classes("text-h6 text-weight-bold")
        ui.link(t("nav.queue"), "/operator").classes("text-white").mark("nav-queue")
        if account.may("operator"):
            ui.link(t("nav.residents"), "/operator/residents").classes("text-white").mark("nav-residents")
            ui.link(t("nav.letters"), "/operator/letters").classes("text-white").mark("nav-letters")
            ui.link(t("nav.registers"), "/operator/registers").classes("text-white").mark("nav-registers")
            ui.link(t("nav.sync"), "/operator/sync").classes("text-white").mark("nav-sync")
            ui.link(t("nav.announcements"), "/operator/announcements").classes("text-white") \
                .mark("nav-announcements")
            ui.link(t("nav.budget"), "/operator/budget").classes("text-white").mark("nav-budget")
            ui.link(t("nav.complaints"), "/operator/complaints").classes("text-white").mark("nav-complaints")
            ui.link(t("nav.polls"), "/operator/polls").classes("text-white").mark("nav-polls")
            ui.link(t("nav.ikm"), "/operator/survey").classes("text-white").mark("nav-ikm")
        ui.link(t("nav.statistics"), "/operator/statistics").classes("text-white").mark("nav-statistics")
        if account.may("admin"):
            ui.link(t("nav.services"), "/operator/services").classes("text-white").mark("nav-services")
            ui.link(t("nav.users"), "/operator/users").classes("text-white").mark("nav-users")
            ui.link(t("nav.village"), "/operator/village").classes("text-white").mark("nav-village")
            ui.link(t("nav.audit"), "/operator/audit").classes("text-white").mark("nav-audit")
            ui.link(t("backup.nav"), "/operator/backup").classes("text-white").mark("nav-backup")
            ui.link(t("update.nav"), "/operator/update").classes("text-white").mark("nav-update")
        ui.link(t("nav.display"), "/display", new_tab=True).classes("text-white")
        ui.space()
        ui.label(f"{account.full_name or account.username} · {t('role.' + account.role)}")
        ui.button(t("common.language"), on_click=switch).props("flat dense color=white").mark("lang")
        ui.link(t("login.logout"), "/logout").classes("text-white").mark("logout")
    warning = clock_guard.check()
    if warning is not None:  # a Pi without a battery clock that booted in the past: dates would be wrong
        with ui.row().classes("w-full items-center gap-2 q-pa-sm bg-orange-2 text-orange-10 rounded-borders") \
                .mark("clock-warning"):
            ui.icon("schedule")
            ui.label(t("sync.clock_behind", minutes=max(1, round(warning.behind_seconds / 60))))
    ui.label(title).classes("text-h5 q-mt-md")
    with ui.column().classes("w-full gap-4"):
        yield
