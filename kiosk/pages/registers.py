"""/operator/registers: the population registers (Buku Administrasi Desa) on screen, as PDF and as Excel.

Operators choose a book, a period and a dusun, see the table and download it. Numbers are masked on screen
and in Excel; the full NIK/KK go only into the PDF, the copy that is printed and signed, only for admins and
signers, and every such PDF leaves an audit entry (written by the service). Viewers are refused: the books
list personal details.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.i18n import translate
from kiosk.pages.auth import require
from kiosk.pages.components.feedback import notify_error
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import registers
from kiosk.services.errors import ServiceError
from kiosk.services.register_export import register_xlsx
from printing.register_pdf import RegisterTable

STRINGS_ID: dict[str, str] = {
    "nav.registers": "Buku Register",
    "registers.title": "Buku Administrasi Penduduk",
    "registers.book": "Buku",
    "registers.from": "Dari tanggal",
    "registers.to": "Sampai tanggal",
    "registers.dusun": "Dusun",
    "registers.all_dusun": "Semua dusun",
    "registers.paper": "Kertas",
    "registers.show": "Tampilkan",
    "registers.pdf": "Unduh PDF",
    "registers.xlsx": "Unduh Excel",
    "registers.full_numbers": "NIK/KK lengkap (untuk dicetak dan ditandatangani)",
    "registers.full_numbers_hint": "Hanya untuk PDF; hanya admin dan penanda tangan. Setiap unduhan dicatat.",
    "registers.preparing": "Menyiapkan berkas, buku yang besar butuh beberapa menit…",
    "registers.date_invalid": "Isi tanggal dengan benar.",
    "registers.period_invalid": "Tanggal awal harus sebelum tanggal akhir.",
    "registers.book_unknown": "Buku tidak dikenal.",
}
STRINGS_EN: dict[str, str] = {
    "nav.registers": "Registers",
    "registers.title": "Population registers",
    "registers.book": "Register",
    "registers.from": "From",
    "registers.to": "To",
    "registers.dusun": "Hamlet (dusun)",
    "registers.all_dusun": "All hamlets",
    "registers.paper": "Paper",
    "registers.show": "Show",
    "registers.pdf": "Download PDF",
    "registers.xlsx": "Download Excel",
    "registers.full_numbers": "Full NIK/KK (for printing and signing)",
    "registers.full_numbers_hint": "PDF only; admins and signers only. Every download is logged.",
    "registers.preparing": "Preparing the file; a big register takes a few minutes…",
    "registers.date_invalid": "Please enter valid dates.",
    "registers.period_invalid": "The start date must not be after the end date.",
    "registers.book_unknown": "Unknown register.",
}
PAGE_SIZE = 25


def text(lang: str, key: str, **params: Any) -> str:
    """This page's strings first (until the lead merges them into the main tables), then the main table."""
    local = (STRINGS_EN if lang == "en" else STRINGS_ID).get(key) or STRINGS_ID.get(key)
    if local is None:
        return translate(key, lang, **params)
    try:
        return local.format(**params) if params else local
    except (KeyError, IndexError, ValueError):
        return local


def table_columns(table: RegisterTable) -> list[dict[str, Any]]:
    """ui.table columns keyed by position (labels repeat in the rekapitulasi: "WNI L" under each group)."""
    groups = [g for g, span in (table.column_groups or [("", len(table.columns))]) for _ in range(span)]
    return [{"name": f"c{i}", "field": f"c{i}", "align": "right" if i in table.numeric_columns else "left",
             "label": f"{groups[i]} · {label}" if i < len(groups) and groups[i] else label}
            for i, label in enumerate(table.columns)]


def table_rows(table: RegisterTable) -> list[dict[str, str]]:
    rows = table.rows + ([table.totals] if table.totals else [])
    return [{"id": str(n), **{f"c{i}": v for i, v in enumerate(row)}} for n, row in enumerate(rows)]


