"""Turns a stored ticket print payload into printer bytes: the office side of `printing.tickets`.

The payload keeps plain facts (number, names, counts, URL, language); labels are translated here at print
time so the layout package stays free of kiosk code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from printing.paper import PaperProfile
from printing.tickets import TicketContent, ticket_escpos

from kiosk.i18n import translate


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
        if kind == "ticket":
            return ticket_escpos(ticket_content(payload), paper)
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
