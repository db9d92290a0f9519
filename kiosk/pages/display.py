"""/display: the waiting-room TV. Current number per counter, the last 5 calls, the number of people
waiting, and for every new call a chime plus the spoken Indonesian sentence (espeak-ng, offline)."""

from __future__ import annotations

import time

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.announce.words import call_text, spoken_text
from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.services import announcements, queue, village
from kiosk.services.clock import format_long_date, local_time, utc_now

DISPLAY_CSS = """
body { background: #0f3d3e; color: #fff; overflow: hidden; }
.board-number { font-size: clamp(3rem, 17vh, 14rem); font-weight: 800; line-height: 1; }
.board-counter { font-size: clamp(1.3rem, 5vh, 3.5rem); }
.board-call { font-size: clamp(1.1rem, 4.5vh, 3rem); }
.board-flash { animation: flash 1s ease-in-out 3; }
@keyframes flash { 50% { background: #f9a825; color: #111; } }
.board-marquee { overflow: hidden; white-space: nowrap; background: #f9a825; color: #111; }
.board-marquee .board-marquee-text { display: inline-block; padding-left: 100%; animation: marquee 40s linear infinite; }
@keyframes marquee { from { transform: translateX(0); } to { transform: translateX(-100%); } }
"""

PLAYER_JS = """
window.balaiAudio = window.balaiAudio || { queue: [], playing: false, unlocked: false };
window.balaiPlay = function (url) {
  const a = window.balaiAudio; a.queue.push(url); if (!a.playing) window.balaiNext();
};
window.balaiNext = function () {
  const a = window.balaiAudio; const url = a.queue.shift();
  if (!url) { a.playing = false; return; }
  a.playing = true; const audio = new Audio(url);
  audio.onended = window.balaiNext; audio.onerror = window.balaiNext;
  audio.play().catch(() => { a.playing = false; a.queue.length = 0; });
};
"""


