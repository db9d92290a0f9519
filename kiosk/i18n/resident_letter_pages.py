"""Strings of the residents' letter pages (kiosk, phone, verification page), both languages."""

RESIDENT_PAGES_ID: dict[str, str] = {}

RESIDENT_PAGES_EN: dict[str, str] = {}
