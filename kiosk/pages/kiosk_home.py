"""/kiosk: the touch screen. Idle screen -> tap a service -> the number on screen and on paper (1 tap).

Big targets (>= 64 px), icon + short words, no scrolling at 800x480, feedback at once on every tap, and
back to the home screen with everything cleared after idle.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, ui

from kiosk.context import AppContext
from kiosk.announce.guidance import spoken_number
from kiosk.pages.components import kiosk_access
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.qr import qr_code
from kiosk.pages.components.announcement import date_range
from kiosk.pages.kiosk_attract import draw_attract
from kiosk.pages.session import LANG_KEY, client_address, cycle_language, language
from kiosk.i18n import Translator, language_name, next_language
from kiosk.services import announcements, budget, office_wifi, queue, village
from kiosk.services.clock import local_time, utc_now
from kiosk.services.queue import IssuedTicket

SERVICE_ICONS = {"A": "badge", "B": "description", "C": "campaign", "D": "help_center"}
RESULT_SECONDS = 20

KIOSK_CSS = """
.kiosk-tile { min-height: 96px; font-size: 1.35rem; line-height: 1.2; border-radius: 18px; }
.kiosk-tile .q-icon { font-size: 2.6rem; }
.kiosk-letter-tile { min-height: 64px; font-size: 1.2rem; line-height: 1.2; border-radius: 18px; }
.kiosk-letter-tile .q-icon { font-size: 2.2rem; }
.kiosk-number { font-size: min(22vh, 9rem); font-weight: 800; line-height: 1; letter-spacing: 0.02em; }
body { overscroll-behavior: none; user-select: none; touch-action: manipulation; }
.kiosk-tile .q-btn__content, .kiosk-letter-tile .q-btn__content { overflow-wrap: anywhere; }
@media (max-height: 640px) { html.balai-large .kiosk-hint { display: none; }
  html.balai-large .kiosk-head { padding-top: 4px; padding-bottom: 4px; } }
@media (max-width: 640px) { .kiosk-head .kiosk-welcome, .kiosk-head .kiosk-clock { display: none; } }
@media (orientation: portrait) and (max-width: 640px) {
  .kiosk-services, .kiosk-letter-row { grid-template-columns: 1fr !important; }
  .kiosk-tile { min-height: 76px; } }
@media (max-width: 900px) { .kiosk-head .q-btn { padding: 0 10px; } }
/* Four or five tiles in the lower row (letters x2, Suara Warga, announcements, budget): titles only on narrow
   screens, and two columns in portrait, so the menu still fits without scrolling. */
@media (max-width: 900px) { .kiosk-letter-row.kiosk-row-4 .kiosk-hint { display: none; }
  html.balai-large .kiosk-letter-row.kiosk-row-4 .q-icon { display: none; } }
@media (orientation: portrait) and (max-width: 640px) {
  .kiosk-letter-row.kiosk-row-4 { grid-template-columns: repeat(2, minmax(0, 1fr)) !important; } }
/* Five tiles in a landscape row under 900 px: a little smaller type and padding and no icons, so every title
   keeps to two lines (large text included) and no word is cut in the middle ("Pengumum-an"). */
@media (max-width: 900px) and (orientation: landscape) {
  .kiosk-letter-row.kiosk-row-5 { gap: 8px !important; }
  .kiosk-letter-row.kiosk-row-5 .kiosk-letter-tile { font-size: 1.1rem; padding: 4px 8px; }
  .kiosk-letter-row.kiosk-row-5 .q-icon { display: none; }
  .kiosk-letter-row.kiosk-row-5 .q-btn__content { overflow-wrap: normal; }
  html.balai-large .kiosk-letter-row.kiosk-row-5 .kiosk-letter-tile { font-size: 0.9rem; } }
"""


def _menu_key(services: list[Any], current: list[dict[str, Any]], budget_year: int | None = None) -> tuple[Any, ...]:
    """What the menu's tiles are made of, apart from the waiting counts."""
    return tuple((s.prefix, s.name) for s in services), tuple(item["uuid"] for item in current), budget_year


