"""Letters at the touch kiosk: asking for one with NIK + PIN and the in-page keys, following it, printing it."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

from nicegui.testing import User

from kiosk.models import LetterRequest, PrintJob
from kiosk.pages.kiosk_letters import FLOW_KEY
from kiosk.services import accounts, letter_requests, letter_signing, letter_types, resident_edit, resident_pins
from kiosk.services.errors import NotFound
from kiosk.services.letter_requests import LetterSummary
from kiosk.services.letter_signing import SignedLetter
from kiosk.services.resident_edit import PersonInput
from tests.pages import state
from tests.services.letters_support import SIMPLE_BODY, SIMPLE_TYPE

NIK = "3204125505900001"
PIN = "482913"
OTHER_NIK = "3204120101850003"
OTHER_PIN = "739158"
SLOW = 80  # retries of 0.1 s: a PIN check takes argon2 time plus the page's floor for refusals


def make_resident(nik: str = NIK, pin: str = PIN, name: str = "Siti Aminah") -> int:
    person, _ = resident_edit.create_person(
        PersonInput(nik=nik, nama=name, sex=2, tanggallahir=date(1990, 5, 15), tempatlahir="Bandung", agama_id=1,
                    kk_level=1, status_kawin=2),
        family_id=None, first_event="datang", event_date=date(2020, 1, 1), actor="op")
    resident_pins.set_pin(person, pin, actor="op")
    return person


def ensure_test_type() -> str:
    """The simple TES type (the built-in ones change under other hands)."""
    try:
        letter_types.get_type("TES")
    except NotFound:
        letter_types.save_type(SIMPLE_TYPE, SIMPLE_BODY, actor="admin", create=True)
    return "TES"


def signed_request(person: int, keperluan: str = "Melamar pekerjaan") -> tuple[LetterSummary, SignedLetter]:
    """A request the kepala desa has signed (status "siap", a number, a QR)."""
    ensure_test_type()
    try:
        accounts.create_user("kades", "Rahasia-Kades-2026", "signer", full_name="H. Asep Saepudin")
    except Exception:  # noqa: BLE001 - already there from an earlier call in the same test
        pass
    summary = letter_requests.create_request("TES", person, {"keperluan": keperluan}, channel="operator",
                                             actor="op", checked=True)
    assert state.ctx is not None
    return summary, letter_signing.sign(summary.id, signer="kades", options=state.ctx.letters)


KEY_NAMES = {" ": "space", "-": "dash", ".": "dot", ",": "comma", "/": "slash"}


def tap(user: User, text: str) -> None:
    """Press the in-page keys, one per character."""
    for char in text:
        user.find(marker=f"key-{KEY_NAMES.get(char, char)}").click()


async def log_in(user: User, nik: str = NIK, pin: str = PIN) -> None:
    await user.should_see(marker="nik-input", retries=30)
    tap(user, nik)
    user.find(marker="step-next").click()
    await user.should_see(marker="pin-input", retries=30)
    tap(user, pin)
    user.find(marker="step-next").click()


async def choose_type(user: User, code: str) -> None:
    """Turn the pages of type tiles until `code` shows, tap it, and wait for its fields."""
    await user.should_see("Pilih surat yang Anda perlukan", retries=SLOW)
    for _ in range(20):
        if user._sees(None, None, f"type-{code}", None):  # noqa: SLF001 - a plain "is it on screen" probe
            user.find(marker=f"type-{code}").click()
            await user.should_see("Isi data:", retries=30)
            return
        before = {e.id for e in user.client.elements.values()}
        user.find(marker="page-next").click()
        for _ in range(50):
            if {e.id for e in user.client.elements.values()} != before:
                break
            await asyncio.sleep(0.02)
    raise AssertionError(f"no tile for {code}")


async def test_request_a_letter_at_the_kiosk(office: User) -> None:
    person = make_resident()
    ensure_test_type()
    await office.open("/kiosk")
    office.find(marker="letters-request").click()
    await log_in(office)
    await choose_type(office, "TES")
    await office.should_see("Isi data: Surat Keterangan Percobaan", retries=30)
    office.find(marker="field-keperluan").click()
    await office.should_see(marker="edit-input", retries=30)
    tap(office, "KUR ")
    office.find(marker="key-shift").click()
    tap(office, "BRI")
    assert office.find(marker="edit-input").elements.pop().value == "Kur Bri"
    office.find(marker="step-next").click()  # OK
    await office.should_not_see(marker="edit-input", retries=30)
    await office.should_see("Kur Bri", retries=30)
    office.find(marker="step-next").click()  # Lanjut
    await office.should_see("Periksa permohonan Anda", retries=30)
    await office.should_see("• Fotokopi KTP", retries=30)
    office.find(marker="step-next").click()  # Kirim
    await office.should_see(marker="letter-code", retries=SLOW)
    row = LetterRequest.get()
    code = letter_requests.format_code(row.tracking_code)
    await office.should_see(code)
    await office.should_see("Sedang Diperiksa")
    await office.should_see("Struk sedang dicetak. Ambil struk di bawah layar.")
    assert row.penduduk_id == person and row.channel == "kiosk"
    assert '"keperluan": "Kur Bri"' in row.fields
    slip = PrintJob.get(PrintJob.kind == "letter_slip")
    assert code in slip.payload and f"/m/s/{row.tracking_code}" in slip.payload
    # Done: nothing typed is kept once the code is on screen.
    flow = office.client.storage[FLOW_KEY].flow
    assert flow.nik == "" and flow.person_id is None and flow.values == {}
    office.find(marker="step-next").click()
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=30)


async def _refusal_text(user: User, nik: str, pin: str) -> str:
    user.find(marker="step-cancel").click()
    await user.should_see("Sentuh layanan yang Anda perlukan", retries=30)
    user.find(marker="letters-request").click()
    await log_in(user, nik, pin)
    await user.should_see(marker="step-message", retries=SLOW)
    label = user.find(marker="step-message").elements.pop()
    assert user.find(marker="pin-input").elements.pop().value == ""  # the PIN never stays on screen
    return label.text


async def test_wrong_pin_and_unknown_nik_get_the_same_message(office: User) -> None:
    make_resident()
    await office.open("/kiosk/surat")
    await office.should_see(marker="nik-input", retries=30)
    wrong_pin = await _refusal_text(office, NIK, "111112")
    unknown_nik = await _refusal_text(office, "3204129999990009", PIN)
    assert wrong_pin == unknown_nik == "NIK atau PIN salah."


async def test_short_nik_is_refused_before_the_pin(office: User) -> None:
    await office.open("/kiosk/surat")
    await office.should_see(marker="nik-input", retries=30)
    tap(office, "3204")
    office.find(marker="step-next").click()
    await office.should_see("NIK harus 16 angka.", retries=30)
    await office.should_see(marker="nik-input")


async def test_field_problems_are_shown_per_field(office: User) -> None:
    make_resident()
    ensure_test_type()
    await office.open("/kiosk/surat")
    await log_in(office)
    await choose_type(office, "TES")
    await office.should_see(marker="field-keperluan", retries=30)
    office.find(marker="step-next").click()  # Lanjut with nothing filled in
    await office.should_see(marker="problem-keperluan", retries=30)
    await office.should_see("Keperluan wajib diisi.")
    await office.should_see("Isi data: Surat Keterangan Percobaan")
    # A value the keys cannot make but a plugged-in keyboard could: the service's own check answers.
    office.find(marker="field-keperluan").click()
    await office.should_see(marker="edit-input", retries=30)
    await office.should_see("Keperluan wajib diisi.")
    office.find(marker="edit-input").type("x" * 101)
    office.find(marker="step-next").click()
    await office.should_not_see(marker="edit-input", retries=30)
    office.find(marker="step-next").click()
    await office.should_see("Keperluan terlalu panjang (paling banyak 100 huruf).", retries=30)


async def test_idle_kiosk_forgets_everything_and_goes_home(office: User) -> None:
    make_resident()
    ensure_test_type()
    await office.open("/kiosk/surat")
    await log_in(office)
    await choose_type(office, "TES")
    office.find(marker="field-keperluan").click()
    await office.should_see(marker="edit-input", retries=30)
    tap(office, "SEKOLAH")
    office.find(marker="step-next").click()
    await office.should_not_see(marker="edit-input", retries=30)
    await office.should_see("Sekolah", retries=30)
    screen = office.client.storage[FLOW_KEY]
    assert screen.flow.nik == NIK and screen.flow.person_id is not None and screen.flow.values
    assert state.ctx is not None
    state.ctx.settings = dataclasses.replace(state.ctx.settings, kiosk_idle_seconds=1)
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=50)
    flow = screen.flow
    assert (flow.nik, flow.person_id, flow.values, flow.type_code, flow.step) == ("", None, {}, "", "")


async def test_check_and_print_a_signed_letter(office: User) -> None:
    person = make_resident()
    other = make_resident(OTHER_NIK, OTHER_PIN, "Budi Santoso")
    signed, _ = signed_request(person)
    waiting = letter_requests.create_request("TES", person, {"keperluan": "Beasiswa"}, channel="kiosk", actor="kiosk")
    others, _ = signed_request(other, "Punya orang lain")
    await office.open("/kiosk")
    office.find(marker="letters-check").click()
    await office.should_see(marker="check-login", retries=30)
    office.find(marker="check-login").click()
    await log_in(office)
    await office.should_see("Surat Anda", retries=SLOW)
    await office.should_see(marker=f"request-{signed.tracking_code}", retries=30)
    await office.should_see(marker=f"request-{waiting.tracking_code}")
    await office.should_not_see(marker=f"request-{others.tracking_code}")
    await office.should_not_see(marker=f"print-{waiting.tracking_code}")  # not signed: nothing to print
    assert office.find(marker=f"status-{signed.tracking_code}").elements.pop().text == "Siap Diambil"
    office.find(marker=f"print-{signed.tracking_code}").click()
    await office.should_see("Surat sedang dicetak di printer kantor", retries=SLOW)
    job = PrintJob.get(PrintJob.kind == "letter")
    row = LetterRequest.get_by_id(signed.id)
    assert row.uuid in job.payload and row.status == "diambil" and row.picked_up_at is not None
    office.find(marker="step-back").click()
    await office.should_see(marker=f"status-{signed.tracking_code}", retries=SLOW)
    assert office.find(marker=f"status-{signed.tracking_code}").elements.pop().text == "Sudah Diambil"


async def test_check_by_tracking_code_without_login(office: User) -> None:
    person = make_resident()
    ensure_test_type()
    summary = letter_requests.create_request("TES", person, {"keperluan": "Beasiswa"}, channel="phone", actor="phone")
    await office.open("/kiosk/surat/cek")
    office.find(marker="check-code").click()
    await office.should_see(marker="code-input", retries=30)
    tap(office, summary.tracking_code)
    office.find(marker="step-next").click()
    await office.should_see(marker="code-status", retries=30)
    assert office.find(marker="code-status").elements.pop().text == "Sedang Diperiksa"
    await office.should_see("Surat Keterangan Percobaan")
    await office.should_not_see("Siti")
    office.find(marker="step-back").click()
    await office.should_see(marker="code-input", retries=30)
    office.find(marker="code-input").clear()
    tap(office, "ABCD2345")
    office.find(marker="step-next").click()
    await office.should_see("Kode pelacakan tidak ditemukan. Periksa kembali kodenya.", retries=30)


LONG_TYPE = {
    "code": "TESPANJANG", "name": "Surat Keterangan Percobaan Panjang", "klasifikasi": "470",
    "requirements": ["Fotokopi KTP"], "resident_fields": ["nama", "nik"],
    "fields": [{"name": f"isian_{index:02d}", "label": f"Isian nomor {index:02d}", "type": "text",
                "required": index == 1, "max_length": 40} for index in range(1, 13)],
}


async def test_check_step_pages_a_long_list_of_answers(office: User) -> None:
    """Twelve answers do not fit a small kiosk screen on one check page: they page by ten, and Kirim works
    from any page (the browser test checks that a full page fits every screen)."""
    make_resident()
    letter_types.save_type(LONG_TYPE, "<p>{{ isian.isian_01 }}</p>", actor="admin", create=True)
    await office.open("/kiosk/surat")
    await log_in(office)
    await choose_type(office, "TESPANJANG")
    office.find(marker="field-isian_01").click()
    await office.should_see(marker="edit-input", retries=30)
    tap(office, "SATU")
    office.find(marker="step-next").click()  # OK
    await office.should_not_see(marker="edit-input", retries=30)
    await office.should_see("Satu", retries=30)
    office.find(marker="step-next").click()  # Lanjut
    await office.should_see("Periksa permohonan Anda", retries=30)
    await office.should_see("Isian nomor 10")
    await office.should_not_see("Isian nomor 11")
    assert office.find(marker="page-label").elements.pop().text == "1/2"
    office.find(marker="page-next").click()
    await office.should_see("Isian nomor 12", retries=30)
    await office.should_not_see("Isian nomor 01")
    await office.should_see(marker="confirm-type")
    office.find(marker="step-next").click()  # Kirim, from the second page
    await office.should_see(marker="letter-code", retries=SLOW)
    row = LetterRequest.get()
    assert '"isian_01": "Satu"' in row.fields
