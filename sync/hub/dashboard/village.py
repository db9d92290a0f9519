"""/desa/{code} — one village: its sync state, population and service statistics, and what went wrong
(incidents, records the hub refused). Aggregates only: the district dashboard shows no personal data.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from sync.hub.app import HubContext
from sync.hub.dashboard.common import ago, duration, format_code, frame, in_thread, number, require_user
from sync.hub.dashboard.strings import t
from sync.hub.overview import recent_incidents, recent_rejections, village_statistics, village_summary

COLOR = "#3730a3"
SECOND_COLOR = "#f59e0b"


def _bar(title: str, names: list[str], series: list[tuple[str, list[int], str]], marker: str) -> None:
    """A plain bar chart; several series side by side when given (issued vs served)."""
    if not names:
        with ui.card().classes("w-full"):
            ui.label(title).classes("text-subtitle2")
            ui.label(t("village.nothing")).classes("text-grey-7")
        return
    ui.echart({
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"right": 10, "top": 0} if len(series) > 1 else {"show": False},
        "grid": {"left": 50, "right": 20, "bottom": 40, "top": 40},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": "auto", "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": name, "type": "bar", "data": values, "itemStyle": {"color": color}}
                   for name, values, color in series],
    }).classes("w-full h-72").mark(marker)


def _load(code: str, alert_hours: float) -> tuple[dict[str, Any] | None, dict[str, Any], list[dict[str, Any]],
                                                   list[dict[str, Any]]]:
    summary = village_summary(code, alert_hours)
    if summary is None:
        return None, {}, [], []
    return summary, village_statistics(code), recent_incidents(code, 20), recent_rejections(code, 50)


def _headline(summary: dict[str, Any], stats: dict[str, Any]) -> None:
    skew = summary["clock_skew_s"]
    ui.label(t("village.sync", last=ago(summary["last_sync_age_s"]), contact=ago(summary["last_contact_age_s"]),
               pending=summary["pending"] if summary["pending"] is not None else "-",
               skew=duration(abs(skew)) if skew is not None else "-")).mark("village-sync")
    if summary["alert"]:
        ui.badge(t(f"alert.{summary['alert_reason']}"), color="negative").classes("text-subtitle2") \
            .mark("village-alert")
    with ui.row().classes("gap-4"):
        for key, value, marker in (("village.residents", stats["residents"], "stat-residents"),
                                   ("village.families", stats["families"], "stat-families"),
                                   ("village.letters", stats["letters"], "stat-letters"),
                                   ("village.revoked", stats["letters_revoked"], "stat-revoked"),
                                   ("village.complaints_open", stats["complaints_open"], "stat-complaints-open")):
            with ui.card().classes("items-center min-w-40"):
                ui.label(number(value)).classes("text-h5").mark(marker)
                ui.label(t(key)).classes("text-caption")
    ui.label(t("village.queue", issued=number(stats["queue_issued"]), done=number(stats["queue_done"]))) \
        .mark("stat-queue")
    ui.label(t("village.complaints", **{k: number(v) for k, v in stats["complaints"].items()})) \
        .mark("stat-complaints")


def _charts(stats: dict[str, Any]) -> None:
    with ui.grid(columns=2).classes("w-full gap-4"):
        sex = stats["by_sex"]
        _bar(t("village.by_sex"), [t("village.male"), t("village.female"), t("village.unknown")],
             [("", [sex["laki_laki"], sex["perempuan"], sex["unknown"]], COLOR)], "chart-sex")
        ages = {name: n for name, n in stats["by_age"].items() if name != "unknown" or n}
        _bar(t("village.by_age"), [t("village.unknown") if n == "unknown" else n for n in ages],
             [("", list(ages.values()), COLOR)], "chart-age")
        types = stats["letters_by_type"][:15]
        _bar(t("village.letter_types"), [f"{x['type']}" for x in types], [("", [x["count"] for x in types], COLOR)],
             "chart-letters")
        days = stats["queue_days"]
        _bar(t("village.queue_chart"), [d["day"][5:] for d in days],
             [(t("village.issued"), [d["issued"] for d in days], COLOR),
              (t("village.done"), [d["done"] for d in days], SECOND_COLOR)], "chart-queue")
        events = stats["events"]
        _bar(t("village.events"), list(events), [("", list(events.values()), COLOR)], "chart-events")


def _columns(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "label": t(f"col.{n}"), "field": n, "align": "left"} for n in names]


def _reason(code: str) -> str:
    """A refusal in words when we know the code, else the code itself (a newer hub may add codes)."""
    text = t(f"reject.{code}")
    return code if text.startswith("reject.") else text


def _problems(incidents: list[dict[str, Any]], rejections: list[dict[str, Any]]) -> None:
    ui.label(t("village.incidents")).classes("text-h6")
    if incidents:
        rows = [{**item, "id": index} for index, item in enumerate(incidents)]
        ui.table(columns=_columns("at", "kind", "detail"), rows=rows, row_key="id").classes("w-full") \
            .props("flat bordered dense").mark("village-incidents")
    else:
        ui.label(t("village.no_incidents")).classes("text-grey-7")
    ui.label(t("village.rejections")).classes("text-h6")
    if rejections:
        rows = [{**item, "reason": _reason(item["reason"]), "id": f"{item['batch_id']}#{item['seq']}"}
                for item in rejections]
        ui.table(columns=_columns("at", "entity", "key", "reason", "batch_id", "seq"), rows=rows, row_key="id") \
            .classes("w-full").props("flat bordered dense").mark("village-rejections")
    else:
        ui.label(t("village.no_rejections")).classes("text-grey-7")


def register(hub: HubContext) -> None:
    alert_hours = hub.settings.alert_hours

    @ui.page("/desa/{code}", title="Balai Kabupaten · Desa")
    async def village_page(request: Request, code: str) -> RedirectResponse | None:
        user = await require_user(request)
        if isinstance(user, RedirectResponse):
            return user
        village_id = code.replace(".", "").strip()[:10]
        summary, stats, incidents, rejections = await in_thread(_load, village_id, alert_hours)
        if summary is None:
            with frame(t("village.not_found", code=code[:20]), user):
                ui.link(t("village.back"), "/").mark("village-back")
            return None
        with frame(f"{summary['name'] or format_code(village_id)} · {format_code(village_id)}", user):
            ui.label(summary["kecamatan"]).classes("text-subtitle1")
            _headline(summary, stats)
            _charts(stats)
            _problems(incidents, rejections)
            ui.link(t("village.back"), "/").mark("village-back")
        return None
