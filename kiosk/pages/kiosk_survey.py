"""/kiosk/survey: the satisfaction survey (IKM) on the office touch screen.

The resident types (or scans) today's ticket number or a picked-up letter's tracking code; the kiosk shows
what will be rated, then one screen per element: the question in big type and four faces, one tap each,
which moves on. An optional two-question profile (sex, age band) and the answer is stored — anonymously,
once per ticket or letter (the service refuses a second answer and a ticket not yet done). Every screen fits
800x480 landscape and 480x800 portrait without scrolling. After `kiosk_idle_seconds` without a touch
everything chosen is forgotten and the kiosk goes home in the office's language.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator, language_name, next_language
from kiosk.pages.components import kiosk_access
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.keypad import KeyTarget, letter_keyboard
from kiosk.pages.session import LANG_KEY, client_address, cycle_language, language
from kiosk.services import ikm, village
from kiosk.services.ikm import SurveySubject
from kiosk.services.ikm_index import ELEMENTS

ENTRY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
KIOSK_PROFILE = ("jenis_kelamin", "umur")   # the kiosk asks only these two; the phone asks all four
FACES = (("sentiment_very_dissatisfied", "#b91c1c", "#fee2e2"), ("sentiment_dissatisfied", "#c2410c", "#ffedd5"),
         ("sentiment_satisfied", "#4d7c0f", "#ecfccb"), ("sentiment_very_satisfied", "#15803d", "#dcfce7"))
SURVEY_CSS = """
.kv-root { height: 100vh; }
.kv-body { flex: 1 1 auto; min-height: 0; overflow: hidden; }
.kv-title { min-width: 0; flex: 1 1 auto; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.kv-head .q-btn, .kv-foot .q-btn { min-height: 64px; font-size: 1.1rem; }
.kv-entry .q-field__native { font-size: 1.9rem; letter-spacing: .08em; }
.kv-question { font-size: clamp(1.3rem, 4.2vmin, 2.1rem); font-weight: 700; line-height: 1.25; }
.kv-faces { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; flex: 1 1 auto;
            min-height: 0; }
.kv-face { border-radius: 18px; min-height: 96px; border: 3px solid transparent; }
.kv-face.kv-on { border-color: #134e4a; }
.kv-face .q-icon { font-size: clamp(3.5rem, 16vmin, 7rem); }
.kv-face .kv-word { font-size: 1.25rem; font-weight: 700; }
.kv-options { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 8px; }
.kv-options .q-btn { min-height: 64px; font-size: 1.05rem; }
.kv-entry-row { display: flex; flex-direction: row; align-items: center; gap: 12px; }
body { overscroll-behavior: none; user-select: none; touch-action: manipulation; }
@media (orientation: portrait) {
  .kv-title { white-space: normal; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;
              line-height: 1.25 !important; }
  .kv-faces { grid-template-columns: repeat(2, minmax(0, 1fr)); grid-auto-rows: minmax(0, 1fr); }
  .kv-options { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .kv-entry-row { flex-wrap: wrap; }
  .kv-entry-row > .kv-prompt { flex: 1 1 100% !important; width: auto !important; }
}
"""


class SurveyKiosk:
    """One resident's visit: the subject, the scores so far, the profile; `wipe` forgets all of it."""

    def __init__(self, ctx: AppContext, client: str) -> None:
        self.ctx = ctx
        self.client = client
        self.last_touch = time.monotonic()
        self.busy = False
        self.entry = ""
        self.message = ""
        self.subject: SurveySubject | None = None
        self.scores: list[int | None] = [None] * ELEMENTS
        self.profile: dict[str, str] = {}
        self.step = "entry"
        ui.add_css(SURVEY_CSS)
        kiosk_access.install()
        ui.query(".nicegui-content").classes("p-0 gap-0")
        self.stable = ui.element()
        self.root = ui.column().classes("kv-root w-full gap-0 no-wrap")
        self.root.on("click", self.touched)
        ui.timer(1.0, self.on_tick)

    @property
    def t(self) -> Translator:
        return Translator(language(self.ctx.settings.language))

    # --- frame ------------------------------------------------------------------------------------------------

    def touched(self) -> None:
        self.last_touch = time.monotonic()

    def act(self, handler: Callable[[], Any]) -> Callable[[], Any]:
        async def run_it() -> None:
            self.touched()
            if self.busy:
                return
            result = handler()
            if hasattr(result, "__await__"):
                await result
        return run_it

    def frame(self, title: str, back: Callable[[], Any] | None) -> ui.column:
        """Header (Back or Home, title, language) and a body that never scrolls; returns the body."""
        t = self.t
        self.root.clear()
        with self.root:
            with ui.row().classes("kv-head w-full items-center no-wrap q-px-md q-py-sm gap-3 bg-teal-800 text-white"):
                if back is not None:
                    ui.button(t("common.back"), icon="arrow_back", on_click=self.act(back)) \
                        .props("unelevated color=white text-color=teal-9 no-caps").mark("survey-back")
                ui.button(icon="home", on_click=self.act(self.go_home)) \
                    .props("outline color=white").classes("min-w-[64px]").mark("survey-home")
                ui.label(title).classes("kv-title text-h6 text-weight-bold").mark("survey-title")
                ui.button(language_name(next_language(t.lang)), on_click=self.act(self.switch_language)) \
                    .props("outline color=white no-caps no-wrap").mark("survey-language")
            body = ui.column().classes("kv-body w-full q-px-md q-py-sm gap-2 no-wrap")
        return body

    def switch_language(self) -> None:
        cycle_language(self.ctx.settings.language)
        self.redraw()

    def redraw(self) -> None:
        if self.step.startswith("q"):
            self.show_question(int(self.step[1:]))
        else:
            {"entry": self.show_entry, "invite": self.show_invite, "profile": self.show_profile,
             "thanks": self.show_thanks}[self.step]()

    def wipe(self) -> None:
        self.entry, self.message, self.subject = "", "", None
        self.scores = [None] * ELEMENTS
        self.profile = {}

    def go_home(self) -> None:
        self.wipe()
        self.root.clear()
        ui.navigate.to("/kiosk")

    def on_tick(self) -> None:
        idle = time.monotonic() - self.last_touch
        if idle > self.ctx.settings.kiosk_idle_seconds or (self.step == "thanks" and idle > 15):
            self.last_touch = time.monotonic()
            app.storage.user[LANG_KEY] = self.ctx.settings.language
            kiosk_access.reset_modes()
            self.go_home()

    # --- steps --------------------------------------------------------------------------------------------------

    def show_entry(self) -> None:
        t = self.t
        self.step = "entry"
        with self.frame(t("ikm.title"), back=None):
            with ui.element("div").classes("kv-entry-row w-full"):
                ui.label(self.message or t("ikm.kiosk_prompt")) \
                    .classes("kv-prompt text-subtitle1 leading-tight" +
                             (" text-red-9 text-weight-bold" if self.message else "")) \
                    .style("width: 260px; flex: 0 0 auto").mark("survey-message" if self.message else "survey-prompt")
                box = ui.input(value=self.entry).props("outlined inputmode=none autocomplete=off spellcheck=false") \
                    .classes("kv-entry grow").mark("survey-entry")
                ui.button(t("ikm.kiosk_start"), icon="arrow_forward", on_click=self.act(lambda: self.lookup(box))) \
                    .props("unelevated color=teal-8 no-caps size=lg").classes("kv-start min-h-[64px]") \
                    .mark("survey-start")
            box.on("keydown.enter", self.act(lambda: self.lookup(box)))
            letter_keyboard(KeyTarget(box, max_length=12, allowed=ENTRY_CHARS, upper=True,
                                      on_change=lambda _: self.touched()), space_label=t("ksurat.space"))

    async def lookup(self, box: ui.input) -> None:
        t = self.t
        self.entry = str(box.value or "")
        self.busy = True
        try:
            self.subject = await run.io_bound(ikm.kiosk_subject, self.entry)
        except Exception as error:  # noqa: BLE001 - the resident sees one plain message
            self.message = error_text(error, t)
            self.show_entry()
            return
        finally:
            self.busy = False
            self.touched()
        self.message = ""
        self.show_invite()

    def show_invite(self) -> None:
        t, subject = self.t, self.subject
        assert subject is not None
        self.step = "invite"
        with self.frame(t("ikm.title"), back=self.back_to_entry):
            with ui.column().classes("w-full grow items-center justify-center gap-4 text-center"):
                ui.icon("sentiment_very_satisfied", size="4.5rem").classes("text-teal-8")
                ui.label(t("ikm.about", service=subject.service_name, reference=subject.reference)) \
                    .classes("text-h5 text-weight-bold").mark("survey-subject")
                ui.label(t("ikm.intro")).classes("text-h6")
                ui.button(t("ikm.rate_us"), icon="arrow_forward", on_click=self.act(lambda: self.show_question(1))) \
                    .props("unelevated color=teal-8 no-caps size=xl").classes("kv-begin min-h-[72px] min-w-[260px]") \
                    .mark("survey-begin")

    def back_to_entry(self) -> None:
        self.subject = None
        self.scores = [None] * ELEMENTS
        self.show_entry()

    def show_question(self, n: int) -> None:
        t = self.t
        self.step = f"q{n}"
        back = self.show_invite if n == 1 else (lambda: self.show_question(n - 1))
        with self.frame(f"{t('ikm.question_of', n=n, total=ELEMENTS)} · {t(f'ikm.u{n}')}", back=back):
            ui.label(t(f"ikm.q{n}")).classes("kv-question w-full").mark("survey-question")
            with ui.element("div").classes("kv-faces w-full q-pb-sm"):
                for score, (icon, colour, background) in enumerate(FACES, start=1):
                    chosen = self.scores[n - 1] == score
                    with ui.button(on_click=self.act(lambda s=score: self.answer(n, s))) \
                            .props("unelevated no-caps") \
                            .style(f"background: {background} !important; color: {colour}") \
                            .classes(f"kv-face kv-face-{score} w-full h-full" + (" kv-on" if chosen else "")) \
                            .mark(f"face-{score}"):
                        with ui.column().classes("items-center gap-1"):
                            ui.icon(icon).style(f"color: {colour}")
                            ui.label(t(f"ikm.score{score}")).classes("kv-word text-grey-10")

    def answer(self, n: int, score: int) -> None:
        self.scores[n - 1] = score
        if n < ELEMENTS:
            self.show_question(n + 1)
        else:
            self.show_profile()

    def show_profile(self) -> None:
        t = self.t
        self.step = "profile"
        with self.frame(t("ikm.profile_title"), back=lambda: self.show_question(ELEMENTS)):
            for name in KIOSK_PROFILE:
                ui.label(t(f"ikm.profile.{name}")).classes("text-h6")
                with ui.element("div").classes("kv-options w-full"):
                    for option in ikm.PROFILE_OPTIONS[name]:
                        on = self.profile.get(name) == option
                        ui.button(t(f"ikm.opt.{name}.{option}"),
                                  on_click=self.act(lambda f=name, o=option: self.toggle(f, o))) \
                            .props(f"{'unelevated color=teal-8' if on else 'outline color=teal-9'} no-caps") \
                            .mark(f"profile-{name}-{option}")
            ui.label(self.message).classes("text-h6 text-red-9").mark("survey-message") \
                .set_visibility(bool(self.message))
            ui.space()
            with ui.row().classes("kv-foot w-full items-center justify-end gap-3"):
                ui.button(t("ikm.skip"), on_click=self.act(lambda: self.send(skip=True))) \
                    .props("outline color=teal-9 no-caps").classes("min-w-[140px]").mark("survey-skip")
                ui.button(t("ikm.send"), icon="send", on_click=self.act(self.send)) \
                    .props("unelevated color=teal-8 no-caps").classes("kv-send min-w-[200px]").mark("survey-send")

    def toggle(self, name: str, option: str) -> None:
        self.profile[name] = "" if self.profile.get(name) == option else option
        self.show_profile()

    async def send(self, skip: bool = False) -> None:
        t, subject = self.t, self.subject
        if subject is None:
            self.show_entry()
            return
        self.busy = True
        with self.stable:
            waiting = ui.notification(t("ikm.kiosk_sending"), spinner=True, timeout=None, position="center")
        try:
            await run.io_bound(ikm.submit, subject.token, list(self.scores), profile={} if skip else self.profile,
                               channel="kiosk", client=self.client)
        except Exception as error:  # noqa: BLE001 - the resident sees one plain message
            self.message = error_text(error, t)
            self.show_profile()
            return
        finally:
            self.busy = False
            waiting.dismiss()
            self.touched()
        self.wipe()
        self.show_thanks()

    def show_thanks(self) -> None:
        t = self.t
        self.step = "thanks"
        with self.frame(t("ikm.title"), back=None):
            with ui.column().classes("w-full grow items-center justify-center gap-4 text-center"):
                ui.icon("favorite", size="4.5rem").classes("text-teal-8")
                ui.label(t("ikm.thanks")).classes("kv-thanks text-h5 text-weight-bold").mark("survey-thanks")
                ui.button(t("kiosk.done"), icon="check", on_click=self.act(self.go_home)) \
                    .props("unelevated color=teal-8 no-caps size=lg").classes("min-h-[64px] min-w-[200px]") \
                    .mark("survey-done")


def register(ctx: AppContext) -> None:
    @ui.page("/kiosk/survey", title="Balai · Survei Kepuasan")
    def kiosk_survey(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        SurveyKiosk(ctx, client_address(request)).show_entry()
        return None
