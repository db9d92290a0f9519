"""Paper profiles: the only printer geometry the ticket layout needs to know.

Thermal receipt printers print at 203 dpi (8 dots per mm); the printable width,
not the paper width, is what a raster image must match, otherwise the printer
either clips the right edge or refuses the image.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaperProfile:
    """A paper roll as the renderer sees it: a name for settings and a dot width."""

    name: str
    width_px: int


# 58 mm rolls have 48 mm printable at 8 dots/mm; 80 mm rolls have 72 mm.
PAPER_58MM = PaperProfile("58mm", 384)
PAPER_80MM = PaperProfile("80mm", 576)

_BY_NAME: dict[str, PaperProfile] = {
    "58mm": PAPER_58MM,
    "58": PAPER_58MM,
    "80mm": PAPER_80MM,
    "80": PAPER_80MM,
}


def paper_by_name(name: str) -> PaperProfile:
    """Return the profile for a settings value such as "58mm" or "80".

    Settings are typed by people, so surrounding spaces and case are forgiven,
    but anything else is rejected loudly rather than guessed: printing a 576 px
    image on a 58 mm printer wastes a ticket.
    """
    key = name.strip().lower().replace(" ", "")
    try:
        return _BY_NAME[key]
    except KeyError:
        raise ValueError(
            f"unknown paper {name!r}: expected one of 58mm, 58, 80mm, 80"
        ) from None
