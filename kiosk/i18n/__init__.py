"""All UI text goes through one table per language; Bahasa Indonesia first, English switchable."""

from __future__ import annotations

from typing import Any

from kiosk.i18n.announcements import ANNOUNCE_EN, ANNOUNCE_ID
from kiosk.i18n.discovery import DISCOVERY_EN, DISCOVERY_ID
from kiosk.i18n.kiosk_access import ACCESS_EN, ACCESS_ID
from kiosk.i18n.en import STRINGS as EN_BASE
from kiosk.i18n.id import STRINGS as ID_BASE
from kiosk.i18n.letter_pages import PAGES_EN, PAGES_ID
from kiosk.i18n.letters import LETTERS_EN, LETTERS_ID
from kiosk.i18n.phones import PHONES_EN, PHONES_ID
from kiosk.i18n.resident_letter_pages import RESIDENT_PAGES_EN, RESIDENT_PAGES_ID
from kiosk.i18n.sync import SYNC_EN, SYNC_ID
from kiosk.importing.messages import MESSAGES_EN, MESSAGES_ID

# The importers keep their row-level messages beside their rules; they join the one table here.
ID = {**MESSAGES_ID, **LETTERS_ID, **PAGES_ID, **RESIDENT_PAGES_ID, **SYNC_ID, **ANNOUNCE_ID, **PHONES_ID,
      **ACCESS_ID, **DISCOVERY_ID, **ID_BASE}
EN = {**MESSAGES_EN, **LETTERS_EN, **PAGES_EN, **RESIDENT_PAGES_EN, **SYNC_EN, **ANNOUNCE_EN, **PHONES_EN,
      **ACCESS_EN, **DISCOVERY_EN, **EN_BASE}
LANGUAGES = {"id": ID, "en": EN}


def translate(key: str, lang: str = "id", **params: Any) -> str:
    """The string for `key` in `lang`, falling back to Indonesian, then to the key itself (never raises)."""
    table = LANGUAGES.get(lang, ID)
    text = table.get(key) or ID.get(key) or key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


class Translator:
    """A translator bound to one language, handed to a page so it can write `t("key")`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "id"

    def __call__(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)
