"""/operator: the counter's queue desk. Call next, recall, no-show, done, transfer; the waiting list;
the printer's state and the print jobs still waiting. Updates live (no reload) from the change feed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import notify_error
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import print_jobs, queue

COUNTER_KEY = "counter_id"


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator", title="Balai · Antrian")
    def queue_page(request: Request) -> RedirectResponse | None:
        account = require(request, "viewer")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        can_act = account.may("operator")
        counters = queue.list_counters(active_only=True)
        chosen = app.storage.user.get(COUNTER_KEY)
        if chosen not in {c.id for c in counters}:
            chosen = counters[0].id if counters else None
        state = {"counter": chosen, "version": -1}

        def act(action, *args) -> None:  # noqa: ANN001 - a service function and its arguments
            if still_allowed("operator") is None:
                return
            if state["counter"] is None:
                return
            try:
                result = action(state["counter"], *args, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
                return
            if action is queue.call_next:
                if result is None:
                    ui.notify(t("queue.nobody"), type="info")
                else:
                    ui.notify(t("queue.called", number=result.number), type="positive")
            ctx.queue_changed()
            refresh()

        def choose(event) -> None:  # noqa: ANN001
            state["counter"] = event.value
            app.storage.user[COUNTER_KEY] = event.value
            refresh()

        def job_action(action, job_id: int) -> None:  # noqa: ANN001
            if still_allowed("operator") is None:
                return
            try:
                action(job_id, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
            ctx.queue_changed()
            refresh()

        with operator_frame(t("nav.queue"), account, t, lang_default):
            with ui.row().classes("w-full items-start gap-6"):
                with ui.card().classes("w-96"):
                    ui.select({c.id: c.name for c in counters}, value=state["counter"], label=t("queue.my_counter"),
                              on_change=choose).props("outlined").classes("w-full").mark("counter-select")
                    ui.label(t("queue.current")).classes("text-subtitle1 q-mt-sm")
                    current_label = ui.label("—").classes("text-h2 text-weight-bold text-teal-900").mark("current")
                    with ui.grid(columns=2).classes("w-full gap-2"):
                        ui.button(t("queue.call_next"), icon="campaign", on_click=lambda: act(queue.call_next)) \
                            .props("size=lg color=teal-8").classes("col-span-2").mark("call-next") \
                            .set_enabled(can_act)
                        ui.button(t("queue.recall"), icon="replay", on_click=lambda: act(queue.recall)) \
                            .props("outline").mark("recall").set_enabled(can_act)
                        ui.button(t("queue.done"), icon="check", on_click=lambda: act(queue.finish_current, "done")) \
                            .props("outline").mark("done").set_enabled(can_act)
                        ui.button(t("queue.skip"), icon="person_off",
                                  on_click=lambda: act(queue.finish_current, "skipped")) \
                            .props("outline color=orange-9").mark("skip").set_enabled(can_act)
                        transfer = ui.select({s.prefix: f"{s.prefix} · {s.name}"
                                              for s in queue.list_services(active_only=True)},
                                             label=t("queue.transfer")).props("outlined dense").mark("transfer")
                        transfer.on_value_change(lambda e: (act(queue.transfer_current, e.value), transfer.set_value(None))
                                                 if e.value else None)
                        transfer.set_enabled(can_act)
                with ui.card().classes("grow"):
                    waiting_title = ui.label("").classes("text-h6")
                    waiting_box = ui.column().classes("w-full gap-1").mark("waiting-list")
                with ui.card().classes("w-80"):
                    ui.label(t("queue.printer")).classes("text-h6")
                    printer_label = ui.label("").mark("printer-state")
                    letter_printer_label = ui.label("").mark("letter-printer-state")
                    jobs_title = ui.label("").classes("text-subtitle1 q-mt-sm")
                    jobs_box = ui.column().classes("w-full gap-1").mark("print-jobs")

        def refresh() -> None:
            state["version"] = ctx.feed.version
            counters_now = {c.id: c for c in queue.list_counters(active_only=True)}
            current = counters_now.get(state["counter"])
            current_label.set_text(current.current if current and current.current else "—")
            waiting = queue.waiting_list(state["counter"]) if state["counter"] is not None else []
            waiting_title.set_text(t("queue.waiting_list", count=len(waiting)))
            waiting_box.clear()
            with waiting_box:
                if not waiting:
                    ui.label(t("queue.nobody")).classes("text-grey-7")
                for ticket in waiting:
                    with ui.row().classes("items-center gap-3"):
                        ui.label(ticket.number).classes("text-h6 text-weight-bold w-20")
                        ui.label(ticket.service_name)
            if ctx.print_worker is None:
                printer_label.set_text(t("queue.printer_none"))
            else:
                printer_state = ctx.print_worker.state
                printer_label.set_text(
                    f"{ctx.print_worker.printer.name} — "
                    + (t("queue.printer_ready") if printer_state.ready
                       else t("queue.printer_problem", detail=printer_state.detail)))
                printer_label.classes(replace="text-positive" if printer_state.ready else "text-negative")
            if ctx.letter_worker is None:
                letter_printer_label.set_text(t("opletters.letter_printer_none"))
                letter_printer_label.classes(replace="text-grey-7")
            else:
                letter_state = ctx.letter_worker.state
                letter_printer_label.set_text(
                    t("opletters.letter_printer", name=ctx.letter_worker.printer.name) + " — "
                    + (t("queue.printer_ready") if letter_state.ready
                       else t("queue.printer_problem", detail=letter_state.detail)))
                letter_printer_label.classes(replace="text-positive" if letter_state.ready else "text-negative")
            jobs = print_jobs.open_jobs()
            jobs_title.set_text(t("queue.print_jobs", count=len(jobs)))
            jobs_box.clear()
            with jobs_box:
                for job in jobs:
                    with ui.row().classes("items-center gap-2 no-wrap"):
                        ui.label(job.label).classes("text-weight-bold whitespace-nowrap")
                        ui.label(t("queue.attempts", count=job.attempts)).classes("text-caption")
                        ui.label(job.last_error).classes("text-caption text-negative ellipsis").style("max-width:8rem")
                        if can_act:
                            ui.button(icon="refresh", on_click=lambda j=job.id: job_action(print_jobs.retry_now, j)) \
                                .props("flat dense").tooltip(t("queue.retry"))
                            ui.button(icon="close", on_click=lambda j=job.id: job_action(print_jobs.cancel, j)) \
                                .props("flat dense color=negative").tooltip(t("queue.cancel_job"))

        refresh()
        ui.timer(1.0, lambda: refresh() if state["version"] != ctx.feed.version else None)
        ui.timer(10.0, refresh)  # printer state and waits change without queue writes too
        return None
