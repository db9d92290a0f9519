"""First boot of a freshly flashed SD card: the district's `balai.toml` on the boot partition, applied once.

The district IT officer flashes one image for every village, then writes the village's name, time zone, Wi-Fi,
hub and printer into `balai.toml` on the boot partition (FAT, editable from any laptop). On the first boot
`balai firstboot` (run by balai-firstboot.service, as root, before balai.service) applies it and moves it
away, so a later edit of the same card never silently re-applies it. Nothing secret is baked into the image:
the web session secret and the village key pair are made by the server on this device at its first start.

What is applied where:
- village identity -> `<data>/setup-preset.json`: the first visit's set-up page is filled in with it, and
  the office only chooses its admin account (there is no default password; the village and its first admin
  are still created together, by a person).
- time zone, Wi-Fi, host name -> the operating system, through `SystemActions` (a fake in tests).
- hub URL + enrolment code -> `<data>/pending-enrolment.json` (0600): `balai sync run` enrols as soon as the
  village exists and the hub answers.
- printer and other settings -> `/etc/balai/balai.toml` (merged into what is there).
The file that was applied is kept as `balai.toml.applied` with the Wi-Fi password and the enrolment code
blanked out.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.private_file import write_private
from kiosk.services.clock import INDONESIAN_ZONES
from kiosk.services.errors import ServiceError
from kiosk.services.village import normalize_region_code

CONFIG_NAME = "balai.toml"
APPLIED_NAME = "balai.toml.applied"
PRESET_NAME = "setup-preset.json"
PENDING_ENROLMENT_NAME = "pending-enrolment.json"
BOOT_DIRS = (Path("/boot/firmware"), Path("/boot"))
# Settings a first-boot file may set in /etc/balai/balai.toml (the rest stay defaults or the admin's choice).
PASSTHROUGH_SETTINGS = {"printer_url", "printer_paper", "letter_printer", "letter_paper", "language", "port",
                        "public_url", "kiosk_idle_seconds", "kiosk_attract_seconds", "kiosk_voice"}
HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_SECTIONS = {"village", "wifi", "hub", "settings", "system"}


class FirstBootError(ValueError):
    """The file cannot be applied; nothing was changed. The message names the field in the file."""


@dataclass(frozen=True)
class FirstBootConfig:
    village: dict[str, str] = field(default_factory=dict)
    timezone: str = ""
    wifi_ssid: str = ""
    wifi_password: str = ""
    wifi_country: str = "ID"
    hostname: str = ""
    hub_url: str = ""
    enrolment_code: str = ""
    settings: dict[str, Any] = field(default_factory=dict)


class SystemActions(Protocol):
    """What first boot changes outside Balai's own files; the real one runs the OS's tools as root."""

    def set_timezone(self, zone: str) -> None: ...

    def set_hostname(self, name: str) -> None: ...

    def connect_wifi(self, ssid: str, password: str, country: str) -> None: ...


def _text(table: dict[str, Any], key: str, where: str, *, limit: int = 200) -> str:
    value = table.get(key, "")
    if not isinstance(value, (str, int)):
        raise FirstBootError(f"[{where}] {key} must be text")
    text = str(value).strip()
    if len(text) > limit or any(ord(ch) < 32 for ch in text):
        raise FirstBootError(f"[{where}] {key} is too long or holds control characters")
    return text


def parse_config(data: bytes) -> FirstBootConfig:
    """Read and check the whole file before anything is applied (a half-applied first boot is worse than none)."""
    try:
        table = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FirstBootError(f"{CONFIG_NAME} is not valid TOML: {error}") from error
    unknown = set(table) - _SECTIONS
    if unknown:
        raise FirstBootError(f"unknown section(s) {sorted(unknown)}; use {sorted(_SECTIONS)}")
    village_table, wifi, hub = table.get("village", {}), table.get("wifi", {}), table.get("hub", {})
    settings, system = table.get("settings", {}), table.get("system", {})
    village = {key: _text(village_table, key, "village")
               for key in ("name", "code", "kecamatan", "kabupaten", "address") if key in village_table}
    if "code" in village:
        try:
            village["code"] = normalize_region_code(village["code"])
        except ServiceError as error:
            raise FirstBootError(f"[village] code {village['code']!r} is not a kode wilayah desa") from error
    timezone = _text(village_table, "timezone", "village")
    if timezone and timezone not in INDONESIAN_ZONES:
        raise FirstBootError(f"[village] timezone must be one of {sorted(INDONESIAN_ZONES)}")
    ssid, password = _text(wifi, "ssid", "wifi", limit=32), _text(wifi, "password", "wifi", limit=63)
    if password and not 8 <= len(password) <= 63:
        raise FirstBootError("[wifi] password must be 8-63 characters (or empty for an open network)")
    country = _text(wifi, "country", "wifi", limit=2).upper() or "ID"
    hub_url, code = _text(hub, "url", "hub"), _text(hub, "enrolment_code", "hub", limit=64)
    if hub_url and not re.match(r"^https?://[^\s/]+", hub_url):
        raise FirstBootError("[hub] url must start with http:// or https://")
    if bool(hub_url) != bool(code):
        raise FirstBootError("[hub] needs both url and enrolment_code (from `balai hub enrol` at the district)")
    hostname = _text(system, "hostname", "system", limit=63).lower()
    if hostname and not HOSTNAME.match(hostname):
        raise FirstBootError("[system] hostname: small letters, digits and '-', e.g. balai-sukamaju")
    bad = set(settings) - PASSTHROUGH_SETTINGS
    if bad:
        raise FirstBootError(f"[settings] {sorted(bad)} cannot be set at first boot; allowed: "
                             f"{sorted(PASSTHROUGH_SETTINGS)}")
    return FirstBootConfig(village=village, timezone=timezone, wifi_ssid=ssid, wifi_password=password,
                           wifi_country=country, hostname=hostname, hub_url=hub_url.rstrip("/"),
                           enrolment_code=code, settings=dict(settings))


def find_config(boot_dirs: tuple[Path, ...] = BOOT_DIRS) -> Path | None:
    for folder in boot_dirs:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def merge_settings_file(path: Path, updates: dict[str, Any]) -> None:
    """Write `updates` into the server's TOML settings, keeping what the file already says."""
    current: dict[str, Any] = {}
    if path.is_file():
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
        current = dict(loaded.get("balai", loaded))
    current.update(updates)
    lines = ["# Balai settings (docs/configuration.md). Written by `balai firstboot`; edit freely."]
    lines += [f"{key} = {_toml_value(value)}" for key, value in sorted(current.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def _redacted(data: bytes) -> bytes:
    """The applied file as kept on the boot partition: secrets blanked, the rest left for the record."""
    text = data.decode("utf-8-sig")
    text = re.sub(r'(?m)^(\s*(?:password|enrolment_code)\s*=\s*).*$', r'\1"(dihapus setelah dipakai / removed)"',
                  text)
    return text.encode("utf-8")


def _hand_over(path: Path, owner: str | None) -> None:
    """Files first boot writes as root into the data folder belong to the service's user, which must read them."""
    if owner:
        shutil.chown(path, owner, owner)


def apply_config(config_path: Path, data_dir: Path, settings_file: Path, system: SystemActions,
                 owner: str | None = None) -> FirstBootConfig:
    """Apply the boot partition's file once and move it away; returns what was applied.

    Checked whole first (FirstBootError, nothing changed). The OS steps come before Balai's own files, so a
    failing step leaves the file in place and the next boot tries again; the file is moved only at the end.
    """
    data = config_path.read_bytes()
    config = parse_config(data)
    if config.timezone:
        system.set_timezone(config.timezone)
    if config.hostname:
        system.set_hostname(config.hostname)
    if config.wifi_ssid:
        system.connect_wifi(config.wifi_ssid, config.wifi_password, config.wifi_country)
    data_dir.mkdir(parents=True, exist_ok=True)
    _hand_over(data_dir, owner)
    if config.village or config.timezone:
        preset = {**config.village, **({"timezone": config.timezone} if config.timezone else {})}
        write_private(data_dir / PRESET_NAME, json.dumps(preset, ensure_ascii=False).encode("utf-8"))
        _hand_over(data_dir / PRESET_NAME, owner)
    if config.hub_url:
        write_private(data_dir / PENDING_ENROLMENT_NAME,
                      json.dumps({"hub_url": config.hub_url, "code": config.enrolment_code}).encode("utf-8"))
        _hand_over(data_dir / PENDING_ENROLMENT_NAME, owner)
    if config.settings:
        merge_settings_file(settings_file, config.settings)
    applied = config_path.with_name(APPLIED_NAME)
    applied.write_bytes(_redacted(data))
    config_path.unlink()
    return config


def read_preset(data_dir: Path) -> dict[str, str]:
    """The set-up page's pre-filled village fields; empty when first boot gave none or the file is damaged."""
    try:
        loaded = json.loads((data_dir / PRESET_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: str(value) for key, value in loaded.items() if isinstance(value, (str, int))} \
        if isinstance(loaded, dict) else {}


def summary(config: FirstBootConfig) -> dict[str, Any]:
    """What `balai firstboot --json` prints: never the Wi-Fi password or the enrolment code."""
    shown = asdict(config)
    shown["wifi_password"] = "***" if config.wifi_password else ""
    shown["enrolment_code"] = "***" if config.enrolment_code else ""
    return shown
