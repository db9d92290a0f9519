"""Complaints: filing (every identity, every bad input changes nothing), codes, statuses, replies, due times,
the overdue list, categories, photos and what the resident may see by tracking code."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from kiosk.db import database
from kiosk.i18n import translate
from kiosk.models import AuditLog, Complaint, ComplaintReply, PersonalDataRead
from kiosk.services import complaints
from kiosk.services.clock import utc_now
from kiosk.services.complaint_checks import check_photo, clean_text
from kiosk.services.complaints import NewComplaint
from kiosk.services.errors import ServiceError
from kiosk.services.resident_edit import PersonInput, create_person

MAX = 1_000_000


def _image(fmt: str = "PNG", size: tuple[int, int] = (80, 60), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (30, 120, 200))
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        image.save(out, fmt, exif=data)
    else:
        image.save(out, fmt)
    return out.getvalue()


@pytest.fixture
def folder(demo_db) -> Path:  # noqa: ANN001
    return complaints.photo_folder(demo_db.data_dir)


@pytest.fixture
def siti(demo_db) -> int:  # noqa: ANN001
    person_id, _ = create_person(PersonInput(nik="3204125505900001", nama="Siti Aminah", sex=2,
                                             tanggallahir=date(1990, 5, 15)),
                                 family_id=None, first_event="datang", event_date=date(2020, 1, 1), actor="op")
    return person_id


def _file(folder: Path, body: str = "Jalan di RT 02 berlubang besar dan berbahaya.", category: str = "infrastruktur",
          photo=None, **who) -> str:  # noqa: ANN001
    return complaints.create(NewComplaint(category, body, **who), photo, folder=folder, channel="phone",
                             actor="phone", client="10.0.0.7")


def _refused(call, *args, **kwargs) -> ServiceError:  # noqa: ANN001
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return refused.value


def _nothing_written(folder: Path) -> None:
    assert Complaint.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action.startswith("complaint")).exists()
    assert not folder.exists() or not any(folder.iterdir())


def test_seeded_categories_have_their_due_days(demo_db) -> None:  # noqa: ANN001
    found = {c.name: c.due_days for c in complaints.categories()}
    assert found == {"Pelayanan administrasi": 3, "Infrastruktur": 14, "Bantuan sosial": 7,
                     "Keamanan & ketertiban": 2, "Lainnya": 7}


def test_an_anonymous_complaint_gets_a_code_a_due_time_and_an_audit_entry(folder: Path) -> None:
    code = _file(folder)
    assert code.startswith("ADU-") and len(code) == 13
    assert not set(code[4:].replace("-", "")) & set("01OIUL")
    row = Complaint.get()
    assert row.identity == "anonim" and row.penduduk is None and row.reporter_name == ""
    assert row.status == "diterima" and row.channel == "phone"
    assert abs((row.due_at - row.created_at) - timedelta(days=14)) < timedelta(seconds=1)
    assert AuditLog.get(AuditLog.action == "complaint.create").client == "10.0.0.7"
    seen = complaints.public_status(code)
    assert seen.status == "diterima" and seen.category == "Infrastruktur" and seen.replies == []


def test_codes_are_unique_random_and_typed_loosely(folder: Path) -> None:
    codes = {_file(folder) for _ in range(20)}
    assert len(codes) == 20
    code = next(iter(codes))
    assert complaints.public_status(code.lower().replace("-", " ")).tracking_code == code
    assert complaints.public_status(code[4:]).tracking_code == code  # without ADU


def test_unknown_and_malformed_codes_get_the_same_answer(folder: Path) -> None:
    _file(folder)
    answers = {(_refused(complaints.public_status, text).key, _refused(complaints.public_status, text).status)
               for text in ("ADU-2222-2222", "", "x" * 500, "ADU-0000-OOOO", "'; DROP TABLE complaint; --")}
    assert answers == {("complaint.code_unknown", 404)}


def test_a_resident_complaint_carries_the_person_and_shows_masked(folder: Path, siti: int) -> None:
    code = _file(folder, identity="warga", person_id=siti)
    item = complaints.list_complaints()[0]
    assert item.tracking_code == code and "3204125505900001" not in item.who and "Siti Aminah" in item.who
    detail = complaints.detail(item.id, actor="operator1", client="10.0.0.2")
    assert detail.nik_masked and detail.nik_masked != "3204125505900001"
    read = PersonalDataRead.get()
    assert read.actor == "operator1" and read.what == "complaint.view" and read.penduduk_id == siti
    public = complaints.public_status(code)
    assert "Siti" not in repr(public) and "3204" not in repr(public)


def test_a_resident_that_is_not_on_the_register_is_refused(folder: Path) -> None:
    assert _refused(_file, folder, identity="warga", person_id=999999).key == "complaint.identity_invalid"
    assert _refused(_file, folder, identity="warga").key == "complaint.identity_invalid"
    _nothing_written(folder)


def test_a_named_complaint_keeps_name_and_phone(folder: Path) -> None:
    _file(folder, identity="nama", name="  Pak   Joko ", phone="0812-3456-7890")
    row = Complaint.get()
    assert row.reporter_name == "Pak Joko" and row.reporter_phone == "081234567890"
    complaints.detail(row.id, actor="op")
    assert AuditLog.select().where(AuditLog.action == "complaint.view").count() == 1


@pytest.mark.parametrize("body, key", [
    ("pendek", "complaint.body_short"),
    ("x" * 2001, "complaint.body_long"),
    ("Tolong <script>alert(1)</script> jalan rusak", "complaint.body_markup"),
    ("Lihat <img src=x onerror=alert(1)> di sini", "complaint.body_markup"),
    ("Klik <a href='javascript:alert(1)'>ini</a>", "complaint.body_markup"),
    ("Jalan rusak'; DROP TABLE complaint; --", "complaint.body_sql"),
    ("Jalan rusak' OR '1'='1 sekali", "complaint.body_sql"),
    ("Jalan 1 UNION SELECT nik FROM penduduk", "complaint.body_sql"),
])
def test_bad_text_is_refused_and_nothing_is_written(folder: Path, body: str, key: str) -> None:
    error = _refused(_file, folder, body=body, photo=check_photo(_image(), MAX))
    assert error.key == key
    assert translate(key, "id") != key and translate(key, "en") != translate(key, "id")
    _nothing_written(folder)


def test_ordinary_punctuation_is_kept_as_typed(folder: Path) -> None:
    text = "Lubang < 5 m & licin, \"parah\" - tolong (segera) 100% ya; terima kasih :)"
    code = _file(folder, body=text)
    assert complaints.public_status(code).body == text


@pytest.mark.parametrize("who, key", [
    ({"identity": "nama", "name": "<b>Joko</b>"}, "complaint.name_markup"),
    ({"identity": "nama", "name": "Jo"}, "complaint.name_short"),
    ({"identity": "nama", "name": "Joko", "phone": "12ab"}, "complaint.phone_invalid"),
    ({"identity": "siapa"}, "complaint.identity_invalid"),
])
def test_bad_identity_input_is_refused(folder: Path, who: dict, key: str) -> None:
    assert _refused(_file, folder, **who).key == key
    _nothing_written(folder)


def test_an_unknown_or_disabled_category_is_refused(folder: Path) -> None:
    assert _refused(_file, folder, category="tidak-ada").key == "complaint.category_invalid"
    cat = next(c for c in complaints.categories() if c.code == "lainnya")
    complaints.update_category(cat.id, cat.name, cat.due_days, False, actor="admin")
    assert _refused(_file, folder, category="lainnya").key == "complaint.category_invalid"
    assert Complaint.select().count() == 0


def test_a_photo_is_checked_by_content_reencoded_and_stripped(folder: Path) -> None:
    checked = check_photo(_image("JPEG", exif=True), MAX)
    assert checked.media_type == "image/jpeg" and b"SecretCam" not in checked.data
    code = _file(folder, photo=checked)
    stored = list(folder.iterdir())
    assert len(stored) == 1 and stored[0].stat().st_mode & 0o077 == 0
    assert complaints.photo_for_code(code, folder) == checked.data
    assert complaints.photo_for_operator(Complaint.get().id, folder) == checked.data
    assert complaints.public_status(code).has_photo
    assert _refused(complaints.photo_for_code, "ADU-2222-2222", folder).status == 404


@pytest.mark.parametrize("data, key", [
    (b"GIF89a not really a picture" * 10, "complaint.photo_not_image"),
    (b"<html><script>alert(1)</script></html>", "complaint.photo_not_image"),
    (b"%PDF-1.4\n%%EOF", "complaint.photo_not_image"),
    (b"", "upload.empty"),
])
def test_a_file_that_is_not_a_picture_is_refused(data: bytes, key: str) -> None:
    error = _refused(check_photo, data, MAX)
    assert error.key == key and translate(key, "id") != key


def test_an_oversized_photo_is_refused_before_decoding() -> None:
    big = _image("BMP", (700, 700))
    assert len(big) > 1_000_000
    error = _refused(check_photo, big, MAX)
    assert error.key == "complaint.photo_too_large" and error.status == 413
    assert "1 MB" in translate(error.key, "id", **error.params)


def test_a_refused_complaint_leaves_no_photo_behind(folder: Path) -> None:
    photo = check_photo(_image(), MAX)
    assert _refused(_file, folder, body="<b>x</b> jalan rusak", photo=photo).key == "complaint.body_markup"
    assert _refused(_file, folder, category="nope", photo=photo).key == "complaint.category_invalid"
    _nothing_written(folder)


def test_statuses_move_only_forward_and_rejection_needs_a_reason(folder: Path) -> None:
    code = _file(folder)
    cid = Complaint.get().id
    assert _refused(complaints.respond, cid, status="selesai", actor="op").key == "complaint.move_invalid"
    assert _refused(complaints.respond, cid, status="ditolak", actor="op").key == "complaint.reason_short"
    assert _refused(complaints.respond, cid, status="ditolak", reason="<i>no</i> alasan",
                    actor="op").key == "complaint.reason_markup"
    assert _refused(complaints.respond, cid, actor="op").key == "complaint.reply_empty"
    assert ComplaintReply.select().count() == 0 and Complaint.get().status == "diterima"
    complaints.respond(cid, reply="Terima kasih, petugas akan meninjau lokasi.", status="diproses", actor="op")
    complaints.respond(cid, status="ditolak", reason="Jalan milik kabupaten, sudah diteruskan.", actor="op")
    seen = complaints.public_status(code)
    assert seen.status == "ditolak" and seen.reject_reason == "Jalan milik kabupaten, sudah diteruskan."
    assert [r.status for r in seen.replies] == ["diproses", "ditolak"]
    assert seen.replies[0].body.startswith("Terima kasih")
    assert Complaint.get().closed_at is not None
    assert _refused(complaints.respond, cid, reply="lagi", actor="op").key == "complaint.closed"
    assert _refused(complaints.respond, cid, status="diproses", actor="op").key == "complaint.move_invalid"


def test_a_reply_with_html_or_sql_is_refused_and_changes_nothing(folder: Path) -> None:
    _file(folder)
    cid = Complaint.get().id
    for reply in ("<script>x</script>", "ok'; DELETE FROM complaint; --"):
        with pytest.raises(ServiceError):
            complaints.respond(cid, reply=reply, status="diproses", actor="op")
    assert Complaint.get().status == "diterima" and ComplaintReply.select().count() == 0


def test_overdue_list_holds_open_complaints_past_their_due_time(folder: Path) -> None:
    for category in ("keamanan", "infrastruktur", "administrasi"):
        _file(folder, category=category)
    later = utc_now() + timedelta(days=4)
    late = complaints.overdue(now=later)
    assert [item.category for item in late] == ["Keamanan & ketertiban", "Pelayanan administrasi"]
    assert all(item.overdue for item in late)
    done = Complaint.get(Complaint.category == 4).id  # keamanan
    complaints.respond(done, status="diproses", actor="op")
    complaints.respond(done, status="selesai", reply="Sudah ditangani.", actor="op")
    assert [item.category for item in complaints.overdue(now=later)] == ["Pelayanan administrasi"]
    assert complaints.counts(now=later)["overdue"] == 1
    assert complaints.counts()["selesai"] == 1


def test_filters_by_status_and_category(folder: Path) -> None:
    _file(folder, category="bansos")
    _file(folder, category="lainnya")
    assert [c.category for c in complaints.list_complaints(category="bansos")] == ["Bantuan sosial"]
    assert len(complaints.list_complaints(status="diterima")) == 2
    assert complaints.list_complaints(status="selesai") == []


def test_the_admin_edits_categories_and_old_due_times_stay(folder: Path) -> None:
    _file(folder, category="administrasi")
    before = Complaint.get().due_at
    cat = next(c for c in complaints.categories() if c.code == "administrasi")
    complaints.update_category(cat.id, "Administrasi kependudukan", 5, True, actor="admin")
    assert next(c for c in complaints.categories() if c.id == cat.id).due_days == 5
    assert Complaint.get().due_at == before
    assert _refused(complaints.update_category, cat.id, "Nama", 0, True, actor="admin").key == \
        "complaint.due_days_invalid"
    assert _refused(complaints.update_category, cat.id, "<b>x</b>yz", 3, True, actor="admin").key == \
        "complaint.category_markup"
    code = complaints.add_category("Kesehatan", "4", actor="admin")
    assert code == "kesehatan"
    assert _refused(complaints.add_category, "Kesehatan", 4, actor="admin").key == "complaint.category_exists"
    _file(folder, category="kesehatan")


def test_the_last_active_category_cannot_be_hidden(demo_db) -> None:  # noqa: ANN001
    found = complaints.categories()
    for cat in found[:-1]:
        complaints.update_category(cat.id, cat.name, cat.due_days, False, actor="admin")
    last = found[-1]
    assert _refused(complaints.update_category, last.id, last.name, 3, False, actor="admin").key == \
        "complaint.category_last"


def test_every_write_is_journalled_for_the_district(folder: Path) -> None:
    _file(folder)
    uid = Complaint.get().uuid
    complaints.respond(Complaint.get().id, reply="Sedang dicek.", actor="op")
    rows = database.execute_sql("SELECT COUNT(*) FROM sync_journal WHERE entity = 'complaint' AND key = ?",
                                (uid,)).fetchone()[0]
    assert rows >= 2


def test_clean_text_keeps_words_and_drops_control_characters() -> None:
    assert clean_text("Halo\x00 desa\x07!", field="body", minimum=1, maximum=50) == "Halo desa!"


def test_demo_complaints_cover_every_state_and_one_is_overdue(siti: int) -> None:
    from kiosk.services.complaint_demo import seed_demo_complaints

    seed_demo_complaints(siti)
    found = complaints.counts()
    assert found["diterima"] == 2 and found["diproses"] == 1 and found["selesai"] == 1 and found["overdue"] == 1
    assert complaints.overdue()[0].category == "Bantuan sosial"
