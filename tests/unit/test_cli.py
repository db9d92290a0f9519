"""The `balai` command as an admin types it: accounts and tokens through the same data-folder rules."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.db import close_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _close_db():
    yield
    close_database()


def run_cli(args: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version_and_help():
    version = subprocess.run([sys.executable, "-m", "kiosk.cli", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert version.returncode == 0 and version.stdout.startswith("balai ")
    helptext = subprocess.run([sys.executable, "-m", "kiosk.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    for command in ("serve", "user", "token"):
        assert command in helptext.stdout


def test_user_add_list_passwd_from_stdin(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "data")
    monkeypatch.delenv("BALAI_DATA", raising=False)
    code, out, _ = run_cli(["user", "add", "siti", "--role", "operator", "--data", data], monkeypatch, capsys,
                           "rahasia-siti-01\n")
    assert code == 0 and "siti" in out
    code, out, _ = run_cli(["user", "list", "--data", data], monkeypatch, capsys)
    assert code == 0 and out.startswith("siti\toperator\tactive")
    code, _, err = run_cli(["user", "passwd", "siti", "--data", data], monkeypatch, capsys, "pendek\n")
    assert code == 1 and "minimal 10 karakter" in err
    code, _, _ = run_cli(["user", "passwd", "siti", "--data", data], monkeypatch, capsys, "sandi-baru-siti-2\n")
    assert code == 0
    code, _, err = run_cli(["user", "add", "siti", "--role", "admin", "--data", data], monkeypatch, capsys,
                           "rahasia-siti-01\n")
    assert code == 1 and "sudah dipakai" in err


def test_data_folder_from_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BALAI_DATA", str(tmp_path / "env-data"))
    code, _, _ = run_cli(["user", "add", "budi", "--role", "viewer"], monkeypatch, capsys, "rahasia-budi-01\n")
    assert code == 0 and (tmp_path / "env-data" / "balai.sqlite3").exists()


def test_token_create_list_revoke(tmp_path, monkeypatch, capsys):
    data = str(tmp_path / "data")
    code, out, _ = run_cli(["token", "create", "layar-tv", "--role", "viewer", "--data", data], monkeypatch, capsys)
    token = out.strip()
    assert code == 0 and token.startswith("balai_") and len(token) > 40
    code, out, _ = run_cli(["token", "list", "--data", data], monkeypatch, capsys)
    assert "layar-tv\tviewer\tactive" in out and token not in out
    code, _, _ = run_cli(["token", "revoke", "layar-tv", "--data", data], monkeypatch, capsys)
    assert code == 0
    code, out, _ = run_cli(["token", "list", "--data", data], monkeypatch, capsys)
    assert "layar-tv\tviewer\trevoked" in out
    code, _, err = run_cli(["token", "revoke", "layar-tv", "--data", data], monkeypatch, capsys)
    assert code == 1 and "tidak ditemukan" in err


def test_bad_config_file_is_reported(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "balai.toml"
    bad.write_text("port = 'x'")
    code, _, err = run_cli(["user", "list", "--config", str(bad), "--data", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and "port" in err
