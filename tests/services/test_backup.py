"""Backups: round trips, every kind of damage refused, consistency under writes, restore as a new sync epoch,
the running-server refusals, retention, and the nightly run with its encrypted USB copy."""

from __future__ import annotations

import http.server
import io
import os
import sqlite3
import stat
import tarfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
import zstandard

from kiosk.db import close_database, database, open_database
from kiosk.migrations import available_migrations, migrate
from kiosk.models import AuditLog
from kiosk.private_file import load_or_create_secret
from kiosk.seal import load_or_create_private_key
from kiosk.services import accounts, backup, backup_archive, backup_nightly
from kiosk.services.errors import ServiceError
from kiosk.settings import Settings
from sync import journal
from tests.services.test_sync_status import fake_stick
from tests.support.server import free_port

PASSPHRASE = "sawah hijau di kaki gunung"
REFUSALS = {"backup.damaged", "backup.not_a_backup", "backup.unknown_version", "backup.wrong_passphrase"}


@pytest.fixture(autouse=True)
def quick_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheap argon2id for the many decryptions here; the CLI tests run the real parameters."""
    monkeypatch.setattr(backup_archive, "KDF", {"time_cost": 1, "memory_cost": 1024, "parallelism": 1})


@pytest.fixture
def office(demo_db: Settings) -> Settings:
    """The demo village with its signing key, cookie secret and logo, as a running office has them."""
    load_or_create_private_key(demo_db.signing_key_file)
    load_or_create_secret(demo_db.secret_file)
    (demo_db.data_dir / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a logo")
    return demo_db


def _refused(path: Path, passphrase: str | None = None) -> str:
    with pytest.raises(ServiceError) as caught:
        backup.verify_backup(path, passphrase)
    return caught.value.key


def test_plain_round_trip_is_a_standard_tar_zst_with_a_manifest(office: Settings, tmp_path: Path) -> None:
    info = backup.create_backup(office, tmp_path / "out")
    assert backup.NAME.match(info.path.name) and info.path.name.startswith("balai-3204122001-")
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "out")) == [info.path.name]  # no temporary file left
    assert info.members == ("balai.sqlite3", "logo.png", "secret.key", "signing.key") and not info.encrypted
    checked = backup.verify_backup(info.path)
    assert checked.village == "3204122001" and checked.village_name == "Sukamaju"
    assert checked.schema_version == available_migrations()[-1].version
    # Readable without Balai: strip the 10-byte prefix and the 32-byte hash, the rest is a tar.zst.
    raw = info.path.read_bytes()
    body = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw[10:-32])).read()
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        assert tar.getnames() == ["manifest.json", "balai.sqlite3", "signing.key", "secret.key", "logo.png"]
        assert tar.extractfile("signing.key").read() == office.signing_key_file.read_bytes()  # type: ignore[union-attr]
    entry = AuditLog.select().where(AuditLog.action == "backup.create").get()
    assert entry.target == info.path.name and entry.actor == "cli"


def test_encrypted_round_trip_needs_the_right_passphrase(office: Settings, tmp_path: Path) -> None:
    info = backup.create_backup(office, tmp_path / "out", PASSPHRASE)
    assert info.encrypted
    raw = info.path.read_bytes()
    assert b"Sukamaju" not in raw and b"manifest" not in raw and zstandard.FRAME_HEADER not in raw[:64]
    assert backup.verify_backup(info.path, PASSPHRASE).members == info.members
    assert _refused(info.path) == "backup.passphrase_needed"
    assert _refused(info.path, "sawah hijau di kaki bukit") == "backup.wrong_passphrase"
    assert PASSPHRASE not in " ".join(e.detail + e.target for e in AuditLog.select())
    with pytest.raises(ServiceError) as short:
        backup.create_backup(office, tmp_path / "out", "pendek")
    assert short.value.key == "backup.passphrase_short"


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_flipped_byte_anywhere_is_refused(office: Settings, tmp_path: Path, passphrase: str | None) -> None:
    info = backup.create_backup(office, tmp_path / "out", passphrase)
    raw = info.path.read_bytes()
    positions = sorted({*range(0, 80), *range(len(raw) - 48, len(raw)), *range(0, len(raw), max(1, len(raw) // 120))})
    damaged = tmp_path / "damaged.balai-backup"
    for position in positions:
        changed = bytearray(raw)
        changed[position] ^= 0x04
        damaged.write_bytes(bytes(changed))
        assert _refused(damaged, passphrase) in REFUSALS, f"flip at {position} of {len(raw)} was accepted"


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_cut_or_extended_file_is_refused(office: Settings, tmp_path: Path, passphrase: str | None) -> None:
    info = backup.create_backup(office, tmp_path / "out", passphrase)
    raw = info.path.read_bytes()
    damaged = tmp_path / "damaged.balai-backup"
    for variant in (b"", raw[:9], raw[:10], raw[:80], raw[: len(raw) // 2], raw[:-33], raw[:-32], raw[:-16],
                    raw[:-1], raw + b"\0", raw + raw[-64:]):
        damaged.write_bytes(variant)
        assert _refused(damaged, passphrase) in REFUSALS | {"backup.damaged"}, f"{len(variant)} of {len(raw)} bytes"
    assert _refused(tmp_path / "missing.balai-backup") == "backup.file_missing"


def test_a_backup_that_does_not_read_back_is_removed(office: Settings, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(*args: object, **kwargs: object) -> None:
        raise backup_archive.ArchiveError("damaged", "as if the stick had flipped a bit")

    monkeypatch.setattr(backup, "read_archive", unreadable)
    with pytest.raises(ServiceError) as caught:
        backup.create_backup(office, tmp_path / "out")
    assert caught.value.key == "backup.verify_failed"
    assert os.listdir(tmp_path / "out") == []
    assert not [p for p in office.data_dir.iterdir() if p.name.startswith(".backup")]
    assert AuditLog.select().where(AuditLog.action == "backup.failed").get().detail == "backup.verify_failed"


def test_a_backup_taken_while_another_connection_writes_is_consistent(db: Settings, tmp_path: Path) -> None:
    """Each row and the counter move together in one transaction: any copy must show them equal."""
    setup = sqlite3.connect(db.database_path)
    setup.executescript("CREATE TABLE probe_rows (n INTEGER); CREATE TABLE probe_count (total INTEGER);"
                        "INSERT INTO probe_count VALUES (0);")
    setup.close()
    stop = threading.Event()
    written = [0]

    def write() -> None:
        connection = sqlite3.connect(db.database_path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
        while not stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT INTO probe_rows VALUES (?)", [(i,) for i in range(50)])
            connection.execute("UPDATE probe_count SET total = total + 50")
            connection.execute("COMMIT")
            written[0] += 1
        connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = []
        for _ in range(3):
            before = written[0]
            copies.append(backup.create_backup(db, tmp_path / "out"))
            assert written[0] > before  # the writer was not held up for the whole copy
    finally:
        stop.set()
        writer.join(30)
    totals = []
    for info in copies:
        folder = tmp_path / info.path.name
        folder.mkdir()
        backup.verify_backup(info.path, keep=folder)
        copy = sqlite3.connect(folder / "balai.sqlite3")
        rows, total = copy.execute("SELECT (SELECT COUNT(*) FROM probe_rows), (SELECT total FROM probe_count)") \
            .fetchone()
        copy.close()
        assert rows == total
        totals.append(total)
    assert totals == sorted(totals) and totals[-1] > 0


def _generation(epoch: str) -> int:
    return int(epoch[:4], 16)


def test_restore_brings_back_data_and_keys_and_starts_a_new_epoch(office: Settings, tmp_path: Path) -> None:
    before = journal.epoch(database)
    key, secret = office.signing_key_file.read_bytes(), office.secret_file.read_bytes()
    info = backup.create_backup(office, tmp_path / "out")
    accounts.create_user("baru", "sandi-yang-baru-1", "operator", actor="test")  # after the backup
    office.signing_key_file.write_text("00" * 32)
    office.secret_file.write_text("changed")
    close_database()

    done = backup.restore_backup(office, info.path)

    assert office.signing_key_file.read_bytes() == key and office.secret_file.read_bytes() == secret
    assert stat.S_IMODE(office.signing_key_file.stat().st_mode) == 0o600
    open_database(office.database_path)
    assert [a.username for a in accounts.list_users() if a.username == "baru"] == []
    status = journal.status(database)
    assert status.epoch == done.epoch != before and _generation(done.epoch) == _generation(before) + 1
    assert status.pending_changes > 0 and status.village == "3204122001"  # a full snapshot waits to be sent
    entry = AuditLog.select().where(AuditLog.action == "backup.restore").get()
    assert entry.target == info.path.name and done.epoch in entry.detail
    kept = done.kept
    assert kept is not None and kept.parent == office.backup_dir and kept.name.startswith("pre-restore-")
    assert (kept / "signing.key").read_text() == "00" * 32
    old = sqlite3.connect(kept / "balai.sqlite3")
    assert old.execute("SELECT COUNT(*) FROM user WHERE username = 'baru'").fetchone()[0] == 1
    old.close()
    assert not [p for p in office.data_dir.iterdir() if p.name.startswith(".restore-")]


def test_restore_of_an_older_schema_upgrades_it(tmp_path: Path, settings: Settings) -> None:
    older = replace(settings, data_dir=tmp_path / "kantor lama #1")  # a URI must quote this
    older.data_dir.mkdir()
    migrate(older.database_path, older.backup_dir, target=available_migrations()[-1].version - 1)
    info = backup.create_backup(older, tmp_path / "out")
    assert info.schema_version == available_migrations()[-1].version - 1
    done = backup.restore_backup(settings, info.path)
    assert done.migrated_from == info.schema_version
    check = sqlite3.connect(settings.database_path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == available_migrations()[-1].version
    assert check.execute("SELECT epoch FROM sync_state").fetchone()[0] == done.epoch
    check.close()


@pytest.fixture
def something_on_the_port() -> Iterator[int]:
    """A stand-in for a running server: answers every GET on a free port of 127.0.0.1."""
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", free_port()), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_restore_refuses_while_a_server_answers_unless_forced(office: Settings, tmp_path: Path,
                                                              something_on_the_port: int) -> None:
    info = backup.create_backup(office, tmp_path / "out")
    close_database()
    running = replace(office, port=something_on_the_port)
    live = office.database_path.read_bytes()
    with pytest.raises(ServiceError) as caught:
        backup.restore_backup(running, info.path)
    assert caught.value.key == "backup.restore_server_running"
    assert office.database_path.read_bytes() == live and not list(office.backup_dir.glob("pre-restore-*"))
    done = backup.restore_backup(running, info.path, force=True)
    assert done.kept is not None and done.kept.is_dir()


def test_restore_refuses_while_the_database_is_open_even_when_forced(office: Settings, tmp_path: Path) -> None:
    info = backup.create_backup(office, tmp_path / "out")
    for force in (False, True):
        with pytest.raises(ServiceError) as caught:
            backup.restore_backup(office, info.path, force=force)  # the fixture's connection is open
        assert caught.value.key == "backup.restore_database_in_use"
    assert not list(office.backup_dir.glob("pre-restore-*"))


def test_restore_refuses_a_damaged_backup_and_changes_nothing(office: Settings, tmp_path: Path) -> None:
    info = backup.create_backup(office, tmp_path / "out")
    raw = bytearray(info.path.read_bytes())
    raw[len(raw) // 2] ^= 1
    info.path.write_bytes(bytes(raw))
    key = office.signing_key_file.read_bytes()
    close_database()
    live = office.database_path.read_bytes()
    with pytest.raises(ServiceError) as caught:
        backup.restore_backup(office, info.path)
    assert caught.value.key == "backup.damaged"
    assert office.database_path.read_bytes() == live and office.signing_key_file.read_bytes() == key
    assert not list(office.backup_dir.glob("pre-restore-*"))


def test_prune_keeps_the_newest_and_nothing_else_is_touched(tmp_path: Path) -> None:
    names = ["balai-3204122001-20261101T010000Z.balai-backup", "balai-3204122001-20261102T010000Z.balai-backup",
             "balai-3204122001-20261102T010000Z-2.balai-backup", "balai-3204122001-20261103T010000Z.balai-backup",
             "balai-3204122001-20261030T010000Z.balai-backup"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    others = ["balai-v0003-20261101T000000000000Z.sqlite3", "catatan.txt", ".balai-x.balai-backup.tmp"]
    for name in others:
        (tmp_path / name).write_bytes(b"y")
    deleted = backup.prune(tmp_path, 2)
    assert sorted(p.name for p in deleted) == sorted([names[0], names[1], names[4]])
    assert sorted(os.listdir(tmp_path)) == sorted([names[2], names[3], *others])
    assert backup.prune(tmp_path, 0) and [p.name for p in backup.backup_files(tmp_path)] == [names[3]]


def test_nightly_keeps_the_newest_on_the_device_and_no_stick_is_no_failure(office: Settings) -> None:
    settings = replace(office, backup_keep=2, usb_mounts_file=office.data_dir / "no-mounts")
    results = [backup.nightly(settings) for _ in range(3)]
    folder = backup.nightly_dir(settings)
    files = backup.backup_files(folder)
    assert [p.name for p in files] == [r.local.path.name for r in results[1:]]  # type: ignore[union-attr]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert results[-1].ok and results[-1].usb == "no_stick" and results[-1].pruned == 1
    last = backup_nightly.last_run(settings)
    assert last is not None and last["ok"] and last["local"]["file"] == files[-1].name and last["usb"] == "no_stick"
    assert AuditLog.select().where(AuditLog.action == "backup.nightly").count() == 3
    assert [row["file"] for row in backup.list_backups(settings)] == [p.name for p in reversed(files)]


def test_nightly_copies_onto_a_stick_only_with_a_passphrase(office: Settings, tmp_path: Path) -> None:
    settings, stick = fake_stick(tmp_path, office)
    result = backup.nightly(settings)
    assert result.ok and result.usb == "no_passphrase" and not (stick / "balai-backup").exists()

    for first, second, key in (("pendek", "pendek", "backup.passphrase_short"),
                               (PASSPHRASE, PASSPHRASE + "!", "backup.passphrase_mismatch")):
        with pytest.raises(ServiceError) as caught:
            backup_nightly.set_usb_passphrase(settings, first, second, actor="admin")
        assert caught.value.key == key and not backup_nightly.usb_key_file(settings).exists()

    backup_nightly.set_usb_passphrase(settings, PASSPHRASE, PASSPHRASE, actor="admin")
    stored = backup_nightly.usb_key_file(settings)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600 and PASSPHRASE.encode() not in stored.read_bytes()
    result = backup.nightly(settings)
    assert result.ok and result.usb == "written" and len(result.usb_copies) == 1
    copy = result.usb_copies[0].path
    assert copy.parent == stick / "balai-backup" and result.usb_copies[0].encrypted
    assert backup.verify_backup(copy, PASSPHRASE).village == "3204122001"
    assert _refused(copy) == "backup.passphrase_needed"
    assert not (stick / "balai-backup" / "usb-backup.key").exists()
    assert PASSPHRASE not in " ".join(e.detail + e.target for e in AuditLog.select())

    backup_nightly.remove_usb_passphrase(settings, actor="admin")
    assert backup.nightly(settings).usb == "no_passphrase"
    assert len(backup.backup_files(stick / "balai-backup")) == 1


def test_a_failing_stick_is_reported_and_the_device_copy_stands(office: Settings, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    settings, stick = fake_stick(tmp_path, office)
    backup_nightly.set_usb_passphrase(settings, PASSPHRASE, PASSPHRASE, actor="admin")
    (stick / "balai-backup").write_text("a file where the folder should be")
    result = backup.nightly(settings)
    assert not result.ok and result.usb == "failed" and result.usb_error == "backup.write_failed"
    assert result.local is not None and result.local.path.is_file()
    assert backup_nightly.last_run(settings)["usb"] == "failed"  # type: ignore[index]
