"""The kiosk's attract screen: what the touch screen shows while nobody uses it.

A kiosk left on its menu looks like a machine nobody may touch; a screen that moves (announcements, the queue,
how to follow it on a phone) draws people in and tells them something even when they never tap it. A big
"Sentuh layar untuk mulai" band sits at the bottom, and a tap anywhere goes to the home screen without
triggering anything else underneath.

Slides are built by small functions, one per kind, so a later one (the village budget summary) slots in.
"""

from __future__ import annotations

from typing import Callable

from nicegui import ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.announcement import date_range
from kiosk.pages.components.wifi_qr import phone_join_panel
from kiosk.pages.components.budget_chart import balance, bidang_rows
from kiosk.services import announcements, budget, queue
from kiosk.services.clock import format_long_date, local_time, utc_now
from kiosk.services.village import VillageInfo

SLIDE_MS = 9000
ATTRACT_CSS = """
.attract-band { animation: attract-pulse 2.4s ease-in-out infinite; }
@keyframes attract-pulse { 50% { opacity: 0.55; } }
.attract-clock { font-size: min(16vh, 7rem); font-weight: 800; line-height: 1; }
.attract .q-carousel { background: transparent; }
.attract .q-carousel__slide { padding: 12px 24px; }
"""

SlideMaker = Callable[[AppContext, Translator, VillageInfo | None], int]


def _welcome_slide(ctx: AppContext, t: Translator, info: VillageInfo | None) -> int:
    zone = info.timezone if info else "Asia/Jakarta"
    now = local_time(utc_now(), zone)
    with ui.carousel_slide("welcome").classes("column items-center justify-center text-center gap-2"):
        ui.icon("account_balance", size="4rem").classes("text-teal-8")
        ui.label(t("attract.welcome", village=info.name if info else "")).classes("text-h4 text-weight-bold")
        place = ", ".join(part for part in ((info.kecamatan and f"Kec. {info.kecamatan}") if info else "",
                                            info.kabupaten if info else "") if part)
        if place:
            ui.label(place).classes("text-h6")
        clock = ui.label(f"{now:%H:%M}").classes("attract-clock text-teal-10")
        ui.timer(20.0, lambda: clock.set_text(f"{local_time(utc_now(), zone):%H:%M}"))
        ui.label(format_long_date(now.date())).classes("text-h6")
        if info and info.address:
            ui.label(info.address).classes("text-subtitle1 opacity-80")
    return 1


def _queue_slide(ctx: AppContext, t: Translator, info: VillageInfo | None) -> int:
    services = queue.list_services(active_only=True)
    if not services:
        return 0
    serving = {row.counter: row.number for row in queue.now_serving().counters if row.number}
    with ui.carousel_slide("queue").classes("column items-center justify-center gap-3"):
        ui.label(t("attract.services")).classes("text-h4 text-weight-bold")
        with ui.grid(columns=2 if len(services) <= 4 else 3).classes("w-full gap-3").style("max-width: 900px"):
            for service in services:
                with ui.card().classes("items-start q-pa-md bg-teal-1"):
                    ui.label(service.name).classes("text-h6 text-weight-bold")
                    ui.label(t("attract.waiting", count=service.waiting)).classes("text-subtitle1")
        if serving:
            ui.label("   ·   ".join(f"{counter}: {number}" for counter, number in serving.items())) \
                .classes("text-h6 text-center")
    return 1


def _announcement_slides(ctx: AppContext, t: Translator, info: VillageInfo | None) -> int:
    items = announcements.current(announcements.village_today())[:6]
    for index, item in enumerate(items):
        with ui.carousel_slide(f"announcement-{index}").classes("row items-center justify-center no-wrap gap-6"):
            with ui.column().classes("gap-2").style("max-width: 820px; min-width: 0"):
                with ui.row().classes("items-center gap-2 text-amber-10"):
                    ui.icon("campaign", size="2rem")
                    ui.label(t("attract.announcement")).classes("text-h6")
                ui.label(item["title"]).classes("text-h4 text-weight-bold").mark("attract-announcement")
                ui.label(date_range(item, t)).classes("text-subtitle1 opacity-80")
                if item["body"]:
                    ui.label(announcements.shortened(item["body"], 360)).classes("text-h6") \
                        .style("white-space: pre-line")
            if item["image"]:
                ui.image(f"/pengumuman/gambar/{item['image']}").props("fit=contain") \
                    .style("width: min(36vw, 420px); height: min(52vh, 420px)")
    return len(items)


