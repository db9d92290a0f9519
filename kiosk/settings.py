"""One typed settings object, read once at start and passed to whoever needs it.

Order of precedence (later wins): defaults, the TOML file (`/etc/balai/balai.toml` or `--config`),
`BALAI_*` environment variables, command-line flags. Nothing here is a module-level global: callers
build a `Settings` with `load_settings()` and pass it along.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

DEFAULT_CONFIG_FILE = Path("/etc/balai/balai.toml")


def _setting(default: Any, help_text: str) -> Any:
    """A dataclass field that carries its one-line help, so docs and `--help` can never drift apart."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help_text})
    return field(default=default, metadata={"help": help_text})


class SettingsError(ValueError):
    """A setting has a value of the wrong type or outside its range."""


@dataclass(frozen=True)
class Settings:
    """Every knob of a Balai office server. Each field has a default and a one-line help."""

    data_dir: Path = _setting(Path("var"), "Folder holding the database, backups, uploads and print previews.")
    host: str = _setting("0.0.0.0", "Address the web server listens on.")
    port: int = _setting(8080, "TCP port of the web server.")
    demo: bool = _setting(False, "Create a demo village, an operator account and a preview printer on first start.")
    demo_population: bool = _setting(True, "In demo mode, also fill the village with ~2,000 generated residents.")
    public_url: str = _setting("", "Base URL printed in QR codes (e.g. http://192.168.1.10:8080); empty = this machine's LAN address.")
    language: str = _setting("id", "Default interface language: id (Bahasa Indonesia) or en.")
    session_hours: float = _setting(12.0, "Operator sessions expire after this many hours.")
    lockout_attempts: int = _setting(5, "Failed logins (per account or per client address) before a lockout.")
    lockout_minutes: float = _setting(15.0, "How long a lockout lasts.")
    ticket_rate_per_minute: int = _setting(20, "Queue tickets one client address may take per minute through the public API.")
    printer_url: str = _setting("", "Thermal printer: tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///dev/usb/lp0 or preview:; empty = none.")
    printer_paper: str = _setting("58mm", "Thermal paper width: 58mm (384 dots) or 80mm (576 dots).")
    printer_timeout: float = _setting(5.0, "Seconds to wait for the thermal printer before the job is retried later.")
    print_retry_max_seconds: float = _setting(60.0, "Longest wait between retries of a print job that failed.")
    kiosk_idle_seconds: int = _setting(60, "The kiosk returns to its home screen after this many idle seconds.")
    kiosk_attract_seconds: int = _setting(90, "Idle seconds on the kiosk's home screen before the attract screen (announcements, village, phones) shows; 0 = never.")
    kiosk_voice: bool = _setting(True, "Offer spoken guidance on the kiosk (a switch residents turn on; needs espeak-ng).")
    language_files: list[str] = _setting([], "Local-language files (TOML, see docs/languages.md) offered on the kiosk after Indonesian and English.")
    mdns_enabled: bool = _setting(True, "Advertise the server on the office network with mDNS (zeroconf).")
    mdns_interfaces: list[str] = _setting([], "Interfaces (addresses) mDNS uses; empty = all LAN interfaces (demo mode: 127.0.0.1 only).")
    espeak_voice: str = _setting("id", "espeak-ng voice for the spoken call on the display.")
    letter_printer: str = _setting("", "CUPS queue that prints letters (see `lpstat -p`); preview: writes PDFs to the preview folder; empty = none (demo: preview:).")
    letter_paper: str = _setting("F4", "Letter paper: F4 (215 x 330 mm) or A4 (210 x 297 mm).")
    letter_margins_mm: str = _setting("20,20,20,30", "Letter margins in millimetres: top,right,bottom,left.")
    letter_number_format: str = _setting("{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}/{tahun}", "Letter number format; tokens {kode} {nomor} {nomor:03} {kode_desa} {bulan} {bulan_romawi} {tahun} {jenis}.")
    letter_number_series: str = _setting("type", "Letter number series: type (one series per letter type) or shared (one for all); both reset every year.")
    upload_max_mb: float = _setting(5.0, "Largest attachment (photo or PDF) a resident or operator may upload, in MB.")
    pin_attempts: int = _setting(5, "Wrong NIK/PIN tries one kiosk or phone address may make per 15 minutes.")
    usb_mount_roots: list[str] = _setting(["/media", "/run/media", "/mnt"], "Folders under which a mounted USB stick is offered for exporting sync bundles (absolute paths).")
    usb_mounts_file: Path = _setting(Path("/proc/mounts"), "Mount table read to find USB sticks (the kernel's /proc/mounts).")
    backup_keep: int = _setting(10, "How many database backups are kept: those taken before migrations, and the nightly ones.")
    install_root: Path = _setting(Path("/opt/balai"), "Where the releases live: one virtualenv per version under releases/, and the link venv to the running one (offline updates add to it).")
    update_keys_dir: Path = _setting(Path("/etc/balai/update-keys"), "Folder of public keys (*.pub); an offline update bundle must be signed by one of them.")
    update_stop_command: list[str] = _setting(["systemctl", "stop", "balai-sync.service", "balai.service"], "Command that stops the server and the sync agent before an update switches releases.")
    update_start_command: list[str] = _setting(["systemctl", "start", "balai.service", "balai-sync.service"], "Command that starts them again afterwards.")
    update_health_seconds: float = _setting(180.0, "Seconds an updated server has to answer /api/v1/health with its new version before the update is rolled back.")
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")

    @property
    def database_path(self) -> Path:
        return self.data_dir / "balai.sqlite3"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def preview_dir(self) -> Path:
        return self.data_dir / "print-preview"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def signing_key_file(self) -> Path:
        """The village's Ed25519 private key (made on this machine; never in the database or a backup of it)."""
        return self.data_dir / "signing.key"

    @property
    def letters_dir(self) -> Path:
        return self.data_dir / "letters"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def announcements_dir(self) -> Path:
        """Pictures of announcements posted in the office (served publicly, by their made-up names only)."""
        return self.data_dir / "announcements"

    @property
    def letter_margins(self) -> tuple[float, float, float, float]:
        """(top, right, bottom, left) in millimetres."""
        top, right, bottom, left = (float(part) for part in self.letter_margins_mm.split(","))
        return top, right, bottom, left


