"""Showing a refused action to a person: the service error's key, translated, never a stack trace."""

from __future__ import annotations

import logging

from nicegui import ui

from kiosk.i18n import Translator
from kiosk.services.errors import ServiceError

log = logging.getLogger(__name__)


def error_text(error: Exception, t: Translator) -> str:
    if isinstance(error, ServiceError):
        return t(error.key, **error.params)
    log.exception("unexpected error in a page action", exc_info=error)
    return t("error.unexpected")


def notify_error(error: Exception, t: Translator) -> None:
    ui.notify(error_text(error, t), type="negative", position="top", timeout=6000)
