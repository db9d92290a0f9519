"""`balai backup` and `balai restore` as an admin types them: separate processes, exit codes, one-line and JSON
answers, passphrases from a file or stdin (never the command line), and a real server refusing a restore."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import prepare_database
from kiosk.db import close_database
from kiosk.private_file import load_or_create_secret
from kiosk.seal import load_or_create_private_key
from kiosk.services.demo import seed_demo
from kiosk.settings import load_settings
from tests.support.server import free_port
from tests.system.conftest import ServerFactory

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "kopi tubruk di balai desa"


def balai(*args: str, stdin: str = "", port: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BALAI_")}
    env["BALAI_PORT"] = str(port or free_port())  # nothing answers there unless a test starts a server
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", *args], input=stdin, capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A demo office's data folder with its keys, closed again (as when the service is stopped)."""
    settings = load_settings(environ={}, overrides={"data_dir": tmp_path / "data", "mdns_enabled": False})
    prepare_database(settings)
    seed_demo(population=False)
    load_or_create_private_key(settings.signing_key_file)
    load_or_create_secret(settings.secret_file)
    close_database()
    return settings.data_dir


def _village_name(data: Path) -> str:
    connection = sqlite3.connect(data / "balai.sqlite3")
    try:
        return connection.execute("SELECT name FROM village").fetchone()[0]
    finally:
        connection.close()


def _rename_village(data: Path, name: str) -> None:
    connection = sqlite3.connect(data / "balai.sqlite3")
    with connection:
        connection.execute("UPDATE village SET name = ?", (name,))
    connection.close()


def test_backup_verify_restore_round_trip(office: Path, tmp_path: Path) -> None:
    made = balai("backup", "--data", str(office), "--to", str(tmp_path / "out"), "--json")
    assert made.returncode == 0, made.stderr
    answer = json.loads(made.stdout)
    archive = Path(answer["path"])
    assert answer["ok"] and archive.is_file() and not answer["encrypted"] and answer["village"] == "3204122001"
    assert answer["members"] == ["balai.sqlite3", "secret.key", "signing.key"]

    checked = balai("backup", "verify", str(archive), "--json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["schema_version"] == answer["schema_version"]
    line = balai("backup", "--verify", str(archive))
    assert line.returncode == 0 and line.stdout.count("\n") == 1
    assert "Cadangan utuh" in line.stdout and "Backup intact" in line.stdout

    _rename_village(office, "Desa Sesudah Cadangan")
    key = (office / "signing.key").read_bytes()
    (office / "signing.key").write_text("11" * 32)
    restored = balai("restore", str(archive), "--data", str(office), "--json")
    assert restored.returncode == 0, restored.stderr
    result = json.loads(restored.stdout)
    assert result["ok"] and int(result["epoch"][:4], 16) == 2 and Path(result["kept"]).is_dir()
    assert _village_name(office) == "Sukamaju" and (office / "signing.key").read_bytes() == key

    default = balai("backup", "--data", str(office))  # no --to: the device's own backup folder
    assert default.returncode == 0 and "backups/nightly/balai-3204122001-" in default.stdout


def test_encrypted_backup_with_a_passphrase_file_or_stdin(office: Path, tmp_path: Path) -> None:
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    made = balai("backup", "--data", str(office), "--to", str(tmp_path / "out"), "--passphrase-file", str(secret),
                 "--json")
    assert made.returncode == 0, made.stderr
    archive = Path(json.loads(made.stdout)["path"])
    assert json.loads(made.stdout)["encrypted"] and PASSPHRASE not in made.stdout + made.stderr

    assert balai("backup", "verify", str(archive), stdin=PASSPHRASE + "\n").returncode == 0  # stdin, not a tty
    assert balai("backup", "verify", str(archive), "--passphrase-file", "-", stdin=PASSPHRASE + "\n").returncode == 0

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("kopi susu di balai desa\n")
    refused = balai("backup", "verify", str(archive), "--passphrase-file", str(wrong), "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stdout) == {"ok": False, "error": "backup.wrong_passphrase",
                                          "message": "Kata sandi salah (atau awal berkas rusak).",
                                          "message_en": "Wrong passphrase (or the start of the file is damaged)."}
    assert "Kata sandi salah" in refused.stderr and "Wrong passphrase" in refused.stderr
    assert balai("backup", "verify", str(archive)).returncode == 1  # no passphrase at all
    on_command_line = balai("backup", "--data", str(office), "--passphrase", PASSPHRASE)
    assert on_command_line.returncode == 2  # there is no such option, on purpose

    _rename_village(office, "Desa Lain")
    assert balai("restore", str(archive), "--data", str(office), "--passphrase-file", str(wrong)).returncode == 1
    assert _village_name(office) == "Desa Lain"
    restored = balai("restore", str(archive), "--data", str(office), "--passphrase-file", str(secret))
    assert restored.returncode == 0, restored.stderr
    assert _village_name(office) == "Sukamaju" and "epoch" in restored.stdout


def test_damaged_or_missing_backups_exit_1_and_change_nothing(office: Path, tmp_path: Path) -> None:
    made = balai("backup", "--data", str(office), "--to", str(tmp_path / "out"), "--json")
    archive = Path(json.loads(made.stdout)["path"])
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 3] ^= 0x40
    archive.write_bytes(bytes(raw))
    checked = balai("backup", "verify", str(archive))
    assert checked.returncode == 1 and "rusak" in checked.stderr and "damaged" in checked.stderr
    live = (office / "balai.sqlite3").read_bytes()
    assert balai("restore", str(archive), "--data", str(office)).returncode == 1
    assert (office / "balai.sqlite3").read_bytes() == live and not list((office / "backups").glob("pre-restore-*"))
    missing = balai("restore", str(tmp_path / "nothing.balai-backup"), "--data", str(office), "--json")
    assert missing.returncode == 1 and json.loads(missing.stdout)["error"] == "backup.file_missing"
    assert balai("backup", "--data", str(tmp_path / "empty"), "--json").returncode == 1


@pytest.mark.slow
def test_a_running_server_is_backed_up_online_but_never_restored_under(start_server: ServerFactory,
                                                                       data_dir: Path) -> None:
    server = start_server()
    made = balai("backup", "--data", str(data_dir), "--json", port=server.port)
    assert made.returncode == 0, made.stderr
    archive = json.loads(made.stdout)["path"]

    running = balai("restore", archive, "--data", str(data_dir), port=server.port)
    assert running.returncode == 1 and "masih berjalan" in running.stderr and "still running" in running.stderr
    forced = balai("restore", archive, "--data", str(data_dir), "--force", port=server.port)
    assert forced.returncode == 1 and "masih dibuka" in forced.stderr  # the database is open: never overridden
    assert not list((data_dir / "backups").glob("pre-restore-*"))

    server.stop()
    restored = balai("restore", archive, "--data", str(data_dir), "--json", port=server.port)
    assert restored.returncode == 0, restored.stderr
    assert int(json.loads(restored.stdout)["epoch"][:4], 16) == 2
