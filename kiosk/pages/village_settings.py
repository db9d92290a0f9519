"""/operator/village: the admin keeps the village identity, the local names of its areas, the logo, and the
office Wi-Fi offered to residents' phones."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app, run, ui
from nicegui.events import UploadEventArguments

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.components.wifi_qr import phone_join_panel
from kiosk.pages.operator_letter_detail import file_response, refusal, route_account
from kiosk.pages.session import client_address, translator
from kiosk.services import office_wifi, village, village_logo
from kiosk.services.clock import INDONESIAN_ZONES, ZONE_ABBREVIATIONS


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    logo_file = ctx.settings.data_dir / "logo.png"

    @app.get("/operator/village/logo.png", include_in_schema=False)
    def logo_route(request: Request) -> Response:
        account, logged_in = route_account("operator")
        if account is None:
            return refusal(request, logged_in, translator(lang_default))
        data = village_logo.read_logo(logo_file)
        if data is None:
            return Response(status_code=404)
        return file_response(data, "image/png", "logo.png")

    def logo_section(username: str, client: str, t) -> None:  # noqa: ANN001
        """The logo in the letterhead: PNG or JPEG up to 1 MB, checked and stored as a PNG by the service."""
        state = {"version": 0}

        async def take(event: UploadEventArguments) -> None:
            if still_allowed("admin") is None:
                return
            data = await event.file.read()
            try:
                await run.io_bound(village_logo.save_logo, data, logo_file, actor=username, client=client)
            except Exception as error:  # noqa: BLE001
                problem.set_text(error_text(error, t))
                return
            problem.set_text("")
            ui.notify(t("logo.saved"), type="positive")
            show()

        def remove() -> None:
            if still_allowed("admin") is None:
                return
            try:
                village_logo.remove_logo(logo_file, actor=username, client=client)
            except Exception as error:  # noqa: BLE001
                problem.set_text(error_text(error, t))
                return
            show()

        def show() -> None:
            state["version"] += 1
            current.clear()
            with current:
                if logo_file.is_file():
                    ui.image(f"/operator/village/logo.png?v={state['version']}").classes("w-32") \
                        .props("fit=contain").mark("logo-image")
                    ui.button(t("logo.remove"), icon="delete", on_click=remove).props("flat color=negative") \
                        .mark("logo-remove")
                else:
                    ui.label(t("logo.none")).classes("text-grey-7").mark("logo-none")

        with ui.card().classes("w-full max-w-2xl").mark("logo-section"):
            ui.label(t("logo.title")).classes("text-h6")
            ui.label(t("logo.hint")).classes("text-caption text-grey-7")
            current = ui.row().classes("items-center gap-4")
            ui.upload(label=t("logo.upload"), auto_upload=True, on_upload=take,
                      max_file_size=village_logo.MAX_BYTES,
                      on_rejected=lambda: problem.set_text(t("logo.too_large", max_mb="1"))) \
                .props("accept=image/png,image/jpeg flat bordered").mark("logo-upload")
            problem = ui.label("").classes("text-negative").mark("logo-error")
        show()

    def wifi_section(username: str, client: str, t) -> None:  # noqa: ANN001 - a Translator
        """The Wi-Fi residents join from the kiosk's and the ticket's QR. The password is shown masked (an
        eye button reveals it): not a secret from residents, but not for whoever looks over the admin's
        shoulder either. A preview shows exactly what the kiosk will show."""
        wifi = office_wifi.current()
        securities = {kind: t(f"wifi.security.{kind}") for kind in office_wifi.SECURITIES}
        with ui.card().classes("w-full max-w-2xl").mark("wifi-section"):
            ui.label(t("wifi.title")).classes("text-h6")
            ui.label(t("wifi.hint")).classes("text-caption text-grey-7")
            ssid = ui.input(t("wifi.ssid"), value=wifi.ssid if wifi else "").props("outlined autocomplete=off") \
                .classes("w-full").mark("wifi-ssid")
            password = ui.input(t("wifi.password"), value=wifi.password if wifi else "", password=True,
                                password_toggle_button=True) \
                .props("outlined autocomplete=new-password").classes("w-full").mark("wifi-password")
            ui.label(t("wifi.password_hint")).classes("text-caption text-grey-7")
            security = ui.select(securities, value=wifi.security if wifi else "WPA", label=t("wifi.security")) \
                .props("outlined").classes("w-full").mark("wifi-security")
            hidden = ui.checkbox(t("wifi.hidden"), value=wifi.hidden if wifi else False).mark("wifi-hidden")
            problem = ui.label("").classes("text-negative").mark("wifi-error")
            with ui.row().classes("gap-2"):
                ui.button(t("wifi.save"), icon="wifi", on_click=lambda: save()).mark("wifi-save")
                remove_button = ui.button(t("wifi.remove"), icon="wifi_off", on_click=lambda: remove()) \
                    .props("flat color=negative").mark("wifi-remove")
            ui.label(t("wifi.preview")).classes("text-subtitle1 q-mt-md")
            preview = ui.column().classes("w-full items-center").mark("wifi-preview")

        def show() -> None:
            configured = office_wifi.current()
            remove_button.set_visibility(configured is not None)
            preview.clear()
            with preview:
                if configured is None:
                    ui.label(t("wifi.not_set")).classes("text-grey-7").mark("wifi-not-set")
                phone_join_panel(ctx, t, 140)

        def save() -> None:
            if still_allowed("admin") is None:
                return
            problem.set_text("")
            try:
                saved = office_wifi.save(ssid.value or "", password.value or "", security.value or "",
                                         bool(hidden.value), actor=username, client=client)
            except Exception as error:  # noqa: BLE001
                problem.set_text(error_text(error, t))
                return
            ssid.set_value(saved.ssid)
            ui.notify(t("wifi.saved"), type="positive")
            show()

        def remove() -> None:
            if still_allowed("admin") is None:
                return
            problem.set_text("")
            try:
                office_wifi.clear(actor=username, client=client)
            except Exception as error:  # noqa: BLE001
                problem.set_text(error_text(error, t))
                return
            ssid.set_value("")
            password.set_value("")
            hidden.set_value(False)
            ui.notify(t("wifi.removed"), type="positive")
            show()

        show()

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
            logo_section(account.username, client, t)
            wifi_section(account.username, client, t)
        return None