def _budget_slide(ctx: AppContext, t: Translator, info: VillageInfo | None) -> int:
    """The latest published village budget: totals and spending per bidang, as plain bars."""
    year = budget.latest_published()
    summary = budget.summary(year) if year is not None else None
    if summary is None or summary.empty:
        return 0
    with ui.carousel_slide("budget").classes("column items-center justify-center gap-2"):
        with ui.row().classes("items-center gap-2"):
            ui.icon("account_balance_wallet", size="2.4rem").classes("text-teal-8")
            ui.label(t("budget.attract", year=summary.year)).classes("text-h4 text-weight-bold") \
                .mark("attract-budget")
        label, amount = balance(summary, t)
        with ui.row().classes("justify-center gap-x-6 gap-y-0 text-h6"):
            for part in (f"{t('budget.income')} {budget.rupiah(summary.income.budget)}",
                         f"{t('budget.spending')} {budget.rupiah(summary.spending.budget)}", f"{label} {amount}"):
                ui.label(part).style("white-space: nowrap")
        with ui.column().classes("w-full gap-1").style("max-width: 860px"):
            for row in bidang_rows(summary, t):
                with ui.row().classes("w-full items-center no-wrap gap-3"):
                    ui.label(row.label).classes("text-subtitle1 ellipsis").style("width: 42%; min-width: 0")
                    with ui.element("div").classes("grow").style("height: 16px; min-width: 0"):
                        with ui.element("div").style(f"width: {row.width}%; height: 16px; background: #99f6e4; "
                                                     "border-radius: 8px; overflow: hidden; min-width: 3px"):
                            ui.element("div").style(f"width: {row.fill}%; height: 100%; background: #0f766e")
                    ui.label(row.pct).classes("text-subtitle1 text-weight-bold").style("width: 64px")
        ui.label(t("budget.attract_realised", pct=summary.spending.percent_text)).classes("text-subtitle1")
    return 1


def _phones_slide(ctx: AppContext, t: Translator, info: VillageInfo | None) -> int:
    """Join the office Wi-Fi and open the phone pages: two QR codes a waiting resident can scan from a chair."""
    with ui.carousel_slide("phones").classes("column items-center justify-center gap-2"):
        with ui.row().classes("items-center gap-2"):
            ui.icon("smartphone", size="2.4rem").classes("text-teal-8")
            ui.label(t("attract.phones")).classes("text-h4 text-weight-bold text-center")
        phone_join_panel(ctx, t, size_px=170)
    return 1


SLIDES: tuple[SlideMaker, ...] = (_welcome_slide, _announcement_slides, _queue_slide, _budget_slide, _phones_slide)


def draw_attract(ctx: AppContext, t: Translator, info: VillageInfo | None, on_touch: Callable[[], None],
                 extra_slides: tuple[SlideMaker, ...] = ()) -> None:
    """The whole attract screen into the current container (which must be full screen)."""
    ui.add_css(ATTRACT_CSS)
    with ui.column().classes("attract w-full h-full gap-0 no-wrap relative-position").mark("kiosk-attract"):
        with ui.carousel(animated=True, arrows=False, navigation=False).classes("w-full grow") \
                .props(f"autoplay={SLIDE_MS} infinite transition-prev=fade transition-next=fade") \
                .style("min-height: 0") as carousel:
            count = 0
            for make in (*SLIDES, *extra_slides):
                count += make(ctx, t, info)
        if count <= 1:
            carousel.props(remove="autoplay")
        with ui.row().classes("attract-band w-full items-center justify-center q-py-md bg-teal-8 text-white gap-3"):
            ui.icon("touch_app", size="2.6rem")
            ui.label(t("attract.touch")).classes("text-h4 text-weight-bold")
        # One layer over everything: the tap that wakes the kiosk must not also press what is under it.
        ui.element("div").classes("absolute-full").style("z-index: 20; cursor: pointer") \
            .on("click", on_touch).mark("attract-touch")
