"""/operator/polls: operators set up village polls and follow their results live.

A poll starts as a draft (question, description, 2..10 options, start and end in village time, and whether
residents see interim results); only a draft can be edited or deleted. Publishing makes it visible on the
kiosk and phones (voting opens at its start); closing ends it early. The list shows every poll's status and,
once published, its counts, percentages and turnout against the residents who may vote, refreshed every few
seconds. All text is shown as label text (escaped), never as HTML.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.poll_view import percent, to_input, when, zone_name
from kiosk.pages.session import client_address, translator
from kiosk.services import polls
from kiosk.services.poll_checks import DESCRIPTION_MAX, OPTION_MAX, OPTIONS_MAX, QUESTION_MAX
from kiosk.services.polls import PollInfo, PollResults

PHASE_COLORS = {"draft": "grey-7", "scheduled": "blue-8", "open": "green-8", "over": "brown-6"}
REFRESH_SECONDS = 5.0


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/polls", title="Balai · Jajak Pendapat")
    def polls_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        zone = zone_name()
        state: dict[str, Any] = {"editing": None, "options": ["", ""], "seen": None}

        def draw_options() -> None:
            options_box.clear()
            with options_box:
                for index, value in enumerate(state["options"]):
                    with ui.row().classes("w-full items-center no-wrap gap-2"):
                        box = ui.input(t("oppoll.option", n=index + 1), value=value) \
                            .props(f"outlined dense maxlength={OPTION_MAX}").classes("grow") \
                            .mark(f"poll-option-input-{index + 1}")
                        box.on_value_change(lambda e, i=index: state["options"].__setitem__(i, e.value or ""))
                        ui.button(icon="close", on_click=lambda i=index: remove_option(i)) \
                            .props("flat dense round").mark(f"poll-option-remove-{index + 1}")
                add_button.set_enabled(len(state["options"]) < OPTIONS_MAX)

        def add_option() -> None:
            state["options"].append("")
            draw_options()

        def remove_option(index: int) -> None:
            del state["options"][index]
            draw_options()

        def reset_form() -> None:
            state["editing"], state["options"] = None, ["", ""]
            question.set_value("")
            description.set_value("")
            starts.set_value("")
            ends.set_value("")
            live.set_value(True)
            message.set_text("")
            form_title.set_text(t("oppoll.new"))
            cancel_button.set_visibility(False)
            draw_options()

        def edit(info: PollInfo) -> None:
            state["editing"], state["options"] = info.uuid, [o.label for o in info.options]
            question.set_value(info.question)
            description.set_value(info.description)
            starts.set_value(to_input(info.starts_at, zone))
            ends.set_value(to_input(info.ends_at, zone))
            live.set_value(info.results_live)
            message.set_text("")
            form_title.set_text(t("oppoll.editing"))
            cancel_button.set_visibility(True)
            draw_options()

        async def save() -> None:
            if still_allowed("operator") is None:
                return
            message.set_text("")
            args = (question.value or "", description.value or "", list(state["options"]), starts.value or "",
                    ends.value or "")
            try:
                if state["editing"]:
                    await run.io_bound(polls.update_draft, state["editing"], *args, results_live=bool(live.value),
                                       actor=account.username, client=client)
                else:
                    await run.io_bound(polls.create_draft, *args, results_live=bool(live.value),
                                       actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001 - shown to the operator
                message.set_text(error_text(error, t))
                return
            ui.notify(t("oppoll.saved"), type="positive")
            reset_form()
            await refresh(force=True)

        async def act(action: Any, uid: str, done_key: str) -> None:
            if still_allowed("operator") is None:
                return
            try:
                await run.io_bound(action, uid, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                ui.notify(error_text(error, t), type="negative")
            else:
                ctx.feed.bump()
                ui.notify(t(done_key), type="positive")
                if state["editing"] == uid:
                    reset_form()
            await refresh(force=True)

        def results_block(found: PollResults) -> None:
            with ui.column().classes("w-full gap-1").mark("poll-results"):
                for option in found.options:
                    with ui.row().classes("w-full items-center no-wrap gap-3"):
                        ui.label(option.label).classes("w-64 shrink-0 ellipsis").mark("poll-result-label")
                        ui.linear_progress(value=option.percent / 100, show_value=False, size="14px") \
                            .props("color=teal-8 track-color=teal-1 rounded").classes("grow")
                        ui.label(t("oppoll.votes", count=option.votes, pct=percent(option.percent, t))) \
                            .classes("w-40 shrink-0 text-right").mark(f"poll-result-{option.position}")
                ui.label(t("oppoll.turnout", total=found.total, eligible=found.eligible,
                           pct=percent(found.turnout, t))).classes("text-weight-bold").mark("poll-turnout")

        def row(info: PollInfo, found: PollResults | None) -> None:
            with ui.card().classes("w-full").mark("poll-row"):
                with ui.row().classes("w-full items-center no-wrap gap-3"):
                    with ui.column().classes("grow gap-0").style("min-width:0"):
                        ui.label(info.question).classes("text-subtitle1 text-weight-bold").mark("poll-question")
                        if info.description:
                            ui.label(info.description).classes("text-caption text-grey-8") \
                                .style("white-space: pre-line")
                        ui.label(t("oppoll.period", start=when(info.starts_at, zone), end=when(info.ends_at, zone))) \
                            .classes("text-caption")
                        ui.label(t("oppoll.live_note") if info.results_live else t("oppoll.hidden_note")) \
                            .classes("text-caption text-grey-7")
                    ui.badge(t(f"poll.phase.{info.phase}"), color=PHASE_COLORS[info.phase]).mark("poll-phase")
                    with ui.row().classes("gap-1 shrink-0"):
                        if info.phase == "draft":
                            ui.button(t("oppoll.edit"), icon="edit", on_click=lambda i=info: edit(i)) \
                                .props("flat dense").mark("poll-edit")
                            ui.button(t("oppoll.delete"), icon="delete",
                                      on_click=lambda u=info.uuid: act(polls.delete_draft, u, "oppoll.deleted")) \
                                .props("flat dense color=negative").mark("poll-delete")
                            ui.button(t("oppoll.publish"), icon="campaign",
                                      on_click=lambda u=info.uuid: act(polls.publish, u, "oppoll.published")) \
                                .props("color=teal-8 dense").mark("poll-publish")
                        elif info.phase in ("scheduled", "open"):
                            ui.button(t("oppoll.close"), icon="lock",
                                      on_click=lambda u=info.uuid: act(polls.close, u, "oppoll.closed")) \
                                .props("outline dense color=red-9").mark("poll-close")
                if info.phase == "draft":
                    for option in info.options:
                        ui.label(f"{option.position}. {option.label}").classes("text-body2").mark("poll-draft-option")
                elif found is not None:
                    ui.label(t("oppoll.locked_note")).classes("text-caption text-grey-7")
                    results_block(found)

        def load() -> tuple[list[PollInfo], dict[str, PollResults]]:
            found = polls.list_all(100)
            eligible = polls.eligible_count()  # once for the whole list, not once per poll
            return found, {p.uuid: polls.results(p.uuid, public=False, eligible=eligible)
                           for p in found if p.phase != "draft"}

        async def refresh(force: bool = False) -> None:
            found, counted = await run.io_bound(load)
            seen = ([(p.uuid, p.phase) for p in found], {uid: r.total for uid, r in counted.items()})
            if not force and seen == state["seen"]:
                return
            state["seen"] = seen
            box.clear()
            with box:
                if not found:
                    ui.label(t("oppoll.none")).classes("text-grey-7 q-pa-md").mark("poll-empty")
                for info in found:
                    row(info, counted.get(info.uuid))

        with operator_frame(t("oppoll.title"), account, t, lang_default):
            with ui.card().classes("w-full max-w-3xl"):
                form_title = ui.label(t("oppoll.new")).classes("text-h6")
                question = ui.input(t("oppoll.question")) \
                    .props(f"outlined counter maxlength={QUESTION_MAX}").classes("w-full").mark("poll-question-input")
                description = ui.textarea(t("oppoll.description")) \
                    .props(f"outlined autogrow counter maxlength={DESCRIPTION_MAX}").classes("w-full") \
                    .mark("poll-description-input")
                options_box = ui.column().classes("w-full gap-1")
                add_button = ui.button(t("oppoll.add_option"), icon="add", on_click=add_option) \
                    .props("flat color=teal-9").mark("poll-add-option")
                with ui.row().classes("gap-3"):
                    starts = ui.input(t("oppoll.starts")).props("outlined type=datetime-local stack-label") \
                        .mark("poll-starts")
                    ends = ui.input(t("oppoll.ends")).props("outlined type=datetime-local stack-label") \
                        .mark("poll-ends")
                live = ui.switch(t("oppoll.results_live"), value=True).mark("poll-live")
                ui.label(t("oppoll.results_live_hint")).classes("text-caption text-grey-7")
                message = ui.label("").classes("text-negative text-subtitle1").mark("poll-error")
                with ui.row().classes("gap-2"):
                    ui.button(t("oppoll.save"), icon="save", on_click=save).props("color=teal-8").mark("poll-save")
                    cancel_button = ui.button(t("oppoll.cancel_edit"), on_click=reset_form).props("flat") \
                        .mark("poll-cancel-edit")
                    cancel_button.set_visibility(False)
            ui.label(t("oppoll.list")).classes("text-h6")
            box = ui.column().classes("w-full max-w-5xl gap-2").mark("poll-list")
        draw_options()
        ui.timer(0.0, lambda: refresh(force=True), once=True)
        ui.timer(REFRESH_SECONDS, refresh)
        return None
