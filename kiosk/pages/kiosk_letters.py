"""/kiosk/surat and /kiosk/surat/cek: residents asking for a letter, following it and printing it at the kiosk.

Request: NIK -> PIN -> letter type -> its fields -> check -> tracking code on screen and on a slip.
Check: NIK -> PIN -> the resident's letters, a signed one printed on the office printer; or a tracking code
alone -> its status. Every step fits the kiosk's screen without scrolling (800x480 up, landscape or portrait:
FLOW_CSS lays the steps out again for a portrait screen), has "Kembali" and "Batal", and takes its input from
keys drawn in the page. After `kiosk_idle_seconds` without a touch everything entered
(NIK, PIN, answers) is wiped and the kiosk goes home.
"""

from __future__ import annotations

import inspect
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components import kiosk_access
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, digit_keypad
from kiosk.pages.kiosk_letter_check import CheckSteps
from kiosk.pages.kiosk_letter_request import RequestSteps
from kiosk.pages.letter_inputs import resident_login
from kiosk.pages.session import LANG_KEY, client_address, language
from kiosk.services import village
from kiosk.services.letter_requests import LetterSummary

FLOW_KEY = "balai_kiosk_letters"
# The guidance sentence (kiosk/i18n/kiosk_access.py `voice.*`) said when a step is entered.
VOICE_BY_STEP = {"nik": "nik", "pin": "pin", "types": "types", "fields": "fields", "edit": "edit",
                 "confirm": "confirm", "done": "sent", "check": "check", "code": "code", "code_status": "status",
                 "letters": "letters"}
FLOW_CSS = """
.ks-head { min-height: 44px; }
.ks-title { min-width: 0; flex: 1 1 auto; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.ks-root .ks-foot { flex-wrap: nowrap; }
.ks-foot .q-btn { min-height: 64px; min-width: 64px; font-size: 1.15rem; }
.ks-tile { min-height: 64px; border-radius: 16px; }
.ks-clamp-2, .ks-clamp-3 { display: -webkit-box; -webkit-box-orient: vertical; overflow: hidden; }
.ks-clamp-2 { -webkit-line-clamp: 2; }
.ks-clamp-3 { -webkit-line-clamp: 3; }
.ks-code { font-size: min(15vh, 5.5rem, 11vw); font-weight: 800; line-height: 1; letter-spacing: 0.04em;
           white-space: nowrap; }
.ks-entry .q-field__native { font-size: 1.9rem; letter-spacing: 0.08em; }
.ks-entry.ks-text .q-field__native { font-size: 1.4rem; letter-spacing: 0; }
.ks-types { grid-template-columns: repeat(3, minmax(0, 1fr)); grid-template-rows: repeat(2, minmax(0, 1fr)); }
.ks-fields { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-template-rows: repeat(3, minmax(0, 1fr)); }
.ks-choices { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-auto-rows: minmax(0, 1fr); }
.ks-options-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); grid-auto-rows: minmax(64px, 1fr); }
.ks-options-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-auto-rows: minmax(64px, 1fr); }
.ks-pair, .ks-split { display: flex; flex-direction: row; flex-wrap: nowrap; }
.ks-confirm-answers { flex: 3 1 0; min-width: 0; }
.ks-confirm-bring { flex: 2 1 0; min-width: 0; align-self: flex-start; }
body { overscroll-behavior: none; user-select: none; touch-action: manipulation; }
/* Portrait kiosks are narrow and tall: what sits side by side in landscape goes one under the other, the
   title may take two lines, and the pager gets a line of its own above the footer's buttons. */
@media (orientation: portrait) {
  .ks-title { white-space: normal; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;
              line-height: 1.3 !important; }
  .ks-head { padding-top: 4px; padding-bottom: 4px; }
  .ks-root .ks-foot { flex-wrap: wrap; row-gap: 8px; }
  .ks-pager { order: -1; width: 100%; justify-content: center; }
  .ks-pair, .ks-split { flex-direction: column !important; align-items: stretch !important;
                        justify-content: center !important; gap: 16px !important; }
  .ks-pair > * { flex-grow: 0 !important; }
  .ks-pair > .balai-digits { align-self: center !important; width: min(100%, 400px) !important;
                             grid-auto-rows: 76px !important; }
  .ks-split { justify-content: flex-start !important; }
  .ks-split > * { flex: 0 0 auto !important; align-self: stretch !important; }
  .ks-split.ks-done { justify-content: center !important; }
  .ks-done > * { align-self: center !important; }
  .ks-types { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-template-rows: repeat(3, minmax(0, 1fr)); }
  .ks-fields { grid-template-columns: minmax(0, 1fr); grid-template-rows: repeat(6, minmax(0, 1fr)); }
  .ks-choices { grid-template-columns: minmax(0, 1fr); }
  .ks-letter { flex-wrap: wrap !important; justify-content: flex-end; }
  .ks-letter > :first-child { flex: 1 1 100% !important; }
  .ks-options-3 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .ks-options-2 { grid-template-columns: minmax(0, 1fr); }
  .ks-options-2, .ks-options-3 { grid-auto-rows: minmax(80px, 140px); align-content: center; }
}
"""


