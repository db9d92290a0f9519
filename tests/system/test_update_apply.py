"""Offline updates end to end: real releases (virtualenvs built from wheels), a real server, real bundles.

An office runs Balai 0.1.0 from /opt-like `releases/0.1.0` behind the `venv` link. Signed bundles of 0.2.0 (good)
and 0.3.0 (crashes at start) are applied with the installed release's own `balai update` command, the way
balai-update.service does; `fake_service.py` stands in for systemctl. The tests run in file order on one office.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kiosk.services.update_bundle import generate_key, load_private_key, pack
from tests.support.wheelhouse import build_wheelhouse
from tests.system.helpers import take_ticket, wait_until

pytestmark = pytest.mark.slow
FAKE_SERVICE = Path(__file__).resolve().parents[1] / "support" / "fake_service.py"


def _clean_env() -> dict[str, str]:
    """What a systemd unit would give: none of pytest's markers (NiceGUI reads them) and no BALAI_* overrides."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BALAI_") and k != "PYTEST_CURRENT_TEST"}


def _crash_at_start(source: Path) -> None:
    """A release that installs fine but whose server dies on start (a bad dependency, a typo in a hot path)."""
    app = source / "kiosk" / "app.py"
    text = app.read_text(encoding="utf-8")
    marker = '    """Start the web server in the foreground (what `balai serve` and `make run` do)."""\n'
    assert marker in text
    app.write_text(text.replace(marker, marker + '    raise RuntimeError("broken release")\n'), encoding="utf-8")


