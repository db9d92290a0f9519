"""First visit without demo mode: create the village identity and the first admin. No default password."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.firstboot import read_preset
from kiosk.pages.components.feedback import error_text
from kiosk.pages.session import client_address, toggle_language, translator
from kiosk.services.letter_signing import publish_public_key
from kiosk.services import village
from kiosk.services.clock import INDONESIAN_ZONES, ZONE_ABBREVIATIONS


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/setup", title="Balai · Penyiapan")
    def setup_page(request: Request) -> RedirectResponse | None:
        if not village.needs_setup():
            return RedirectResponse("/login")
        t = translator(lang_default)
        client = client_address(request)
        # What the district wrote into balai.toml before the first boot (kiosk/firstboot.py); still editable here.
        preset = read_preset(ctx.settings.data_dir)
        zones = {z: f"{ZONE_ABBREVIATIONS[z]} ({z})" for z in INDONESIAN_ZONES}

        async def submit() -> None:
            message.set_text("")
            if (password.value or "") != (password2.value or ""):
                message.set_text(t("error.password_mismatch"))
                return
            info = village.VillageInfo(
                name=name.value or "", code=code.value or "", kecamatan=kecamatan.value or "",
                kabupaten=kabupaten.value or "", address=address.value or "", timezone=timezone.value or "",
            )
            try:
                await run.io_bound(village.complete_setup, info, username.value or "", password.value or "",
                                   full_name.value or "", client)
                # The key pair was made on this machine at start; the village row now carries its public half.
                await run.io_bound(publish_public_key, ctx.letters.key)
            except Exception as error:  # noqa: BLE001
                message.set_text(error_text(error, t))
                return
            ui.notify(t("setup.done"), type="positive")
            ui.navigate.to("/login")

        def switch() -> None:
            toggle_language(lang_default)
            ui.navigate.reload()

        with ui.column().classes("mx-auto q-pa-md gap-2").style("max-width: 560px"):
            with ui.row().classes("w-full items-center"):
                ui.label(t("setup.title")).classes("text-h4")
                ui.space()
                ui.button(t("common.language"), on_click=switch).props("flat dense")
            ui.label(t("setup.intro"))
            name = ui.input(t("setup.village_name"), value=preset.get("name", "")).props("outlined").classes("w-full").mark("village-name")
            code = ui.input(t("setup.village_code"), value=preset.get("code", ""), placeholder="33.73.04.2001").props("outlined") \
                .classes("w-full").mark("village-code")
            with ui.row().classes("w-full no-wrap"):
                kecamatan = ui.input(t("setup.kecamatan"), value=preset.get("kecamatan", "")).props("outlined").classes("col").mark("kecamatan")
                kabupaten = ui.input(t("setup.kabupaten"), value=preset.get("kabupaten", "")).props("outlined").classes("col").mark("kabupaten")
            address = ui.input(t("setup.address"), value=preset.get("address", "")).props("outlined").classes("w-full").mark("address")
            timezone = ui.select(zones, value=preset.get("timezone") if preset.get("timezone") in zones else "Asia/Jakarta", label=t("setup.timezone")).props("outlined") \
                .classes("w-full").mark("timezone")
            ui.label(t("setup.admin")).classes("text-h6 q-mt-md")
            full_name = ui.input(t("admin.full_name")).props("outlined").classes("w-full").mark("admin-full-name")
            username = ui.input(t("login.username")).props("outlined").classes("w-full").mark("admin-username")
            password = ui.input(t("login.password"), password=True).props("outlined autocomplete=new-password") \
                .classes("w-full").mark("admin-password")
            password2 = ui.input(t("login.repeat_password"), password=True).props("outlined autocomplete=new-password") \
                .classes("w-full").mark("admin-password2")
            message = ui.label("").classes("text-negative").mark("setup-error")
            ui.button(t("setup.submit"), on_click=submit).props("size=lg").classes("w-full").mark("setup-submit")
        return None
