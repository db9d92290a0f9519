"""/verifikasi — the district checks a letter from any of its villages: paste the QR's text, or upload the
letter's PDF. The answer is a big SAH / TIDAK SAH with the reason, and the facts to hold against the paper
only when the village's signature checks out.

An uploaded PDF is read in memory (NiceGUI spools a large upload to the system's temporary folder, never to
a served folder), checked for type and size before it is parsed, and never stored.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from nicegui.events import UploadEventArguments

from printing.pdf_qr import qr_texts_in_pdf
from sync.hub.app import HubContext
from sync.hub.dashboard.common import format_code, frame, in_thread, require_user, still_signed_in
from sync.hub.dashboard.strings import t
from sync.hub.letter_check import verify_at_hub

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_QR_PER_PDF = 5  # a letter carries one seal; a few more are checked, a PDF full of codes is not a letter


def check_pdf(data: bytes) -> list[dict[str, Any]] | str:
    """The verdict for each letter QR in the PDF, or the string key of why it cannot be checked."""
    if len(data) > MAX_PDF_BYTES:
        return "verify.too_large"
    if b"%PDF-" not in data[:1024]:
        return "verify.not_pdf"
    try:
        texts = qr_texts_in_pdf(data)
    except ValueError:
        return "verify.not_pdf"
    if not texts:
        return "verify.no_qr"
    return [verify_at_hub(text) for text in texts[:MAX_QR_PER_PDF]]


def _reason_text(result: dict[str, Any]) -> str:
    reason = result["reason"]
    if reason == "revoked":
        return t("verify.reason.revoked", reason=result["facts"].get("revoke_reason") or "-")
    return t(f"verify.reason.{reason}")


def show_result(result: dict[str, Any]) -> None:
    """One verdict card: green SAH or red TIDAK SAH, the reason, then the facts (only for a genuine seal)."""
    valid = result["valid"]
    with ui.card().classes("w-full " + ("bg-green-1" if valid else "bg-red-1")).mark("verify-result"):
        ui.label(t("verify.valid") if valid else t("verify.invalid")) \
            .classes("text-h3 text-weight-bold " + ("text-positive" if valid else "text-negative")) \
            .mark("verify-verdict")
        ui.label(_reason_text(result)).classes("text-subtitle1").mark("verify-reason")
        facts = result["facts"]
        if facts:
            signer = ", ".join(x for x in (facts["signer"], facts["signer_title"].replace("\n", " ")) if x)
            rows = [(t("verify.village"), f"{facts['village_name']} ({format_code(facts['village_code'])})"),
                    (t("verify.number"), facts["number"]),
                    (t("verify.type"), facts["type_name"] or facts["type"]),
                    (t("verify.date"), facts["date"]),
                    (t("verify.name"), facts["name"])]
            if signer:
                rows.append((t("verify.signer"), signer))
            with ui.grid(columns="auto 1fr").classes("gap-x-6 gap-y-1"):
                for label, value in rows:
                    ui.label(label).classes("text-weight-medium")
                    ui.label(value)


async def _checked_upload(event: UploadEventArguments) -> list[dict[str, Any]] | str:
    """Type and size first (the size before reading a byte into memory), then the QR codes inside."""
    file = event.file
    name = (file.name or "").lower()
    if not (name.endswith(".pdf") or file.content_type == "application/pdf"):
        return "verify.not_pdf"
    if file.size() > MAX_PDF_BYTES:
        return "verify.too_large"
    data = await file.read()
    try:
        return await in_thread(check_pdf, data)
    except Exception:  # noqa: BLE001 - whatever broke, the officer sees an answer, the log the cause
        log.exception("hub: verifying an uploaded PDF failed")
        return "verify.failed"


def register(hub: HubContext) -> None:
    @ui.page("/verifikasi", title="Balai Kabupaten · Verifikasi Surat")
    async def verify_page(request: Request) -> RedirectResponse | None:
        user = await require_user(request)
        if isinstance(user, RedirectResponse):
            return user

        def show_message(key: str) -> None:
            results.clear()
            with results, ui.card().classes("w-full bg-red-1").mark("verify-result"):
                ui.label(t("verify.invalid")).classes("text-h3 text-weight-bold text-negative") \
                    .mark("verify-verdict")
                ui.label(t(key)).classes("text-subtitle1").mark("verify-reason")

        def working() -> None:
            """The previous answer goes at once: it must never be read as the answer to this letter."""
            results.clear()
            with results:
                ui.spinner(size="lg")

        def show(found: list[dict[str, Any]]) -> None:
            results.clear()
            with results:
                for result in found:
                    show_result(result)

        async def check_text() -> None:
            if await still_signed_in() is None:
                return
            text = (qr_text.value or "").strip()
            if not text:
                results.clear()
                with results:
                    ui.label(t("verify.empty")).classes("text-negative").mark("verify-reason")
                return
            working()
            try:
                found = await in_thread(verify_at_hub, text)
            except Exception:  # noqa: BLE001 - whatever broke, the officer sees an answer, the log the cause
                log.exception("hub: verifying a QR text failed")
                show_message("verify.failed")
                return
            show([found])

        async def check_upload(event: UploadEventArguments) -> None:
            if await still_signed_in() is None:
                return
            working()
            try:
                show_outcome(await _checked_upload(event))
            finally:
                upload.reset()

        def show_outcome(outcome: list[dict[str, Any]] | str) -> None:
            if isinstance(outcome, str):
                show_message(outcome)
            else:
                show(outcome)

        with frame(t("verify.title"), user):
            ui.label(t("verify.help"))
            qr_text = ui.textarea(t("verify.text")).props("outlined autogrow maxlength=2000").classes("w-full max-w-3xl") \
                .mark("verify-text")
            ui.button(t("verify.check"), on_click=check_text).props("size=lg").mark("verify-check")
            upload = ui.upload(label=t("verify.upload"), auto_upload=True, max_file_size=MAX_PDF_BYTES,
                               on_upload=check_upload, on_rejected=lambda: show_message("verify.rejected")) \
                .props("accept=.pdf,application/pdf").classes("max-w-3xl").mark("verify-upload")
            results = ui.column().classes("w-full max-w-3xl gap-3").mark("verify-results")
        return None
