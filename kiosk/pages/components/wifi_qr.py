"""The "use your phone" panel: join the office Wi-Fi, then open the phone pages.

Two QR codes because a phone needs two steps: the Wi-Fi QR (only when the admin set the Wi-Fi) joins the
network without typing a password, the address QR opens `/m`. The address QR carries the IP address, not
`<hostname>.local`: many Android phones still cannot resolve mDNS names, an IP always works. The `.local`
form is written under it for people typing it into a laptop or an iPhone.
"""

from __future__ import annotations

import socket

from nicegui import ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.components.qr import qr_code
from kiosk.services import office_wifi

PHONE_HOME_PATH = "/m"


def phone_home_url(ctx: AppContext) -> str:
    """The phone home page at the address the QR codes use (the configured public URL or the LAN IP)."""
    return f"{ctx.base_url}{PHONE_HOME_PATH}"


def local_name_url(port: int, hostname: str | None = None) -> str:
    """`http://<hostname>.local:<port>/m`: the name Raspberry Pi OS (avahi) answers for on the office LAN."""
    name = (hostname if hostname is not None else socket.gethostname()).split(".")[0].strip() or "balai"
    suffix = "" if port == 80 else f":{port}"
    return f"http://{name.lower()}.local{suffix}{PHONE_HOME_PATH}"


def phone_join_panel(ctx: AppContext, t: Translator, size_px: int = 160) -> ui.row:
    """Both QR codes side by side (they wrap on a narrow screen), each with its words under it.

    Reads the Wi-Fi through the service each time it is drawn, so a change on /operator/village shows on
    the next redraw of the kiosk screen.
    """
    wifi = office_wifi.current()
    home = phone_home_url(ctx)
    column_style = f"width:{max(size_px + 40, 200)}px"
    with ui.row().classes("items-start justify-center gap-6").mark("phone-join") as panel:
        if wifi is not None:
            with ui.column().classes("items-center gap-1").style(column_style).mark("wifi-join"):
                qr_code(office_wifi.wifi_qr_payload(wifi), size_px).mark("wifi-qr")
                ui.label(t("wifi.qr_caption", ssid=wifi.ssid)).classes("text-subtitle1 text-weight-bold text-center") \
                    .style("overflow-wrap:anywhere").mark("wifi-name")
        with ui.column().classes("items-center gap-1").style(column_style).mark("phone-open"):
            qr_code(home, size_px).mark("phone-qr")
            ui.label(t("phones.open_caption")).classes("text-subtitle1 text-center")
            ui.label(home).classes("text-weight-bold text-center").style("overflow-wrap:anywhere") \
                .mark("phone-url")
            ui.label(t("phones.local_caption", url=local_name_url(ctx.settings.port))) \
                .classes("text-caption text-center").style("overflow-wrap:anywhere").mark("phone-local-url")
    return panel
