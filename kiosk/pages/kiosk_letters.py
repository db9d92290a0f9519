"""/kiosk/surat and /kiosk/surat/cek: residents asking for a letter, following it and printing it at the kiosk.

Request: NIK -> PIN -> letter type -> its fields -> check -> tracking code on screen and on a slip.
Check: NIK -> PIN -> the resident's letters, a signed one printed on the office printer; or a tracking code
alone -> its status. Every step fits the 800x480 screen without scrolling, has "Kembali" and "Batal", and
takes its input from keys drawn in the page. After `kiosk_idle_seconds` without a touch everything entered
(NIK, PIN, answers) is wiped and the kiosk goes home.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, digit_keypad, letter_keyboard
from kiosk.pages.components.qr import qr_code
from kiosk.pages.session import client_address, language
from kiosk.services import letter_print, letter_requests, letter_types, resident_pins, village
from kiosk.services.clock import format_date, local_day
from kiosk.services.errors import ServiceError
from kiosk.services.letter_fields import FieldErrors, FieldSpec, clean_fields
from kiosk.services.letter_requests import LetterSummary
from kiosk.services.letter_types import LetterTypeInfo

FAILURE_SECONDS = 0.8     # every refused NIK + PIN answers after at least this long, whatever the reason
TYPES_PER_PAGE = 6
FIELDS_PER_PAGE = 6
LETTERS_PER_PAGE = 3
FLOW_KEY = "balai_kiosk_letters"
_CODE_CHARS = "23456789ABCDEFGHJKMNPQRSTVWXYZ-"
_DIGIT_TYPES = {"number": None, "money": None, "nik": None, "time": "."}

FLOW_CSS = """
.ks-head { height: 44px; min-height: 44px; }
.ks-foot .q-btn { min-height: 64px; min-width: 64px; font-size: 1.15rem; }
.ks-tile { min-height: 64px; border-radius: 16px; }
.ks-code { font-size: min(15vh, 5.5rem); font-weight: 800; line-height: 1; letter-spacing: 0.04em; }
.ks-entry .q-field__native { font-size: 1.9rem; letter-spacing: 0.08em; }
.ks-entry.ks-text .q-field__native { font-size: 1.4rem; letter-spacing: 0; }
body { overscroll-behavior: none; user-select: none; touch-action: manipulation; }
"""


async def resident_login(ctx: AppContext, nik: str, pin: str, client: str, *, kiosk: bool = False) -> int:
    """The person id for a NIK + PIN, or the service's ServiceError ("pin.wrong" / "pin.locked"). The kiosk
    (one address for the whole waiting room) has a wider per-address limit than a phone.

    The service already spends the same hashing time on an unknown NIK as on a wrong PIN; here every refusal
    also takes at least FAILURE_SECONDS on the page, so no answer comes back sooner than another."""
    started = time.monotonic()
    try:
        policy = ctx.kiosk_pin_policy if kiosk else ctx.pin_policy
        return await run.io_bound(resident_pins.check_resident, nik, pin, client, policy)
    except Exception:
        await asyncio.sleep(max(0.0, FAILURE_SECONDS - (time.monotonic() - started)))
        raise


def requirement_hint(info: LetterTypeInfo, t: Translator) -> str:
    if not info.requirements:
        return ""
    first = info.requirements[0]
    if len(info.requirements) == 1:
        return t("ksurat.bring_one", first=first)
    return t("ksurat.bring_more", first=first, count=len(info.requirements) - 1)


def shown_value(spec: FieldSpec, value: str) -> str:
    if spec.type == "date" and value:
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if spec.type == "money" and value:
        return f"Rp {value}"
    return value


def _typed_date(text: str) -> str:
    """'22112026' (or a half-typed part of it) as '22-11-2026'."""
    digits = "".join(ch for ch in text if ch.isdigit())[:8]
    return "-".join(part for part in (digits[:2], digits[2:4], digits[4:]) if part)


def _typed_to_iso(text: str) -> str:
    """'22-11-2026' -> '2026-11-22'; anything else is kept as typed, for the field check to name."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 8:
        return f"{digits[4:]}-{digits[2:4]}-{digits[:2]}"
    return text


