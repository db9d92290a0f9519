"""/operator/village: the admin keeps the village identity and the local names of its areas."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import village
from kiosk.services.clock import INDONESIAN_ZONES, ZONE_ABBREVIATIONS


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/village", title="Balai · Desa")
    def village_page(request: Request) -> RedirectResponse | None:
        account = require(request, "admin")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        with operator_frame(t("nav.village"), account, t, lang_default):
            if not account.may("admin"):
                ui.label(t("error.forbidden")).classes("text-h6 text-negative").mark("forbidden")
                return None
            info = village.get_village()
            labels = village.area_labels()
            with ui.card().classes("w-full max-w-2xl"):
                name = ui.input(t("setup.village_name"), value=info.name if info else "").props("outlined") \
                    .mark("village-name")
                code = ui.input(t("setup.village_code"), value=info.code if info else "").props("outlined") \
                    .mark("village-code")
                kecamatan = ui.input(t("setup.kecamatan"), value=info.kecamatan if info else "").props("outlined")
                kabupaten = ui.input(t("setup.kabupaten"), value=info.kabupaten if info else "").props("outlined")
                address = ui.input(t("setup.address"), value=info.address if info else "").props("outlined")
                zone = ui.select({z: f"{ZONE_ABBREVIATIONS[z]} ({z})" for z in INDONESIAN_ZONES},
                                 value=info.timezone if info else "Asia/Jakarta", label=t("setup.timezone")) \
                    .props("outlined")
                ui.label(t("village.labels")).classes("text-subtitle1 q-mt-md")
                with ui.row().classes("gap-3"):
                    dusun = ui.input(t("village.label_dusun"), value=labels.dusun).props("outlined dense") \
                        .mark("label-dusun")
                    rw = ui.input(t("village.label_rw"), value=labels.rw).props("outlined dense")
                    rt = ui.input(t("village.label_rt"), value=labels.rt).props("outlined dense")
                message = ui.label("").classes("text-negative").mark("village-error")

                def save() -> None:
                    if still_allowed("admin") is None:
                        return
                    message.set_text("")
                    try:
                        village.save_settings(
                            village.VillageInfo(name=name.value or "", code=code.value or "",
                                                kecamatan=kecamatan.value or "", kabupaten=kabupaten.value or "",
                                                address=address.value or "", timezone=zone.value or ""),
                            village.AreaLabels(dusun.value or "", rw.value or "", rt.value or ""),
                            actor=account.username, client=client)
                    except Exception as error:  # noqa: BLE001
                        message.set_text(error_text(error, t))
                        return
                    ui.notify(t("common.saved"), type="positive")

                ui.button(t("common.save"), icon="save", on_click=save).mark("village-save")
        return None
