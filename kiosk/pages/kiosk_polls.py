"""/kiosk/polls: residents vote in village polls on the office touch screen, and see live results.

List of polls -> the question with its options as big buttons -> NIK -> PIN -> "Suara Anda tercatat".
It is the letter kiosk's frame (`LetterKiosk`: header, a body that never scrolls, Kembali/Batal, the NIK and
PIN keys drawn in the page, the idle reset that wipes NIK and PIN from the page and from memory) with the
poll's own steps. The NIK + PIN check is the letters' one (`resident_login`: same answer, same delay, the
kiosk's rate limit). The choice is wiped together with NIK and PIN as soon as the vote is stored.
Everything a poll says is set as label text (escaped), never as HTML.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, digit_keypad
from kiosk.pages.kiosk_letters import LetterKiosk
from kiosk.pages.letter_inputs import page_count, resident_login
from kiosk.pages.poll_view import percent, when
from kiosk.pages.session import client_address
from kiosk.services import polls, village
from kiosk.services.errors import ServiceError
from kiosk.services.polls import PollInfo

POLLS_PER_PAGE = 3
OPTIONS_PER_PAGE = 6
RESULTS_SECONDS = 3.0
POLL_CSS = """
.kp-list { grid-template-columns: minmax(0, 1fr); grid-template-rows: repeat(3, minmax(0, 1fr)); }
.kp-item { border: 1px solid #99f6e4; border-radius: 16px; background: #f0fdfa; padding: 6px 12px; min-height: 0; }
.kp-options { grid-template-columns: repeat(3, minmax(0, 1fr)); grid-template-rows: repeat(2, minmax(64px, 1fr)); }
.kp-option { min-height: 64px; border-radius: 16px; font-size: 1.2rem; }
.kp-results { flex: 1 1 auto; min-height: 0; overflow-y: auto; overflow-x: hidden; }
.kp-results-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 18px; }
.kp-bar { height: 14px; background: #ccfbf1; border-radius: 7px; overflow: hidden; }
.kp-fill { height: 100%; background: #0f766e; }
@media (orientation: portrait) {
  .kp-options { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-template-rows: repeat(3, minmax(80px, 1fr)); }
  .kp-results-grid { grid-template-columns: minmax(0, 1fr); }
}
"""


class PollKiosk(LetterKiosk):
    """One resident's visit to the poll screens. `poll_uid` and `option_id` are what was chosen; NIK and PIN
    live in the letter flow's `flow` and go with it on `wipe`."""

    def __init__(self, ctx: AppContext, client: str) -> None:
        super().__init__(ctx, "poll", client)
        ui.add_css(POLL_CSS)
        self.poll_uid = ""
        self.option_id = 0
        self.option_label = ""
        self.list_page = 0
        self.outcome = ""

    def wipe(self) -> None:
        super().wipe()
        self.option_id, self.option_label = 0, ""

    def go_home(self) -> None:
        self.poll_uid = ""
        super().go_home()

    # --- the list ----------------------------------------------------------------------------------------

    def show_list(self, page: int | None = None) -> None:
        t = self.t
        self.wipe()
        self.flow.step = "polls"
        if page is not None:
            self.list_page = page
        found = polls.public_list()
        pages = page_count(len(found), POLLS_PER_PAGE)
        self.list_page = min(max(self.list_page, 0), pages - 1)
        shown = found[self.list_page * POLLS_PER_PAGE:(self.list_page + 1) * POLLS_PER_PAGE]
        with self.screen(t("kpoll.title"), back=self.go_home, cancel=False,
                         pager=(self.list_page, pages, self.show_list)):
            if not found:
                ui.label(t("kpoll.none")).classes("text-h5 q-pa-lg").mark("poll-none")
                return
            with ui.grid().classes("kp-list w-full grow gap-2").style("min-height:0"):
                for info in shown:
                    self.list_item(info)

    def list_item(self, info: PollInfo) -> None:
        t = self.t
        if info.phase == "open":
            period = t("kpoll.open_until", when=when(info.ends_at, self.zone))
        elif info.phase == "scheduled":
            period = t("kpoll.opens_at", when=when(info.starts_at, self.zone))
        else:
            period = t("kpoll.over")
        with ui.row().classes("kp-item w-full items-center no-wrap gap-2").mark("poll-item"):
            with ui.column().classes("grow gap-0").style("min-width:0"):
                ui.label(info.question).classes("ks-clamp-2 text-h6 leading-tight").mark("poll-question")
                ui.label(period).classes("text-subtitle1 text-grey-8 ks-clamp-2")
            if info.results_public:
                ui.button(t("kpoll.results"), icon="bar_chart",
                          on_click=self.act(lambda uid=info.uuid: self.show_results(uid))) \
                    .props("outline color=teal-9 no-caps").classes("min-h-[64px] shrink-0").mark("poll-see-results")
            if info.phase == "open":
                ui.button(t("kpoll.vote"), icon="how_to_vote",
                          on_click=self.act(lambda uid=info.uuid: self.show_poll(uid))) \
                    .props("unelevated color=teal-8 no-caps").classes("min-h-[64px] shrink-0").mark("poll-vote")

    # --- the question and its options ---------------------------------------------------------------------

    def show_poll(self, uid: str | None = None, page: int = 0) -> None:
        t = self.t
        if uid is not None:
            self.poll_uid = uid
        self.flow.step = "poll"
        self.flow.message = ""
        try:
            info = polls.get(self.poll_uid, public=True)
        except ServiceError:
            self.show_list()
            return
        pages = page_count(len(info.options), OPTIONS_PER_PAGE)
        page = min(max(page, 0), pages - 1)
        shown = info.options[page * OPTIONS_PER_PAGE:(page + 1) * OPTIONS_PER_PAGE]
        with self.screen(info.question, back=self.show_list,
                         pager=(page, pages, lambda p: self.show_poll(None, p))):
            if info.description:
                ui.label(info.description).classes("ks-clamp-2 text-body1").mark("poll-description")
            ui.label(t("kpoll.choose")).classes("text-h6")
            with ui.grid().classes("kp-options w-full grow gap-2").style("min-height:0"):
                for option in shown:
                    ui.button(option.label, on_click=self.act(
                        lambda o=option: self.choose(o.id, o.label))) \
                        .props("unelevated color=teal-7 no-caps").classes("kp-option w-full h-full ks-clamp-3") \
                        .mark(f"poll-option-{option.position}")

    def choose(self, option_id: int, label: str) -> None:
        self.option_id, self.option_label = option_id, label
        self.flow.message = ""
        self.show_nik()

    # --- NIK and PIN (the letters' keys, this flow's titles) ---------------------------------------------------

    def show_nik(self) -> None:
        flow, t = self.flow, self.t
        flow.step = "nik"
        with self.screen(t("kpoll.chosen", label=self.option_label), back=lambda: self.show_poll(),
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
        with self.screen(t("kpoll.chosen", label=self.option_label), back=self.back_to_nik,
                         primary=(t("kpoll.send"), "how_to_vote", self.pin_done)):
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

    async def pin_done(self) -> None:
        flow, t = self.flow, self.t
        pin = str(self.inputs[0].value or "")
        self.inputs[0].value = ""
        with self.working(t("kpoll.sending")):
            try:
                person_id = await resident_login(self.ctx, flow.nik, pin, self.client, kiosk=True)
            except Exception as error:  # noqa: BLE001 - the resident sees one plain message
                flow.message = error_text(error, t)
                self.show_pin()
                return
            try:
                await run.io_bound(polls.cast_vote, self.poll_uid, self.option_id, person_id, channel="kiosk",
                                   client=self.client)
            except Exception as error:  # noqa: BLE001 - already voted, not eligible, poll just closed
                self.show_outcome(error_text(error, t), ok=False)
                return
        self.ctx.feed.bump()
        self.show_outcome(t("kpoll.done_hint"), ok=True)

    def show_outcome(self, text: str, *, ok: bool) -> None:
        """The end of a visit: NIK, PIN and the choice are wiped before anything is drawn."""
        t = self.t
        self.wipe()
        self.flow.step = "voted" if ok else "refused"  # not "done": that step's voice is a letter's
        try:
            visible = polls.get(self.poll_uid, public=True).results_public
        except ServiceError:
            visible = False
        with self.screen(t("kpoll.title"), back=None, cancel=False,
                         primary=(t("kpoll.finish"), "check", self.go_home)):
            with ui.column().classes("w-full grow items-center justify-center gap-3"):
                ui.icon("check_circle" if ok else "error", size="5rem") \
                    .classes("text-green-8" if ok else "text-red-9")
                ui.label(t("kpoll.done") if ok else t("kpoll.refused")).classes("text-h4 text-weight-bold text-center") \
                    .mark("poll-outcome")
                ui.label(text).classes("text-h6 text-center").mark("poll-outcome-detail")
                if visible:
                    ui.button(t("kpoll.results"), icon="bar_chart", on_click=self.act(
                        lambda: self.show_results(self.poll_uid))) \
                        .props("outline color=teal-9 no-caps").classes("min-h-[64px]").mark("poll-see-results")

    # --- results ---------------------------------------------------------------------------------------------

    def show_results(self, uid: str) -> None:
        t = self.t
        self.wipe()
        self.poll_uid = uid
        self.flow.step = "results"
        try:
            found = polls.results(uid, public=True)
        except ServiceError as error:
            self.show_outcome(error_text(error, t), ok=False)
            return
        with self.screen(found.poll.question, back=self.show_list, cancel=False,
                         primary=(t("kpoll.finish"), "check", self.go_home)):
            self.results_body(found)
        shown: dict[str, Any] = {"total": found.total}

        def refresh() -> None:
            if self.flow.step != "results" or self.poll_uid != uid:
                timer.cancel()
                return
            try:
                fresh = polls.results(uid, public=True)
            except ServiceError:
                return
            if fresh.total != shown["total"]:
                timer.cancel()
                self.show_results(uid)

        with self.stable:
            timer = ui.timer(RESULTS_SECONDS, refresh)

    def results_body(self, found: polls.PollResults) -> None:
        t = self.t
        ui.label(t("kpoll.final") if found.poll.phase == "over" else t("kpoll.live")) \
            .classes("text-subtitle1 text-grey-8")
        with ui.element("div").classes("kp-results w-full").mark("poll-results"):
            with ui.element("div").classes("kp-results-grid"):
                for option in found.options:
                    with ui.column().classes("gap-0 w-full").style("min-width:0").mark("poll-result-row"):
                        with ui.row().classes("w-full no-wrap justify-between gap-2"):
                            ui.label(option.label).classes("text-subtitle1 text-weight-bold ellipsis") \
                                .mark("poll-result-label")
                            ui.label(f"{option.votes} · {percent(option.percent, t)}").classes("text-subtitle1") \
                                .style("white-space: nowrap").mark(f"poll-result-{option.position}")
                        with ui.element("div").classes("kp-bar w-full"):
                            ui.element("div").classes("kp-fill").style(f"width: {option.percent:.1f}%")
        ui.label(f"{t('kpoll.total', total=found.total)} · "
                 f"{t('kpoll.turnout', pct=percent(found.turnout, t), eligible=found.eligible)}") \
            .classes("text-h6").mark("poll-total")


def register(ctx: AppContext) -> None:
    @ui.page("/kiosk/polls", title="Balai · Jajak Pendapat")
    def polls_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        PollKiosk(ctx, client_address(request)).show_list()
        return None
