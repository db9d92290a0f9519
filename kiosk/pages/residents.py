"""Operator pages for the population: search as you type, the person and the family, recording events.

Every number shown is masked; revealing one is a button that logs who asked. Viewers see no personal
details (these pages need the operator role).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import run, ui

from kiosk.context import AppContext
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import notify_error
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.resident_forms import family_actions, split_action
from kiosk.pages.session import client_address, translator
from kiosk.services import resident_events, resident_files, resident_pins, residents, village
from kiosk.services.clock import format_date
from kiosk.services.codes import label
from kiosk.services.resident_events import EventInput

EVENT_KINDS = ("lahir", "mati", "pindah_keluar", "datang", "hilang", "pergi", "kembali")


def _forbidden(t) -> None:  # noqa: ANN001
    ui.label(t("error.forbidden")).classes("text-h6 text-negative q-pa-lg").mark("forbidden")


def _pin_section(person_id: int, t, username: str, client: str) -> None:  # noqa: ANN001
    """The resident's self-service PIN (kiosk and phone letters): set by an operator who has seen the KTP,
    shown once, never readable afterwards. The service writes the audit entries."""

    def show_once(pin: str) -> None:
        with card, ui.dialog().props("persistent") as dialog, ui.card().classes("items-center"):
            ui.label(t("resident_pin.new_title")).classes("text-h6")
            ui.label(pin).classes("text-h3 font-mono text-weight-bold").mark("pin-shown")
            ui.label(t("resident_pin.hand_over")).classes("text-subtitle1 text-center").mark("pin-note")
            ui.button(t("resident_pin.done"), on_click=lambda: (dialog.close(), dialog.delete())).mark("pin-done")
        dialog.open()

    async def set_pin(pin: str | None) -> None:
        if still_allowed("operator") is None:
            return
        try:  # argon2 hashing takes a moment on a Pi: off the event loop
            chosen = await run.io_bound(resident_pins.set_pin, person_id, pin, actor=username, client=client)
        except Exception as error:  # noqa: BLE001
            notify_error(error, t)
            return
        typed.set_value("")
        draw()
        show_once(chosen)

    def clear() -> None:
        if still_allowed("operator") is None:
            return
        try:
            resident_pins.clear_pin(person_id, actor=username, client=client)
        except Exception as error:  # noqa: BLE001
            notify_error(error, t)
            return
        ui.notify(t("resident_pin.cleared"), type="positive")
        draw()

    def draw() -> None:
        has = resident_pins.has_pin(person_id)
        state.set_text(t("resident_pin.is_set" if has else "resident_pin.not_set"))
        state.classes(replace="text-subtitle1 " + ("text-positive" if has else "text-grey-7"))
        clear_button.set_visibility(has)

    with ui.card().classes("w-full").mark("pin-section") as card:
        with ui.row().classes("w-full items-center gap-3"):
            ui.label(t("resident_pin.title")).classes("text-h6")
            state = ui.label("").mark("pin-state")
            ui.space()
            ui.button(t("resident_pin.new_letter"), icon="note_add",
                      on_click=lambda: ui.navigate.to(f"/operator/letters/new?person={person_id}")) \
                .props("outline dense").mark("person-new-letter")
        ui.label(t("resident_pin.check_ktp")).classes("text-caption text-grey-7")
        with ui.row().classes("items-center gap-3"):
            ui.button(t("resident_pin.generate"), icon="pin", on_click=lambda: set_pin(None)).props("outline") \
                .mark("pin-generate")
            typed = ui.input(t("resident_pin.type_one")).props("outlined dense maxlength=6 inputmode=numeric") \
                .classes("w-48").mark("pin-typed")
            ui.button(t("resident_pin.use_typed"), icon="save", on_click=lambda: set_pin(typed.value or "")) \
                .props("flat").mark("pin-save-typed")
            clear_button = ui.button(t("resident_pin.clear"), icon="lock_reset", on_click=clear) \
                .props("flat color=negative").mark("pin-clear")
    draw()


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/residents", title="Balai · Penduduk")
    def residents_page(request: Request, q: str = "") -> RedirectResponse | None:
        account = require(request, "viewer")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)

        async def export() -> None:
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / f"penduduk-{date.today().isoformat()}.xlsx"
                await run.io_bound(resident_files.export_file, target, actor=account.username, client=client,
                                   role=account.role)
                ui.download(target.read_bytes(), target.name)

        with operator_frame(t("nav.residents"), account, t, lang_default):
            if not account.may("operator"):
                _forbidden(t)
                return None
            with ui.row().classes("w-full items-center gap-4"):
                search = ui.input(t("residents.search"), value=q).props("outlined clearable autofocus") \
                    .classes("w-[32rem]").mark("resident-search")
                count = ui.label("").classes("text-subtitle1")
                ui.space()
                ui.button(t("person.new"), icon="person_add",
                          on_click=lambda: ui.navigate.to("/operator/residents/new")).props("outline").mark("new-person")
                ui.button(t("residents.import"), icon="upload_file",
                          on_click=lambda: ui.navigate.to("/operator/residents/import")).props("outline")
                if account.may("signer"):
                    ui.button(t("residents.export"), icon="download", on_click=export).props("outline") \
                        .mark("export")
                ui.button(t("residents.statistics"), icon="bar_chart",
                          on_click=lambda: ui.navigate.to("/operator/statistics")).props("outline")
            columns = [
                {"name": key, "label": t(f"residents.col.{key}"), "field": key, "align": "left"}
                for key in ("nama", "nik", "no_kk", "alamat", "wilayah", "umur", "status")
            ]
            table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full").mark("resident-results")
            table.on("rowClick", lambda e: ui.navigate.to(f"/operator/residents/{e.args[1]['id']}"))
            table.props("flat bordered")

        labels = village.area_labels()

        def refresh() -> None:
            hits = residents.search(search.value or "", 20)
            table.rows = [{
                "id": h.id, "nama": h.nama, "nik": h.nik_masked, "no_kk": h.kk_masked, "alamat": h.alamat,
                "wilayah": f"{h.dusun} {labels.rt} {h.rt}/{labels.rw} {h.rw}" if h.dusun else "-",
                "umur": h.age if h.age is not None else "-", "status": label("status_dasar", h.status_dasar),
            } for h in hits]
            table.update()
            count.set_text(t("residents.count", count=residents.count_residents()) if not search.value
                           else t("residents.found", count=len(hits)))

        search.on_value_change(refresh)
        refresh()
        return None

    @ui.page("/operator/residents/{person_id}", title="Balai · Penduduk")
    def person_page(request: Request, person_id: int) -> RedirectResponse | None:
        account = require(request, "viewer")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        with operator_frame(t("residents.person"), account, t, lang_default):
            if not account.may("operator"):
                _forbidden(t)
                return None
            try:
                record = residents.person_record(person_id, actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
                ui.label(t("error.not_found")).classes("text-h6")
                return None

            labels = village.area_labels()

            def reveal(field: str, target: ui.label) -> None:
                if still_allowed("operator") is None:
                    return
                target.set_text(residents.reveal_number(person_id, field, actor=account.username, client=client))

            with ui.card().classes("w-full"):
                ui.label(record["nama"]).classes("text-h5").mark("person-name")
                with ui.grid(columns=4).classes("w-full gap-x-6 gap-y-1"):
                    for key, value, field in (("nik", record["nik"], "nik"), ("no_kk", record["no_kk"], "no_kk")):
                        ui.label(t(f"residents.col.{key}")).classes("text-grey-7")
                        with ui.row().classes("items-center gap-2 no-wrap"):
                            shown = ui.label(value).classes("font-mono").mark(f"person-{key}")
                            ui.button(t("residents.reveal"), icon="visibility",
                                      on_click=lambda f=field, s=shown: reveal(f, s)) \
                                .props("flat dense size=sm").mark(f"reveal-{key}")
                    facts = [
                        ("sex", label("sex", record["sex"])), ("born", f"{record['tempatlahir'] or '-'}, {format_date(record['tanggallahir'])}"),
                        ("agama", label("agama", record["agama_id"])),
                        ("pendidikan", label("pendidikan_kk", record["pendidikan_kk_id"])),
                        ("pekerjaan", label("pekerjaan", record["pekerjaan_id"])),
                        ("status_kawin", label("status_kawin", record["status_kawin"])),
                        ("shdk", label("kk_level", record["kk_level"])),
                        ("warganegara", label("warganegara", record["warganegara_id"])),
                        ("alamat", f"{record['alamat'] or '-'} · {record['dusun']} {labels.rt} {record['rt']}/"
                                   f"{labels.rw} {record['rw']}"),
                        ("status", label("status_dasar", record["status_dasar"])),
                        ("ayah", record["nama_ayah"] or "-"), ("ibu", record["nama_ibu"] or "-"),
                    ]
                    for key, value in facts:
                        ui.label(t(f"residents.field.{key}")).classes("text-grey-7")
                        ui.label(str(value)).mark(f"person-{key}")
                with ui.row().classes("items-center gap-4"):
                    if record["keluarga_id"]:
                        ui.link(t("residents.family"), f"/operator/families/{record['keluarga_id']}") \
                            .mark("family-link")
                    ui.button(t("person.edit"), icon="edit",
                              on_click=lambda: ui.navigate.to(f"/operator/residents/{person_id}/edit")) \
                        .props("outline dense").mark("edit-person")
            family_actions(person_id, t, account.username, client)
            _pin_section(person_id, t, account.username, client)

            with ui.card().classes("w-full"):
                ui.label(t("residents.history")).classes("text-h6")
                for event in record["events"]:
                    ui.label(f"{format_date(event['date'])} · {t('event.' + event['kind'])} · {event['reason']} "
                             f"{event['document_no']} · {event['operator']}").mark("person-event")
                if not record["events"]:
                    ui.label(t("residents.no_events")).classes("text-grey-7")
                with ui.row().classes("items-end gap-3"):
                    kind = ui.select({k: t("event." + k) for k in EVENT_KINDS}, label=t("residents.event_kind")) \
                        .props("outlined dense").classes("w-48").mark("event-kind")
                    when = ui.input(t("residents.event_date"), value=date.today().isoformat()) \
                        .props("outlined dense type=date").mark("event-date")
                    reason = ui.input(t("residents.event_reason")).props("outlined dense maxlength=500") \
                        .mark("event-reason")
                    document = ui.input(t("residents.event_document")).props("outlined dense maxlength=100") \
                        .mark("event-document")

                    def save_event() -> None:
                        if still_allowed("operator") is None:
                            return
                        try:
                            event = EventInput(kind.value or "", date.fromisoformat(when.value or ""),
                                               reason.value or "", document.value or "")
                            resident_events.record_event(person_id, event, actor=account.username, client=client)
                        except ValueError:
                            ui.notify(t("residents.date_invalid"), type="negative")
                            return
                        except Exception as error:  # noqa: BLE001
                            notify_error(error, t)
                            return
                        ui.notify(t("common.saved"), type="positive")
                        ui.navigate.reload()

                    ui.button(t("residents.record_event"), icon="event", on_click=save_event).mark("save-event")

            if account.may("admin"):
                with ui.expansion(t("residents.who_read")).classes("w-full").mark("who-read"):
                    rows = [{"at": f"{at:%Y-%m-%d %H:%M}", "actor": actor, "what": what, "client": where}
                            for at, actor, what, where in residents.who_read(person_id)]
                    ui.table(columns=[{"name": k, "label": k, "field": k, "align": "left"}
                                      for k in ("at", "actor", "what", "client")], rows=rows).classes("w-full")
        return None

    @ui.page("/operator/families/{family_id}", title="Balai · Keluarga")
    def family_page(request: Request, family_id: int) -> RedirectResponse | None:
        account = require(request, "viewer")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        with operator_frame(t("residents.family"), account, t, lang_default):
            if not account.may("operator"):
                _forbidden(t)
                return None
            try:
                family = residents.family_record(family_id, actor=account.username, client=client_address(request))
            except Exception as error:  # noqa: BLE001
                notify_error(error, t)
                return None
            ui.label(f"{t('residents.col.no_kk')}: {family.kk_masked}").classes("text-h6 font-mono")
            labels = village.area_labels()
            ui.label(f"{family.alamat} · {family.dusun} {labels.rt} {family.rt}/{labels.rw} {family.rw}")
            rows = [{"id": m.id, "nama": m.nama, "nik": m.nik_masked, "shdk": label("kk_level", m.kk_level),
                     "sex": label("sex", m.sex), "umur": m.age if m.age is not None else "-",
                     "status": label("status_dasar", m.status_dasar)} for m in family.members]
            table = ui.table(columns=[{"name": k, "label": t(f"residents.col.{k}"), "field": k, "align": "left"}
                                      for k in ("nama", "nik", "shdk", "sex", "umur", "status")],
                             rows=rows, row_key="id").classes("w-full").mark("family-members")
            table.on("rowClick", lambda e: ui.navigate.to(f"/operator/residents/{e.args[1]['id']}"))
            with ui.row().classes("gap-3"):
                ui.button(t("person.new"), icon="person_add",
                          on_click=lambda: ui.navigate.to(f"/operator/residents/new?family={family_id}")) \
                    .props("outline").mark("family-add-member")
            split_action(family, t, account.username, client_address(request))
        return None

