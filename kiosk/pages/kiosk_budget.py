"""/kiosk/budget: the village budget (APBDes) on the office touch screen.

Big type, a large Back button and one year button per published year; the totals, then budget against
realisation per bidang and per income source as plain HTML/CSS bars (no chart library on a Pi). It fits
800x480 landscape and 480x800 portrait without scrolling sideways: in portrait the charts stack, and only
the body scrolls, up and down. Text is set as text (escaped), never as HTML. After `kiosk_idle_seconds`
without a touch the kiosk goes back to its home screen.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator, language_name, next_language
from kiosk.pages.components import kiosk_access
from kiosk.pages.components.budget_chart import ChartRow, balance, bidang_rows, financing_rows, income_rows
from kiosk.pages.session import LANG_KEY, cycle_language, language
from kiosk.services import budget, village

BUDGET_CSS = """
.kb-root { height: 100vh; }
.kb-body { flex: 1 1 auto; min-height: 0; overflow-y: auto; overflow-x: hidden; }
.kb-title { min-width: 0; flex: 1 1 auto; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.kb-totals { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 10px; }
.kb-total { background: #f0fdfa; border-radius: 14px; padding: 8px 14px; min-width: 0; }
.kb-total .kb-what { font-size: 1.1rem; }
.kb-total .kb-amount { font-size: 1.5rem; font-weight: 800; line-height: 1.15; overflow-wrap: anywhere; }
.kb-total .kb-sub { font-size: 1rem; opacity: .85; overflow-wrap: anywhere; }
.kb-total.kb-minus .kb-amount { color: #b91c1c; }
.kb-charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }
.kb-chart { background: #fff; border: 1px solid #ccfbf1; border-radius: 14px; padding: 8px 14px; min-width: 0; }
.kb-row { padding: 6px 0; border-bottom: 1px solid #e2e8f0; }
.kb-row:last-child { border-bottom: 0; }
.kb-label { font-size: 1.1rem; font-weight: 600; overflow-wrap: anywhere; line-height: 1.2; }
.kb-track { height: 18px; margin: 5px 0 3px; }
.kb-bar { height: 18px; background: #99f6e4; border-radius: 9px; overflow: hidden; min-width: 3px; }
.kb-fill { height: 100%; background: #0f766e; }
.kb-nums { font-size: 1rem; display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 10px; }
.kb-legend { display: flex; gap: 18px; font-size: 1rem; }
.kb-legend > *::before { content: ""; display: inline-block; width: 16px; height: 16px; border-radius: 4px;
                         margin-right: 6px; vertical-align: -2px; }
.kb-legend .kb-b::before { background: #99f6e4; }
.kb-legend .kb-r::before { background: #0f766e; }
body { overscroll-behavior: none; user-select: none; touch-action: manipulation; }
@media (orientation: portrait), (max-width: 640px) {
  .kb-totals, .kb-charts { grid-template-columns: minmax(0, 1fr); }
}
"""


def _bars(title: str, rows: list[ChartRow], marker: str, t: Translator) -> None:
    with ui.element("div").classes("kb-chart").mark(marker):
        ui.label(title).classes("text-h6 text-weight-bold")
        for row in rows:
            with ui.element("div").classes("kb-row").mark("kiosk-budget-bar"):
                ui.label(row.label).classes("kb-label")
                track = ui.element("div").classes("kb-track")
                track.props["role"] = "img"
                track.props["aria-label"] = row.aria  # set as a value: a quote in a name cannot break out
                with track:
                    with ui.element("div").classes("kb-bar").style(f"width: {row.width}%"):
                        ui.element("div").classes("kb-fill").style(f"width: {row.fill}%")
                with ui.element("div").classes("kb-nums"):
                    ui.label(f"{t('budget.legend_budget')} {row.budget}")
                    ui.label(f"{t('budget.legend_realised')} {row.realised} ({row.pct})")


def _total(what: str, amount: str, sub: tuple[str, ...], marker: str, minus: bool = False) -> None:
    """One total; `sub` is a line of words under it, each part kept whole (a Rupiah amount never breaks)."""
    with ui.element("div").classes("kb-total" + (" kb-minus" if minus else "")).mark(marker):
        ui.label(what).classes("kb-what")
        ui.label(amount).classes("kb-amount")
        if sub:
            with ui.row().classes("kb-sub gap-x-1 gap-y-0"):
                for part in sub:
                    ui.label(part).style("white-space: nowrap")


def _load(year: int | None) -> tuple[list[int], budget.BudgetSummary | None]:
    published = [info.year for info in budget.years(published_only=True)]
    chosen = year if year in published else (published[0] if published else None)
    return published, (budget.summary(chosen) if chosen is not None else None)


def register(ctx: AppContext) -> None:
    @ui.page("/kiosk/budget", title="Balai · APBDes")
    def kiosk_budget(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        settings = ctx.settings
        ui.add_css(BUDGET_CSS)
        kiosk_access.install()
        ui.query(".nicegui-content").classes("p-0 gap-0")
        state: dict[str, Any] = {"touched": time.monotonic(), "year": None}

        def touched() -> None:
            state["touched"] = time.monotonic()

        def t() -> Translator:
            return Translator(language(settings.language))

        def go_home() -> None:
            ui.navigate.to("/kiosk")

        def switch_language() -> None:
            touched()
            cycle_language(settings.language)
            draw(*state["data"])

        async def choose(year: int) -> None:
            touched()
            state["year"] = year
            draw(*await run.io_bound(_load, year))

        def draw(published: list[int], summary: budget.BudgetSummary | None) -> None:
            state["data"] = (published, summary)
            tr = t()
            root.clear()
            with root:
                with ui.row().classes("w-full items-center no-wrap q-px-md q-py-sm gap-3 bg-teal-800 text-white"):
                    ui.button(tr("common.back"), icon="arrow_back", on_click=go_home) \
                        .props("unelevated color=white text-color=teal-9 size=lg no-caps") \
                        .classes("min-h-[64px]").mark("kiosk-budget-back")
                    ui.label(tr("budget.public_title")).classes("kb-title text-h5 text-weight-bold")
                    ui.button(language_name(next_language(tr.lang)), on_click=switch_language) \
                        .props("outline color=white size=lg no-caps no-wrap").classes("min-h-[64px]") \
                        .mark("kiosk-budget-language")
                with ui.element("div").classes("kb-body w-full q-px-md q-py-sm").mark("kiosk-budget-body") as body:
                    body.on("scroll", touched, throttle=2.0)
                    if len(published) > 1:
                        with ui.row().classes("items-center gap-2 q-mb-sm").mark("kiosk-budget-years"):
                            ui.label(tr("budget.other_years")).classes("text-h6")
                            for year in published:
                                on = summary is not None and summary.year == year
                                ui.button(str(year), on_click=lambda y=year: choose(y)) \
                                    .props(f"{'unelevated color=teal-8' if on else 'outline color=teal-9'} size=lg") \
                                    .classes("min-h-[64px] min-w-[96px]").mark(f"kiosk-budget-year-{year}")
                    if summary is None:
                        ui.label(tr("budget.none")).classes("text-h5 q-pa-lg").mark("kiosk-budget-none")
                        return
                    ui.label(tr("budget.year_title", year=summary.year)).classes("text-h5 text-weight-bold") \
                        .mark("kiosk-budget-year")
                    label, amount = balance(summary, tr)
                    with ui.element("div").classes("kb-totals w-full q-my-sm"):
                        _total(tr("budget.income"), budget.rupiah(summary.income.budget),
                               (tr("budget.realised_pct", pct=summary.income.percent_text),), "kiosk-budget-income")
                        _total(tr("budget.spending"), budget.rupiah(summary.spending.budget),
                               (tr("budget.realised_pct", pct=summary.spending.percent_text),),
                               "kiosk-budget-spending")
                        net = ((f"{tr('budget.financing_net')}:", budget.rupiah(summary.financing_net))
                               if summary.financing_in.budget or summary.financing_out.budget else ())
                        _total(label, amount, net, "kiosk-budget-balance", minus=summary.surplus < 0)
                    with ui.element("div").classes("kb-legend q-mb-sm"):
                        ui.label(tr("budget.legend_budget")).classes("kb-b")
                        ui.label(tr("budget.legend_realised")).classes("kb-r")
                    with ui.element("div").classes("kb-charts w-full q-mb-md"):
                        _bars(tr("budget.chart_bidang"), bidang_rows(summary, tr), "kiosk-budget-bidang", tr)
                        with ui.column().classes("gap-3 w-full").style("min-width: 0"):
                            income = income_rows(summary, tr)
                            if income:
                                _bars(tr("budget.chart_income"), income, "kiosk-budget-sources", tr)
                            financing = financing_rows(summary, tr)
                            if financing:
                                _bars(tr("budget.chart_financing"), financing, "kiosk-budget-financing", tr)

        def on_tick() -> None:
            if time.monotonic() - state["touched"] > ctx.settings.kiosk_idle_seconds:
                state["touched"] = time.monotonic()
                # The next resident starts in the office's language with the standard display and no voice.
                app.storage.user[LANG_KEY] = ctx.settings.language
                kiosk_access.reset_modes()
                go_home()

        root = ui.column().classes("kb-root w-full gap-0 no-wrap")
        root.on("click", touched)
        draw(*_load(None))
        ui.timer(1.0, on_tick)
        return None
