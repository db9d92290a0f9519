"""Settings: defaults, TOML, environment, flags, clear errors, and every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.settings import Settings, SettingsError, load_settings, setting_help

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_without_any_file_or_environment():
    settings = load_settings(environ={})
    assert settings.port == 8080 and settings.data_dir == Path("var") and not settings.demo
    assert settings.database_path == Path("var/balai.sqlite3")


def test_precedence_toml_then_environment_then_flags(tmp_path):
    config = tmp_path / "balai.toml"
    config.write_text('[balai]\nport = 9000\nprinter_url = "tcp://10.0.0.9:9100"\nmdns_interfaces = ["127.0.0.1"]\n')
    settings = load_settings(config_file=config, environ={"BALAI_PORT": "9001", "BALAI_DATA": str(tmp_path / "d")})
    assert settings.port == 9001 and settings.printer_url == "tcp://10.0.0.9:9100"
    assert settings.data_dir == tmp_path / "d" and settings.mdns_interfaces == ["127.0.0.1"]
    settings = load_settings(config_file=config, environ={"BALAI_PORT": "9001"}, overrides={"port": 9002, "host": None})
    assert settings.port == 9002 and settings.host == "0.0.0.0"


def test_demo_mode_keeps_mdns_on_loopback():
    assert load_settings(environ={}, overrides={"demo": True}).mdns_interfaces == ["127.0.0.1"]
    assert load_settings(environ={"BALAI_DEMO": "ya"}).demo is True


@pytest.mark.parametrize("content, message", [
    ("port = 'delapan'", "port"),
    ("colour = 'blue'", "unknown setting"),
    ("port = ", "not valid TOML"),
    ("printer_paper = '57mm'", "printer_paper"),
])
def test_bad_configuration_is_explained(tmp_path, content, message):
    config = tmp_path / "balai.toml"
    config.write_text(content)
    with pytest.raises(SettingsError, match=message):
        load_settings(config_file=config, environ={})


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(config_file=tmp_path / "nope.toml", environ={})


def test_every_setting_has_help_and_is_documented():
    docs = (ROOT / "README.md").read_text() + (ROOT / "docs" / "configuration.md").read_text()
    for name, help_text in setting_help().items():
        assert help_text.strip(), name
        assert f"`{name}`" in docs, f"setting {name} is not documented in README.md or docs/configuration.md"
    assert len(setting_help()) == len(Settings.__dataclass_fields__)
