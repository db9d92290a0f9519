"""What the poll pages (operator, kiosk, phone) share: how a time, a percentage and a phase read."""

from __future__ import annotations

from datetime import datetime

from kiosk.i18n import Translator
from kiosk.services import village
from kiosk.services.clock import ZONE_ABBREVIATIONS, format_date, local_time


def zone_name() -> str:
    info = village.get_village()
    return info.timezone if info else "Asia/Jakarta"


def when(moment: datetime, zone: str) -> str:
    """'24 November 2026 08:00 WIB' — village time, as the operator typed it."""
    local = local_time(moment, zone)
    return f"{format_date(local.date())} {local:%H:%M} {ZONE_ABBREVIATIONS.get(zone, '')}".strip()


def percent(value: float, t: Translator) -> str:
    """'66,7%' in Indonesian, '66.7%' in English."""
    text = f"{value:.1f}"
    return (text.replace(".", ",") if t.lang == "id" else text) + "%"


def to_input(moment: datetime, zone: str) -> str:
    """A stored UTC moment as the value of a datetime-local input in village time."""
    return local_time(moment, zone).strftime("%Y-%m-%dT%H:%M")