def register(ctx: AppContext) -> None:
    @ui.page("/kiosk", title="Balai · Kios")
    def kiosk_page(request: Request) -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        settings = ctx.settings
        page_client = context.client
        ui.add_css(KIOSK_CSS)
        kiosk_access.install()
        ui.query(".nicegui-content").classes("p-0")
        state: dict[str, Any] = {"last_touch": time.monotonic(), "mode": "home"}
        counts: dict[str, ui.label] = {}  # service prefix -> its "n menunggu" label on the menu
        info = village.get_village()
        village_name = info.name if info else ""
        zone_name = info.timezone if info else "Asia/Jakarta"
        client = client_address(request)

        def t() -> Translator:
            return Translator(language(settings.language))

        def touched() -> None:
            state["last_touch"] = time.monotonic()

        def lang() -> str:
            return language(settings.language)

        def switch_language() -> None:
            touched()
            cycle_language(settings.language)
            show_home(spoken=True)

        def wake() -> None:
            touched()
            show_home(spoken=True)

        def take(prefix: str) -> None:
            touched()
            # /kiosk is public on the office Wi-Fi: the same per-address limit as the ticket API.
            if not ctx.ticket_limiter.allow(client):
                ui.notify(t()("error.rate_limited"), type="warning", position="center", timeout=5000)
                return
            try:
                issued = queue.issue_ticket(prefix, status_url_base=ctx.status_url_base,
                                            print_ticket=ctx.print_worker is not None,
                                            language=lang())
            except Exception as error:  # noqa: BLE001 - the resident sees a plain message
                ui.notify(error_text(error, t()), type="negative", position="center", timeout=5000)
                show_home()
                return
            ctx.queue_changed()
            show_ticket(issued)

        def header() -> None:
            with ui.row().classes("kiosk-head w-full items-center no-wrap q-px-md q-py-sm gap-2 bg-teal-800 text-white"):
                ui.icon("account_balance", size="2rem")
                ui.label(t()("kiosk.welcome", village=village_name)).classes("kiosk-welcome text-h6 ellipsis")
                ui.space()
                clock = ui.label(f"{local_time(utc_now(), zone_name):%H:%M}").classes("kiosk-clock text-h6")
                ui.timer(1.0, lambda: clock.set_text(f"{local_time(utc_now(), zone_name):%H:%M}"))
                kiosk_access.access_button(ctx, page_client, t(), lang(), on_change=lambda: show_home(), touched=touched)
                ui.button(language_name(next_language(lang())), on_click=switch_language) \
                    .props("outline color=white size=lg no-caps no-wrap").classes("kiosk-language-button min-h-[64px]") \
                    .mark("kiosk-language")

        def show_home(spoken: bool = False) -> None:
            """The menu; `spoken` when a person brought it up (not the periodic refresh of the counts)."""
            state["mode"] = "home"
            root.clear()
            if spoken:
                kiosk_access.say(ctx, page_client, "home", lang())
            counts.clear()
            with root:
                header()
                services = queue.list_services(active_only=True)
                budget_year = budget.latest_published()
                state["menu"] = _menu_key(services, announcements.current(announcements.village_today()), budget_year)
                with ui.column().classes("w-full grow q-pa-md gap-3"):
                    ui.label(t()("kiosk.choose_service")).classes("text-h5 text-center w-full")
                    if not services:
                        ui.label(t()("kiosk.no_services")).classes("text-h6 text-center w-full")
                    columns = 2 if len(services) <= 4 else 3
                    with ui.grid(columns=columns).classes("kiosk-services w-full grow gap-3"):
                        for service in services:
                            with ui.button(on_click=lambda p=service.prefix: take(p)) \
                                    .props("unelevated color=teal-7 no-caps") \
                                    .classes("kiosk-tile w-full h-full").mark(f"service-{service.prefix}"):
                                with ui.row().classes("items-center no-wrap gap-3 w-full"):
                                    ui.icon(SERVICE_ICONS.get(service.prefix, "support_agent"))
                                    with ui.column().classes("items-start gap-0"):
                                        ui.label(service.name).classes("text-left")
                                        counts[service.prefix] = \
                                            ui.label(t()("kiosk.waiting_count", count=service.waiting)) \
                                            .classes("text-subtitle1 opacity-80")
                    # Letters: their own screens (NIK + PIN), so a tile leads there instead of issuing a ticket.
                    # Announcements showing today add a third tile to that row (the row's height stays the same).
                    current = announcements.current(announcements.village_today())
                    # "Suara Warga" (complaints, survey, polls) is one tile leading to its own menu.
                    tiles = 3 + bool(current) + (budget_year is not None)
                    with ui.grid(columns=tiles).classes("kiosk-letter-row w-full gap-3" +
                                                        (" kiosk-row-4" if tiles >= 4 else "") +
                                                        (" kiosk-row-5" if tiles >= 5 else "")):
                        for marker, icon, title, hint, path in (
                                ("letters-request", "edit_document", "ksurat.tile_request", "ksurat.tile_request_hint",
                                 "/kiosk/surat"),
                                ("letters-check", "fact_check", "ksurat.tile_check", "ksurat.tile_check_hint",
                                 "/kiosk/surat/cek")):
                            with ui.button(on_click=lambda p=path: (touched(), ui.navigate.to(p))) \
                                    .props("outline color=teal-9 no-caps") \
                                    .classes("kiosk-letter-tile w-full").mark(marker):
                                with ui.row().classes("items-center no-wrap gap-3 w-full"):
                                    ui.icon(icon)
                                    with ui.column().classes("items-start gap-0"):
                                        ui.label(t()(title)).classes("text-left text-weight-bold")
                                        ui.label(t()(hint)).classes("kiosk-hint text-body2 opacity-80 text-left")
                        with ui.button(on_click=lambda: (touched(), ui.navigate.to("/kiosk/warga"))) \
                                .props("outline color=teal-9 no-caps") \
                                .classes("kiosk-letter-tile w-full").mark("kiosk-participation"):
                            with ui.row().classes("items-center no-wrap gap-3 w-full"):
                                ui.icon("forum")
                                with ui.column().classes("items-start gap-0"):
                                    ui.label(t()("kwarga.tile")).classes("text-left text-weight-bold")
                                    ui.label(t()("kwarga.tile_hint")).classes("kiosk-hint text-body2 opacity-80 text-left")
                        if current:
                            with ui.button(on_click=lambda: (touched(), show_announcements())) \
                                    .props("unelevated color=amber-8 text-color=black no-caps") \
                                    .classes("kiosk-letter-tile w-full").mark("kiosk-announcements"):
                                with ui.row().classes("items-center no-wrap gap-3 w-full"):
                                    ui.icon("campaign")
                                    with ui.column().classes("items-start gap-0"):
                                        ui.label(t()("announce.kiosk_tile")).classes("text-left text-weight-bold")
                                        ui.label(t()("announce.kiosk_count", count=len(current))) \
                                            .classes("kiosk-hint text-body2 opacity-80 text-left")
                        if budget_year is not None:  # the village budget, once a year is published
                            with ui.button(on_click=lambda: (touched(), ui.navigate.to("/kiosk/budget"))) \
                                    .props("outline color=teal-9 no-caps") \
                                    .classes("kiosk-letter-tile w-full").mark("kiosk-budget"):
                                with ui.row().classes("items-center no-wrap gap-3 w-full"):
                                    ui.icon("account_balance_wallet")
                                    with ui.column().classes("items-start gap-0"):
                                        ui.label(t()("budget.kiosk_tile")).classes("text-left text-weight-bold")
                                        ui.label(t()("budget.kiosk_tile_hint", year=budget_year)) \
                                            .classes("kiosk-hint text-body2 opacity-80 text-left")

        def show_announcements() -> None:
            """Full screen: today's announcements, scrolling inside the list; a large Back button on top."""
            state["mode"] = "announcements"
            kiosk_access.say(ctx, page_client, "announcements", lang())
            items = announcements.current(announcements.village_today())
            root.clear()
            with root:
                header()
                with ui.row().classes("w-full items-center no-wrap q-px-md q-pt-sm gap-3"):
                    ui.button(t()("common.back"), icon="arrow_back", on_click=lambda: (touched(), show_home(spoken=True))) \
                        .props("unelevated color=teal-8 size=lg no-caps").classes("min-h-[64px] min-w-[160px]") \
                        .mark("kiosk-announcements-back")
                    ui.label(t()("announce.kiosk_title")).classes("text-h5")
                with ui.scroll_area().classes("w-full grow"):
                    with ui.column().classes("w-full q-pa-md gap-3"):
                        if not items:
                            ui.label(t()("announce.phone_none")).classes("text-h6")
                        for item in items:
                            with ui.card().classes("w-full").mark("kiosk-announcement"):
                                ui.label(item["title"]).classes("text-h6 text-weight-bold")
                                ui.label(date_range(item, t())).classes("text-subtitle2 text-grey-8")
                                if item["body"]:
                                    ui.label(item["body"]).classes("text-body1").style("white-space: pre-line")
                                if item["image"]:
                                    ui.image(f"/pengumuman/gambar/{item['image']}").classes("w-full") \
                                        .style("max-width: 640px").props("fit=contain")

        def show_ticket(issued: IssuedTicket) -> None:
            state["mode"] = "ticket"
            state["shown_at"] = time.monotonic()
            ticket = issued.ticket
            root.clear()
            with root:
                header()
                with ui.row().classes("w-full grow items-center justify-center no-wrap q-pa-md gap-8"):
                    with ui.column().classes("items-center gap-1"):
                        ui.label(t()("kiosk.your_number")).classes("text-h5")
                        ui.label(ticket.number).classes("kiosk-number text-teal-900").mark("ticket-number")
                        ui.label(ticket.service_name).classes("text-h6")
                        ahead = (t()("kiosk.ahead", count=ticket.ahead) if ticket.ahead
                                 else t()("kiosk.ahead_none"))
                        ui.label(ahead).classes("text-h6").mark("ticket-ahead")
                        if ticket.ahead:
                            ui.label(t()("kiosk.wait_estimate", minutes=ticket.wait_minutes)).classes("text-subtitle1")
                        printer_ok = ctx.print_worker is not None and ctx.print_worker.state.ready
                        kiosk_access.say(ctx, page_client, "ticket" if printer_ok else "ticket_no_printer", lang(),
                                         number=spoken_number(ticket.prefix, ticket.seq, lang()))
                        ui.label(t()("kiosk.take_ticket_printed") if printer_ok else t()("kiosk.printer_problem")) \
                            .classes("text-subtitle1 text-weight-bold")
                    with ui.column().classes("items-center gap-2"):
                        qr_code(f"{ctx.status_url_base}{ticket.id}", 170).mark("ticket-qr")
                        ui.label(t()("kiosk.scan_to_follow")).classes("text-center").style("max-width: 200px")
                        wifi = office_wifi.current()
                        if wifi is not None:  # the QR to join it is on the printed ticket and the attract screen
                            ui.label(t()("wifi.qr_caption", ssid=wifi.ssid)).classes("text-weight-bold text-center") \
                                .style("max-width: 200px; overflow-wrap: anywhere").mark("ticket-wifi")
                        ui.button(t()("kiosk.done"), icon="check", on_click=lambda: (touched(), show_home(spoken=True))) \
                            .props("unelevated color=teal-8 size=xl no-caps").classes("min-h-[64px] min-w-[180px]") \
                            .mark("ticket-done")

        def show_attract() -> None:
            state["mode"] = "attract"
            root.clear()
            with root:
                draw_attract(ctx, t(), village.get_village(), on_touch=wake)

        def back_to_start() -> None:
            """After idle: the next resident starts in the office's language with the standard display."""
            if lang() != ctx.settings.language:
                app.storage.user[LANG_KEY] = ctx.settings.language
            kiosk_access.reset_modes()
            show_home()

        def on_tick() -> None:
            now = time.monotonic()
            idle = now - state["last_touch"]
            mode = state["mode"]
            if mode == "ticket" and now - state.get("shown_at", 0) > RESULT_SECONDS:
                show_home()
            elif idle > ctx.settings.kiosk_idle_seconds and mode not in ("home", "attract"):
                back_to_start()
            elif mode == "home" and idle > ctx.settings.kiosk_idle_seconds and (
                    lang() != ctx.settings.language or any(kiosk_access.modes().values())):
                back_to_start()
            elif mode == "home" and ctx.settings.kiosk_attract_seconds and idle > ctx.settings.kiosk_attract_seconds:
                show_attract()

        root = ui.column().classes("w-full h-screen gap-0 no-wrap")
        root.on("click", touched)
        show_home()
        ui.timer(1.0, on_tick)
        def refresh_counts() -> None:
            """Every 15 s on the menu: new waiting counts written into the tiles' labels. The tiles themselves are
            redrawn only when the menu changed (a service or an announcement came or went): a tap landing on a
            tile the server has just replaced would be lost."""
            if state["mode"] != "home":
                return
            services = queue.list_services(active_only=True)
            if _menu_key(services, announcements.current(announcements.village_today()),
                         budget.latest_published()) != state.get("menu"):
                show_home()
                return
            for service in services:
                if service.prefix in counts:
                    counts[service.prefix].set_text(t()("kiosk.waiting_count", count=service.waiting))

        # Refresh the waiting counts on the tiles now and then while idle; the attract screen's slides too.
        ui.timer(15.0, refresh_counts)
        ui.timer(120.0, lambda: show_attract() if state["mode"] == "attract" else None)
        return None
