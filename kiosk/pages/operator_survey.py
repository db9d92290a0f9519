"""/operator/survey: the satisfaction index (IKM) for a period and a service, on screen and as a PDF.

Operators and up. Aggregates only — responses are anonymous — but a suggestion is text a resident typed,
so it is set as a label's text (escaped), never as HTML. The PDF is laid out off the event loop.
"""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import translator
from kiosk.services import ikm_pdf, ikm_report, village
from kiosk.services.clock import local_day, utc_now
from kiosk.services.ikm import PROFILE_OPTIONS
from kiosk.services.ikm_index import ELEMENTS
from kiosk.services.ikm_report import IkmReport

PARTS = {"month": 12, "quarter": 4, "semester": 2}


def _today() -> date:
    info = village.get_village()
    return local_day(utc_now(), info.timezone if info else "Asia/Jakarta")


def _grade(t: Translator, grade: str | None) -> str:
    return f"{grade} ({t('ikm.grade.' + grade)})" if grade else "-"


def _show(report: IkmReport, t: Translator) -> None:
    overall = report.overall
    with ui.row().classes("w-full items-stretch gap-4"):
        for label, value, marker in ((t("ikm.index"), overall.index_text, "ikm-index"),
                                     (t("ikm.grade"), _grade(t, overall.grade), "ikm-grade"),
                                     (t("ikm.respondents"), str(overall.respondents), "ikm-respondents")):
            with ui.card().classes("q-pa-md min-w-[180px]"):
                ui.label(label).classes("text-subtitle2 text-grey-8")
                ui.label(value).classes("text-h4 text-weight-bold text-teal-9").mark(marker)
    ui.label(f"{ikm_pdf.period_label(report.period, t)} · {ikm_pdf.service_label(report, t)}") \
        .classes("text-subtitle1").mark("ikm-period")
    if not overall.respondents:
        ui.label(t("ikm.no_responses")).classes("text-h6 text-grey-8").mark("ikm-empty")
        return
    columns = [{"name": "no", "label": "No", "field": "no", "align": "right"},
               {"name": "element", "label": t("ikm.element"), "field": "element", "align": "left"},
               *({"name": f"s{s}", "label": f"{s} · {t(f'ikm.score{s}')}", "field": f"s{s}", "align": "right"}
                 for s in range(1, 5)),
               {"name": "nrr", "label": t("ikm.nrr"), "field": "nrr", "align": "right"},
               {"name": "weighted", "label": t("ikm.nrr_weighted"), "field": "weighted", "align": "right"}]
    rows = [{"no": n + 1, "element": t(f"ikm.u{n + 1}"),
             **{f"s{s + 1}": overall.distribution[n][s] for s in range(4)},
             "nrr": overall.nrr_text(n), "weighted": overall.share_text(n)} for n in range(ELEMENTS)]
    rows.append({"no": "", "element": t("ikm.nrr_total"), "s1": "", "s2": "", "s3": "", "s4": "", "nrr": "",
                 "weighted": overall.weighted_text})
    ui.table(columns=columns, rows=rows, row_key="no").props("flat bordered dense wrap-cells") \
        .classes("w-full").mark("ikm-elements")
    ui.label(t("ikm.formula")).classes("text-caption text-grey-8")
    ui.label(t("ikm.per_service")).classes("text-h6")
    ui.table(columns=[{"name": "name", "label": t("ikm.service"), "field": "name", "align": "left"},
                      {"name": "kind", "label": "", "field": "kind", "align": "left"},
                      {"name": "n", "label": t("ikm.respondents"), "field": "n", "align": "right"},
                      {"name": "index", "label": t("ikm.index"), "field": "index", "align": "right"},
                      {"name": "grade", "label": t("ikm.grade"), "field": "grade", "align": "left"}],
             rows=[{"key": row.key, "name": row.name, "kind": t(f"ikm.kind.{row.kind}"), "n": row.result.respondents,
                    "index": row.result.index_text, "grade": _grade(t, row.result.grade)} for row in report.services],
             row_key="key").props("flat bordered dense").classes("w-full").mark("ikm-services")
    ui.label(t("ikm.profile_report")).classes("text-h6")
    with ui.row().classes("w-full items-start gap-4"):
        for column in PROFILE_OPTIONS:
            with ui.card().classes("q-pa-sm").mark(f"ikm-profile-{column}"):
                ui.label(t(f"ikm.profile.{column}")).classes("text-subtitle2 text-weight-bold")
                for option, count in report.profile[column].items():
                    name = t(f"ikm.opt.{column}.{option}") if option else t("ikm.opt.")
                    ui.label(f"{name}: {count}").classes("text-body2")
    ui.label(t("ikm.suggestions")).classes("text-h6")
    if not report.suggestions:
        ui.label(t("ikm.no_suggestions")).classes("text-grey-8")
    with ui.column().classes("w-full gap-1").mark("ikm-suggestions"):
        for item in report.suggestions:
            with ui.row().classes("w-full no-wrap gap-3 items-start"):
                ui.label(item.day).classes("text-caption text-grey-8 shrink-0")
                ui.label(item.service_name).classes("text-caption text-weight-bold shrink-0")
                ui.label(item.text).classes("text-body2").style("overflow-wrap: anywhere").mark("ikm-suggestion")


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/survey", title="Balai · Survei IKM")
    def survey_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        today = _today()
        with operator_frame(t("ikm.report_title"), account, t, lang_default):
            with ui.row().classes("w-full items-end gap-3"):
                kind = ui.select({k: t(f"ikm.period.{k}") for k in ikm_report.PERIOD_KINDS}, value="month",
                                 label=t("ikm.period")).props("outlined dense").classes("w-44").mark("ikm-kind")
                year = ui.input(t("ikm.year"), value=str(today.year)).props("outlined dense inputmode=numeric") \
                    .classes("w-28").mark("ikm-year")
                part = ui.select(list(range(1, 13)), value=today.month, label=t("ikm.part")) \
                    .props("outlined dense").classes("w-24").mark("ikm-part")
                start = ui.input(t("ikm.from"), value=date(today.year, today.month, 1).isoformat()) \
                    .props("outlined dense").classes("w-44").mark("ikm-from")
                end = ui.input(t("ikm.to"), value=today.isoformat()).props("outlined dense").classes("w-44") \
                    .mark("ikm-to")
                choices = {ikm_report.ALL: t("ikm.all_services")}
                for key, name in ikm_report.service_choices():
                    choices[key] = t("ikm.all_letters") if key == ikm_report.ALL_LETTERS else name
                service = ui.select(choices, value=ikm_report.ALL, label=t("ikm.service")) \
                    .props("outlined dense").classes("w-72").mark("ikm-service")
                ui.button(t("ikm.show"), icon="query_stats", on_click=lambda: show()).mark("ikm-show")
                pdf_button = ui.button(t("ikm.pdf"), icon="picture_as_pdf", on_click=lambda: download()) \
                    .props("outline").mark("ikm-pdf")
            problem = ui.label("").classes("text-negative text-subtitle1").mark("ikm-message")
            problem.set_visibility(False)
            result = ui.column().classes("w-full gap-3").mark("ikm-result")

        def arrange() -> None:
            chosen = str(kind.value)
            if chosen in PARTS:
                part.set_options(list(range(1, PARTS[chosen] + 1)))
                if part.value not in part.options:
                    part.set_value(1)
            part.set_visibility(chosen in PARTS)
            year.set_visibility(chosen != "dates")
            start.set_visibility(chosen == "dates")
            end.set_visibility(chosen == "dates")

        kind.on_value_change(lambda _: arrange())
        arrange()

        def failed(error: Exception) -> None:
            problem.set_text(error_text(error, t))
            problem.set_visibility(True)
            ui.notify(error_text(error, t), type="negative", position="top")

        def chosen_period() -> ikm_report.Period:
            return ikm_report.period(str(kind.value), (year.value or "").strip(), part.value or 0,
                                     (start.value or "").strip(), (end.value or "").strip())

        async def build() -> IkmReport | None:
            try:
                return await run.io_bound(ikm_report.report, chosen_period(), str(service.value or "all"))
            except Exception as error:  # noqa: BLE001 - shown to the person
                failed(error)
                return None

        async def show() -> None:
            if still_allowed("operator") is None:
                return
            report = await build()
            if report is None:
                return
            problem.set_visibility(False)
            result.clear()
            with result:
                _show(report, t)

        async def download() -> None:
            if still_allowed("operator") is None:
                return
            report = await build()
            if report is None:
                return
            pdf_button.props("loading")
            try:
                data = await run.io_bound(ikm_pdf.render_pdf, report, ctx.letters.layout.logo())
            except Exception as error:  # noqa: BLE001 - shown to the person
                failed(error)
                return
            finally:
                pdf_button.props(remove="loading")
            chosen = report.period
            ui.download(data, f"ikm-{chosen.start.isoformat()}-{chosen.end.isoformat()}.pdf", "application/pdf")

        ui.timer(0, show, once=True)
        return None
