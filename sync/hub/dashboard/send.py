"""/kirim — the district posts an announcement to one village or to all, and sees what became of what it
sent: each village picks items up on its next sync and reports back whether it applied or refused them.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from sync.hub.app import HubContext
from sync.hub.dashboard.common import format_code, frame, in_thread, require_user, still_signed_in
from sync.hub.dashboard.send_letter_type import letter_type_card
from sync.hub.dashboard.strings import t
from sync.hub.enrolment import EnrolmentError
from sync.hub.pull import OutboxError, add_announcement, outbox
from sync.hub.store import ALL_VILLAGES, HubVillage, hub_database, utc_now

log = logging.getLogger(__name__)

OUTBOX_ROWS = 50


def village_names() -> dict[str, str]:
    """code -> name of every enrolled village, for the target list and the outbox table."""
    with hub_database.connection_context():
        return {v.village_id: v.name for v in
                HubVillage.select(HubVillage.village_id, HubVillage.name).order_by(HubVillage.village_id)}


def queue_announcement(village: str, title: str, body: str, starts: str, ends: str, actor: str) -> int:
    """Parse the form's dates and queue the announcement (in its own connection: runs in a worker thread).

    Raises OutboxError('date_format') for a date that is not YYYY-MM-DD, and what add_announcement raises."""
    try:
        starts_on = date.fromisoformat(starts.strip()) if starts.strip() else utc_now().date()
        ends_on = date.fromisoformat(ends.strip()) if ends.strip() else None
    except ValueError as error:
        raise OutboxError("date_format") from error
    with hub_database.connection_context():
        return add_announcement(village, title, body, starts_on, ends_on, actor=actor)


def outbox_rows(names: dict[str, str]) -> list[dict[str, Any]]:
    """The recent items as table rows: target in words, applied out of how many, refusals with reasons."""
    rows = []
    for item in outbox(OUTBOX_ROWS):
        everyone = item["village_id"] == ALL_VILLAGES
        target = t("send.all") if everyone else \
            f"{format_code(item['village_id'])} {names.get(item['village_id'], '')}"
        expected = len(names) if everyone else 1
        refused = item["refused"]
        refused_text = str(len(refused))
        if refused:
            refused_text += ": " + "; ".join(f"{format_code(v)} ({m or '-'})" for v, m in refused[:5])
        rows.append({
            "item_id": item["item_id"], "target": target.strip(), "kind": t(f"send.kind.{item['kind']}"),
            "title": item["title"], "created": item["created_at"].strftime("%Y-%m-%d %H:%M"),
            "applied": f"{item['applied']} / {expected}",
            "refused": refused_text,
        })
    return rows


def _load() -> tuple[dict[str, str], list[dict[str, Any]]]:
    names = village_names()
    return names, outbox_rows(names)


def _error_key(error: Exception) -> str:
    code = getattr(error, "code", "unknown")
    key = f"send.error.{code}"
    return key if t(key) != key else "send.error.unknown"


def register(hub: HubContext) -> None:
    columns = [{"name": n, "label": t(f"send.col.{label}"), "field": n, "align": "left"} for n, label in (
        ("item_id", "id"), ("target", "target"), ("kind", "kind"), ("title", "title"), ("created", "created"),
        ("applied", "applied"), ("refused", "refused"))]

    @ui.page("/kirim", title="Balai Kabupaten · Kirim Pengumuman")
    async def send_page(request: Request) -> RedirectResponse | None:
        user = await require_user(request)
        if isinstance(user, RedirectResponse):
            return user
        names, rows = await in_thread(_load)
        options = {ALL_VILLAGES: t("send.all")}
        options.update({code: f"{format_code(code)} {name}".strip() for code, name in names.items()})

        async def submit() -> None:
            actor = await still_signed_in()
            if actor is None:
                return
            message.set_text("")
            try:
                item = await in_thread(queue_announcement, target.value or ALL_VILLAGES, title.value or "",
                                          body.value or "", starts.value or "", ends.value or "", actor)
            except (OutboxError, EnrolmentError) as error:
                message.set_text(t(_error_key(error)))
                ui.notify(t(_error_key(error)), type="negative")
                return
            except Exception:  # noqa: BLE001 - the officer gets an answer, the log gets the cause
                log.exception("hub: queueing an announcement failed")
                message.set_text(t("send.error.unknown"))
                return
            ui.notify(t("send.queued", item=item), type="positive")
            done.set_text(t("send.queued", item=item))
            title.set_value("")
            body.set_value("")
            _, fresh = await in_thread(_load)
            table.rows = fresh
            table.update()
            empty.set_visibility(not fresh)

        with frame(t("send.title"), user):
            with ui.card().classes("w-full max-w-3xl gap-2"):
                target = ui.select(options, value=ALL_VILLAGES, label=t("send.village"), with_input=True) \
                    .props("outlined").classes("w-full").mark("send-village")
                title = ui.input(t("send.heading")).props("outlined maxlength=120 counter").classes("w-full") \
                    .mark("send-title")
                body = ui.textarea(t("send.body")).props("outlined autogrow maxlength=4000 counter") \
                    .classes("w-full").mark("send-body")
                with ui.row().classes("w-full gap-4"):
                    starts = ui.input(t("send.starts"), value=utc_now().date().isoformat()) \
                        .props("outlined").classes("w-64").mark("send-starts")
                    ends = ui.input(t("send.ends")).props("outlined").classes("w-64").mark("send-ends")
                ui.button(t("send.submit"), on_click=submit).props("size=lg").mark("send-submit")
                message = ui.label("").classes("text-negative").mark("send-error")
                done = ui.label("").classes("text-positive").mark("send-done")

            async def refresh_outbox() -> None:
                _, fresh = await in_thread(_load)
                table.rows = fresh
                table.update()
                empty.set_visibility(not fresh)

            letter_type_card(lambda: target.value or ALL_VILLAGES, refresh_outbox)
            ui.label(t("send.outbox")).classes("text-h6")
            empty = ui.label(t("send.outbox_empty")).classes("text-grey-7")
            empty.set_visibility(not rows)
            table = ui.table(columns=columns, rows=rows, row_key="item_id").classes("w-full") \
                .props("flat bordered dense").mark("send-outbox")
        return None