def register(ctx: AppContext) -> None:
    settings = ctx.settings

    @ui.page("/display", title="Balai · Layar Antrian")
    def display_page() -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        t = Translator(settings.language)
        ui.add_css(DISPLAY_CSS)
        ui.query(".nicegui-content").classes("p-0")  # the board is exactly one screen: no page padding around it
        ui.add_head_html(f"<script>{PLAYER_JS}</script>")
        info = village.get_village()
        zone_name = info.timezone if info else "Asia/Jakarta"
        board = queue.now_serving()
        state: dict = {"version": -1, "last_call": max((c.call_id for c in board.last_calls), default=0)}

        with ui.column().classes("w-full h-screen no-wrap q-pa-lg gap-4"):
            with ui.row().classes("w-full items-center"):
                ui.label(f"Desa {info.name if info else ''}").classes("text-h3 text-weight-bold")
                ui.space()
                date_label = ui.label("").classes("text-h5")
                clock = ui.label("").classes("text-h3 text-weight-bold q-ml-lg")
            with ui.row().classes("w-full grow no-wrap gap-6"):
                with ui.column().classes("col-8 gap-3 self-stretch no-wrap"):
                    ui.label(t("display.now_serving")).classes("text-h4")
                    counters_box = ui.grid(columns=2).classes("w-full grow gap-4").style("grid-auto-rows: minmax(0, 1fr)") \
                        .mark("board-counters")
                with ui.column().classes("col gap-2"):
                    ui.label(t("display.last_calls")).classes("text-h4")
                    calls_box = ui.column().classes("w-full gap-2").mark("board-calls")
                    waiting_label = ui.label("").classes("text-h5 q-mt-md")
            ticker = ui.label("").classes("text-h5 w-full text-center bg-teal-10 q-pa-sm")
            with ui.element("div").classes("w-full board-marquee text-h5 q-py-xs").mark("board-marquee") as marquee:
                marquee_text = ui.label("").classes("board-marquee-text").mark("board-marquee-text")
            marquee.set_visibility(False)
        sound_button = ui.button(t("display.enable_sound"), icon="volume_up") \
            .props("color=amber-8 text-color=black size=lg").classes("fixed-bottom-right q-ma-md")
        chime_url = f"/audio/{ctx.audio.chime_path().name}"
        sound_button.on("click", lambda: (ui.run_javascript(
            f"window.balaiAudio.unlocked = true; new Audio('{chime_url}').play().catch(()=>{{}});"),
            sound_button.set_visibility(False)))

        async def try_sound() -> None:
            """A TV whose browser may play sound by itself (the appliance starts Chromium with an autoplay policy)
            needs no button, also after every reload a server restart causes: a silent trial play decides."""
            try:
                allowed = await ui.run_javascript(
                    f"const a = new Audio('{chime_url}'); a.volume = 0; "
                    "return await a.play().then(() => { a.pause(); return true; }, () => false);", timeout=5.0)
            except TimeoutError:
                return
            if allowed:
                ui.run_javascript("window.balaiAudio.unlocked = true;")
                sound_button.set_visibility(False)

        def draw(data: queue.NowServing, flash_counter: str | None) -> None:
            counters_box.clear()
            with counters_box:
                for row in data.counters:
                    card = ui.card().classes("items-center justify-center bg-white text-teal-10 q-pa-md h-full")
                    if flash_counter == row.counter:
                        card.classes("board-flash")
                    with card:
                        ui.label(row.counter).classes("board-counter")
                        ui.label(row.number or "—").classes("board-number").mark(f"board-{row.counter}")
            calls_box.clear()
            with calls_box:
                for call in data.last_calls:
                    with ui.row().classes("w-full items-center no-wrap board-call"):
                        ui.label(call.number).classes("text-weight-bold")
                        ui.space()
                        ui.label(call.counter)
            waiting_label.set_text(t("display.waiting", count=data.waiting))
            if data.last_calls:
                newest = data.last_calls[0]
                ticker.set_text(call_text(newest.prefix, newest.seq, newest.counter))
            ticker.set_visibility(bool(data.last_calls))  # no empty bar before the day's first call

        async def announce(calls: list[queue.CallInfo]) -> None:
            for call in reversed(calls):  # oldest first
                clip = await run.io_bound(ctx.audio.clip_for, spoken_text(call.prefix, call.seq, call.counter))
                if clip is not None:
                    ui.run_javascript(f"window.balaiPlay('/audio/{clip.name}')")

        async def poll() -> None:
            now = local_time(utc_now(), zone_name)
            clock.set_text(now.strftime("%H:%M"))
            date_label.set_text(format_long_date(now.date()))
            if state["version"] == ctx.feed.version and time.monotonic() - state.get("drawn", 0) < 10:
                return
            state["version"] = ctx.feed.version
            state["drawn"] = time.monotonic()
            data = queue.now_serving()
            new_calls = [c for c in data.last_calls if c.call_id > state["last_call"]]
            draw(data, new_calls[0].counter if new_calls else None)
            if new_calls:
                state["last_call"] = new_calls[0].call_id
                await announce(new_calls)

        async def show_announcements() -> None:
            """The running text: today's announcements, titles and shortened bodies; hidden when there are none."""
            try:
                items = await run.io_bound(lambda: announcements.current(announcements.village_today())) or []
            except Exception:  # noqa: BLE001 - the board keeps running without its running text
                items = []
            text = "   ✦   ".join(f"{item['title']}: {announcements.shortened(item['body'], 160)}"
                                  if item["body"] else item["title"] for item in items)
            if text == state.get("marquee"):
                return  # unchanged: let the running text finish its pass instead of restarting it
            state["marquee"] = text
            marquee_text.set_text(text)
            marquee_text.style(f"animation-duration: {max(20, len(text) // 6)}s")
            marquee.set_visibility(bool(items))

        draw(board, None)
        ui.timer(0.5, try_sound, once=True)
        ui.timer(1.0, poll)
        ui.timer(0.0, show_announcements, once=True)
        ui.timer(60.0, show_announcements)
        return None
