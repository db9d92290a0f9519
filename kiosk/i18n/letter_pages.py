"""Strings of the operators' letter pages (requests, signing, letter types, PINs), both languages."""

PAGES_ID: dict[str, str] = {}

PAGES_EN: dict[str, str] = {}
