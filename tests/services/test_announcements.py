"""Announcements: the rules of writing one, the showing window, withdrawing, and their pictures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from kiosk.db import database
from kiosk.i18n import translate
from kiosk.models import AuditLog
from kiosk.services import announcements, hub_items
from kiosk.services.attachments import CheckedFile
from kiosk.services.errors import ServiceError

TODAY = date(2026, 11, 23)
MAX = 5_000_000


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj 3 0 obj<</Type/Page/MediaBox[0 0 10 10]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF")


def _refused(call, *args, **kwargs) -> ServiceError:  # noqa: ANN001
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return refused.value


def _post(folder, title="Posyandu Balita", body="Di balai RW 02.", starts=TODAY, ends=None, image=None):  # noqa: ANN001
    return announcements.create(title, body, starts, ends, image, folder=folder, actor="siti", client="10.0.0.5")


@pytest.fixture
def folder(demo_db):
    return demo_db.announcements_dir


def test_create_stores_text_as_typed_and_audits(folder):
    uid = _post(folder, title="  <b>Kerja   bakti</b>\n minggu ", body="<script>alert(1)</script>\nBawa cangkul.",
                starts="2026-11-20", ends="2026-11-30")
    [item] = announcements.current(TODAY)
    assert item["uuid"] == uid and item["source"] == "local" and item["created_by"] == "siti"
    assert item["title"] == "<b>Kerja bakti</b> minggu"          # spaces collapsed, markup kept as text
    assert item["body"] == "<script>alert(1)</script>\nBawa cangkul."
    assert (item["starts_on"], item["ends_on"], item["image"]) == ("2026-11-20", "2026-11-30", None)
    entry = AuditLog.get(AuditLog.action == "announcement.create")
    assert (entry.actor, entry.target, entry.client) == ("siti", uid, "10.0.0.5")


def test_validation_messages(folder):
    assert _refused(_post, folder, title=" a  ").key == "announce.title_length"
    assert _refused(_post, folder, title="x" * 121).key == "announce.title_length"
    assert _post(folder, title="x" * 120)  # the limit itself is fine
    assert _refused(_post, folder, body="y" * 2001).key == "announce.body_too_long"
    assert _refused(_post, folder, starts="").key == "announce.start_missing"
    assert _refused(_post, folder, starts="23/11/2026").key == "announce.date_invalid"
    ends_first = _refused(_post, folder, starts="2026-11-23", ends="2026-11-22")
    assert ends_first.key == "announce.end_before_start"
    assert translate(ends_first.key, "id") == "Tanggal selesai tidak boleh sebelum tanggal mulai."
    assert translate(ends_first.key, "en") == "The end date cannot be before the start date."
    title = _refused(_post, folder, title="ab")
    assert translate(title.key, "id", **title.params) == "Judul pengumuman harus 3 sampai 120 huruf."
    assert AuditLog.select().where(AuditLog.action == "announcement.create").count() == 1


def test_current_window_both_sources_newest_first(folder):
    _post(folder, title="Kemarin selesai", starts="2026-11-01", ends="2026-11-22")
    _post(folder, title="Mulai besok", starts="2026-11-24")
    _post(folder, title="Terbuka", starts="2026-11-01")
    _post(folder, title="Hari terakhir", starts="2026-11-10", ends="2026-11-23")
    _post(folder, title="Hari pertama", starts="2026-11-23", ends="2026-11-23")
    hub_items.apply_items([{"item_id": 1, "kind": "announcement", "payload": {
        "uuid": "hub-1", "title": "Vaksinasi rabies", "body": "Gratis.", "starts_on": "2026-11-15"}}])
    titles = [item["title"] for item in announcements.current(TODAY)]
    assert titles == ["Hari pertama", "Vaksinasi rabies", "Hari terakhir", "Terbuka"]
    statuses = {item["title"]: item["status"] for item in announcements.all_recent(today=TODAY)}
    assert statuses == {"Kemarin selesai": "berakhir", "Mulai besok": "terjadwal", "Terbuka": "tayang",
                        "Hari terakhir": "tayang", "Hari pertama": "tayang", "Vaksinasi rabies": "tayang"}


def test_withdraw_hides_everywhere_and_only_local_ones(folder):
    uid = _post(folder, image=announcements.check_image(_png(), MAX))
    [item] = announcements.current(TODAY)
    assert announcements.image_bytes(item["image"], folder).startswith(b"\xff\xd8")  # a JPEG
    announcements.withdraw(uid, actor="siti", client="10.0.0.5")
    assert announcements.current(TODAY) == []
    assert announcements.all_recent(today=TODAY)[0]["status"] == "ditarik"
    assert _refused(announcements.image_bytes, item["image"], folder).status == 404
    assert _refused(announcements.withdraw, uid, actor="siti").key == "announce.already_withdrawn"
    assert _refused(announcements.withdraw, "no-such-uuid", actor="siti").status == 404
    hub_items.apply_items([{"item_id": 1, "kind": "announcement", "payload": {
        "uuid": "hub-1", "title": "Dari kabupaten", "starts_on": "2026-11-01"}}])
    assert _refused(announcements.withdraw, "hub-1", actor="siti").key == "announce.not_local"
    assert AuditLog.select().where(AuditLog.action == "announcement.withdraw").count() == 1


def test_pictures_pdf_and_fakes_are_refused(folder):
    pdf = _refused(announcements.check_image, _pdf(), MAX)
    assert pdf.key == "announce.image_pdf"
    assert "PDF tidak dapat ditampilkan" in translate(pdf.key, "id")
    fake = _refused(announcements.check_image, b"<?php echo 1; ?>", MAX)
    assert fake.key == "announce.image_bad_type"
    assert translate(fake.key, "id") == "Berkas ini bukan foto yang dapat dibaca. Pakai foto JPG, PNG atau WebP."
    assert _refused(announcements.check_image, _png(), 100).key == "upload.too_large"
    # A PDF that got past some other check never becomes an announcement's picture.
    pdf_file = CheckedFile("application/pdf", "pdf", _pdf())
    assert _refused(_post, folder, image=pdf_file).key == "announce.image_pdf"
    assert announcements.all_recent() == []
    assert not folder.exists() or not any(folder.glob("*"))


def test_image_route_names_are_never_paths(folder):
    _post(folder, image=announcements.check_image(_png(), MAX))
    [item] = announcements.current(TODAY)
    for name in ("../x", "..%2Fsecret.key", "/etc/passwd", ".hidden.jpg", "", "a" * 32 + ".pdf",
                 "0" * 32 + ".jpg"):
        assert _refused(announcements.image_bytes, name, folder).status == 404
    assert len(announcements.image_bytes(item["image"], folder)) > 100


def test_a_failed_insert_leaves_no_picture(folder, monkeypatch):
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("disk full")

    monkeypatch.setattr(announcements.audit, "record", broken)
    with pytest.raises(RuntimeError):
        _post(folder, image=announcements.check_image(_png(), MAX))
    assert list(folder.glob("*.jpg")) == []
    assert database.execute_sql("SELECT count(*) FROM announcement").fetchone()[0] == 0