@dataclass
class Office:
    root: Path
    data: Path
    config: Path
    keys: Path
    base_url: str
    bundles: dict[str, Path]
    private_key: Path
    pidfile: Path
    work: Path

    def balai(self, *arguments: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """The installed release's own command (through the link, like the systemd units)."""
        return subprocess.run([str(self.root / "venv" / "bin" / "balai"), *arguments, "--data", str(self.data),
                               "--config", str(self.config)], capture_output=True, text=True, timeout=timeout,
                              env=_clean_env())

    def link(self) -> str:
        return (self.root / "venv").readlink().name

    def version(self) -> str:
        return httpx.get(f"{self.base_url}/api/v1/health", timeout=5).json()["version"]

    def tickets(self) -> int:
        # closed at once: sqlite3's `with` only ends a transaction, and an open reader blocks a restore
        with closing(sqlite3.connect(f"file:{self.data / 'balai.sqlite3'}?mode=ro", uri=True)) as connection:
            return connection.execute("SELECT count(*) FROM ticket").fetchone()[0]

    def history(self) -> list[dict]:
        return json.loads((self.root / "update-history.json").read_text())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(base_url: str, version: str, timeout: float = 90) -> None:
    def answers() -> bool:
        try:
            return httpx.get(f"{base_url}/api/v1/health", timeout=3).json()["version"] == version
        except (httpx.HTTPError, ValueError, KeyError):
            return False

    wait_until(answers, timeout, interval=0.5, what=f"server {version} healthy")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    work = tmp_path_factory.mktemp("update")
    private_key, keys = work / "release.key", work / "keys"
    keys.mkdir()
    generate_key(private_key, keys / "release.pub")
    bundles = {}
    for version, mutate in (("0.1.0", None), ("0.2.0", None), ("0.3.0", _crash_at_start)):
        wheels = build_wheelhouse(work / f"wheels-{version}", version, mutate=mutate)
        bundles[version] = work / f"balai-update-{version}.tar"
        pack(wheels, load_private_key(private_key), bundles[version])
    root, data = work / "opt", work / "data"
    release = root / "releases" / "0.1.0"
    subprocess.run([sys._base_executable, "-m", "venv", str(release)], check=True)  # type: ignore[attr-defined]
    subprocess.run([str(release / "bin" / "pip"), "install", "--quiet", "--no-index", "--disable-pip-version-check",
                    "--find-links", str(work / "wheels-0.1.0"), "balai[usb]==0.1.0"], check=True, timeout=900)
    (root / "venv").symlink_to(Path("releases") / "0.1.0")
    port = _free_port()
    pidfile, log = work / "balai.pid", work / "server.log"
    service = [sys.executable, str(FAKE_SERVICE)]
    config = work / "balai.toml"
    config.write_text("\n".join([
        f"port = {port}", 'host = "127.0.0.1"', "demo = true", "demo_population = false", "mdns_enabled = false",
        f'install_root = "{root}"', f'update_keys_dir = "{keys}"', "update_health_seconds = 30",
        f"update_stop_command = {json.dumps([*service, 'stop', str(pidfile)])}",
        f"update_start_command = {json.dumps([*service, 'start', str(root), str(config), str(data), str(pidfile), str(log)])}",
        ""]), encoding="utf-8")
    office = Office(root, data, config, keys, f"http://127.0.0.1:{port}", bundles, private_key, pidfile, work)
    subprocess.run([*service, "start", str(root), str(config), str(data), str(pidfile), str(log)], check=True,
                   env=_clean_env())
    try:
        _wait_healthy(office.base_url, "0.1.0")
        yield office
    finally:
        subprocess.run([*service, "stop", str(pidfile)], check=False)
        if log.exists():
            print("--- server log (tail) ---\n" + log.read_text(errors="replace")[-3000:])


def _tampered(source: Path, target: Path) -> Path:
    """The same signed manifest, but one wheel swapped for other bytes of the same name and size."""
    with tarfile.open(source) as original, tarfile.open(target, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name.startswith("wheels/balai-"):
                data = data[:-64] + b"\0" * 64
            copy.addfile(member, io.BytesIO(data))
    return target


def test_tampered_unsigned_and_foreign_bundles_are_refused_and_change_nothing(office: Office) -> None:
    take_ticket(office.base_url)
    before = office.tickets()
    tampered = office.balai("update", "apply", str(_tampered(office.bundles["0.2.0"], office.work / "t.tar")),
                            "--json")
    assert tampered.returncode == 1, tampered.stderr[-3000:]
    assert json.loads(tampered.stdout)["error"] == "update.bundle_tampered"
    foreign_key, foreign_pub = office.work / "foreign.key", office.work / "foreign.pub"
    generate_key(foreign_key, foreign_pub)
    foreign = pack(office.work / "wheels-0.2.0", load_private_key(foreign_key), office.work / "foreign.tar")
    assert foreign.version == "0.2.0"
    refused = office.balai("update", "apply", str(office.work / "foreign.tar"), "--json")
    assert refused.returncode == 1 and json.loads(refused.stdout)["error"] == "update.signature_invalid"
    not_a_bundle = office.work / "balai-update-9.9.9.tar"
    not_a_bundle.write_bytes(b"<?php system($_GET['c']); ?>")
    junk = office.balai("update", "check", str(not_a_bundle), "--json")
    assert junk.returncode == 1 and json.loads(junk.stdout)["error"] == "update.bundle_invalid"
    same = office.balai("update", "check", str(office.bundles["0.1.0"]), "--json")
    assert json.loads(same.stdout)["error"] == "update.not_newer"
    assert office.link() == "0.1.0" and office.version() == "0.1.0" and office.tickets() == before
    assert sorted(p.name for p in (office.root / "releases").iterdir()) == ["0.1.0"]
    assert not (office.root / "update-state.json").exists()


def test_a_good_bundle_is_installed_with_a_backup_and_the_data_kept(office: Office) -> None:
    take_ticket(office.base_url)
    before = office.tickets()
    applied = office.balai("update", "apply", str(office.bundles["0.2.0"]), "--json")
    assert applied.returncode == 0, applied.stderr[-3000:]
    result = json.loads(applied.stdout)
    assert result["outcome"] == "installed" and (result["from"], result["to"]) == ("0.1.0", "0.2.0")
    assert office.link() == "0.2.0" and office.version() == "0.2.0"
    assert office.tickets() == before
    assert take_ticket(office.base_url)["number"]  # the office works on the new release
    assert Path(result["backup"]).is_file() and Path(result["backup"]).parent.name == "before-update"
    verified = office.balai("backup", "verify", result["backup"], "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["balai_version"] == "0.1.0"
    assert sorted(p.name for p in (office.root / "releases").iterdir()) == ["0.1.0", "0.2.0"]  # previous kept
    assert office.history()[0]["outcome"] == "installed"
    assert not (office.root / "update-state.json").exists()


def test_a_release_that_does_not_start_is_rolled_back_to_the_data_before(office: Office) -> None:
    before = office.tickets()
    applied = office.balai("update", "apply", str(office.bundles["0.3.0"]), "--json")
    assert applied.returncode == 1, applied.stderr[-3000:]
    result = json.loads(applied.stdout)
    assert result["outcome"] == "rolled_back" and result["reason"] == "health_failed"
    assert office.link() == "0.2.0" and office.version() == "0.2.0"
    assert office.tickets() == before
    assert not (office.root / "releases" / "0.3.0").exists()
    assert office.history()[0]["outcome"] == "rolled_back"
    status = json.loads(office.balai("update", "status", "--json").stdout)
    assert status["version"] == "0.2.0" and status["state"] is None
    assert [entry["outcome"] for entry in status["history"][:2]] == ["rolled_back", "installed"]


@pytest.mark.parametrize("phase", ["migrating", "starting"])
def test_a_power_cut_during_an_update_is_undone_at_the_next_boot(office: Office, phase: str) -> None:
    """SIGKILL the installer (and the server: the power is gone) in the middle; `recover` at boot sets it right."""
    take_ticket(office.base_url)
    before = office.tickets()
    installer = subprocess.Popen([str(office.root / "venv" / "bin" / "balai"), "update", "apply",
                                  str(office.bundles["0.3.0"]), "--data", str(office.data), "--config",
                                  str(office.config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=_clean_env())
    state = office.root / "update-state.json"

    def reached() -> bool:
        try:
            return json.loads(state.read_text())["phase"] == phase
        except (OSError, ValueError, KeyError):
            return installer.poll() is not None

    wait_until(reached, 600, interval=0.05, what=f"phase {phase}")
    installer.send_signal(signal.SIGKILL)
    installer.communicate(timeout=30)
    subprocess.run([sys.executable, str(FAKE_SERVICE), "stop", str(office.pidfile)], check=True)
    assert json.loads(state.read_text())["phase"] == phase  # the cut really came mid-update
    time.sleep(0.5)
    recovered = office.balai("update", "recover", "--json")
    result = json.loads(recovered.stdout)
    assert result["outcome"] == "rolled_back", recovered.stderr[-3000:]
    assert office.link() == "0.2.0"
    _wait_healthy(office.base_url, "0.2.0")
    assert office.tickets() == before
    assert not state.exists() and not (office.root / "releases" / "0.3.0").exists()
    again = office.balai("update", "recover", "--json")
    assert json.loads(again.stdout)["outcome"] == "nothing"
