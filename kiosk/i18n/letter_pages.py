"""Strings of the letter pages (operator, kiosk, phone, verification), both languages."""

PAGES_ID: dict[str, str] = {}

PAGES_EN: dict[str, str] = {}
