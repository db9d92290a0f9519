"""The "send a letter type" card on /kirim: a definition (.json) and its template (.html), checked at the hub
with the villages' own rules before it is queued, so a mistake shows here at once with its line number."""

from __future__ import annotations

import json
import logging
from typing import Awaitable, Callable

from nicegui import ui
from nicegui.events import UploadEventArguments

from sync.hub.dashboard.common import in_thread, still_signed_in
from sync.hub.dashboard.strings import STRINGS, t
from sync.hub.enrolment import EnrolmentError
from sync.hub.pull import OutboxError, add_letter_type
from sync.hub.store import hub_database

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200_000


def queue_letter_type(village: str, definition_text: str, body: str, actor: str) -> int:
    """Parse the definition and queue the type (own connection: runs in a worker thread)."""
    try:
        definition = json.loads(definition_text)
    except json.JSONDecodeError as error:
        raise OutboxError("definition_not_json", f"baris {error.lineno}: {error.msg}") from error
    if not isinstance(definition, dict):
        raise OutboxError("definition_not_json", "")
    with hub_database.connection_context():
        return add_letter_type(village, definition, body, actor=actor)


def letter_type_card(target: Callable[[], str], after_send: Callable[[], Awaitable[None]]) -> None:
    """The card; `target()` gives the chosen village (or '*'), `after_send` refreshes the outbox table."""
    files: dict[str, str] = {}

    async def received(kind: str, event: UploadEventArguments) -> None:
        file = event.file
        name = (file.name or "").lower()
        if not name.endswith(f".{kind}") or file.size() > MAX_FILE_BYTES:
            message.set_text(t(f"send.lt.bad_{kind}"))
            return
        try:
            files[kind] = (await file.read()).decode("utf-8")
        except UnicodeDecodeError:
            message.set_text(t("send.lt.not_utf8"))
            return
        message.set_text("")
        chosen.set_text(t("send.lt.chosen", json="✓" if "json" in files else "-", html="✓" if "html" in files else "-"))

    async def submit() -> None:
        actor = await still_signed_in()
        if actor is None:
            return
        if "json" not in files or "html" not in files:
            message.set_text(t("send.lt.missing"))
            return
        try:
            item = await in_thread(queue_letter_type, target(), files["json"], files["html"], actor)
        except (OutboxError, EnrolmentError) as error:
            key = f"send.lt.error.{error.code}"
            message.set_text(t(key if key in STRINGS else "send.lt.error.letter_type_invalid",
                               detail=getattr(error, "detail", "")))
            return
        except Exception:  # noqa: BLE001 - the officer gets an answer, the log gets the cause
            log.exception("hub: queueing a letter type failed")
            message.set_text(t("send.error.unknown"))
            return
        message.set_text("")
        done.set_text(t("send.lt.queued", item=item))
        ui.notify(t("send.lt.queued", item=item), type="positive")
        await after_send()

    with ui.card().classes("w-full max-w-3xl gap-2").mark("send-letter-type"):
        ui.label(t("send.lt.title")).classes("text-h6")
        ui.label(t("send.lt.help")).classes("text-grey-8")
        with ui.row().classes("w-full gap-4"):
            ui.upload(label=t("send.lt.json"), auto_upload=True, max_file_size=MAX_FILE_BYTES,
                      on_upload=lambda e: received("json", e)).props("accept=.json").mark("send-lt-json")
            ui.upload(label=t("send.lt.html"), auto_upload=True, max_file_size=MAX_FILE_BYTES,
                      on_upload=lambda e: received("html", e)).props("accept=.html,.htm").mark("send-lt-html")
        chosen = ui.label("").classes("text-grey-8")
        ui.button(t("send.lt.submit"), on_click=submit).props("size=lg").mark("send-lt-submit")
        message = ui.label("").classes("text-negative").mark("send-lt-error")
        done = ui.label("").classes("text-positive").mark("send-lt-done")

