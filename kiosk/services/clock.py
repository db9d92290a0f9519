"""Time in one place: UTC for storage, the village's zone for what people read and for the daily reset."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
INDONESIAN_ZONES = ["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]


def utc_now() -> datetime:
    """Naive UTC: what we store (lexicographically ordered text in SQLite)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def parse_stamp(text: str | None) -> datetime | None:
    """A stored naive-UTC time ('2026-11-23 02:15:00.000') as a datetime; None when empty or unreadable."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Jakarta")


def local_time(moment: datetime, zone_name: str) -> datetime:
    """A stored naive-UTC moment as wall-clock time in the village."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone(zone_name))


def local_day(moment: datetime, zone_name: str) -> date:
    """The village's calendar day of a moment: tickets reset at local midnight, not UTC midnight."""
    return local_time(moment, zone_name).date()


def format_long_date(day: date) -> str:
    """'Senin, 23 November 2026' — the form residents read on tickets and letters."""
    return f"{DAYS_ID[day.weekday()]}, {day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def format_date(day: date | None) -> str:
    """'12 November 1972'; '-' when unknown."""
    if day is None:
        return "-"
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def format_stamp(moment: datetime, zone_name: str) -> str:
    """'Senin, 23 November 2026 09:15 WIB'."""
    local = local_time(moment, zone_name)
    suffix = ZONE_ABBREVIATIONS.get(zone_name, local.tzname() or "")
    return f"{format_long_date(local.date())} {local:%H:%M} {suffix}".strip()
