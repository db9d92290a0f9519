"""/ — every enrolled village at a glance: when it last synced, what it still holds back, whether someone
should phone it (a red badge), its headline counts, and the district's totals. Refreshes itself every 30 s,
so it can stay open on a wall screen.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from sync.hub.app import HubContext
from sync.hub.dashboard.common import ago, duration, format_code, frame, in_thread, number, require_user, signed_in
from sync.hub.dashboard.strings import t
from sync.hub.overview import district_totals, villages_summary
from sync.hub.store import utc_now

REFRESH_SECONDS = 30.0

_STATUS_SLOT = r"""
<q-td :props="props">
  <q-badge v-if="props.row.alert" color="negative" :label="props.value" />
  <q-badge v-else color="positive" outline :label="props.value" />
</q-td>
"""
_NAME_SLOT = r"""
<q-td :props="props"><a :href="'/desa/' + props.row.code" class="text-primary">{{ props.value }}</a></q-td>
"""


def _by_number(field: str) -> str:
    """A column showing formatted text ('12.345') sorted by the number behind it."""
    return f"(a, b, rowA, rowB) => rowA.{field} - rowB.{field}"


def _by_age(field: str) -> str:
    """A column sorted by the raw seconds behind its human text ('3 jam lalu'); never-synced sorts last."""
    return f"(a, b, rowA, rowB) => (rowA.{field} ?? 1e12) - (rowB.{field} ?? 1e12)"


def _columns() -> list[dict[str, Any]]:
    def column(name: str, label: str, align: str = "left", **extra: Any) -> dict[str, Any]:
        return {"name": name, "label": label, "field": name, "align": align, "sortable": True, **extra}

    return [
        column("code_text", t("villages.code")),
        column("name", t("villages.name")),
        column("kecamatan", t("villages.kecamatan")),
        column("last_sync_text", t("villages.last_sync"), **{":sort": _by_age("last_sync_age_s")}),
        column("pending", t("villages.pending"), "right"),
        column("oldest_text", t("villages.oldest"), "right", **{":sort": _by_age("oldest_pending_age_s")}),
        column("residents_text", t("villages.residents"), "right", **{":sort": _by_number("residents")}),
        column("families_text", t("villages.families"), "right", **{":sort": _by_number("families")}),
        column("letters", t("villages.letters"), "right"),
        column("incidents", t("villages.incidents"), "right"),
        column("status", t("villages.status"), "center", **{":sort": _by_number("alert")}),
    ]


def display_row(row: dict[str, Any]) -> dict[str, Any]:
    """The summary row plus the texts people read (the raw values stay for sorting)."""
    return {
        **row,
        "code_text": format_code(row["code"]),
        "last_sync_text": ago(row["last_sync_age_s"]),
        "pending": row["pending"] if row["pending"] is not None else "-",
        "oldest_text": duration(row["oldest_pending_age_s"]),
        "residents_text": number(row["residents"]),
        "families_text": number(row["families"]),
        "status": t(f"alert.{row['alert_reason']}") if row["alert"] else t("villages.ok"),
    }


def totals_text(totals: dict[str, Any]) -> str:
    return t("totals.line", villages=number(totals["villages"]), alerts=number(totals["alerts"]),
             residents=number(totals["residents"]), families=number(totals["families"]),
             letters=number(totals["letters"]), pending=number(totals["pending"]))


def register(hub: HubContext) -> None:
    alert_hours = hub.settings.alert_hours

    @ui.page("/", title="Balai Kabupaten · Desa")
    async def villages_page(request: Request) -> RedirectResponse | None:
        user = await require_user(request)
        if isinstance(user, RedirectResponse):
            return user
        with frame(t("villages.title"), user):
            empty = ui.label(t("villages.empty")).classes("text-subtitle1").mark("villages-empty")
            empty.set_visibility(False)
            search = ui.input(t("villages.search")).props("outlined dense clearable").classes("w-72")
            table = ui.table(columns=_columns(), rows=[], row_key="code",
                             pagination={"rowsPerPage": 50, "sortBy": "code_text"}) \
                .classes("w-full").props("flat bordered dense loading").mark("villages-table")
            table.add_slot("body-cell-status", _STATUS_SLOT)
            table.add_slot("body-cell-name", _NAME_SLOT)
            search.bind_value(table, "filter")
            totals = ui.label("").classes("text-subtitle1 text-weight-medium").mark("villages-totals")
            refreshed = ui.label("").classes("text-caption text-grey-7")

        async def refresh() -> None:
            if await signed_in() is None:
                ui.navigate.to("/login")
                return
            rows = await in_thread(villages_summary, alert_hours)
            table.rows = [display_row(r) for r in rows]
            table.props(remove="loading")
            table.update()
            empty.set_visibility(not rows)
            totals.set_text(totals_text(district_totals(rows)))
            refreshed.set_text(t("villages.refreshed", time=utc_now().strftime("%H:%M:%S")))

        # Counting every village's records can take longer than a page may take to build on a big hub: the
        # frame is sent first, the numbers follow over the connection.
        try:
            await ui.context.client.connected()
        except TimeoutError:
            return None
        await refresh()
        ui.timer(REFRESH_SECONDS, refresh)
        return None
