"""/kiosk/complaint and /kiosk/complaint/check: a complaint or suggestion typed at the office touch screen, and
its status and replies by tracking code.

File: category -> who (anonymous / resident with NIK + PIN / a typed name) -> the text on keys drawn in the
page -> check -> the tracking code on screen with a QR that opens its phone page. The kiosk has no camera:
the done screen says a photo can be sent from a phone. Check: the code on the keys -> status, due date and
the latest replies. Every step fits 800x480 and 480x800 without scrolling (the letter flow's frame and
portrait CSS); after `kiosk_idle_seconds` without a touch everything typed is wiped and the kiosk goes home.
Text is set as text (labels), never as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, digit_keypad, letter_keyboard
from kiosk.pages.components.qr import qr_code
from kiosk.pages.kiosk_letters import LetterKiosk
from kiosk.pages.letter_inputs import CODE_CHARS, resident_login
from kiosk.pages.session import client_address
from kiosk.services import complaints, village
from kiosk.services.clock import format_date, local_day
from kiosk.services.complaint_checks import NAME_MAX, clean_text
from kiosk.services.complaints import NewComplaint
from kiosk.services.errors import ServiceError
from kiosk.services.ratelimit import RateLimiter

KIOSK_BODY_MAX = 500          # typing on a touch screen: a few sentences; longer ones go by phone
CODE_LOOKUPS_PER_MINUTE = 30  # the kiosk is one address for the whole waiting room
WHO_ICONS = {"anonim": "visibility_off", "warga": "badge", "nama": "person"}


@dataclass
class Answers:
    """What a resident entered for a complaint; wiped with the rest of the visit."""

    category: str = ""
    category_name: str = ""
    identity: str = ""
    name: str = ""
    body: str = ""


class ComplaintKiosk(LetterKiosk):
    """One kiosk visit to the complaint screens, on the letter flow's frame (header, footer, idle reset,
    on-screen keys), with the letter steps left unused."""

    def __init__(self, ctx: AppContext, mode: str, client: str, limiter: RateLimiter) -> None:
        super().__init__(ctx, mode, client)
        self.answers = Answers()
        self.limiter = limiter
        self.code_base = f"{ctx.base_url}/m/complaint/"

    def wipe(self) -> None:
        self.answers = Answers()
        super().wipe()

    def go_back_to_menu(self) -> None:
        self.wipe()
        self.root.clear()
        ui.navigate.to("/kiosk/warga")

    # --- file: category, who, NIK + PIN, name, text, confirm, done ---------------------------------------------

    def show_start(self) -> None:
        """New complaint or check one: two big tiles."""
        t = self.t
        self.wipe()
        self.flow.step = "adu_start"
        with self.screen(t("kadu.title"), back=self.go_back_to_menu):
            with ui.grid().classes("ks-choices w-full grow gap-3").style("min-height:0"):
                for marker, icon, title, hint, handler in (
                        ("adu-new", "campaign", "kadu.new_tile", "kadu.new_tile_hint", self.show_categories),
                        ("adu-check", "manage_search", "kadu.check_tile", "kadu.check_tile_hint",
                         self.show_code_entry)):
                    with ui.button(on_click=self.act(handler)).props("unelevated color=teal-7 no-caps") \
                            .classes("ks-tile w-full h-full").mark(marker):
                        with ui.column().classes("items-center gap-2 overflow-hidden"):
                            ui.icon(icon, size="3rem")
                            ui.label(t(title)).classes("ks-clamp-2 text-h6 leading-tight")
                            ui.label(t(hint)).classes("ks-clamp-3 text-body2 opacity-90")

    def show_categories(self) -> None:
        t = self.t
        self.flow.step = "adu_category"
        known = complaints.categories()
        with self.screen(t("kadu.choose_category"), back=self.show_start):
            with ui.grid().classes("ks-types w-full grow gap-2").style("min-height:0"):
                for cat in known[:6]:
                    with ui.button(on_click=self.act(lambda c=cat: self.choose_category(c.code, c.name))) \
                            .props("unelevated color=teal-7 no-caps").classes("ks-tile w-full h-full") \
                            .mark(f"adu-category-{cat.code}"):
                        ui.label(cat.name).classes("ks-clamp-3 text-h6 leading-tight")

    def choose_category(self, code: str, name: str) -> None:
        self.answers.category, self.answers.category_name = code, name
        self.show_who()

    def show_who(self) -> None:
        t = self.t
        self.flow.step = "adu_who"
        self.flow.message = ""
        with self.screen(t("kadu.who_title"), back=self.show_categories):
            with ui.grid().classes("ks-options-3 w-full grow gap-3").style("min-height:0"):
                for identity in complaints.IDENTITIES:
                    with ui.button(on_click=self.act(lambda i=identity: self.choose_who(i))) \
                            .props("unelevated color=teal-7 no-caps").classes("ks-tile w-full h-full") \
                            .mark(f"adu-who-{identity}"):
                        with ui.column().classes("items-center gap-1 overflow-hidden"):
                            ui.icon(WHO_ICONS[identity], size="2.4rem")
                            ui.label(t(f"complaint.identity.{identity}")).classes("ks-clamp-2 text-h6 leading-tight")
                            ui.label(t(f"kadu.who_{identity}_hint")).classes("ks-clamp-2 text-body2 opacity-90")

    def choose_who(self, identity: str) -> None:
        self.answers.identity = identity
        self.flow.person_id = None
        if identity == "warga":
            self.show_nik()
        elif identity == "nama":
            self.show_name()
        else:
            self.show_body()

    def show_nik(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "nik"
        with self.screen(t("kadu.title"), back=self.show_who,
                         primary=(t("ksurat.next"), "arrow_forward", self.nik_done)):
            with ui.row().classes("ks-pair w-full grow items-center gap-6"):
                with ui.column().classes("grow gap-2"):
                    ui.label(t("ksurat.nik_prompt")).classes("text-h5")
                    box = self.entry(flow.nik).mark("nik-input")
                    count = ui.label(t("ksurat.nik_count", count=len(flow.nik))).classes("text-subtitle1")
                    self.message_label()
                digit_keypad(KeyTarget(box, max_length=16, allowed="0123456789", on_change=lambda text: (
                    self.touched(), count.set_text(t("ksurat.nik_count", count=len(text))))))

    def show_pin(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "pin"
        with self.screen(t("kadu.title"), back=self.back_to_nik, primary=(t("ksurat.login"), "login", self.pin_done)):
            with ui.row().classes("ks-pair w-full grow items-center gap-6"):
                with ui.column().classes("grow gap-2"):
                    ui.label(t("ksurat.pin_prompt")).classes("text-h5")
                    ui.label(t("ksurat.pin_for", nik=f"{flow.nik[:4]} •••• •••• {flow.nik[-4:]}")) \
                        .classes("text-subtitle1")
                    self.entry("", password=True).mark("pin-input")
                    self.message_label()
                digit_keypad(KeyTarget(self.inputs[0], max_length=6, allowed="0123456789",
                                       on_change=lambda _: self.touched()))

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
        flow.message = ""
        self.show_body()

    def show_name(self) -> None:
        t = self.t
        self.flow.step = "adu_name"
        with self.screen(t("kadu.name_prompt"), back=self.show_who,
                         primary=(t("kadu.next"), "arrow_forward", self.name_done)):
            self.prompt_line(t("kadu.name_prompt"))
            box = self.entry(self.answers.name, text=True).mark("adu-name-input")
            letter_keyboard(KeyTarget(box, max_length=80, on_change=lambda _: self.touched()),
                            space_label=t("ksurat.space"))

    def name_done(self) -> None:
        self.answers.name = str(self.inputs[0].value or "")
        try:
            self.answers.name = clean_text(self.answers.name, field="name", minimum=3, maximum=NAME_MAX,
                                           one_line=True)
        except ServiceError as error:
            self.flow.message = error_text(error, self.t)
            self.show_name()
            return
        self.flow.message = ""
        self.show_body()

    def prompt_line(self, prompt: str) -> None:
        """The prompt, or in its place the refusal in red: the keys below must stay on a 480 px screen."""
        message = self.flow.message
        ui.label(message or prompt).classes("ks-clamp-2 text-subtitle1 leading-tight" + (
            " text-red-9 text-weight-bold" if message else "")).mark("step-message" if message else "adu-prompt")

    def back_from_body(self) -> None:
        self.flow.message = ""
        if self.answers.identity == "nama":
            self.show_name()
        elif self.answers.identity == "warga":
            self.show_pin()
        else:
            self.show_who()

    def show_body(self) -> None:
        t = self.t
        self.flow.step = "adu_body"
        with self.screen(self.answers.category_name, back=self.back_from_body,
                         primary=(t("kadu.next"), "arrow_forward", self.body_done)):
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                with ui.column().classes("grow gap-0").style("min-width: 0"):
                    self.prompt_line(t("kadu.body_prompt"))
                count = ui.label(t("kadu.count", count=len(self.answers.body), max=KIOSK_BODY_MAX)) \
                    .classes("text-body2 shrink-0").mark("adu-count")
            box = self.entry(self.answers.body, text=True).mark("adu-body-input")
            letter_keyboard(KeyTarget(box, max_length=KIOSK_BODY_MAX, on_change=lambda text: (
                self.touched(), count.set_text(t("kadu.count", count=len(text), max=KIOSK_BODY_MAX)))),
                space_label=t("ksurat.space"))

    def new_complaint(self) -> NewComplaint:
        a = self.answers
        return NewComplaint(a.category, a.body, identity=a.identity, person_id=self.flow.person_id, name=a.name)

    def body_done(self) -> None:
        self.answers.body = str(self.inputs[0].value or "")
        try:
            complaints.check_new(self.new_complaint())
        except ServiceError as error:
            self.flow.message = error_text(error, self.t)
            self.show_body()
            return
        self.flow.message = ""
        self.show_confirm_complaint()

    def show_confirm_complaint(self) -> None:
        t, a = self.t, self.answers
        self.flow.step = "adu_confirm"
        who = t(f"complaint.identity.{a.identity}") + (f": {a.name}" if a.identity == "nama" else "")
        with self.screen(t("kadu.confirm_title"), back=self.show_body,
                         primary=(t("kadu.send"), "send", self.submit_complaint)):
            with ui.column().classes("w-full grow gap-1 overflow-hidden").style("min-height:0"):
                ui.label(a.category_name).classes("text-h6 text-weight-bold").mark("adu-confirm-category")
                ui.label(who).classes("text-subtitle1 ellipsis w-full").mark("adu-confirm-who")
                ui.label(a.body).classes("ks-clamp-3 text-h6 bg-grey-2 rounded-borders q-pa-sm w-full") \
                    .style("overflow-wrap: anywhere").mark("adu-confirm-body")
                self.message_label()

    async def submit_complaint(self) -> None:
        t = self.t
        with self.working(t("kadu.sending")):
            try:
                code = await run.io_bound(complaints.create, self.new_complaint(), None,
                                          folder=complaints.photo_folder(self.ctx.settings.data_dir),
                                          channel="kiosk", actor="kiosk", client=self.client)
            except Exception as error:  # noqa: BLE001 - the resident sees a plain message
                self.flow.message = error_text(error, t)
                self.show_confirm_complaint()
                return
        self.show_done_complaint(code)

    def show_done_complaint(self, code: str) -> None:
        t = self.t
        self.wipe()  # what was typed is no longer needed: only the code stays on screen
        self.flow.step = "adu_done"
        with self.screen(t("kadu.done_title"), back=None, cancel=False,
                         primary=(t("kiosk.done"), "check", self.go_home)):
            with ui.row().classes("ks-split ks-done w-full grow items-center justify-center gap-8"):
                with ui.column().classes("items-center gap-1"):
                    ui.label(t("kadu.code_caption")).classes("text-h6")
                    ui.label(code).classes("ks-code text-teal-900").style("font-size: min(11vh, 3.6rem, 8vw)") \
                        .mark("adu-code")
                    ui.label(t("kadu.code_hint")).classes("text-subtitle1 text-center").style("max-width: 420px")
                    ui.label(t("kadu.photo_phone")).classes("text-body2 text-center text-grey-8") \
                        .style("max-width: 420px")
                with ui.column().classes("items-center gap-1"):
                    qr_code(f"{self.code_base}{complaints.normalize_code(code)}", 150).mark("adu-qr")
                    ui.label(t("kadu.scan")).classes("text-center text-body2").style("max-width: 190px")

    # --- check by code ------------------------------------------------------------------------------------------

    def show_code_entry(self) -> None:
        t = self.t
        self.flow.step = "adu_code"
        with self.screen(t("kadu.check_title"), back=self.show_start,
                         primary=(t("kadu.check"), "search", self.code_entered)):
            with ui.row().classes("w-full items-center no-wrap gap-3"):
                with ui.column().classes("gap-0").style("width: 230px; min-width: 230px"):
                    self.prompt_line(t("kadu.code_prompt"))
                box = self.entry(self.flow.code, text=True).mark("adu-code-input")
            letter_keyboard(KeyTarget(box, max_length=13, allowed=CODE_CHARS + "U", upper=True,
                                      on_change=lambda _: self.touched()), space_label=t("ksurat.space"))

    async def code_entered(self) -> None:
        flow, t = self.flow, self.t
        flow.code = str(self.inputs[0].value or "")
        if len(complaints.normalize_code(flow.code)) != 8:
            flow.message = t("kadu.code_short")
            self.show_code_entry()
            return
        if not self.limiter.allow(self.client):
            flow.message = t("error.rate_limited")
            self.show_code_entry()
            return
        try:
            item = await run.io_bound(complaints.public_status, flow.code)
        except ServiceError as error:
            flow.message = error_text(error, t)
            self.show_code_entry()
            return
        flow.message = ""
        flow.step = "adu_status"
        colour = {"ditolak": "text-red-9", "selesai": "text-green-9"}.get(item.status, "text-teal-9")
        with self.screen(item.tracking_code, back=self.show_code_entry,
                         primary=(t("kiosk.done"), "check", self.go_home)):
            with ui.column().classes("w-full grow gap-1 overflow-hidden").style("min-height:0"):
                with ui.row().classes("w-full items-baseline gap-4"):
                    ui.label(t(f"complaint.status.{item.status}")).classes(f"text-h4 text-weight-bold {colour}") \
                        .mark("adu-status")
                    ui.label(item.category).classes("text-h6")
                ui.label(item.body).classes("ks-clamp-2 text-body1 text-grey-9").style("overflow-wrap: anywhere") \
                    .mark("adu-body")
                ui.label(t("kadu.due", date=format_date(local_day(item.due_at, self.zone)))).classes("text-subtitle1")
                if item.reject_reason:
                    ui.label(item.reject_reason).classes("ks-clamp-2 text-subtitle1 text-red-9") \
                        .mark("adu-reason")
                replies = [r for r in item.replies if r.body][-2:]
                if not replies:
                    ui.label(t("kadu.no_replies")).classes("text-subtitle1 text-grey-8").mark("adu-no-replies")
                for reply in replies:
                    with ui.column().classes("w-full gap-0 bg-grey-2 rounded-borders q-pa-sm").mark("adu-reply"):
                        ui.label(format_date(local_day(reply.created_at, self.zone))).classes("text-caption")
                        ui.label(reply.body).classes("ks-clamp-2 text-body1").style("overflow-wrap: anywhere")


def register(ctx: AppContext) -> None:
    limiter = RateLimiter(CODE_LOOKUPS_PER_MINUTE)

    @ui.page("/kiosk/complaint", title="Balai · Pengaduan")
    def complaint_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        ComplaintKiosk(ctx, "complaint", client_address(request), limiter).show_start()
        return None

    @ui.page("/kiosk/complaint/check", title="Balai · Cek Pengaduan")
    def check_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        ComplaintKiosk(ctx, "complaint", client_address(request), limiter).show_code_entry()
        return None
