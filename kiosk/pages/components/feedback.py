"""Showing a refused action to a person: the service error's key, translated, never a stack trace."""

from __future__ import annotations

import logging

from nicegui import ui

from kiosk.i18n import Translator
from kiosk.services.errors import as_service_error

log = logging.getLogger(__name__)


def error_text(error: Exception, t: Translator) -> str:
    refused = as_service_error(error)  # a ServiceError, or a full disk seen as one
    if refused is not None:
        return t(refused.key, **refused.params)
    log.exception("unexpected error in a page action", exc_info=error)
    return t("error.unexpected")


def notify_error(error: Exception, t: Translator) -> None:
    ui.notify(error_text(error, t), type="negative", position="top", timeout=6000)
