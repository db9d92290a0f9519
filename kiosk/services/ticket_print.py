"""Turns a stored ticket print payload into printer bytes: the office side of `printing.tickets`.

The payload keeps plain facts (number, names, counts, URL, language); labels are translated here at print
time so the layout package stays free of kiosk code.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Callable

from printing.paper import PaperProfile
from printing.tickets import TicketContent, ticket_escpos

from kiosk.i18n import translate
from kiosk.services import office_wifi
from kiosk.services.office_wifi import OfficeWifi

log = logging.getLogger(__name__)

WifiSource = Callable[[], OfficeWifi | None]


def slip_content(payload: dict) -> TicketContent:
    """The letter request slip reuses the ticket layout: the tracking code is the big "number"."""
    lang = str(payload.get("lang", "id"))
    return TicketContent(
        village_name=f"Desa {payload['village_name']}",
        service_name=str(payload["service_name"]),
        number=str(payload["number"]),
        issued_at=str(payload["issued_at"]),
        ahead_text=translate("slip.code_caption", lang),
        qr_url=str(payload["qr_url"]),
        qr_caption=translate("slip.scan", lang),
        footer=translate("slip.footer", lang),
    )


def ticket_content(payload: dict, wifi: OfficeWifi | None = None) -> TicketContent:
    """A queue ticket; with the office Wi-Fi (read when printing, so a ticket waiting for paper gets the
    network as it is now) a small Wi-Fi QR goes under the status QR."""
    lang = str(payload.get("lang", "id"))
    ahead = int(payload.get("ahead", 0))
    ahead_text = translate("ticket.ahead", lang, count=ahead) if ahead else translate("ticket.ahead_none", lang)
    return TicketContent(
        village_name=f"Desa {payload['village_name']}",
        service_name=str(payload["service_name"]),
        number=str(payload["number"]),
        issued_at=str(payload["issued_at"]),
        ahead_text=ahead_text,
        qr_url=str(payload["qr_url"]),
        qr_caption=translate("ticket.scan", lang),
        footer=translate("ticket.footer", lang),
        wifi_qr=office_wifi.wifi_qr_payload(wifi) if wifi else "",
        wifi_caption=(translate("wifi.ticket_caption", lang, ssid=wifi.ssid) + "\n"
                      + translate("wifi.ticket_scan", lang)) if wifi else "",
    )


def _wifi_or_none(source: WifiSource) -> OfficeWifi | None:
    """The Wi-Fi for a ticket; a failed read prints the ticket without it rather than holding the queue."""
    try:
        return source()
    except Exception:  # noqa: BLE001 - the Wi-Fi block is an extra, the ticket is not
        log.exception("office Wi-Fi could not be read; printing the ticket without it")
        return None


def make_renderer(paper: PaperProfile, wifi_source: WifiSource = office_wifi.current):  # noqa: ANN201
    """A renderer bound to the configured paper width (returns the worker's Renderer callable)."""

    def render(kind: str, payload: dict) -> bytes:
        if kind == "ticket":
            return ticket_escpos(ticket_content(payload, _wifi_or_none(wifi_source)), paper)
        if kind == "letter_slip":
            return ticket_escpos(slip_content(payload), paper)
        raise ValueError(f"unknown print job kind {kind!r}")

    return render


def make_letter_renderer(letters_dir: Path):  # noqa: ANN201 - returns the worker's Renderer callable
    """The office printer's jobs are stored signed PDFs; the bytes are checked against the recorded hash so a
    damaged file is never printed as if it were the letter."""

    def render(kind: str, payload: dict) -> bytes:
        if kind != "letter":
            raise ValueError(f"unknown print job kind {kind!r}")
        relative = str(payload["path"])
        if relative.startswith("/") or ".." in relative.split("/"):
            raise ValueError("letter path outside the letters folder")
        data = (letters_dir / relative).read_bytes()
        if hashlib.sha256(data).hexdigest() != payload["sha256"]:
            raise ValueError("stored letter PDF does not match its hash")
        return data

    return render
