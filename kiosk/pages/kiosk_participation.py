"""/kiosk/warga: "Suara Warga", the kiosk's one door to residents' participation — a complaint or suggestion
(/kiosk/complaint), the satisfaction survey (/kiosk/survey) and polls (/kiosk/polls). One tile on the home
screen leads here, so the home menu keeps fitting 800x480 and portrait screens. Three big entries, a large
Back button; after `kiosk_idle_seconds` without a touch the kiosk goes home in the office's language.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from kiosk.context import AppContext
from kiosk.i18n import Translator, language_name, next_language
from kiosk.pages.components import kiosk_access
from kiosk.pages.session import LANG_KEY, cycle_language, language
from kiosk.services import village

ENTRIES = (  # marker, icon, title, hint, path
    ("warga-complaint", "campaign", "kwarga.complaint", "kwarga.complaint_hint", "/kiosk/complaint"),
    ("warga-survey", "sentiment_satisfied", "kwarga.survey", "kwarga.survey_hint", "/kiosk/survey"),
    ("warga-polls", "how_to_vote", "kwarga.polls", "kwarga.polls_hint", "/kiosk/polls"),
)
PARTICIPATION_CSS = """
.kw-title { min-width: 0; flex: 1 1 auto; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.kw-grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; flex: 1 1 auto;
           min-height: 0; }
.kw-tile { min-height: 96px; border-radius: 18px; }
.kw-tile .q-btn__content { overflow-wrap: anywhere; }
body { overscroll-behavior: none; user-select: none; touch-action: manipulation; }
@media (orientation: portrait) { .kw-grid { grid-template-columns: minmax(0, 1fr); } }
"""


def register(ctx: AppContext) -> None:
    @ui.page("/kiosk/warga", title="Balai · Suara Warga")
    def participation_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        settings = ctx.settings
        ui.add_css(PARTICIPATION_CSS)
        kiosk_access.install()
        ui.query(".nicegui-content").classes("p-0 gap-0")
        state: dict[str, Any] = {"touched": time.monotonic()}

        def t() -> Translator:
            return Translator(language(settings.language))

        def touched() -> None:
            state["touched"] = time.monotonic()

        def switch_language() -> None:
            touched()
            cycle_language(settings.language)
            draw()

        def draw() -> None:
            tr = t()
            root.clear()
            with root:
                with ui.row().classes("w-full items-center no-wrap q-px-md q-py-sm gap-3 bg-teal-800 text-white"):
                    ui.button(tr("common.back"), icon="arrow_back", on_click=lambda: ui.navigate.to("/kiosk")) \
                        .props("unelevated color=white text-color=teal-9 size=lg no-caps") \
                        .classes("min-h-[64px]").mark("warga-back")
                    ui.label(tr("kwarga.title")).classes("kw-title text-h5 text-weight-bold")
                    ui.button(language_name(next_language(tr.lang)), on_click=switch_language) \
                        .props("outline color=white size=lg no-caps no-wrap").classes("min-h-[64px]") \
                        .mark("warga-language")
                with ui.element("div").classes("kw-grid w-full q-pa-md"):
                    for marker, icon, title, hint, path in ENTRIES:
                        with ui.button(on_click=lambda p=path: (touched(), ui.navigate.to(p))) \
                                .props("unelevated color=teal-7 no-caps").classes("kw-tile w-full h-full") \
                                .mark(marker):
                            with ui.column().classes("items-center gap-2 overflow-hidden"):
                                ui.icon(icon, size="3rem")
                                ui.label(tr(title)).classes("text-h5 text-weight-bold leading-tight")
                                ui.label(tr(hint)).classes("text-body1 opacity-90")

        def on_tick() -> None:
            if time.monotonic() - state["touched"] > ctx.settings.kiosk_idle_seconds:
                state["touched"] = time.monotonic()
                app.storage.user[LANG_KEY] = ctx.settings.language
                kiosk_access.reset_modes()
                ui.navigate.to("/kiosk")

        root = ui.column().classes("w-full h-screen gap-0 no-wrap")
        root.on("click", touched)
        draw()
        ui.timer(1.0, on_tick)
        return None
