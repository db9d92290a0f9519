"""/operator/budget: the village budget (APBDes) per fiscal year: add a year, type, edit and delete lines,
import an Excel sheet (dry run with a per-row report, then save), download the template, publish.

The uploaded sheet is kept in this page's memory only (it is at most a few MB) between the check and the
save, and the save reads it again: what is saved is exactly what the operator saw checked.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui
from nicegui.events import UploadEventArguments

from kiosk.budget_rules import SECTIONS, format_percent
from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.importing.budget_sheet import EXTENSIONS, MAX_BYTES
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import budget, village
from kiosk.services.budget import ImportReport, Line

SHOWN_ISSUES = 300


def _report_text(report: ImportReport, t: Translator) -> str:
    return t("opbudget.report", lines=report.lines, sheet=report.sheet, header=report.header_row,
             income=budget.rupiah(report.income), spending=budget.rupiah(report.spending), errors=report.errors,
             warnings=report.warnings)


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/budget", title="Balai · APBDes")
    def budget_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        state: dict[str, Any] = {"year": None, "upload": None}
        max_mb = MAX_BYTES // (1024 * 1024)

        async def act(call: Any, *args: Any, done: str = "", **kwargs: Any) -> bool:
            """Run one service write off the event loop; the refusal's words go to the operator."""
            if still_allowed("operator") is None:
                return False
            try:
                await run.io_bound(lambda: call(*args, actor=account.username, client=client, **kwargs))
            except Exception as error:  # noqa: BLE001 - shown to the operator
                ui.notify(error_text(error, t), type="negative", position="top", timeout=8000)
                return False
            if done:
                ui.notify(done, type="positive")
            return True

        # --- years -------------------------------------------------------------------------------------

        async def add_year() -> None:
            value = (new_year.value or "").strip()
            if await act(budget.create_year, value, done=t("opbudget.year_added", year=value)):
                state["year"] = int(value)
                new_year.set_value("")
                await refresh()

        async def choose_year(event: Any) -> None:
            if event.value == state["year"]:
                return
            state["year"] = event.value
            clear_import()
            await refresh()

        async def publish(on: bool) -> None:
            year = state["year"]
            done = t("opbudget.publish_done" if on else "opbudget.unpublish_done", year=year)
            if await act(budget.set_published, year, on, done=done):
                ctx.feed.bump()
                await refresh()

        # --- lines -------------------------------------------------------------------------------------

        def line_form(line: Line | None) -> dict[str, Any]:
            fields: dict[str, Any] = {}
            fields["section"] = ui.select({s: t(f"budget.section.{s}") for s in SECTIONS},
                                          value=line.section if line else "belanja",
                                          label=t("opbudget.col.section")).props("outlined").classes("w-40") \
                .mark("budget-line-section")
            fields["code"] = ui.input(t("opbudget.col.code"), value=line.code if line else "") \
                .props("outlined maxlength=24").classes("w-32").mark("budget-line-code")
            fields["name"] = ui.input(t("opbudget.col.name"), value=line.name if line else "") \
                .props("outlined maxlength=200").classes("w-96").mark("budget-line-name")
            fields["budget"] = ui.input(t("opbudget.col.budget"), value=f"{line.budget:,}".replace(",", ".")
                                        if line else "").props(f'outlined hint="{t("opbudget.amount_hint")}"') \
                .classes("w-48").mark("budget-line-amount")
            fields["realised"] = ui.input(t("opbudget.col.realised"), value=f"{line.realised:,}".replace(",", ".")
                                          if line else "").props(f'outlined hint="{t("opbudget.realised_hint")}"') \
                .classes("w-48").mark("budget-line-realised")
            return fields

        def values(fields: dict[str, Any]) -> tuple[Any, ...]:
            return (fields["section"].value, fields["code"].value or "", fields["name"].value or "",
                    fields["budget"].value or "", fields["realised"].value or "")

        async def add_line() -> None:
            if await act(budget.add_line, state["year"], *values(new_line), done=t("opbudget.line_added")):
                for key in ("code", "name", "budget", "realised"):
                    new_line[key].set_value("")
                ctx.feed.bump()
                await refresh()

        def edit_line(line: Line) -> None:
            with ui.dialog() as dialog, ui.card().classes("q-pa-md").mark("budget-edit-dialog"):
                ui.label(t("opbudget.edit_line")).classes("text-h6")
                with ui.row().classes("items-start gap-3"):
                    fields = line_form(line)

                async def save() -> None:
                    if await act(budget.update_line, line.id, *values(fields), done=t("opbudget.line_saved")):
                        dialog.close()
                        ctx.feed.bump()
                        await refresh()

                with ui.row().classes("gap-2"):
                    ui.button(t("opbudget.save"), icon="save", on_click=save).props("color=teal-8") \
                        .mark("budget-edit-save")
                    ui.button(t("opbudget.cancel"), on_click=dialog.close).props("flat")
            dialog.open()

        def delete_line(line: Line) -> None:
            with ui.dialog() as dialog, ui.card().classes("q-pa-md"):
                ui.label(t("opbudget.delete_confirm", code=line.code, name=line.name))

                async def confirm() -> None:
                    if await act(budget.delete_line, line.id, done=t("opbudget.line_deleted")):
                        dialog.close()
                        ctx.feed.bump()
                        await refresh()

                with ui.row().classes("gap-2"):
                    ui.button(t("opbudget.delete"), icon="delete", on_click=confirm).props("color=negative") \
                        .mark("budget-delete-confirm")
                    ui.button(t("opbudget.cancel"), on_click=dialog.close).props("flat")
            dialog.open()

        def line_row(line: Line) -> None:
            with ui.row().classes("w-full items-center no-wrap gap-3 q-py-xs") \
                    .style("border-bottom: 1px solid #e0e0e0").mark("budget-line"):
                ui.label(t(f"budget.section.{line.section}")).classes("w-24 shrink-0 text-caption")
                ui.label(line.code).classes("w-20 shrink-0 text-weight-medium").mark("budget-line-code-text")
                ui.label(line.name).classes("grow").style(f"padding-left: {line.depth * 12}px; min-width: 0") \
                    .mark("budget-line-name-text")
                # A parent line (a bidang above its activities) shows its activities' sums, in grey.
                amount, spent = (line.sum_budget, line.sum_realised) if line.parent else (line.budget, line.realised)
                tone = " text-grey-7 text-italic" if line.parent else ""
                ui.label(budget.rupiah(amount)).classes("w-44 shrink-0 text-right" + tone).mark("budget-line-budget")
                ui.label(budget.rupiah(spent)).classes("w-44 shrink-0 text-right" + tone)
                ui.label(format_percent(spent, amount)).classes("w-16 shrink-0 text-right" + tone)
                with ui.row().classes("w-24 shrink-0 no-wrap gap-0"):
                    ui.button(icon="edit", on_click=lambda l=line: edit_line(l)).props("flat dense round") \
                        .mark("budget-line-edit")
                    ui.button(icon="delete", on_click=lambda l=line: delete_line(l)) \
                        .props("flat dense round color=negative").mark("budget-line-delete")

        # --- import ------------------------------------------------------------------------------------

        def clear_import() -> None:
            state["upload"] = None
            result.clear()

        def download_template() -> None:
            year = state["year"]
            info = village.get_village()
            data = budget.template(year, info.name if info else "")
            ui.download(data, f"apbdes-{year}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

        def show_report(report: ImportReport) -> None:
            result.clear()
            with result:
                ui.label(_report_text(report, t)).classes("text-subtitle1").mark("budget-import-summary")
                if report.replaced:
                    ui.label(t("opbudget.replaces", count=report.replaced, year=report.year)) \
                        .classes("text-orange-10")
                rows = [{"row": i.row, "column": i.column, "level": t(f"opbudget.level.{i.level}"),
                         "message": t(i.key, **i.params)} for i in report.issues[:SHOWN_ISSUES]]
                if rows:
                    ui.table(columns=[{"name": k, "label": t(f"opbudget.col.{k}"), "field": k, "align": "left"}
                                      for k in ("row", "column", "level", "message")],
                             rows=rows, pagination=15).classes("w-full").mark("budget-import-issues")
                if report.errors:
                    ui.label(t("opbudget.fix_first")).classes("text-negative text-subtitle1") \
                        .mark("budget-import-blocked")
                    state["upload"] = None
                else:
                    ui.button(t("opbudget.confirm_import", lines=report.lines, year=report.year), icon="save",
                              on_click=commit_import).props("color=teal-8").mark("budget-import-commit")

        async def on_upload(event: UploadEventArguments) -> None:
            if still_allowed("operator") is None:
                return
            clear_import()
            name = event.file.name or ""
            data = await event.file.read()
            uploader.reset()
            with result:
                ui.spinner(size="lg")
                ui.label(t("opbudget.checking"))
            try:
                report = await run.io_bound(budget.plan_import, data, name, state["year"])
            except Exception as error:  # noqa: BLE001 - not a sheet, wrong columns, too large ...
                result.clear()
                with result:
                    ui.label(f"{name}: {error_text(error, t)}").classes("text-negative text-h6") \
                        .mark("budget-import-error")
                return
            state["upload"] = (data, name)
            show_report(report)

        async def commit_import() -> None:
            upload = state["upload"]
            if upload is None or still_allowed("operator") is None:
                return
            data, name = upload
            try:
                report = await run.io_bound(lambda: budget.commit_import(
                    data, name, state["year"], actor=account.username, client=client))
            except Exception as error:  # noqa: BLE001
                result.clear()
                with result:
                    ui.label(error_text(error, t)).classes("text-negative text-h6").mark("budget-import-error")
                return
            clear_import()
            with result:
                ui.label(t("opbudget.imported", lines=report.lines, year=report.year)) \
                    .classes("text-positive text-h6").mark("budget-import-done")
            ctx.feed.bump()
            await refresh()

        # --- the page ----------------------------------------------------------------------------------

        async def refresh() -> None:
            found = await run.io_bound(budget.years) or []
            years = [info.year for info in found]
            if state["year"] not in years:
                state["year"] = years[0] if years else None
            year_select.set_options({info.year: f"{info.year} · " + t("opbudget.published" if info.published
                                                                         else "opbudget.draft") for info in found},
                                    value=state["year"])
            year_select.set_visibility(bool(years))
            info = next((i for i in found if i.year == state["year"]), None)
            status_box.clear()
            lines_box.clear()
            work.set_visibility(info is not None)
            if info is None:
                with lines_box:
                    ui.label(t("opbudget.no_years")).classes("text-grey-8").mark("budget-no-years")
                return
            summary = await run.io_bound(lambda: budget.summary(info.year, published_only=False))
            lines = await run.io_bound(budget.lines, info.year) or []
            with status_box:
                ui.badge(t("opbudget.published" if info.published else "opbudget.draft"),
                         color="green-8" if info.published else "grey-7").mark("budget-status")
                if info.published:
                    ui.button(t("opbudget.unpublish"), icon="visibility_off", on_click=lambda: publish(False)) \
                        .props("outline color=negative").mark("budget-unpublish")
                else:
                    ui.button(t("opbudget.publish"), icon="visibility", on_click=lambda: publish(True)) \
                        .props("color=teal-8").mark("budget-publish")
                if summary is not None:
                    balance_label = t("budget.surplus") if summary.surplus >= 0 else t("budget.deficit")
                    ui.label(t("opbudget.totals", income=budget.rupiah(summary.income.budget),
                               spending=budget.rupiah(summary.spending.budget), balance_label=balance_label,
                               balance=budget.rupiah(summary.surplus))).mark("budget-totals")
            with lines_box:
                if not lines:
                    ui.label(t("opbudget.no_lines")).classes("text-grey-8").mark("budget-no-lines")
                for line in lines:
                    line_row(line)

        with operator_frame(t("opbudget.title"), account, t, lang_default):
            with ui.row().classes("items-center gap-3"):
                year_select = ui.select({}, label=t("opbudget.year"), on_change=choose_year) \
                    .props("outlined stack-label").classes("w-80").mark("budget-year")
                new_year = ui.input(t("opbudget.new_year")).props("outlined maxlength=4 inputmode=numeric") \
                    .classes("w-32").mark("budget-new-year")
                ui.button(t("opbudget.add_year"), icon="add", on_click=add_year).props("outline") \
                    .mark("budget-add-year")
            status_box = ui.row().classes("items-center gap-3")
            work = ui.column().classes("w-full gap-4")
            with work:
                with ui.card().classes("w-full"):
                    ui.label(t("opbudget.lines")).classes("text-h6")
                    lines_box = ui.column().classes("w-full gap-0")
                    with ui.row().classes("items-start gap-3 q-mt-md"):
                        new_line = line_form(None)
                        ui.button(t("opbudget.add_line"), icon="add", on_click=add_line) \
                            .props("color=teal-8").classes("q-mt-sm").mark("budget-line-add")
                with ui.card().classes("w-full"):
                    ui.label(t("opbudget.import")).classes("text-h6")
                    ui.label(t("opbudget.import_intro")).classes("text-body2")
                    ui.button(t("opbudget.template"), icon="download", on_click=download_template) \
                        .props("outline").mark("budget-template")
                    uploader = ui.upload(label=t("opbudget.upload"), auto_upload=True, on_upload=on_upload,
                                         max_file_size=MAX_BYTES,
                                         on_rejected=lambda: ui.notify(t("budget.file_too_large", megabytes=max_mb),
                                                                       type="negative")) \
                        .props(f'accept="{",".join(EXTENSIONS)}" flat bordered').classes("w-96") \
                        .mark("budget-upload")
                    result = ui.column().classes("w-full gap-3")
        ui.timer(0.0, refresh, once=True)
        return None
