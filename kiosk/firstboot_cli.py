"""`balai firstboot`: apply the boot partition's balai.toml once (run by balai-firstboot.service as root).

The operating-system steps (time zone, host name, Wi-Fi) go through the tools Raspberry Pi OS (bookworm) has:
timedatectl, hostnamectl and a NetworkManager keyfile. `--no-system` skips them, for a container or a test.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from kiosk.firstboot import (BOOT_DIRS, FirstBootError, SystemActions, apply_config, find_config, summary)
from kiosk.private_file import write_private
from kiosk.settings import DEFAULT_CONFIG_FILE, Settings

log = logging.getLogger(__name__)
NM_CONNECTIONS = Path("/etc/NetworkManager/system-connections")
SERVICE_USER = "balai"


HOSTS_FILE = Path("/etc/hosts")


def rename_in_hosts(hosts_file: Path, name: str) -> None:
    """Debian names the machine on a `127.0.1.1` line; hostnamectl leaves it, and then sudo and mDNS tools
    complain they cannot resolve the new name. Rewrite that line (or add one), keep every other line."""
    try:
        lines = hosts_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = ["127.0.0.1\tlocalhost"]
    wanted = f"127.0.1.1\t{name}"
    kept = [line for line in lines if not line.split("#", 1)[0].split()[:1] == ["127.0.1.1"]]
    at = next((i + 1 for i, line in enumerate(kept) if line.split()[:1] == ["127.0.0.1"]), len(kept))
    text = "\n".join([*kept[:at], wanted, *kept[at:]]) + "\n"
    partial = hosts_file.with_name(hosts_file.name + ".balai-new")
    partial.write_text(text, encoding="utf-8")
    os.chmod(partial, 0o644)
    os.replace(partial, hosts_file)


class OperatingSystem:
    """The real steps; each command's failure is reported, never hidden (the file then stays for the next boot)."""

    def __init__(self, nm_dir: Path = NM_CONNECTIONS, hosts_file: Path = HOSTS_FILE) -> None:
        self.nm_dir = nm_dir
        self.hosts_file = hosts_file

    @staticmethod
    def _run(*command: str) -> None:
        if shutil.which(command[0]) is None:
            raise FirstBootError(f"{command[0]} is not installed on this system")
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise FirstBootError(f"{' '.join(command[:2])} failed: {(result.stderr or result.stdout).strip()[:300]}")

    def set_timezone(self, zone: str) -> None:
        self._run("timedatectl", "set-timezone", zone)

    def set_hostname(self, name: str) -> None:
        self._run("hostnamectl", "set-hostname", name)
        rename_in_hosts(self.hosts_file, name)

    def connect_wifi(self, ssid: str, password: str, country: str) -> None:
        """A NetworkManager keyfile (0600, root): NetworkManager connects by itself whenever the network is there."""
        security = (f"[wifi-security]\nkey-mgmt=wpa-psk\npsk={password}\n\n" if password else "")
        keyfile = (f"[connection]\nid=balai-wifi\ntype=wifi\nautoconnect=true\n\n"
                   f"[wifi]\nmode=infrastructure\nssid={ssid}\n\n{security}"
                   "[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n")
        write_private(self.nm_dir / "balai-wifi.nmconnection", keyfile.encode("utf-8"))
        if shutil.which("raspi-config"):
            subprocess.run(["raspi-config", "nonint", "do_wifi_country", country], capture_output=True,
                           timeout=60, check=False)
        if shutil.which("nmcli"):
            subprocess.run(["nmcli", "connection", "reload"], capture_output=True, timeout=60, check=False)


class SkippedSystem:
    """`--no-system`: say what would have been done, change nothing outside Balai's files."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def set_timezone(self, zone: str) -> None:
        self.skipped.append(f"timezone {zone}")

    def set_hostname(self, name: str) -> None:
        self.skipped.append(f"hostname {name}")

    def connect_wifi(self, ssid: str, password: str, country: str) -> None:
        self.skipped.append(f"wifi {ssid}")


def add_firstboot_command(commands: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    firstboot = commands.add_parser("firstboot", help="apply balai.toml from the boot partition once (as root)")
    common(firstboot)
    firstboot.add_argument("--boot", type=Path, action="append", default=None, metavar="DIR",
                           help="folder holding balai.toml (default /boot/firmware, then /boot); repeatable")
    firstboot.add_argument("--settings-file", type=Path, default=None,
                           help=f"server settings to merge into (default {DEFAULT_CONFIG_FILE})")
    firstboot.add_argument("--no-system", action="store_true",
                           help="skip time zone, host name and Wi-Fi (containers, tests)")
    firstboot.add_argument("--json", action="store_true", help="print what was applied as one JSON object")


def _owner() -> str | None:
    """As root on the appliance, hand the data files to the service user (when it exists)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        return None
    return SERVICE_USER


def run_firstboot(args: argparse.Namespace, settings: Settings) -> int:
    config_path = find_config(tuple(args.boot) if args.boot else BOOT_DIRS)
    if config_path is None:
        print("balai firstboot: tidak ada balai.toml / no balai.toml: nothing to do")
        return 0
    system: SystemActions = SkippedSystem() if args.no_system else OperatingSystem()
    try:
        applied = apply_config(config_path, settings.data_dir, args.settings_file or DEFAULT_CONFIG_FILE, system,
                               owner=_owner())
    except (FirstBootError, OSError) as error:
        print(f"balai firstboot: {config_path} tidak dipakai / not applied: {error}", file=sys.stderr)
        return 1
    shown = summary(applied)
    if isinstance(system, SkippedSystem):
        shown["skipped"] = system.skipped
    if args.json:
        print(json.dumps(shown, ensure_ascii=False))
    else:
        print(f"balai firstboot: {config_path} dipakai dan dipindah ke balai.toml.applied / applied and moved")
    return 0
