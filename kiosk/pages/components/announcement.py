"""How an announcement's dates read on every surface (operator list, kiosk, phone)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.i18n import Translator
from kiosk.services.clock import format_date


def date_range(item: dict[str, Any], t: Translator) -> str:
    """'1 Mei 2026 s.d. 31 Mei 2026' or 'Sejak 1 Mei 2026'."""
    start = format_date(date.fromisoformat(item["starts_on"]))
    if not item.get("ends_on"):
        return t("announce.dates_open", start=start)
    return t("announce.dates", start=start, end=format_date(date.fromisoformat(item["ends_on"])))
