"""The sync page's service: status numbers, USB export only to a detected stick, enrolment checks, the clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.db import database
from kiosk.models import AuditLog
from kiosk.seal import load_or_create_private_key
from kiosk.services import clock_guard, hub_items, sync_status
from kiosk.services.clock import utc_now
from kiosk.services.errors import ServiceError
from kiosk.settings import Settings
from sync.bundle import MANIFEST, open_bundle, read_manifest
from sync.keys import box_key, public_text


def fake_stick(tmp_path: Path, settings: Settings, fs_type: str = "vfat", options: str = "rw,relatime") -> tuple[
        Settings, Path]:
    """A folder under a temporary mount root, listed in a fake mount table as a mounted USB stick."""
    root = tmp_path / "media"
    stick = root / "pengguna" / "FLASHDISK"
    stick.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/mmcblk0p2 / ext4 rw,noatime 0 0\n"
                      f"/dev/sda1 {stick} {fs_type} {options},uid=1000,gid=1000 0 0\n")
    return replace(settings, usb_mount_roots=[str(root)], usb_mounts_file=mounts), stick


def fake_enrolment(tmp_path: Path) -> object:
    """What enrolment stores that a USB export needs: the district's X25519 key (a real one)."""
    hub_box = box_key(tmp_path / "hub-box.key")
    with database.atomic():
        database.execute_sql("UPDATE sync_state SET hub_box_key = ? WHERE id = 1", (public_text(hub_box),))
    return hub_box


def test_overview_after_the_demo_seed(demo_db: Settings) -> None:
    journal_rows = database.execute_sql("SELECT COUNT(*) FROM sync_journal").fetchone()[0]
    info = sync_status.overview()
    status = info["status"]
    assert journal_rows > 0 and status.pending_changes == journal_rows
    assert not status.enrolled and status.hub_url == "" and status.pending_batches == 0
    assert status.oldest_pending_age_s is not None and status.oldest_pending_age_s < 600
    assert info["last_success"] is None and info["error_key"] == ""
    assert info["rejections"] == [] and info["pulled"] == [] and info["announcements"] == []
    assert info["zone"] == "Asia/Jakarta"


def test_overview_shows_refusals_errors_and_what_the_district_sent(demo_db: Settings) -> None:
    with database.atomic():
        database.execute_sql("INSERT INTO sync_rejection (batch_id, seq, entity, key, reason, at) "
                             "VALUES ('b', 3, 'penduduk', 'uuid-1', 'NIK tidak valid', '2026-11-23 02:00:00.000')")
        database.execute_sql("UPDATE sync_state SET last_error = 'network: ConnectError: [Errno 111] refused', "
                             "last_success_at = '2026-11-23 02:15:00.000' WHERE id = 1")
    today = date.today()
    hub_items.apply_items([
        {"item_id": 1, "kind": "announcement", "payload": {
            "uuid": "a-1", "title": "Posyandu Balita", "body": "Di balai desa.",
            "starts_on": (today - timedelta(days=2)).isoformat(), "ends_on": (today + timedelta(days=5)).isoformat()}},
        {"item_id": 2, "kind": "poster", "payload": {}},
    ])
    info = sync_status.overview()
    assert info["rejections"][0]["entity"] == "penduduk" and info["rejections"][0]["reason"] == "NIK tidak valid"
    assert info["error_key"] == "sync.error.network"  # the exception text itself is never shown
    assert info["last_success"].hour == 2 and info["status"].rejected == 1
    assert [a["title"] for a in info["announcements"]] == ["Posyandu Balita"]
    assert [(p["item_id"], p["outcome"]) for p in info["pulled"]] == [(2, "refused"), (1, "ok")]
    assert sync_status.error_message("weird_thing: x") == ("sync.error.other", {"code": "weird_thing"})


def test_send_now_without_enrolment_is_a_translated_error(demo_db: Settings) -> None:
    key = load_or_create_private_key(demo_db.signing_key_file)
    with pytest.raises(ServiceError) as error:
        sync_status.send_now(key)
    assert error.value.key == "sync.error.not_enrolled"


@pytest.mark.parametrize("url", ["ftp://hub.example", "file:///etc/passwd", "hub.example", "https://",
                                 "http://user:pw@hub.example", "https://hub example"])
def test_enrol_refuses_a_url_that_is_not_http(demo_db: Settings, url: str) -> None:
    key = load_or_create_private_key(demo_db.signing_key_file)
    with pytest.raises(ServiceError) as error:
        sync_status.enrol(key, url, "ABCD-1234", actor="admin")
    assert error.value.key == "sync.enrol.url_invalid"