def file_name(table: RegisterTable, period: registers.Period, dusun: str | None, extension: str) -> str:
    """'buku-induk-penduduk-2026-01-01-2026-11-22-dusun-krajan.pdf': what the office sees in its folder."""
    parts = [table.title, period[0].isoformat(), period[1].isoformat(), dusun or ""]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")
    return f"{slug}.{extension}"


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/registers", title="Balai · Buku Register")
    def registers_page(request: Request) -> RedirectResponse | None:
        account = require(request, "viewer")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)

        def s(key: str, **params: Any) -> str:
            return text(t.lang, key, **params)

        with operator_frame(s("registers.title"), account, t, lang_default):
            if not account.may("operator"):
                ui.label(t("error.forbidden")).classes("text-h6 text-negative q-pa-lg").mark("forbidden")
                return None
            today = date.today()
            with ui.row().classes("w-full items-end gap-3"):
                book = ui.select(dict(registers.BOOKS), value="induk", label=s("registers.book")) \
                    .props("outlined dense").classes("w-72").mark("register-book")
                start = ui.input(s("registers.from"), value=date(today.year, 1, 1).isoformat()) \
                    .props("outlined dense type=date").mark("register-from")
                end = ui.input(s("registers.to"), value=today.isoformat()) \
                    .props("outlined dense type=date").mark("register-to")
                dusun = ui.select({"": s("registers.all_dusun"), **{d: d for d in registers.dusun_names()}},
                                  value="", label=s("registers.dusun")).props("outlined dense").classes("w-56") \
                    .mark("register-dusun")
                paper = ui.select(["F4", "A4"], value="F4", label=s("registers.paper")).props("outlined dense") \
                    .classes("w-24").mark("register-paper")
                ui.button(s("registers.show"), icon="table_view", on_click=lambda: show()).mark("register-show")
            with ui.row().classes("w-full items-center gap-3"):
                full = ui.checkbox(s("registers.full_numbers")).mark("register-full")
                full.tooltip(s("registers.full_numbers_hint"))
                if not account.may("signer"):
                    full.disable()
                ui.space()
                pdf_button = ui.button(s("registers.pdf"), icon="picture_as_pdf", on_click=lambda: download("pdf")) \
                    .props("outline").mark("register-pdf")
                xlsx_button = ui.button(s("registers.xlsx"), icon="grid_on", on_click=lambda: download("xlsx")) \
                    .props("outline").mark("register-xlsx")
            summary = ui.label("").classes("text-subtitle1").mark("register-summary")
            shown = ui.table(columns=[], rows=[], row_key="id", pagination=PAGE_SIZE) \
                .props("flat bordered dense wrap-cells").classes("w-full").mark("register-table")

        def choice() -> tuple[str, registers.Period, str | None] | None:
            try:
                period = (date.fromisoformat(start.value or ""), date.fromisoformat(end.value or ""))
            except ValueError:
                ui.notify(s("registers.date_invalid"), type="negative")
                return None
            return str(book.value or "induk"), period, (dusun.value or None)

        def failed(error: Exception) -> None:
            if isinstance(error, ServiceError):
                ui.notify(s(error.key, **error.params), type="negative", position="top")
            else:
                notify_error(error, t)  # logs it

        async def show() -> None:
            chosen = choice()
            if chosen is None:
                return
            try:
                table = await run.io_bound(registers.build, *chosen)
            except Exception as error:  # noqa: BLE001 - shown to the person
                failed(error)
                return
            shown.columns = table_columns(table)
            shown.rows = table_rows(table)
            shown.update()
            summary.set_text(f"{table.title} · {table.subtitle}")

        async def download(kind: str) -> None:
            chosen = choice()
            if chosen is None:
                return
            button = pdf_button if kind == "pdf" else xlsx_button
            wants_full = kind == "pdf" and bool(full.value) and account.may("signer")
            button.props("loading")
            if kind == "pdf":
                ui.notify(s("registers.preparing"))
            try:
                table = await run.io_bound(registers.build, *chosen, full_numbers=wants_full,
                                           actor=account.username, client=client)
                header = await run.io_bound(registers.register_header)
                if kind == "pdf":
                    data = await run.io_bound(registers.render_pdf, table, header, paper.value or "F4")
                else:
                    data = await run.io_bound(register_xlsx, table, header, paper.value or "F4")
            except Exception as error:  # noqa: BLE001 - shown to the person
                failed(error)
                return
            finally:
                button.props(remove="loading")
            ui.download(data, file_name(table, chosen[1], chosen[2], kind))

        ui.timer(0, show, once=True)
        return None
