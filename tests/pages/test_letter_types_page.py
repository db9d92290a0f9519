"""The admin's letter types: the list, switching one off, the template editor's live preview, refusing a broken
template, saving a good edit, adding a type and bringing a built-in back."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

from nicegui.testing import User

from kiosk.i18n.letter_pages import PAGES_EN, PAGES_ID
from kiosk.models import LetterType
from kiosk.services import accounts, letter_types
from kiosk.services.letter_render import LetterLayout
from kiosk.services.letter_requests import CHANNELS, STATUSES
from kiosk.services.letter_type_preview import preview_pdf
from tests.pages.test_operator_pages import login
from tests.services.letters_support import SIMPLE_BODY, SIMPLE_TYPE

PASSWORD = "loket-satu-2026"
SLOW = 150


async def _admin(user: User) -> None:
    accounts.create_user("kepala", PASSWORD, "admin", actor="test")
    letter_types.save_type(SIMPLE_TYPE, SIMPLE_BODY, actor="test", create=True)
    await login(user, "kepala", PASSWORD)
    await user.should_see("Loket saya", retries=30)


def _preview_src(user: User) -> str:
    frame = next(iter(user.find(marker="type-preview").elements))
    return str(frame.props.get("src") or "")


async def _wait_preview(user: User, previous: str = "") -> str:
    for _ in range(SLOW):
        src = _preview_src(user)
        if src and src != previous:
            return src
        await asyncio.sleep(0.1)
    raise AssertionError("no preview rendered")


async def test_list_shows_types_and_switches_one_off(office: User) -> None:
    await _admin(office)
    await office.open("/operator/letters/types")
    await office.should_see("Surat Keterangan Percobaan", retries=30)
    if LetterType.select().where(LetterType.builtin == 1).exists():
        await office.should_see(marker="type-builtin")
    office.find(marker="type-enabled-TES").click()
    await office.should_see("Tersimpan.", retries=30)
    assert LetterType.get(LetterType.code == "TES").enabled == 0
    assert "TES" not in {info.code for info in letter_types.list_types()}


async def test_editor_previews_refuses_a_broken_template_and_saves_a_good_one(office: User) -> None:
    await _admin(office)
    await office.open("/operator/letters/types/TES")
    await office.should_see("Pratinjau (contoh penduduk)", retries=30)
    first = await _wait_preview(office)
    answer = await office.http_client.get(first)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")

    office.find(marker="type-body").type("\n<p>{% if isian.keperluan %}tanpa penutup</p>")
    await office.should_see(marker="preview-error", content="Templat surat bermasalah", retries=SLOW)
    await office.should_see(marker="preview-error", content="baris")
    assert _preview_src(office) == first  # the last good preview stays
    office.find(marker="type-save").click()
    await office.should_see(marker="type-error", content="Templat surat bermasalah", retries=30)
    assert LetterType.get(LetterType.code == "TES").body == SIMPLE_BODY

    office.find(marker="type-body").clear().type(SIMPLE_BODY + "<p>Demikian untuk dipergunakan.</p>")
    office.find(marker="type-name").clear().type("Surat Keterangan Uji Coba")
    second = await _wait_preview(office, first)
    assert (await office.http_client.get(second)).content.startswith(b"%PDF")
    office.find(marker="type-save").click()
    await office.should_see("Jenis surat Surat Keterangan Uji Coba disimpan.", retries=30)
    saved = LetterType.get(LetterType.code == "TES")
    assert saved.name == "Surat Keterangan Uji Coba" and "Demikian untuk dipergunakan" in saved.body


async def test_bad_fields_json_is_refused(office: User) -> None:
    await _admin(office)
    await office.open("/operator/letters/types/TES")
    await office.should_see("Pratinjau (contoh penduduk)", retries=30)
    office.find(marker="type-fields").clear().type('[{"name": "keperluan",')
    office.find(marker="type-save").click()
    await office.should_see(marker="type-error", content="Isian (JSON) tidak valid", retries=30)


async def test_admin_adds_a_new_type(office: User) -> None:
    await _admin(office)
    await office.open("/operator/letters/types/new")
    await office.should_see("Jenis Surat Baru", retries=30)
    office.find(marker="type-code").type("ujiku")
    office.find(marker="type-name").type("Surat Keterangan Ujian")
    office.find(marker="type-klasifikasi").click()
    office.find("470 — KEPENDUDUKAN").click()
    office.find(marker="type-body").type("<p>Menerangkan bahwa {{ penduduk.nama }} {{ isian.keperluan }}.</p>")
    office.find(marker="type-save").click()
    await office.should_see("Jenis surat Surat Keterangan Ujian disimpan.", retries=30)
    created = letter_types.get_type("UJIKU")
    assert created.klasifikasi == "470" and not created.builtin and [f.name for f in created.fields] == ["keperluan"]


async def test_builtin_type_can_be_restored(office: User) -> None:
    await _admin(office)
    builtin = LetterType.select().where(LetterType.builtin == 1).first()
    if builtin is None:  # the built-in definitions are not installed in this checkout
        return
    info = letter_types.get_type(builtin.code)
    raw = {"code": info.code, "name": "Nama Yang Diubah Admin", "klasifikasi": info.klasifikasi,
           "requirements": list(info.requirements), "resident_fields": list(info.resident_fields),
           "fields": [spec.to_dict() for spec in info.fields]}
    letter_types.save_type(raw, info.body, actor="test")
    await office.open(f"/operator/letters/types/{info.code}")
    await office.should_see(marker="type-reset", retries=30)
    office.find(marker="type-reset").click()
    office.find(marker="type-reset-confirm").click()
    await office.should_see("Jenis surat dikembalikan ke bawaan.", retries=30)
    shipped = {definition.code: definition for definition in letter_types.builtin_definitions()}[info.code]
    assert letter_types.get_type(info.code).name == shipped.name != "Nama Yang Diubah Admin"


async def test_operator_may_not_edit_types(office: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    letter_types.save_type(SIMPLE_TYPE, SIMPLE_BODY, actor="test", create=True)
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    for path in ("/operator/letters/types", "/operator/letters/types/TES", "/operator/letters/types/new"):
        await office.open(path)
        await office.should_see("Anda tidak berhak melakukan ini.", retries=30)
    answer = await office.http_client.get("/operator/letters/types/preview/anything.pdf")
    assert answer.status_code == 403


def test_preview_service_renders_unsaved_text_and_names_the_broken_line(demo_db) -> None:  # noqa: ANN001
    pdf = preview_pdf(SIMPLE_TYPE, SIMPLE_BODY, LetterLayout())
    assert pdf.startswith(b"%PDF")
    try:
        preview_pdf(SIMPLE_TYPE, "<p>satu</p>\n{% if %}", LetterLayout())
    except Exception as error:  # noqa: BLE001
        assert getattr(error, "key", "") == "letter_type.template_error"
        assert "baris 2" in error.params["detail"]
    else:
        raise AssertionError("a broken template must be refused")


def test_every_page_string_exists_in_both_languages() -> None:
    pages = Path(__file__).resolve().parents[2] / "kiosk" / "pages"
    used = set()
    for name in ("operator_letters.py", "operator_letter_detail.py", "letter_types_admin.py"):
        tree = ast.parse((pages / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.startswith(("opletters.", "lettertypes.")) and not node.value.endswith("."):
                used.add(node.value)
    assert used, "the pages use their strings"
    used |= {f"opletters.tab.{name}" for name in ("all", *STATUSES)}
    used |= {f"opletters.channel.{name}" for name in CHANNELS}
    assert sorted(used - set(PAGES_ID)) == []
    assert sorted(set(PAGES_ID) ^ set(PAGES_EN)) == []
