"""Who is looking at this page: the language and the logged-in account of the browser session.

The browser keeps only a random session token in NiceGUI's per-browser storage; the session itself
(expiry, logout, deactivation) lives in our database.
"""

from __future__ import annotations

from fastapi import Request
from nicegui import app

from kiosk.i18n import Translator, next_language
from kiosk.services.accounts import Account, session_account

SESSION_KEY = "balai_session"
LANG_KEY = "lang"


def language(default: str) -> str:
    return str(app.storage.user.get(LANG_KEY, default))


def translator(default: str) -> Translator:
    return Translator(language(default))


def toggle_language(default: str) -> None:
    app.storage.user[LANG_KEY] = "en" if language(default) == "id" else "id"


def cycle_language(default: str) -> str:
    """The kiosk's language button: Indonesian, English, then any local language, and round again.
    Returns the language now in use."""
    chosen = next_language(language(default))
    app.storage.user[LANG_KEY] = chosen
    return chosen


def current_account() -> Account | None:
    return session_account(app.storage.user.get(SESSION_KEY))


def client_address(request: Request | None) -> str:
    if request is None or request.client is None:
        return ""
    return request.client.host
