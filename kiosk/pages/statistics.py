"""/operator/statistics: the population at a glance (pyramid, dusun, religion, education, job, marriage).

Aggregates only, no personal details, so viewers may open it too.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from kiosk.context import AppContext
from kiosk.pages.auth import require
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import translator
from kiosk.services import residents
from kiosk.services.codes import label
from kiosk.services.residents import DISTRIBUTIONS


def _bar(title: str, names: list[str], values: list[int], horizontal: bool = False) -> ui.echart:
    axis_names = {"type": "category", "data": names, "axisLabel": {"interval": 0, "width": 140, "overflow": "truncate"}}
    axis_values = {"type": "value"}
    return ui.echart({
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {}, "grid": {"left": 150 if horizontal else 40, "right": 20, "bottom": 30, "top": 40},
        "xAxis": axis_values if horizontal else axis_names, "yAxis": axis_names if horizontal else axis_values,
        "series": [{"type": "bar", "data": values, "itemStyle": {"color": "#0f766e"}}],
    }).classes("w-full h-72")


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/statistics", title="Balai · Statistik")
    def statistics_page(request: Request) -> RedirectResponse | None:
        account = require(request, "viewer")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        stats = residents.population_stats()
        with operator_frame(t("stats.title"), account, t, lang_default):
            ui.label(t("stats.total", count=stats["total"])).classes("text-h6").mark("stats-total")
            groups = list(stats["by_age_group"].keys())
            ui.echart({
                "title": {"text": t("stats.pyramid"), "textStyle": {"fontSize": 14}},
                "tooltip": {":valueFormatter": "v => Math.abs(v)"},
                "legend": {"data": [t("stats.male"), t("stats.female")], "right": 10, "top": 0},
                "grid": {"left": 60, "right": 20, "top": 50, "bottom": 30},
                "xAxis": {"type": "value", "axisLabel": {":formatter": "v => Math.abs(v)"}},
                "yAxis": {"type": "category", "data": groups},
                "series": [
                    {"name": t("stats.male"), "type": "bar", "stack": "p", "itemStyle": {"color": "#0f766e"},
                     "data": [-stats["by_age_group"][g]["laki_laki"] for g in groups]},
                    {"name": t("stats.female"), "type": "bar", "stack": "p", "itemStyle": {"color": "#f59e0b"},
                     "data": [stats["by_age_group"][g]["perempuan"] for g in groups]},
                ],
            }).classes("w-full h-96").mark("stats-pyramid")
            with ui.grid(columns=2).classes("w-full gap-4"):
                dusun = sorted(stats["by_dusun"].items())
                _bar(t("stats.by_dusun"), [d for d, _ in dusun], [n for _, n in dusun]).mark("stats-dusun")
                for column, list_name in DISTRIBUTIONS.items():
                    counts = sorted(residents.distribution(column).items(), key=lambda item: -item[1])
                    if column == "pekerjaan_id":
                        counts = counts[:10]
                    _bar(t(f"stats.{column}"), [label(list_name, code) for code, _ in counts],
                         [n for _, n in counts], horizontal=True).mark(f"stats-{column}")
        return None
