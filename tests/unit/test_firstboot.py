"""First boot: the district's balai.toml on the boot partition is checked whole, applied once, and moved away
without its secrets."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.firstboot import (APPLIED_NAME, PENDING_ENROLMENT_NAME, PRESET_NAME, FirstBootError, apply_config,
                             parse_config, read_preset, summary)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "image-build" / "files" / "boot" / "firmware" / "balai.toml.example"


class FakeSystem:
    def __init__(self, fail_on: str = "") -> None:
        self.calls: list[tuple[str, ...]] = []
        self.fail_on = fail_on

    def _record(self, *call: str) -> None:
        if call[0] == self.fail_on:
            raise FirstBootError(f"{call[0]} failed")
        self.calls.append(call)

    def set_timezone(self, zone: str) -> None:
        self._record("timezone", zone)

    def set_hostname(self, name: str) -> None:
        self._record("hostname", name)

    def connect_wifi(self, ssid: str, password: str, country: str) -> None:
        self._record("wifi", ssid, password, country)


@pytest.fixture
def card(tmp_path: Path) -> Path:
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "balai.toml").write_bytes(EXAMPLE.read_bytes())
    return boot / "balai.toml"


def test_the_shipped_example_is_valid() -> None:
    config = parse_config(EXAMPLE.read_bytes())
    assert config.village["name"] == "Sukamaju" and config.village["code"] == "32.04.12.2001"
    assert config.timezone == "Asia/Jakarta" and config.hostname == "balai-sukamaju"
    assert config.hub_url.startswith("https://") and config.enrolment_code
    assert config.settings == {"printer_url": "usb://0416:5011", "printer_paper": "58mm"}


@pytest.mark.parametrize(("text", "message"), [
    ("[village\n", "not valid TOML"),
    ("[desa]\nnama = 'x'\n", "unknown section"),
    ("[village]\ntimezone = 'Europe/Berlin'\n", "timezone must be one of"),
    ("[village]\ncode = '12345'\n", "kode wilayah"),
    ("[wifi]\nssid = 'Kantor'\npassword = 'pendek'\n", "8-63 characters"),
    ("[hub]\nurl = 'https://hub.example'\n", "both url and enrolment_code"),
    ("[hub]\nurl = 'ftp://hub'\nenrolment_code = 'X'\n", "http:// or https://"),
    ("[system]\nhostname = 'Balai Desa'\n", "hostname"),
    ("[settings]\ndata_dir = '/tmp/x'\n", "cannot be set at first boot"),
    ('[village]\nname = "Suka\\u0007maju"\n', "control characters"),
    ("[village]\nname = ['a']\n", "must be text"),
])
def test_a_bad_file_is_refused_with_the_field_named(text: str, message: str) -> None:
    with pytest.raises(FirstBootError, match=message):
        parse_config(text.encode())


def test_applying_sets_the_system_writes_balai_files_and_moves_the_card_file(card: Path, tmp_path: Path) -> None:
    data, settings_file = tmp_path / "data", tmp_path / "etc" / "balai.toml"
    settings_file.parent.mkdir()
    settings_file.write_text('language = "en"\nprinter_url = "preview:"\n', encoding="utf-8")
    system = FakeSystem()
    applied = apply_config(card, data, settings_file, system)
    assert system.calls == [("timezone", "Asia/Jakarta"), ("hostname", "balai-sukamaju"),
                            ("wifi", "Kantor Desa Sukamaju", "ganti-dengan-sandi-wifi", "ID")]
    assert read_preset(data) == {"name": "Sukamaju", "code": "32.04.12.2001", "kecamatan": "Cileunyi",
                                 "kabupaten": "Bandung", "address": "Jl. Raya Sukamaju No. 1",
                                 "timezone": "Asia/Jakarta"}
    pending = data / PENDING_ENROLMENT_NAME
    assert json.loads(pending.read_text()) == {"hub_url": "https://hub.bandungkab.go.id",
                                               "code": "XXXX-XXXX-XXXX-XXXX"}
    for private in (pending, data / PRESET_NAME):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    merged = tomllib.loads(settings_file.read_text(encoding="utf-8"))
    assert merged == {"language": "en", "printer_url": "usb://0416:5011", "printer_paper": "58mm"}
    # Applied once: the card's file is gone; the record left behind holds no secret.
    assert not card.exists()
    record = card.with_name(APPLIED_NAME).read_text(encoding="utf-8")
    assert "ganti-dengan-sandi-wifi" not in record and "XXXX-XXXX-XXXX-XXXX" not in record
    assert "Sukamaju" in record
    shown = json.dumps(summary(applied))
    assert "ganti-dengan-sandi-wifi" not in shown and "XXXX-XXXX" not in shown


def test_a_failing_system_step_leaves_everything_for_the_next_boot(card: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(FirstBootError, match="wifi failed"):
        apply_config(card, data, tmp_path / "etc.toml", FakeSystem(fail_on="wifi"))
    assert card.exists() and not card.with_name(APPLIED_NAME).exists()
    assert not (data / PRESET_NAME).exists() and not (data / PENDING_ENROLMENT_NAME).exists()
    assert not (tmp_path / "etc.toml").exists()


def test_a_minimal_file_only_fills_the_set_up_page(tmp_path: Path) -> None:
    card = tmp_path / "balai.toml"
    card.write_text('[village]\nname = "Mekarsari"\n', encoding="utf-8")
    system = FakeSystem()
    apply_config(card, tmp_path / "data", tmp_path / "etc.toml", system)
    assert system.calls == []
    assert read_preset(tmp_path / "data") == {"name": "Mekarsari"}
    assert not (tmp_path / "data" / PENDING_ENROLMENT_NAME).exists() and not (tmp_path / "etc.toml").exists()


def test_a_damaged_preset_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / PRESET_NAME).write_text("{not json", encoding="utf-8")
    assert read_preset(tmp_path) == {}
    assert read_preset(tmp_path / "missing") == {}


def _balai(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BALAI_")}
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_the_command_applies_once_then_has_nothing_to_do(card: Path, tmp_path: Path) -> None:
    run = _balai("firstboot", "--data", str(tmp_path / "data"), "--boot", str(card.parent), "--no-system",
                 "--settings-file", str(tmp_path / "etc.toml"), "--json")
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["village"]["name"] == "Sukamaju" and shown["wifi_password"] == "***"
    assert shown["skipped"] == ["timezone Asia/Jakarta", "hostname balai-sukamaju", "wifi Kantor Desa Sukamaju"]
    assert not card.exists()
    again = _balai("firstboot", "--data", str(tmp_path / "data"), "--boot", str(card.parent), "--no-system")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_the_command_refuses_a_bad_file_and_keeps_it(tmp_path: Path) -> None:
    card = tmp_path / "balai.toml"
    card.write_text('[village]\ntimezone = "UTC"\n', encoding="utf-8")
    run = _balai("firstboot", "--data", str(tmp_path / "data"), "--boot", str(tmp_path), "--no-system",
                 "--settings-file", str(tmp_path / "etc.toml"))
    assert run.returncode == 1 and "timezone" in run.stderr
    assert card.exists() and not (tmp_path / "data" / PRESET_NAME).exists()


def test_a_new_host_name_replaces_debians_127_0_1_1_line_and_keeps_the_rest(tmp_path: Path) -> None:
    from kiosk.firstboot_cli import rename_in_hosts

    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n"
                     "ff02::1\t\tip6-allnodes\n\n127.0.1.1\t\traspberrypi\n192.168.1.9\tprinter # kantor\n")
    rename_in_hosts(hosts, "balai-sukamaju")
    lines = hosts.read_text().splitlines()
    assert lines[:2] == ["127.0.0.1\tlocalhost", "127.0.1.1\tbalai-sukamaju"]
    assert "raspberrypi" not in hosts.read_text() and "192.168.1.9\tprinter # kantor" in lines
    assert sum("localhost ip6-localhost" in line for line in lines) == 1
    rename_in_hosts(hosts, "balai-sukamaju")  # again: still one line
    assert hosts.read_text().count("127.0.1.1") == 1
    bare = tmp_path / "bare"
    bare.write_text("127.0.0.1 localhost\n")
    rename_in_hosts(bare, "balai")
    assert bare.read_text() == "127.0.0.1 localhost\n127.0.1.1\tbalai\n"
