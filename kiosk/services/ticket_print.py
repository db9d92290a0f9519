"""Turns a stored ticket print payload into printer bytes: the office side of `printing.tickets`.

The payload keeps plain facts (number, names, counts, URL, language); labels are translated here at print
time so the layout package stays free of kiosk code.
"""

from __future__ import annotations

from printing.paper import PaperProfile
from printing.tickets import TicketContent, ticket_escpos

from kiosk.i18n import translate


def ticket_content(payload: dict) -> TicketContent:
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
    )


def make_renderer(paper: PaperProfile):  # noqa: ANN201 - returns the worker's Renderer callable
    """A renderer bound to the configured paper width."""

    def render(kind: str, payload: dict) -> bytes:
        if kind != "ticket":
            raise ValueError(f"unknown print job kind {kind!r}")
        return ticket_escpos(ticket_content(payload), paper)

    return render
