"""The kiosk's check-and-print steps: the resident's letters after NIK + PIN (a signed one printed on the office
printer and handed over), or a tracking code alone for its status. A mixin of `LetterKiosk`.
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, letter_keyboard
from kiosk.pages.letter_inputs import LETTERS_PER_PAGE, CODE_CHARS, page_count
from kiosk.services import letter_print, letter_requests
from kiosk.services.clock import format_date, local_day
from kiosk.services.errors import ServiceError
from kiosk.services.letter_requests import LetterSummary


class CheckSteps:
    """Steps of /kiosk/surat/cek."""

    flow: Any
    ctx: AppContext
    t: Translator

    def show_check_start(self) -> None:
        flow, t = self.flow, self.t
        flow.wipe()
        flow.step = "check"
        with self.screen(t("ksurat.title_check"), back=self.go_home):
            with ui.grid().classes("ks-choices w-full grow gap-3").style("min-height:0"):
                for marker, icon, title, hint, handler in (
                        ("check-login", "badge", "ksurat.check_login", "ksurat.check_login_hint", self.show_nik),
                        ("check-code", "qr_code_2", "ksurat.check_code", "ksurat.check_code_hint", self.show_code)):
                    with ui.button(on_click=self.act(handler)).props("unelevated color=teal-7 no-caps") \
                            .classes("ks-tile w-full h-full").mark(marker):
                        with ui.column().classes("items-center gap-2 overflow-hidden"):
                            ui.icon(icon, size="3rem")
                            ui.label(t(title)).classes("ks-clamp-2 text-h6 leading-tight")
                            ui.label(t(hint)).classes("ks-clamp-3 text-body2 opacity-90")

    async def show_letters(self, page: int | None = None, reload: bool = True) -> None:
        flow, t = self.flow, self.t
        flow.step = "letters"
        if reload:
            flow.letters = await run.io_bound(letter_requests.list_requests, limit=60, person_id=flow.person_id)
        if page is not None:
            flow.page = page
        pages = page_count(len(flow.letters), LETTERS_PER_PAGE)
        flow.page = min(max(flow.page, 0), pages - 1)
        shown = flow.letters[flow.page * LETTERS_PER_PAGE:(flow.page + 1) * LETTERS_PER_PAGE]

        with self.screen(t("ksurat.my_letters"), back=self.logout_to_pin,
                         pager=(flow.page, pages, lambda to: self.show_letters(to, reload=False))):
            if not flow.letters:
                ui.label(t("ksurat.no_letters")).classes("text-h6")
            for summary in shown:
                self.letter_row(summary)
            self.message_label()

    def letter_row(self, summary: LetterSummary) -> None:
        t = self.t
        status = t("letter.status.revoked") if summary.revoked else t(f"letter.status.{summary.status}")
        printable = summary.status in ("siap", "diambil") and not summary.revoked and bool(summary.number)
        with ui.row().classes("ks-letter w-full items-center no-wrap gap-3 q-px-md q-py-xs bg-grey-2 "
                              "rounded-borders") \
                .style("min-height: 76px").mark(f"request-{summary.tracking_code}"):
            with ui.column().classes("grow gap-0 overflow-hidden").style("min-width:0"):
                ui.label(summary.type_name).classes("text-subtitle1 text-weight-bold ellipsis w-full")
                day = format_date(local_day(summary.created_at, self.zone))
                extra = f" · {t('ksurat.number', number=summary.number)}" if summary.number else ""
                ui.label(f"{t('ksurat.requested_on', date=day)} · {summary.tracking_code}{extra}") \
                    .classes("text-body2 ellipsis w-full")
            ui.label(status).classes("text-subtitle1 text-weight-bold " + (
                "text-red-9" if summary.revoked else "text-teal-9")).mark(f"status-{summary.tracking_code}")
            if printable:
                ui.button(t("ksurat.print"), icon="print", on_click=self.act(lambda s=summary: self.print_letter(s))) \
                    .props("unelevated color=teal-8 no-caps").classes("min-h-[64px]") \
                    .mark(f"print-{summary.tracking_code}")

    async def print_letter(self, summary: LetterSummary) -> None:
        flow, t = self.flow, self.t
        # Only a letter of the list this resident's own NIK + PIN brought up can be printed.
        if summary not in flow.letters:
            return
        self.busy = True
        try:
            await run.io_bound(letter_print.enqueue_letter, summary.id, actor="kiosk", client=self.client,
                               hand_over=True)
        except Exception as error:  # noqa: BLE001 - the resident sees a plain message
            flow.message = error_text(error, t)
            self.busy = False
            await self.show_letters()
            return
        self.busy = False
        self.ctx.letters_changed()
        flow.step = "printed"
        has_printer = self.ctx.letter_worker is not None

        async def back() -> None:
            await self.show_letters()

        with self.screen(t("ksurat.title_check"), back=back, primary=(t("kiosk.done"), "check", self.go_home)):
            with ui.column().classes("w-full grow items-center justify-center gap-3"):
                ui.icon("print", size="5rem").classes("text-teal-8")
                ui.label(t("ksurat.printing") if has_printer else t("ksurat.print_no_printer")) \
                    .classes("text-h5 text-weight-bold text-center").mark("printed-message")
                ui.label(summary.type_name).classes("text-h6")
                if has_printer:
                    ui.label(t("ksurat.printing_hint")).classes("text-subtitle1")

    def show_code(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "code"
        with self.screen(t("ksurat.check_code"), back=self.show_check_start,
                         primary=(t("ksurat.check"), "search", self.code_done)):
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                # The refusal takes the prompt's place: the keys below must stay on the 480 px screen.
                ui.label(flow.message or t("ksurat.code_prompt")) \
                    .classes("text-subtitle1 leading-tight"
                             + (" text-red-9 text-weight-bold" if flow.message else "")) \
                    .style("width: 230px; min-width: 230px").mark("step-message" if flow.message else "code-prompt")
                box = self.entry(flow.code, text=True).mark("code-input")
            letter_keyboard(KeyTarget(box, max_length=9, allowed=CODE_CHARS, upper=True,
                                      on_change=lambda _: self.touched()), space_label=t("ksurat.space"))

    async def code_done(self) -> None:
        flow, t = self.flow, self.t
        flow.code = str(self.inputs[0].value or "")
        code = letter_requests.normalize_code(flow.code)
        if len(code) != 8:
            flow.message = t("ksurat.code_short")
            self.show_code()
            return
        try:
            status = await run.io_bound(letter_requests.public_status, code)
        except ServiceError as error:
            flow.message = error_text(error, t)
            self.show_code()
            return
        flow.message = ""
        flow.step = "code_status"
        word = t("letter.status.revoked") if status.revoked else t(f"letter.status.{status.status}")
        with self.screen(t("ksurat.status_of", code=status.tracking_code), back=self.show_code,
                         primary=(t("kiosk.done"), "check", self.go_home)):
            with ui.column().classes("w-full grow items-center justify-center gap-2"):
                ui.label(status.type_name).classes("text-h6 text-center")
                colour = "text-red-9" if status.revoked else "text-teal-9"
                ui.label(word).classes(f"text-h3 text-weight-bold {colour}") \
                    .mark("code-status")
                if status.number:
                    ui.label(t("ksurat.number", number=status.number)).classes("text-h6")
                if status.status_note:
                    ui.label(t("ksurat.note", note=status.status_note)).classes("text-subtitle1 text-center")
                ui.label(t("ksurat.requested_on", date=format_date(local_day(status.created_at, self.zone)))) \
                    .classes("text-body1")
