"""Forms that change the population: add or edit a resident, and the family events (KK baru, pecah KK,
pindah KK). Errors are shown beside the form in Indonesian and nothing is written; NIK warnings are saved
and shown."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.pages.auth import require, still_allowed
from kiosk.pages.components.feedback import error_text
from kiosk.pages.components.frame import operator_frame
from kiosk.pages.session import client_address, translator
from kiosk.services import resident_edit, residents
from kiosk.services.codes import options
from kiosk.services.resident_edit import PersonInput

CODE_FIELDS = (("sex", "sex"), ("agama_id", "agama"), ("pendidikan_kk_id", "pendidikan_kk"),
               ("pekerjaan_id", "pekerjaan"), ("status_kawin", "status_kawin"), ("kk_level", "kk_level"),
               ("warganegara_id", "warganegara"), ("golongan_darah_id", "golongan_darah"))
FIELD_LABELS = {"sex": "sex", "agama_id": "agama", "pendidikan_kk_id": "pendidikan", "pekerjaan_id": "pekerjaan",
                "status_kawin": "status_kawin", "kk_level": "shdk", "warganegara_id": "warganegara",
                "golongan_darah_id": "golongan_darah"}


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def person_form(t: Translator, initial: PersonInput | None) -> tuple[dict, ui.label]:
    """The inputs of a resident form, laid out in a grid; returns them by field name and the error label."""
    values = initial or PersonInput(nik="", nama="", sex=None, tanggallahir=None)
    inputs: dict = {}
    with ui.grid(columns=3).classes("w-full gap-3"):
        inputs["nik"] = ui.input(t("residents.field.nik"), value=values.nik).props("outlined maxlength=20") \
            .mark("form-nik")
        inputs["nama"] = ui.input(t("residents.field.nama"), value=values.nama).props("outlined maxlength=100") \
            .mark("form-nama")
        inputs["tempatlahir"] = ui.input(t("residents.field.tempatlahir"), value=values.tempatlahir or "") \
            .props("outlined maxlength=100")
        inputs["tanggallahir"] = ui.input(t("residents.field.tanggallahir"),
                                          value=values.tanggallahir.isoformat() if values.tanggallahir else "") \
            .props("outlined type=date stack-label").mark("form-tanggallahir")
        for field, list_name in CODE_FIELDS:
            inputs[field] = ui.select(options(list_name), value=getattr(values, field),
                                      label=t(f"residents.field.{FIELD_LABELS[field]}"), clearable=True) \
                .props("outlined").mark(f"form-{field}")
        inputs["nama_ayah"] = ui.input(t("residents.field.ayah"), value=values.nama_ayah or "").props("outlined")
        inputs["nama_ibu"] = ui.input(t("residents.field.ibu"), value=values.nama_ibu or "").props("outlined")
        inputs["alamat"] = ui.input(t("residents.field.alamat"), value=values.alamat or "").props("outlined")
    error = ui.label("").classes("text-negative text-subtitle1").mark("form-error")
    return inputs, error


def read_form(inputs: dict) -> PersonInput:
    return PersonInput(
        nik=inputs["nik"].value or "", nama=inputs["nama"].value or "", sex=inputs["sex"].value,
        tanggallahir=_parse_date(inputs["tanggallahir"].value), tempatlahir=inputs["tempatlahir"].value or "",
        **{field: inputs[field].value for field, _ in CODE_FIELDS if field != "sex"},
        nama_ayah=inputs["nama_ayah"].value or "", nama_ibu=inputs["nama_ibu"].value or "",
        alamat=inputs["alamat"].value or "",
    )


def _warn(t: Translator, warnings: list) -> None:
    if warnings:
        text = "; ".join(t(w.key, **w.params) for w in warnings)
        ui.notify(t("person.saved_with_warnings", warnings=text), type="warning", timeout=10000, multi_line=True)
    else:
        ui.notify(t("common.saved"), type="positive")


def register(ctx: AppContext) -> None:
    lang_default = ctx.settings.language

    @ui.page("/operator/residents/new", title="Balai · Tambah Penduduk")
    def new_person_page(request: Request, family: int | None = None) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        with operator_frame(t("person.new"), account, t, lang_default):
            if not account.may("operator"):
                ui.label(t("error.forbidden")).classes("text-negative").mark("forbidden")
                return None
            inputs, error = person_form(t, None)
            with ui.row().classes("items-end gap-3"):
                event = ui.select({"lahir": t("event.lahir"), "datang": t("event.datang")}, value="datang",
                                  label=t("person.first_event")).props("outlined").classes("w-48").mark("form-event")
                when = ui.input(t("residents.event_date"), value=date.today().isoformat()) \
                    .props("outlined type=date").mark("form-event-date")

            def save() -> None:
                if still_allowed("operator") is None:
                    return
                error.set_text("")
                try:
                    person_id, warnings = resident_edit.create_person(
                        read_form(inputs), family_id=family, first_event=event.value or "",
                        event_date=_parse_date(when.value) or date.today(), actor=account.username, client=client)
                except Exception as problem:  # noqa: BLE001
                    error.set_text(error_text(problem, t))
                    return
                _warn(t, warnings)
                ui.navigate.to(f"/operator/residents/{person_id}")

            ui.button(t("common.save"), icon="save", on_click=save).props("size=lg color=teal-8").mark("form-save")
        return None

    @ui.page("/operator/residents/{person_id}/edit", title="Balai · Ubah Penduduk")
    def edit_person_page(request: Request, person_id: int) -> RedirectResponse | None:
        account = require(request, "operator")
        if isinstance(account, RedirectResponse):
            return account
        t = translator(lang_default)
        client = client_address(request)
        with operator_frame(t("person.edit"), account, t, lang_default):
            if not account.may("operator"):
                ui.label(t("error.forbidden")).classes("text-negative").mark("forbidden")
                return None
            try:
                initial = resident_edit.editable(person_id, actor=account.username, client=client)
            except Exception as problem:  # noqa: BLE001
                ui.label(error_text(problem, t)).classes("text-h6")
                return None
            inputs, error = person_form(t, initial)

            def save() -> None:
                if still_allowed("operator") is None:
                    return
                error.set_text("")
                try:
                    warnings = resident_edit.update_person(person_id, read_form(inputs), actor=account.username,
                                                           client=client)
                except Exception as problem:  # noqa: BLE001
                    error.set_text(error_text(problem, t))
                    return
                _warn(t, warnings)
                ui.navigate.to(f"/operator/residents/{person_id}")

            ui.button(t("common.save"), icon="save", on_click=save).props("size=lg color=teal-8").mark("form-save")
        return None


def family_actions(person_id: int, t: Translator, actor: str, client: str) -> None:
    """KK baru and pindah KK for one person, as two small forms on the person page."""
    with ui.expansion(t("family.kk_baru"), icon="note_add").classes("w-full").mark("kk-baru"):
        with ui.row().classes("items-end gap-3"):
            number = ui.input(t("family.new_kk")).props("outlined dense maxlength=20").mark("kk-baru-number")
            alamat = ui.input(t("residents.field.alamat")).props("outlined dense")
            dusun = ui.input(t("residents.field.dusun")).props("outlined dense")
            rw = ui.input(t("residents.field.rw")).props("outlined dense maxlength=3").classes("w-20")
            rt = ui.input(t("residents.field.rt")).props("outlined dense maxlength=3").classes("w-20")

            def create() -> None:
                if still_allowed("operator") is None:
                    return
                try:
                    resident_edit.kk_baru(person_id, number.value or "", alamat=alamat.value or "",
                                          dusun=dusun.value or "", rw=rw.value or "", rt=rt.value or "",
                                          when=date.today(), actor=actor, client=client)
                except Exception as problem:  # noqa: BLE001
                    ui.notify(error_text(problem, t), type="negative")
                    return
                ui.notify(t("common.saved"), type="positive")
                ui.navigate.reload()

            ui.button(t("common.save"), on_click=create).mark("kk-baru-save")
    with ui.expansion(t("family.pindah_kk"), icon="move_down").classes("w-full").mark("pindah-kk"):
        with ui.row().classes("items-end gap-3"):
            target = ui.input(t("family.target_kk")).props("outlined dense maxlength=20").mark("pindah-kk-number")
            level = ui.select(options("kk_level"), value=4, label=t("family.relationship")) \
                .props("outlined dense").classes("w-56")

            def move() -> None:
                if still_allowed("operator") is None:
                    return
                try:
                    resident_edit.pindah_kk(person_id, target.value or "", int(level.value or 0), when=date.today(),
                                            actor=actor, client=client)
                except Exception as problem:  # noqa: BLE001
                    ui.notify(error_text(problem, t), type="negative")
                    return
                ui.notify(t("common.saved"), type="positive")
                ui.navigate.reload()

            ui.button(t("common.save"), on_click=move).mark("pindah-kk-save")


def split_action(family: residents.FamilyRecord, t: Translator, actor: str, client: str) -> None:
    """Pecah KK on the family page: choose who moves, their head, and the new card's number."""
    members = {m.id: m.nama for m in family.members}
    with ui.expansion(t("family.pecah_kk"), icon="call_split").classes("w-full").mark("pecah-kk"):
        with ui.row().classes("items-end gap-3"):
            moving = ui.select(members, multiple=True, label=t("family.members_to_move")) \
                .props("outlined dense use-chips").classes("w-96").mark("pecah-kk-members")
            head = ui.select(members, label=t("family.new_head")).props("outlined dense").classes("w-56") \
                .mark("pecah-kk-head")
            number = ui.input(t("family.new_kk")).props("outlined dense maxlength=20").mark("pecah-kk-number")

            def split() -> None:
                if still_allowed("operator") is None:
                    return
                try:
                    new_id = resident_edit.pecah_kk(family.id, list(moving.value or []), int(head.value or 0),
                                                    number.value or "", alamat="", when=date.today(), actor=actor,
                                                    client=client)
                except Exception as problem:  # noqa: BLE001
                    ui.notify(error_text(problem, t), type="negative")
                    return
                ui.notify(t("common.saved"), type="positive")
                ui.navigate.to(f"/operator/families/{new_id}")

            ui.button(t("common.save"), on_click=split).mark("pecah-kk-save")