def _date_to_typed(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return _typed_date(value)
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def _spelled(typed: str) -> str:
    try:
        return format_date(date.fromisoformat(_typed_to_iso(typed)))
    except ValueError:
        return ""


def field_problems(error: FieldErrors, t: Translator) -> dict[str, str]:
    return {name: t(key, **params) for name, (key, params) in error.problems.items()}


def _pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


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
    message: str = ""
    letters: list[LetterSummary] = field(default_factory=list)
    code: str = ""

    def wipe(self) -> None:
        mode = self.mode
        self.__dict__.update(Flow(mode).__dict__)


class LetterKiosk:
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
        ui.query(".nicegui-content").classes("p-0 gap-0")
        self.stable = ui.element()  # outlives every step: notifications live here
        self.root = ui.column().classes("w-full h-screen gap-0 no-wrap")
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
        t = self.t
        with self.root:
            with ui.row().classes("ks-head w-full items-center no-wrap q-px-md gap-3 bg-teal-800 text-white"):
                ui.icon("description", size="1.8rem")
                ui.label(title).classes("text-h6 ellipsis").mark("step-title")
            with ui.column().classes("w-full grow q-px-md q-py-xs gap-2 no-wrap overflow-hidden").style("min-height:0"):
                yield
            with ui.row().classes("ks-foot w-full items-center no-wrap q-px-md q-py-sm gap-2 bg-grey-2"):
                if back is not None:
                    ui.button(t("common.back"), icon="arrow_back", on_click=self.act(back)) \
                        .props("outline color=teal-9 no-caps").mark("step-back")
                if cancel:
                    ui.button(t("common.cancel"), icon="close", on_click=self.act(self.go_home)) \
                        .props("outline color=red-9 no-caps").mark("step-cancel")
                ui.space()
                if pager is not None and pager[1] > 1:
                    page, pages, turn = pager
                    ui.button(icon="chevron_left", on_click=self.act(lambda: turn(page - 1))) \
                        .props("outline color=teal-9").mark("page-prev").set_enabled(page > 0)
                    ui.label(t("ksurat.page", page=page + 1, pages=pages)).classes("text-h6")
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
            self.go_home()

    # --- NIK and PIN ----------------------------------------------------------------------------------------

    def show_nik(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "nik"
        title = t("ksurat.title_request" if flow.mode == "request" else "ksurat.title_check")
        back = self.go_home if flow.mode == "request" else self.show_check_start
        with self.screen(title, back=back, primary=(t("ksurat.next"), "arrow_forward", self.nik_done)):
            with ui.row().classes("w-full grow no-wrap items-center gap-6"):
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
            with ui.row().classes("w-full grow no-wrap items-center gap-6"):
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

    async def pin_done(self) -> None:
        flow, t = self.flow, self.t
        pin = str(self.inputs[0].value or "")
        self.inputs[0].value = ""
        self.busy = True
        with self.stable:
            waiting = ui.notification(t("ksurat.checking"), spinner=True, timeout=None, position="center")
        try:
            flow.person_id = await resident_login(self.ctx, flow.nik, pin, self.client, kiosk=True)
        except Exception as error:  # noqa: BLE001 - the resident sees one plain message
            flow.message = error_text(error, t)
            self.show_pin()
            return
        finally:
            self.busy = False
            waiting.dismiss()
            self.touched()
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

    def show_types(self, page: int | None = None) -> None:
        flow, t = self.flow, self.t
        flow.step = "types"
        if page is not None:
            flow.page = page
        known = letter_types.list_types()
        pages = _pages(len(known), TYPES_PER_PAGE)
        flow.page = min(max(flow.page, 0), pages - 1)
        shown = known[flow.page * TYPES_PER_PAGE:(flow.page + 1) * TYPES_PER_PAGE]
        with self.screen(t("ksurat.choose_type"), back=self.logout_to_pin, pager=(flow.page, pages, self.show_types)):
            if not known:
                ui.label(t("ksurat.no_types")).classes("text-h6")
            with ui.grid(columns=3).classes("w-full grow gap-2").style("grid-auto-rows: 1fr"):
                for info in shown:
                    with ui.button(on_click=self.act(lambda code=info.code: self.choose_type(code))) \
                            .props("unelevated color=teal-7 no-caps align=left") \
                            .classes("ks-tile w-full h-full").mark(f"type-{info.code}"):
                        with ui.column().classes("items-start gap-1 w-full text-left"):
                            ui.label(info.name).classes("text-subtitle1 text-weight-bold leading-tight")
                            ui.label(requirement_hint(info, t)).classes("text-caption leading-tight opacity-90")

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
            self.show_confirm()
            return
        pages = _pages(len(info.fields), FIELDS_PER_PAGE)
        flow.page = min(max(flow.page, 0), pages - 1)
        shown = info.fields[flow.page * FIELDS_PER_PAGE:(flow.page + 1) * FIELDS_PER_PAGE]
        with self.screen(t("ksurat.fill_title", type=info.name), back=self.back_to_types,
                         primary=(t("ksurat.next"), "arrow_forward", self.fields_done),
                         pager=(flow.page, pages, self.show_fields)):
            with ui.grid(columns=2).classes("w-full grow gap-2").style("grid-template-rows: repeat(3, 1fr)"):
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
        self.show_confirm()

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
            elif spec.type in _DIGIT_TYPES:
                with ui.row().classes("w-full grow no-wrap items-center gap-6"):
                    with ui.column().classes("grow gap-2"):
                        if spec.help:
                            ui.label(spec.help).classes("text-body1 text-grey-8")
                        box = self.entry(value).mark("edit-input")
                        if problem:
                            ui.label(problem).classes("text-subtitle1 text-red-9")
                    max_length = 16 if spec.type == "nik" else 5 if spec.type == "time" else 15
                    extra = _DIGIT_TYPES[spec.type]
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
        with ui.grid(columns=columns).classes("w-full grow gap-2").style("grid-auto-rows: minmax(64px, 1fr)"):
            for index, option in enumerate(spec.options):
                chosen = option == value
                ui.button(option, on_click=self.act(lambda o=option: self.save_value(spec, o))) \
                    .props(f"{'unelevated color=teal-8' if chosen else 'outline color=teal-9'} no-caps") \
                    .classes("ks-tile w-full h-full text-h6").mark(f"option-{index}")

    def _date_editor(self, spec: FieldSpec, value: str, problem: str) -> None:
        """Day-month-year typed on the digit keys (a calendar's day cells are far too small for a finger at 480
        px high), with the date spelled out below so the resident sees what they typed."""
        t = self.t
        with ui.row().classes("w-full grow no-wrap items-center gap-6"):
            with ui.column().classes("grow gap-2"):
                ui.label(problem or spec.help or t("ksurat.date_hint")) \
                    .classes("text-subtitle1" + (" text-red-9" if problem else " text-grey-8"))
                box = self.entry(_date_to_typed(value)).mark("edit-input")
                box.props["placeholder"] = t("ksurat.date_placeholder")
                spelled = ui.label(_spelled(box.value)).classes("text-h6 text-teal-9").mark("edit-date-spelled")

            def typed(_: str) -> None:
                self.touched()
                box.value = _typed_date(str(box.value or ""))
                spelled.set_text(_spelled(box.value))

            digit_keypad(KeyTarget(box, max_length=10, allowed="0123456789", on_change=typed), width_px=280,
                         clear_label=t("ksurat.clear_short"))

    def save_field(self, spec: FieldSpec) -> None:
        value = str(self.inputs[0].value or "").strip() if self.inputs else ""
        self.save_value(spec, _typed_to_iso(value) if spec.type == "date" else value)

    def save_value(self, spec: FieldSpec, value: str) -> None:
        flow = self.flow
        flow.values[spec.name] = value
        flow.problems.pop(spec.name, None)
        flow.editing = ""
        self.show_fields()

    def show_confirm(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "confirm"
        info = self.current_type()
        back = self.show_fields if info.fields else self.back_to_types
        with self.screen(t("ksurat.confirm_title"), back=back, primary=(t("ksurat.submit"), "send", self.submit)):
            with ui.row().classes("w-full grow no-wrap gap-4"):
                with ui.column().classes("grow gap-1 overflow-hidden").style("min-width:0; flex-basis: 60%"):
                    ui.label(t("ksurat.confirm_letter")).classes("text-caption text-grey-8")
                    ui.label(info.name).classes("text-h6 text-weight-bold leading-tight").mark("confirm-type")
                    with ui.grid(columns=2).classes("w-full gap-x-4 gap-y-1"):
                        for spec in info.fields:
                            with ui.column().classes("gap-0 overflow-hidden").style("min-width:0"):
                                ui.label(spec.label).classes("text-caption text-grey-8 ellipsis w-full")
                                ui.label(shown_value(spec, flow.values.get(spec.name, "")) or "-") \
                                    .classes("text-body1 text-weight-medium ellipsis w-full")
                    self.message_label()
                with ui.column().classes("gap-1 q-pa-sm bg-amber-1 rounded-borders overflow-hidden") \
                        .style("flex-basis: 40%; min-width:0"):
                    ui.label(t("ksurat.confirm_bring")).classes("text-subtitle1 text-weight-bold")
                    for item in info.requirements or (t("ksurat.nothing_to_bring"),):
                        ui.label(f"• {item}").classes("text-body2 leading-tight")

    async def submit(self) -> None:
        flow, t, ctx = self.flow, self.t, self.ctx
        info = self.current_type()
        self.busy = True
        with self.stable:
            waiting = ui.notification(t("ksurat.sending"), spinner=True, timeout=None, position="center")
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
        finally:
            self.busy = False
            waiting.dismiss()
            self.touched()
        slip_queued = True
        try:
            await run.io_bound(letter_print.enqueue_slip, summary.id, status_url_base=ctx.letter_status_url_base,
                               language=t.lang)
        except Exception as error:  # noqa: BLE001 - the request exists; only the slip failed
            error_text(error, t)
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
            with ui.row().classes("w-full grow items-center justify-center no-wrap gap-8"):
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

    def show_check_start(self) -> None:
        flow, t = self.flow, self.t
        flow.wipe()
        flow.step = "check"
        with self.screen(t("ksurat.title_check"), back=self.go_home):
            with ui.grid(columns=2).classes("w-full grow gap-3").style("grid-auto-rows: 1fr"):
                for marker, icon, title, hint, handler in (
                        ("check-login", "badge", "ksurat.check_login", "ksurat.check_login_hint", self.show_nik),
                        ("check-code", "qr_code_2", "ksurat.check_code", "ksurat.check_code_hint", self.show_code)):
                    with ui.button(on_click=self.act(handler)).props("unelevated color=teal-7 no-caps") \
                            .classes("ks-tile w-full h-full").mark(marker):
                        with ui.column().classes("items-center gap-2"):
                            ui.icon(icon, size="3rem")
                            ui.label(t(title)).classes("text-h6")
                            ui.label(t(hint)).classes("text-body2 opacity-90")

    async def show_letters(self, page: int | None = None, reload: bool = True) -> None:
        flow, t = self.flow, self.t
        flow.step = "letters"
        if reload:
            flow.letters = await run.io_bound(letter_requests.list_requests, limit=60, person_id=flow.person_id)
        if page is not None:
            flow.page = page
        pages = _pages(len(flow.letters), LETTERS_PER_PAGE)
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
        with ui.row().classes("w-full items-center no-wrap gap-3 q-px-md q-py-xs bg-grey-2 rounded-borders") \
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
            letter_keyboard(KeyTarget(box, max_length=9, allowed=_CODE_CHARS, upper=True,
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