def setting_help() -> dict[str, str]:
    """Name -> help text of every setting; used by the docs test and the README table."""
    return {f.name: f.metadata["help"] for f in fields(Settings)}


def _coerce(name: str, raw: Any, example: Any) -> Any:
    """Turn a TOML or environment value into the type of the setting, with a clear error."""
    try:
        if isinstance(example, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on", "ya"}:
                return True
            if text in {"0", "false", "no", "off", "tidak", ""}:
                return False
            raise ValueError(raw)
        if isinstance(example, Path):
            return Path(str(raw)).expanduser()
        if isinstance(example, int):
            return int(raw)
        if isinstance(example, float):
            return float(raw)
        if isinstance(example, list):
            if isinstance(raw, list):
                return [str(item) for item in raw]
            return [part.strip() for part in str(raw).split(",") if part.strip()]
        return str(raw)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"setting {name!r}: invalid value {raw!r}") from error


def _validate(settings: Settings) -> Settings:
    if not 0 < settings.port < 65536:
        raise SettingsError(f"setting 'port': {settings.port} is not a TCP port")
    if settings.language not in {"id", "en"}:
        raise SettingsError("setting 'language': use 'id' or 'en'")
    if settings.printer_paper not in {"58mm", "80mm"}:
        raise SettingsError("setting 'printer_paper': use '58mm' or '80mm'")
    if settings.letter_paper not in {"F4", "A4"}:
        raise SettingsError("setting 'letter_paper': use 'F4' or 'A4'")
    if settings.letter_number_series not in {"type", "shared"}:
        raise SettingsError("setting 'letter_number_series': use 'type' or 'shared'")
    try:
        margins = settings.letter_margins
    except ValueError as error:
        raise SettingsError("setting 'letter_margins_mm': four numbers top,right,bottom,left") from error
    if not all(0 <= margin <= 60 for margin in margins):
        raise SettingsError("setting 'letter_margins_mm': each margin between 0 and 60 mm")
    if "{nomor" not in settings.letter_number_format or "|" in settings.letter_number_format:
        raise SettingsError("setting 'letter_number_format': must contain {nomor} and no '|'")
    if not 0.1 <= settings.upload_max_mb <= 50:
        raise SettingsError("setting 'upload_max_mb': between 0.1 and 50")
    if not all(root.startswith("/") for root in settings.usb_mount_roots):
        raise SettingsError("setting 'usb_mount_roots': each folder must be an absolute path such as /media")
    if settings.kiosk_idle_seconds < 1 or settings.kiosk_attract_seconds < 0:
        raise SettingsError("setting 'kiosk_idle_seconds' must be at least 1 and 'kiosk_attract_seconds' 0 or more")
    if settings.lockout_attempts < 1 or settings.session_hours <= 0:
        raise SettingsError("settings 'lockout_attempts' and 'session_hours' must be positive")
    return settings


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from defaults, TOML file, environment and explicit overrides (CLI flags)."""
    environ = os.environ if environ is None else environ
    defaults = Settings()
    by_name = {f.name: getattr(defaults, f.name) for f in fields(Settings)}
    values: dict[str, Any] = {}

    path = config_file
    if path is None and environ.get("BALAI_CONFIG"):
        path = Path(environ["BALAI_CONFIG"])
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        try:
            with open(path, "rb") as handle:
                table = tomllib.load(handle)
        except FileNotFoundError as error:
            raise SettingsError(f"config file not found: {path}") from error
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"config file {path} is not valid TOML: {error}") from error
        section = table.get("balai", table)
        for key, raw in section.items():
            if key not in by_name:
                raise SettingsError(f"unknown setting {key!r} in {path}")
            values[key] = _coerce(key, raw, by_name[key])

    for name, example in by_name.items():
        env_name = "BALAI_DATA" if name == "data_dir" else f"BALAI_{name.upper()}"
        if env_name in environ:
            values[name] = _coerce(name, environ[env_name], example)

    for key, raw in (overrides or {}).items():
        if raw is not None:
            values[key] = _coerce(key, raw, by_name[key])

    settings = replace(defaults, **values)
    if settings.demo and not settings.mdns_interfaces:
        settings = replace(settings, mdns_interfaces=["127.0.0.1"])
    return _validate(settings)
