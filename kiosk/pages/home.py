"""The landing page: three big doors for the three kinds of people who open this address."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from kiosk.context import AppContext
from kiosk.pages.session import translator
from kiosk.services import village


def register(ctx: AppContext) -> None:
    @ui.page("/", title="Balai")
    def index() -> RedirectResponse | None:
        if village.needs_setup():
            return RedirectResponse("/setup")
        info = village.get_village()
        t = translator(ctx.settings.language)
        with ui.column().classes("absolute-center items-center gap-6"):
            ui.label(f"Balai · Desa {info.name if info else ''}").classes("text-h4")
            with ui.row().classes("gap-4"):
                for label, path, icon in (
                    (t("nav.kiosk"), "/kiosk", "touch_app"),
                    (t("nav.queue"), "/operator", "support_agent"),
                    (t("nav.display"), "/display", "tv"),
                ):
                    with ui.link(target=path).classes("no-underline"):
                        with ui.card().classes("items-center w-48 h-40 justify-center"):
                            ui.icon(icon, size="3rem").classes("text-teal-800")
                            ui.label(label).classes("text-h6 text-teal-900")
        return None