def test_enrol_failure_is_translated_and_audited(demo_db: Settings) -> None:
    key = load_or_create_private_key(demo_db.signing_key_file)
    with pytest.raises(ServiceError) as error:  # nothing listens on port 9 of loopback
        sync_status.enrol(key, "http://127.0.0.1:9", "ABCD-1234", actor="admin")
    assert error.value.key == "sync.error.network"
    assert AuditLog.select().where(AuditLog.action == "sync.enrol_failed").count() == 1


def test_export_refuses_a_path_that_is_not_a_detected_stick(demo_db: Settings, tmp_path: Path) -> None:
    key = load_or_create_private_key(demo_db.signing_key_file)
    settings, stick = fake_stick(tmp_path, demo_db)
    fake_enrolment(tmp_path)
    elsewhere = tmp_path / "not-a-stick"
    elsewhere.mkdir()
    for path in (elsewhere, tmp_path / "media", stick / "..", Path("/tmp")):
        with pytest.raises(ServiceError) as error:
            sync_status.export_to_stick(key, str(path), settings, actor="op")
        assert error.value.key == "sync.export.not_a_stick"
    assert list(elsewhere.iterdir()) == []
    # A read-only stick, or another filesystem type, is not offered either.
    readonly, _ = fake_stick(tmp_path / "ro", demo_db, options="ro")
    assert sync_status.sticks(readonly) == []
    tmpfs, _ = fake_stick(tmp_path / "tmpfs", demo_db, fs_type="tmpfs")
    assert sync_status.sticks(tmpfs) == []


def test_export_needs_enrolment(demo_db: Settings, tmp_path: Path) -> None:
    key = load_or_create_private_key(demo_db.signing_key_file)
    settings, stick = fake_stick(tmp_path, demo_db)
    with pytest.raises(ServiceError) as error:
        sync_status.export_to_stick(key, str(stick), settings, actor="op")
    assert error.value.key == "sync.export.not_enrolled"


def test_export_to_a_detected_stick_writes_a_bundle(demo_db: Settings, tmp_path: Path) -> None:
    key = load_or_create_private_key(demo_db.signing_key_file)
    settings, stick = fake_stick(tmp_path, demo_db)
    found = sync_status.sticks(settings)
    assert [(s.path, s.label) for s in found] == [(stick, "FLASHDISK")] and found[0].free_bytes > 0
    hub_box = fake_enrolment(tmp_path)
    pending = sync_status.overview()["status"].pending_changes
    exported = sync_status.export_to_stick(key, str(stick), settings, actor="op")
    assert exported.folder.parent == stick and (exported.folder / MANIFEST).is_file()
    assert exported.batches >= 1 and exported.changes <= pending
    manifest = read_manifest(exported.folder)
    opened = open_bundle(exported.folder, key.public_key(), hub_box)
    assert opened.problems == [] and len(opened.batches) == exported.batches
    assert manifest["village"] == "3204122001" and len(manifest["batches"]) == exported.batches
    entry = AuditLog.get(AuditLog.action == "sync.usb_export")
    assert entry.actor == "op" and entry.target == "FLASHDISK"


def test_clock_guard_warns_when_the_clock_went_back(demo_db: Settings) -> None:
    now = utc_now()
    clock_guard.observe(now)
    warning = clock_guard.check(now - timedelta(hours=1))
    assert warning is not None and 3590 <= warning.behind_seconds <= 3610
    assert clock_guard.check(now) is None
    assert clock_guard.check(now + timedelta(minutes=1)) is None


def test_a_clock_gone_back_never_dates_tickets_in_the_past(demo_db: Settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A Pi that booted in the past (no battery clock) keeps the queue's day: numbers continue, not restart."""
    from kiosk.models import Ticket
    from kiosk.services import queue

    real_now = utc_now()
    clock_guard.observe(real_now)
    first = queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False).ticket
    monkeypatch.setattr(queue, "utc_now", lambda: real_now - timedelta(days=400))
    monkeypatch.setattr(clock_guard, "utc_now", lambda: real_now - timedelta(days=400))
    assert clock_guard.trusted_now() == clock_guard.trusted_now(real_now - timedelta(days=400))
    assert clock_guard.trusted_now() >= real_now - timedelta(milliseconds=1)  # the high-water mark (ms)
    second = queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False).ticket
    assert second.seq == first.seq + 1
    days = {row.day for row in Ticket.select()}
    assert len(days) == 1
    # A clock that is right (or ahead) is simply used.
    later = real_now + timedelta(days=2)
    assert clock_guard.trusted_now(later) == later