@dataclass
class Flow:
    """Everything a resident entered in one visit; `wipe` forgets all of it."""

    mode: str
    step: str = ""
    nik: str = ""
    person_id: int | None = None
    type_code: str = ""
    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    editing: str = ""
    page: int = 0
    confirm_page: int = 0
    message: str = ""
    letters: list[LetterSummary] = field(default_factory=list)
    code: str = ""

    def wipe(self) -> None:
        mode = self.mode
        self.__dict__.update(Flow(mode).__dict__)


class LetterKiosk(RequestSteps, CheckSteps):
    """One kiosk visit: draws each step into `root` and remembers what was entered in `flow`."""

    def __init__(self, ctx: AppContext, mode: str, client: str) -> None:
        self.ctx = ctx
        self.client = client
        self.flow = Flow(mode)
        self.last_touch = time.monotonic()
        self.busy = False
        self.t = Translator(language(ctx.settings.language))
        self.inputs: list[Any] = []
        info = village.get_village()
        self.zone = info.timezone if info else "Asia/Jakarta"
        ui.add_css(FLOW_CSS)
        kiosk_access.install()  # high contrast / large text chosen on the home screen, press feedback, voice
        self.spoken_step = ""
        self.page_client = context.client  # handlers' own slots are often cleared before they speak
        ui.query(".nicegui-content").classes("p-0 gap-0")
        self.stable = ui.element()  # outlives every step: notifications live here
        self.root = ui.column().classes("ks-root w-full h-screen gap-0 no-wrap")
        ui.timer(1.0, self.on_tick)
        app.storage.client[FLOW_KEY] = self

    # --- frame -------------------------------------------------------------------------------------------

    def touched(self) -> None:
        self.last_touch = time.monotonic()

    def act(self, handler: Callable[[], Any]) -> Callable[[], Any]:
        async def run_it() -> None:
            self.touched()
            if self.busy:
                return
            result = handler()
            if inspect.isawaitable(result):
                await result
        return run_it

    @contextmanager
    def screen(self, title: str, *, back: Callable[[], Any] | None,
               primary: tuple[str, str, Callable[[], Any]] | None = None,
               pager: tuple[int, int, Callable[[int], None]] | None = None, cancel: bool = True) -> Iterator[None]:
        """Header, a body that never scrolls, and the footer: Kembali, Batal, a pager, the main action."""
        self.root.clear()
        self.inputs = []
        self.guide()
        t = self.t
        with self.root:
            with ui.row().classes("ks-head w-full items-center no-wrap q-px-md gap-3 bg-teal-800 text-white"):
                ui.icon("description", size="1.8rem")
                ui.label(title).classes("ks-title text-h6").mark("step-title")
            with ui.column().classes("ks-body w-full grow q-px-md q-py-xs gap-2 no-wrap overflow-hidden") \
                    .style("min-height:0"):
                yield
            with ui.row().classes("ks-foot w-full items-center q-px-md q-py-sm gap-2 bg-grey-2"):
                if back is not None:
                    ui.button(t("common.back"), icon="arrow_back", on_click=self.act(back)) \
                        .props("outline color=teal-9 no-caps").mark("step-back")
                if cancel:
                    ui.button(t("common.cancel"), icon="close", on_click=self.act(self.go_home)) \
                        .props("outline color=red-9 no-caps").mark("step-cancel")
                ui.space()
                if pager is not None and pager[1] > 1:
                    page, pages, turn = pager
                    with ui.row().classes("ks-pager items-center no-wrap gap-2"):
                        ui.button(icon="chevron_left", on_click=self.act(lambda: turn(page - 1))) \
                            .props("outline color=teal-9").mark("page-prev").set_enabled(page > 0)
                        ui.label(t("ksurat.page", page=page + 1, pages=pages)).classes("text-h6").mark("page-label")
                        ui.button(icon="chevron_right", on_click=self.act(lambda: turn(page + 1))) \
                            .props("outline color=teal-9").mark("page-next").set_enabled(page < pages - 1)
                if primary is not None:
                    label, icon, handler = primary
                    ui.button(label, icon=icon, on_click=self.act(handler)) \
                        .props("unelevated color=teal-8 no-caps").classes("min-w-[160px]").mark("step-next")

    def message_label(self) -> None:
        text = self.flow.message
        ui.label(text).classes("text-h6 text-red-9").mark("step-message").set_visibility(bool(text))

    def entry(self, value: str, *, password: bool = False, text: bool = False) -> ui.input:
        element = ui.input(value=value, password=password) \
            .props('outlined inputmode=none autocomplete=off spellcheck=false') \
            .classes("ks-entry w-full" + (" ks-text" if text else ""))
        self.inputs.append(element)
        return element

    # --- going home, idle ---------------------------------------------------------------------------------

    def wipe(self) -> None:
        """Forget every entered value, on screen and in memory."""
        self.flow.wipe()
        for element in self.inputs:
            element.value = ""
        self.inputs = []

    def go_home(self) -> None:
        self.wipe()
        self.root.clear()
        ui.navigate.to("/kiosk")

    def on_tick(self) -> None:
        if time.monotonic() - self.last_touch > self.ctx.settings.kiosk_idle_seconds:
            self.last_touch = time.monotonic()
            # The next resident starts in the office's language with the standard display and no voice.
            app.storage.user[LANG_KEY] = self.ctx.settings.language
            kiosk_access.reset_modes()
            self.go_home()

    def guide(self) -> None:
        """Say the current step's sentence once when the step is entered (not again when it is redrawn for a
        page turn or a typed key)."""
        step = self.flow.step
        if step != self.spoken_step:
            self.spoken_step = step
            if step in VOICE_BY_STEP:
                kiosk_access.say(self.ctx, self.page_client, VOICE_BY_STEP[step], self.t.lang)

    # --- NIK and PIN ----------------------------------------------------------------------------------------

    def show_nik(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "nik"
        title = t("ksurat.title_request" if flow.mode == "request" else "ksurat.title_check")
        back = self.go_home if flow.mode == "request" else self.show_check_start
        with self.screen(title, back=back, primary=(t("ksurat.next"), "arrow_forward", self.nik_done)):
            with ui.row().classes("ks-pair w-full grow items-center gap-6"):
                with ui.column().classes("grow gap-2"):
                    ui.label(t("ksurat.nik_prompt")).classes("text-h5")
                    box = self.entry(flow.nik).mark("nik-input")
                    count = ui.label(t("ksurat.nik_count", count=len(flow.nik))).classes("text-subtitle1")
                    self.message_label()
                digit_keypad(KeyTarget(box, max_length=16, allowed="0123456789", on_change=lambda text: (
                    self.touched(), count.set_text(t("ksurat.nik_count", count=len(text))))))

    def nik_done(self) -> None:
        box = self.inputs[0]
        digits = "".join(ch for ch in str(box.value or "") if ch.isdigit())
        if len(digits) != 16:
            self.flow.message = self.t("ksurat.nik_short")
            self.flow.nik = digits
            self.show_nik()
            return
        self.flow.nik, self.flow.message = digits, ""
        self.show_pin()

    def show_pin(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "pin"
        title = t("ksurat.title_request" if flow.mode == "request" else "ksurat.title_check")
        with self.screen(title, back=self.back_to_nik, primary=(t("ksurat.login"), "login", self.pin_done)):
            with ui.row().classes("ks-pair w-full grow items-center gap-6"):
                with ui.column().classes("grow gap-2"):
                    ui.label(t("ksurat.pin_prompt")).classes("text-h5")
                    ui.label(t("ksurat.pin_for", nik=f"{flow.nik[:4]} •••• •••• {flow.nik[-4:]}")) \
                        .classes("text-subtitle1")
                    self.entry("", password=True).mark("pin-input")
                    self.message_label()
                    ui.label(t("ksurat.pin_hint")).classes("text-body1 text-grey-8")
                digit_keypad(KeyTarget(self.inputs[0], max_length=6, allowed="0123456789",
                                       on_change=lambda _: self.touched()))

    def back_to_nik(self) -> None:
        self.flow.message = ""
        self.show_nik()

    @contextmanager
    def working(self, text: str) -> Iterator[None]:
        """A step that waits on the server: further taps are ignored, a spinner says what is happening, and
        the end counts as a touch (the idle timer starts again from there)."""
        self.busy = True
        with self.stable:
            waiting = ui.notification(text, spinner=True, timeout=None, position="center")
        try:
            yield
        finally:
            self.busy = False
            waiting.dismiss()
            self.touched()

    async def pin_done(self) -> None:
        flow, t = self.flow, self.t
        pin = str(self.inputs[0].value or "")
        self.inputs[0].value = ""
        with self.working(t("ksurat.checking")):
            try:
                flow.person_id = await resident_login(self.ctx, flow.nik, pin, self.client, kiosk=True)
            except Exception as error:  # noqa: BLE001 - the resident sees one plain message
                flow.message = error_text(error, t)
                self.show_pin()
                return
        flow.message, flow.page = "", 0
        if flow.mode == "request":
            self.show_types()
        else:
            await self.show_letters()

    def logout_to_pin(self) -> None:
        self.flow.person_id = None
        self.flow.message = ""
        self.show_pin()

    # --- request: type, fields, confirm, done ---------------------------------------------------------------


def register(ctx: AppContext) -> None:
    @ui.page("/kiosk/surat", title="Balai · Minta Surat")
    def request_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        LetterKiosk(ctx, "request", client_address(request)).show_nik()
        return None

    @ui.page("/kiosk/surat/cek", title="Balai · Cek Surat")
    def check_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        LetterKiosk(ctx, "check", client_address(request)).show_check_start()
        return None
