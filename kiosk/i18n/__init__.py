"""All UI text goes through one table per language; Bahasa Indonesia first, English switchable."""

from __future__ import annotations

from typing import Any

from kiosk.i18n.announcements import ANNOUNCE_EN, ANNOUNCE_ID
from kiosk.i18n.backup import BACKUP_EN, BACKUP_ID
from kiosk.i18n.budget import BUDGET_EN, BUDGET_ID
from kiosk.i18n.complaints import COMPLAINTS_EN, COMPLAINTS_ID
from kiosk.i18n.discovery import DISCOVERY_EN, DISCOVERY_ID
from kiosk.i18n.ikm import IKM_EN, IKM_ID
from kiosk.i18n.kiosk_access import ACCESS_EN, ACCESS_ID
from kiosk.i18n.en import STRINGS as EN_BASE
from kiosk.i18n.faults import FAULTS_EN, FAULTS_ID
from kiosk.i18n.guard import GUARD_EN, GUARD_ID
from kiosk.i18n.id import STRINGS as ID_BASE
from kiosk.i18n.letter_pages import PAGES_EN, PAGES_ID
from kiosk.i18n.letters import LETTERS_EN, LETTERS_ID
from kiosk.i18n.local import LocalLanguage
from kiosk.i18n.phones import PHONES_EN, PHONES_ID
from kiosk.i18n.polls import POLLS_EN, POLLS_ID
from kiosk.i18n.resident_letter_pages import RESIDENT_PAGES_EN, RESIDENT_PAGES_ID
from kiosk.i18n.sync import SYNC_EN, SYNC_ID
from kiosk.i18n.update import UPDATE_EN, UPDATE_ID
from kiosk.importing.messages import MESSAGES_EN, MESSAGES_ID

# The importers keep their row-level messages beside their rules; they join the one table here.
ID = {**MESSAGES_ID, **LETTERS_ID, **PAGES_ID, **RESIDENT_PAGES_ID, **SYNC_ID, **ANNOUNCE_ID, **PHONES_ID,
      **ACCESS_ID, **DISCOVERY_ID, **BACKUP_ID, **BUDGET_ID,
      **UPDATE_ID, **COMPLAINTS_ID, **IKM_ID, **POLLS_ID, **GUARD_ID, **FAULTS_ID, **ID_BASE}
EN = {**MESSAGES_EN, **LETTERS_EN, **PAGES_EN, **RESIDENT_PAGES_EN, **SYNC_EN, **ANNOUNCE_EN, **PHONES_EN,
      **ACCESS_EN, **DISCOVERY_EN, **BACKUP_EN, **BUDGET_EN,
      **UPDATE_EN, **COMPLAINTS_EN, **IKM_EN, **POLLS_EN, **GUARD_EN, **FAULTS_EN, **EN_BASE}
LANGUAGES = {"id": ID, "en": EN}
BUILTIN_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
# Local languages loaded from the office's files at start (see kiosk.i18n.local): code -> name.
_LOCAL_NAMES: dict[str, str] = {}


def install_local_languages(languages: list[LocalLanguage]) -> None:
    """Make loaded local languages available to every translator; called once when the server starts.

    The tables are a registry filled at start, not a setting read at import: nothing here runs on import."""
    for language in languages:
        LANGUAGES[language.code] = language.strings
        _LOCAL_NAMES[language.code] = language.name


def remove_local_languages() -> None:
    """Back to Indonesian and English only (tests, and a server rebuilt in the same process)."""
    for code in list(_LOCAL_NAMES):
        LANGUAGES.pop(code, None)
    _LOCAL_NAMES.clear()


def available_languages() -> list[str]:
    """Indonesian, English, then the local languages in the order of their files."""
    return ["id", "en", *_LOCAL_NAMES]


def language_name(code: str) -> str:
    return BUILTIN_NAMES.get(code) or _LOCAL_NAMES.get(code) or code


def next_language(current: str) -> str:
    """The language the kiosk's language button switches to: each tap moves one along, then back to the first."""
    codes = available_languages()
    return codes[(codes.index(current) + 1) % len(codes)] if current in codes else codes[0]


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
