"""/operator/residents/import: upload, check (dry run with a per-row report), then save all or nothing.

Uploads are checked by extension and size, stored under the data folder (never a served folder) with a
random name, and deleted as soon as they are saved or refused.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui
from nicegui.events import UploadEventArguments

from kiosk.context import AppContext
from kiosk.i18n import translate
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, language, translator
from kiosk.services import resident_files
from kiosk.services.resident_files import MAX_IMPORT_BYTES
from kiosk.services.resident_import import ImportSummary

ALLOWED = (".xlsx", ".xlsm", ".xls")
SHOWN_ISSUES = 500


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language
    upload_dir = ctx.settings.data_dir / "uploads"

    @ui.page("/operator/residents/import", title="Balai · Impor Penduduk")
    def import_page(request: Request) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        lang = language(lang_default)
        client = client_address(request)
        state: dict = {"path": None, "summary": None, "progress": 0.0}

        def forget_file() -> None:
            if state["path"] is not None:
                Path(state["path"]).unlink(missing_ok=True)
                state["path"] = None

        # A checked file waits for "save"; if the tab goes away instead, the population file goes too.
        ui.context.client.on_delete(forget_file)

        def show(summary: ImportSummary) -> None:
            result.clear()
            with result:
                ui.label(t("import.summary", **summary.as_json())).classes("text-h6").mark("import-summary")
                if summary.errors:
                    ui.label(t("import.fix_first")).classes("text-negative").mark("import-blocked")
                rows = [{"row": i.row, "column": i.column, "level": t(f"import.level.{i.level}"),
                         "message": translate(i.key, lang, **i.params)} for i in summary.issues[:SHOWN_ISSUES]]
                if rows:
                    ui.table(columns=[{"name": k, "label": t(f"import.col.{k}"), "field": k, "align": "left"}
                                      for k in ("row", "column", "level", "message")],
                             rows=rows, pagination=20).classes("w-full").mark("import-issues")
                    ui.button(t("import.download_report"), icon="download", on_click=download_report) \
                        .props("outline").mark("import-report")
                if not summary.errors and state["path"] is not None:
                    ui.button(t("import.commit"), icon="save", on_click=commit).props("color=teal-8") \
                        .mark("import-commit")

        def download_report() -> None:
            summary = state["summary"]
            if summary is None:
                return
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / "laporan-impor.csv"
                resident_files.write_report(summary, target, lang)
                ui.download(target.read_bytes(), "laporan-impor.csv", "text/csv")

        async def on_upload(event: UploadEventArguments) -> None:
            if still_allowed("operator") is None:
                return
            forget_file()
            name = event.file.name or ""
            suffix = Path(name).suffix.lower()
            if suffix not in ALLOWED or event.file.size() > MAX_IMPORT_BYTES:
                ui.notify(t("import.upload_invalid", megabytes=MAX_IMPORT_BYTES // (1024 * 1024)), type="negative")
                return
            upload_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = upload_dir / f"{uuid.uuid4().hex}{suffix}"
            await event.file.save(path)
            state["path"] = path
            result.clear()
            with result:
                ui.spinner(size="lg")
                ui.label(t("import.checking"))
            try:
                summary = await run.io_bound(resident_files.import_file, path, dry_run=True, actor=account.username,
                                             client=client, accept_unusual_numbers=bool(lenient.value))
            except Exception as error:  # noqa: BLE001 - not a spreadsheet, wrong columns, ...
                forget_file()
                result.clear()
                with result:
                    ui.label(error_text(error, t)).classes("text-negative text-h6").mark("import-error")
                return
            state["summary"] = summary
            if summary.errors:
                forget_file()
            show(summary)

        async def commit() -> None:
            if still_allowed("operator") is None:
                return
            path = state["path"]
            if path is None:
                return
            result.clear()
            with result:
                ui.label(t("import.saving"))
                bar = ui.linear_progress(value=0, show_value=False).classes("w-96").mark("import-progress")
            timer = ui.timer(0.2, lambda: bar.set_value(state["progress"]))
            lock = threading.Lock()

            def progress(done: int, total: int) -> None:
                with lock:
                    state["progress"] = done / max(total, 1)

            try:
                summary = await run.io_bound(resident_files.import_file, path, dry_run=False, actor=account.username,
                                             client=client, progress=progress,
                                             accept_unusual_numbers=bool(lenient.value))
            except Exception as error:  # noqa: BLE001
                timer.cancel()
                result.clear()
                with result:
                    ui.label(error_text(error, t)).classes("text-negative text-h6").mark("import-error")
                return
            finally:
                forget_file()
            timer.cancel()
            result.clear()
            with result:
                ui.label(t("import.done", created=summary.created, updated=summary.updated)) \
                    .classes("text-h6 text-positive").mark("import-done")
                ui.link(t("nav.residents"), "/operator/residents")

        with operator_frame(t("import.title"), account, t, lang_default):
            ui.label(t("import.intro"))
            lenient = ui.checkbox(t("import.accept_unusual")).mark("import-lenient")
            ui.upload(label=t("import.upload"), auto_upload=True, max_file_size=MAX_IMPORT_BYTES,
                      on_upload=on_upload,
                      on_rejected=lambda: ui.notify(t("import.upload_invalid",
                                                      megabytes=MAX_IMPORT_BYTES // (1024 * 1024)), type="negative")) \
                .props(f'accept="{",".join(ALLOWED)}"').classes("w-96").mark("import-upload")
            result = ui.column().classes("w-full gap-3")
        return None
