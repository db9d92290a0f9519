"""The kiosk's letter request steps: letter type -> its fields (one editor per field, typed on keys drawn in
the page) -> check -> tracking code on screen and on a slip. A mixin of `LetterKiosk`, which owns the frame,
the NIK and PIN steps and the idle reset.
"""

from __future__ import annotations

import logging
from typing import Any

from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, digit_keypad, letter_keyboard
from kiosk.pages.letter_inputs import (CONFIRM_FIELDS_PER_PAGE, DIGIT_TYPES, FIELDS_PER_PAGE, TYPES_PER_PAGE,
                                      date_to_typed, field_problems, page_count, requirement_hint, shown_value,
                                      spelled_date, typed_date, typed_to_iso)
from kiosk.pages.components.qr import qr_code
from kiosk.services import letter_print, letter_requests, letter_types
from kiosk.services.letter_fields import FieldErrors, FieldSpec, clean_fields
from kiosk.services.letter_requests import LetterSummary
from kiosk.services.letter_types import LetterTypeInfo

log = logging.getLogger(__name__)


class RequestSteps:
    """Steps of /kiosk/surat after the resident is known (`self.flow.person_id`)."""

    flow: Any
    ctx: AppContext
    t: Translator

    def show_types(self, page: int | None = None) -> None:
        flow, t = self.flow, self.t
        flow.step = "types"
        if page is not None:
            flow.page = page
        known = letter_types.list_types()
        pages = page_count(len(known), TYPES_PER_PAGE)
        flow.page = min(max(flow.page, 0), pages - 1)
        shown = known[flow.page * TYPES_PER_PAGE:(flow.page + 1) * TYPES_PER_PAGE]
        with self.screen(t("ksurat.choose_type"), back=self.logout_to_pin, pager=(flow.page, pages, self.show_types)):
            if not known:
                ui.label(t("ksurat.no_types")).classes("text-h6")
            with ui.grid().classes("ks-types w-full grow gap-2").style("min-height:0"):
                for info in shown:
                    with ui.button(on_click=self.act(lambda code=info.code: self.choose_type(code))) \
                            .props("unelevated color=teal-7 no-caps align=left") \
                            .classes("ks-tile w-full h-full").mark(f"type-{info.code}"):
                        with ui.column().classes("items-start gap-1 w-full text-left overflow-hidden"):
                            ui.label(info.name).classes("ks-clamp-3 text-subtitle1 text-weight-bold leading-tight")
                            ui.label(requirement_hint(info, t)) \
                                .classes("ks-clamp-2 text-caption leading-tight opacity-90")

    def choose_type(self, code: str) -> None:
        flow = self.flow
        if code != flow.type_code:
            flow.type_code, flow.values, flow.problems = code, {}, {}
        flow.page = 0
        self.show_fields()

    def current_type(self) -> LetterTypeInfo:
        return letter_types.get_type(self.flow.type_code)

    def show_fields(self, page: int | None = None) -> None:
        flow, t = self.flow, self.t
        flow.step = "fields"
        if page is not None:
            flow.page = page
        info = self.current_type()
        if not info.fields:
            self.show_confirm(0)
            return
        pages = page_count(len(info.fields), FIELDS_PER_PAGE)
        flow.page = min(max(flow.page, 0), pages - 1)
        shown = info.fields[flow.page * FIELDS_PER_PAGE:(flow.page + 1) * FIELDS_PER_PAGE]
        with self.screen(t("ksurat.fill_title", type=info.name), back=self.back_to_types,
                         primary=(t("ksurat.next"), "arrow_forward", self.fields_done),
                         pager=(flow.page, pages, self.show_fields)):
            with ui.grid().classes("ks-fields w-full grow gap-2").style("min-height:0"):
                for spec in shown:
                    self.field_row(spec)

    def field_row(self, spec: FieldSpec) -> None:
        t = self.t
        value = self.flow.values.get(spec.name, "")
        problem = self.flow.problems.get(spec.name, "")
        with ui.button(on_click=self.act(lambda name=spec.name: self.show_editor(name))) \
                .props(f"outline no-caps align=left color={'red-9' if problem else 'teal-9'}") \
                .classes("ks-tile w-full h-full").mark(f"field-{spec.name}"):
            with ui.column().classes("items-start gap-0 w-full text-left overflow-hidden"):
                need = t("ksurat.required") if spec.required else t("ksurat.optional")
                ui.label(f"{spec.label} · {need}").classes("text-caption text-grey-8 ellipsis w-full")
                ui.label(shown_value(spec, value) or t("ksurat.tap_to_fill")) \
                    .classes("text-subtitle1 text-weight-bold ellipsis w-full" + ("" if value else " text-grey-6"))
                if problem:
                    ui.label(problem).classes("text-caption text-red-9 ellipsis w-full").mark(f"problem-{spec.name}")

    def back_to_types(self) -> None:
        self.flow.page = 0
        self.show_types()

    def fields_done(self) -> None:
        flow = self.flow
        info = self.current_type()
        try:
            clean_fields(info.fields, self._answers(info))
        except FieldErrors as error:
            flow.problems = field_problems(error, self.t)
            first = next(index for index, spec in enumerate(info.fields) if spec.name in flow.problems)
            self.show_fields(first // FIELDS_PER_PAGE)
            return
        flow.problems = {}
        self.show_confirm(0)

    def _answers(self, info: LetterTypeInfo) -> dict[str, str]:
        return {spec.name: self.flow.values.get(spec.name, "") for spec in info.fields}

    def show_editor(self, name: str) -> None:
        flow, t = self.flow, self.t
        flow.step, flow.editing = "edit", name
        info = self.current_type()
        spec = next(spec for spec in info.fields if spec.name == name)
        value = flow.values.get(name, "")
        problem = flow.problems.get(name, "")
        title = f"{spec.label} ({t('ksurat.required') if spec.required else t('ksurat.optional')})"
        primary = None if spec.type == "select" else (t("ksurat.ok"), "check", lambda: self.save_field(spec))
        with self.screen(title, back=self.show_fields, primary=primary):
            if spec.type == "select":
                self._select_editor(spec, value, problem)
            elif spec.type == "date":
                self._date_editor(spec, value, problem)
            elif spec.type in DIGIT_TYPES:
                with ui.row().classes("ks-pair w-full grow items-center gap-6"):
                    with ui.column().classes("grow gap-2"):
                        if spec.help:
                            ui.label(spec.help).classes("text-body1 text-grey-8")
                        box = self.entry(value).mark("edit-input")
                        if problem:
                            ui.label(problem).classes("text-subtitle1 text-red-9")
                    max_length = 16 if spec.type == "nik" else 5 if spec.type == "time" else 15
                    extra = DIGIT_TYPES[spec.type]
                    digit_keypad(KeyTarget(box, max_length=max_length, allowed="0123456789" + (extra or ""),
                                           on_change=lambda _: self.touched()), extra=extra, width_px=280)
            else:
                line = problem or spec.help
                box = self.entry(value, text=True).mark("edit-input")
                if line:
                    box.props(f"label-color={'red-9' if problem else 'grey-8'}")
                    box.props["label"] = line
                letter_keyboard(KeyTarget(box, max_length=spec.max_length, on_change=lambda _: self.touched()),
                                space_label=t("ksurat.space"))

    def _select_editor(self, spec: FieldSpec, value: str, problem: str) -> None:
        if spec.help or problem:
            ui.label(problem or spec.help).classes("text-subtitle1" + (" text-red-9" if problem else " text-grey-8"))
        columns = 2 if any(len(option) > 22 for option in spec.options) else 3
        with ui.grid().classes(f"ks-options-{columns} w-full grow gap-2").style("min-height:0"):
            for index, option in enumerate(spec.options):
                chosen = option == value
                ui.button(option, on_click=self.act(lambda o=option: self.save_value(spec, o))) \
                    .props(f"{'unelevated color=teal-8' if chosen else 'outline color=teal-9'} no-caps") \
                    .classes("ks-tile w-full h-full text-h6").mark(f"option-{index}")

    def _date_editor(self, spec: FieldSpec, value: str, problem: str) -> None:
        """Day-month-year typed on the digit keys (a calendar's day cells are far too small for a finger at 480
        px high), with the date spelled out below so the resident sees what they typed."""
        t = self.t
        with ui.row().classes("ks-pair w-full grow items-center gap-6"):
            with ui.column().classes("grow gap-2"):
                ui.label(problem or spec.help or t("ksurat.date_hint")) \
                    .classes("text-subtitle1" + (" text-red-9" if problem else " text-grey-8"))
                box = self.entry(date_to_typed(value)).mark("edit-input")
                box.props["placeholder"] = t("ksurat.date_placeholder")
                spelled = ui.label(spelled_date(box.value)).classes("text-h6 text-teal-9").mark("edit-date-spelled")

            def typed(_: str) -> None:
                self.touched()
                box.value = typed_date(str(box.value or ""))
                spelled.set_text(spelled_date(box.value))

            digit_keypad(KeyTarget(box, max_length=10, allowed="0123456789", on_change=typed), width_px=280,
                         clear_label=t("ksurat.clear_short"))

    def save_field(self, spec: FieldSpec) -> None:
        value = str(self.inputs[0].value or "").strip() if self.inputs else ""
        self.save_value(spec, typed_to_iso(value) if spec.type == "date" else value)

    def save_value(self, spec: FieldSpec, value: str) -> None:
        flow = self.flow
        flow.values[spec.name] = value
        flow.problems.pop(spec.name, None)
        flow.editing = ""
        self.show_fields()

    def show_confirm(self, page: int | None = None) -> None:
        """The answers to check, beside (portrait: above) what to bring. A type with more answers than fit the
        smallest screen shows them a page at a time with the footer's pager; the Kirim button is on every page."""
        flow, t = self.flow, self.t
        flow.step = "confirm"
        if page is not None:
            flow.confirm_page = page
        info = self.current_type()
        pages = page_count(len(info.fields), CONFIRM_FIELDS_PER_PAGE)
        flow.confirm_page = min(max(flow.confirm_page, 0), pages - 1)
        first = flow.confirm_page * CONFIRM_FIELDS_PER_PAGE
        shown = info.fields[first:first + CONFIRM_FIELDS_PER_PAGE]
        back = self.show_fields if info.fields else self.back_to_types
        with self.screen(t("ksurat.confirm_title"), back=back, primary=(t("ksurat.submit"), "send", self.submit),
                         pager=(flow.confirm_page, pages, self.show_confirm)):
            with ui.row().classes("ks-split w-full grow gap-4").style("min-height:0"):
                with ui.column().classes("ks-confirm-answers gap-1 overflow-hidden"):
                    ui.label(t("ksurat.confirm_letter")).classes("text-caption text-grey-8")
                    ui.label(info.name).classes("ks-clamp-2 text-h6 text-weight-bold leading-tight") \
                        .mark("confirm-type")
                    with ui.grid(columns=2).classes("w-full gap-x-4 gap-y-1"):
                        for spec in shown:
                            with ui.column().classes("gap-0 overflow-hidden").style("min-width:0"):
                                ui.label(spec.label).classes("text-caption text-grey-8 ellipsis w-full")
                                ui.label(shown_value(spec, flow.values.get(spec.name, "")) or "-") \
                                    .classes("text-body1 text-weight-medium ellipsis w-full")
                    self.message_label()
                with ui.column().classes("ks-confirm-bring gap-1 q-pa-sm bg-amber-1 rounded-borders overflow-hidden"):
                    ui.label(t("ksurat.confirm_bring")).classes("text-subtitle1 text-weight-bold leading-tight")
                    for item in info.requirements or (t("ksurat.nothing_to_bring"),):
                        ui.label(f"• {item}").classes("ks-clamp-2 text-body2 leading-tight")

    async def submit(self) -> None:
        flow, t, ctx = self.flow, self.t, self.ctx
        info = self.current_type()
        with self.working(t("ksurat.sending")):
            try:
                summary = await run.io_bound(letter_requests.create_request, info.code, flow.person_id,
                                             self._answers(info), channel="kiosk", actor="kiosk", client=self.client)
            except FieldErrors as error:
                flow.problems = field_problems(error, t)
                self.show_fields(0)
                return
            except Exception as error:  # noqa: BLE001 - the resident sees a plain message
                flow.message = error_text(error, t)
                self.show_confirm()
                return
        slip_queued = True
        try:
            await run.io_bound(letter_print.enqueue_slip, summary.id, status_url_base=ctx.letter_status_url_base,
                               language=t.lang)
        except Exception:  # noqa: BLE001 - the request exists; only the slip failed, and the screen says so
            log.exception("the request slip could not be queued")
            slip_queued = False
        ctx.letters_changed()
        self.show_done(summary, slip_queued)

    def show_done(self, summary: LetterSummary, slip_queued: bool) -> None:
        flow, t = self.flow, self.t
        code = summary.tracking_code
        # What was typed is no longer needed: only the code stays on screen.
        self.wipe()
        flow.step = "done"
        printer_ok = slip_queued and self.ctx.print_worker is not None and self.ctx.print_worker.state.ready
        with self.screen(t("ksurat.title_request"), back=None, cancel=False,
                         primary=(t("kiosk.done"), "check", self.go_home)):
            with ui.row().classes("ks-split ks-done w-full grow items-center justify-center gap-8"):
                with ui.column().classes("items-center gap-1"):
                    ui.label(t("ksurat.code_caption")).classes("text-h6")
                    ui.label(code).classes("ks-code text-teal-900").mark("letter-code")
                    ui.label(summary.type_name).classes("text-subtitle1 text-center")
                    ui.label(t(f"letter.status.{summary.status}")).classes("text-h6 text-weight-bold") \
                        .mark("letter-status")
                    ui.label(t("ksurat.slip_printing") if printer_ok else t("ksurat.slip_problem")) \
                        .classes("text-subtitle1 text-weight-bold text-center")
                with ui.column().classes("items-center gap-1"):
                    qr_code(f"{self.ctx.letter_status_url_base}{letter_requests.normalize_code(code)}", 160) \
                        .mark("letter-qr")
                    ui.label(t("ksurat.scan_status")).classes("text-center text-body2").style("max-width: 190px")

    # --- check: start, the resident's letters, a code --------------------------------------------------------
