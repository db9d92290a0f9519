"""Install a verified update: a new release beside the running one, then back up, migrate, switch, check, or roll back.

Why this order: everything that can fail slowly (reading the stick, building the virtualenv) happens while the
office keeps working, and changes nothing it runs on. Only then are the server and sync agent stopped for the
short part: a full backup (old code), the migration (new code, so a failing migration never touches the live
release), one atomic rename of the `venv` link, and a start. If the new server does not answer
`/api/v1/health` with its new version in time, the link goes back and the backup is restored (which starts a
new sync epoch, so the district never holds rows the restored database forgot).

Every step is written to `<install root>/update-state.json` before it starts, so a power cut in the middle is
finished or undone by `balai update recover` (run by balai-update.service at every boot, as root). The state,
the history and the lock live beside the releases, in the root-owned install folder, never in the data folder:
the `balai` user can write there, and root acting on a file the server's user could forge would hand that
user root. For the same reason every version read back from the state is checked before the link moves. The data-touching commands run
as the data folder's owner (the `balai` user), never as root, so no root-owned file ends up where the server
must write.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from packaging.version import InvalidVersion, Version

from kiosk.services.errors import ServiceError
from kiosk.services.update_bundle import Manifest, extract_wheels, read_manifest, trusted_keys
from kiosk.settings import Settings

log = logging.getLogger(__name__)
EXTRAS = "usb"  # the appliance installs Balai with USB printer support (image-build/scripts)
INCOMPLETE = ".incomplete"
HISTORY_KEEP = 50
SAFE_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+!-]{0,40}$")


@dataclass(frozen=True)
class Layout:
    """/opt/balai/releases/<version>/ (one virtualenv each) and the link /opt/balai/venv to the running one."""

    root: Path

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def link(self) -> Path:
        return self.root / "venv"

    def release(self, version: str) -> Path:
        if not SAFE_VERSION.match(version):
            raise ServiceError("update.bundle_invalid")
        return self.releases / version

    def balai(self, version: str) -> Path:
        return self.release(version) / "bin" / "balai"

    def current(self) -> str | None:
        """The running release's version, or None when this is no appliance install (a checkout, a plain venv)."""
        if not self.link.is_symlink():
            return None
        target = Path(os.readlink(self.link))
        target = target if target.is_absolute() else self.link.parent / target
        return target.name if target.parent.resolve() == self.releases.resolve() and target.is_dir() else None

    def point_to(self, version: str) -> None:
        """Switch the link in one rename (atomic on POSIX): at every instant it names a whole release.

        Only ever to a release folder that exists under releases/ (the version is checked like any other)."""
        if not self.release(version).is_dir():
            raise ServiceError("update.state_unreadable")
        fresh = self.root / ".venv-link"
        fresh.unlink(missing_ok=True)
        fresh.symlink_to(Path("releases") / version)
        os.replace(fresh, self.link)
        descriptor = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class UpdateResult:
    outcome: str  # installed | rolled_back
    from_version: str
    to_version: str
    reason: str = ""
    backup: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.outcome == "installed", "outcome": self.outcome, "from": self.from_version,
                "to": self.to_version, "reason": self.reason, "backup": self.backup}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def state_file(settings: Settings) -> Path:
    """Root's record of an update under way (readable by the page, writable only by root on the appliance)."""
    return settings.install_root / "update-state.json"


def history_file(settings: Settings) -> Path:
    return settings.install_root / "update-history.json"


def write_json(path: Path, value: Any) -> None:
    """Whole or not at all (tmp + fsync + rename); readable by the server's user, which shows it on a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(value, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(partial, 0o644)
    os.replace(partial, path)


def read_state(settings: Settings) -> dict[str, Any] | None:
    try:
        value = json.loads(state_file(settings).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"phase": "unknown"}
    return value if isinstance(value, dict) else {"phase": "unknown"}


def read_history(settings: Settings) -> list[dict[str, Any]]:
    """Past updates, newest first."""
    try:
        value = json.loads(history_file(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def remember(settings: Settings, entry: dict[str, Any]) -> None:
    write_json(history_file(settings), ([{"at": _now(), **entry}] + read_history(settings))[:HISTORY_KEEP])


@contextmanager
def exclusive(settings: Settings) -> Iterator[None]:
    """One update at a time (a second `apply` from a shell while the page's request runs is refused)."""
    try:  # root's folder: anyone else gets the refusal in words, not a traceback
        settings.install_root.mkdir(parents=True, exist_ok=True)
        handle = (settings.install_root / ".update.lock").open("a")
    except PermissionError as error:
        raise ServiceError("update.not_installed", root=str(settings.install_root)) from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ServiceError("update.busy") from error
        yield


class Installer:
    """The steps with their side effects on this machine: commands, the data owner, the health check."""

    def __init__(self, settings: Settings, config_file: Path | None = None, actor: str = "cli") -> None:
        self.settings = settings
        self.layout = Layout(settings.install_root)
        self.config_file = config_file
        self.actor = actor

    # --- commands --------------------------------------------------------------------------------------------
    def _owner(self) -> dict[str, Any]:
        """Run data commands as the data folder's owner when we are root and it is someone else."""
        try:
            info = self.settings.data_dir.stat()
        except FileNotFoundError:
            return {}
        if os.geteuid() != 0 or info.st_uid == 0:
            return {}
        return {"user": info.st_uid, "group": info.st_gid, "extra_groups": []}

    def _balai(self, version: str, *arguments: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
        command = [str(self.layout.balai(version)), *arguments, "--data", str(self.settings.data_dir)]
        if self.config_file is not None:
            command += ["--config", str(self.config_file)]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                              **self._owner())

    def _services(self, command: list[str]) -> bool:
        if not command:
            return True
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            log.error("update: %s failed: %s", command, error)
            return False
        if result.returncode != 0:
            log.error("update: %s exited %s: %s", command, result.returncode, (result.stderr or result.stdout)[-500:])
        return result.returncode == 0

    def healthy(self, version: str, seconds: float | None = None) -> bool:
        """The server answers its health check with `version` and a working database, twice, 2 s apart."""
        host = self.settings.host if self.settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        url = f"http://{host}:{self.settings.port}/api/v1/health"
        deadline = time.monotonic() + (self.settings.update_health_seconds if seconds is None else seconds)
        good = 0
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(url, timeout=5).json()
                ok = answer.get("version") == version and answer.get("database", {}).get("state") == "ok"
            except (httpx.HTTPError, ValueError, AttributeError):
                ok = False
            good = good + 1 if ok else 0
            if good >= 2:
                return True
            time.sleep(2 if ok else 1)
        return False

    # --- building a release ----------------------------------------------------------------------------------
    def build_release(self, manifest: Manifest, bundle: Path) -> Path:
        """A complete virtualenv at its final path (scripts carry that path) while the old one keeps running."""
        release = self.layout.release(manifest.version)
        staging = self.layout.root / f".staging-{manifest.version}"
        shutil.rmtree(staging, ignore_errors=True)
        if release.exists():
            shutil.rmtree(release)  # a leftover of an interrupted or rolled-back attempt, never the running one
        release.mkdir(parents=True)
        (release / INCOMPLETE).touch()
        try:
            extract_wheels(bundle, manifest, staging)
            steps = [[sys._base_executable, "-m", "venv", "--clear", str(release)],  # type: ignore[attr-defined]
                     [str(release / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index",
                      "--no-cache-dir", "--disable-pip-version-check", "--find-links", str(staging),
                      f"balai[{EXTRAS}]=={manifest.version}"]]
            for step in steps:
                result = subprocess.run(step, capture_output=True, text=True, timeout=1800, check=False)
                if result.returncode != 0:
                    log.error("update: %s failed: %s", step[:3], (result.stderr or result.stdout)[-2000:])
                    raise ServiceError("update.install_failed")
            (release / INCOMPLETE).touch()  # `venv --clear` emptied the folder
            answer = subprocess.run([str(release / "bin" / "balai"), "--version"], capture_output=True, text=True,
                                    timeout=120, check=False)
            if answer.stdout.strip() != f"balai {manifest.version}":
                log.error("update: the new release says %r", (answer.stdout or answer.stderr)[-300:])
                raise ServiceError("update.install_failed")
            (release / INCOMPLETE).unlink()
        except BaseException:
            shutil.rmtree(release, ignore_errors=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return release

    # --- the switch ------------------------------------------------------------------------------------------
    def _step(self, state: dict[str, Any], phase: str, **changes: Any) -> None:
        state.update(phase=phase, **changes)
        write_json(state_file(self.settings), state)

    def switch(self, current: str, version: str) -> UpdateResult:
        state: dict[str, Any] = {"from": current, "to": version, "started_at": _now(), "by": self.actor,
                                 "backup": ""}
        self._step(state, "stopping")
        if not self._services(self.settings.update_stop_command):
            return self._undo(state, "stop_failed")
        self._step(state, "backing_up")
        made = self._balai(current, "backup", "--to", str(self.settings.backup_dir / "before-update"), "--json")
        try:
            backup = json.loads(made.stdout.strip().splitlines()[-1]).get("path", "") if made.returncode == 0 else ""
        except (ValueError, IndexError, AttributeError):
            backup = ""
        if not backup:
            log.error("update: the backup before the update failed: %s", made.stderr[-1000:])
            return self._undo(state, "backup_failed")
        self._step(state, "migrating", backup=backup)
        migrated = self._balai(version, "migrate")
        if migrated.returncode != 0:
            log.error("update: migration with %s failed: %s", version, migrated.stderr[-2000:])
            return self._undo(state, "migrate_failed")
        self._step(state, "switching")
        self.layout.point_to(version)
        self._step(state, "starting")
        return self._confirm(state)

    def _confirm(self, state: dict[str, Any]) -> UpdateResult:
        started = self._services(self.settings.update_start_command)
        if not (started and self.healthy(state["to"])):
            return self._undo(state, "health_failed")
        result = UpdateResult("installed", state["from"], state["to"], backup=state.get("backup", ""))
        self._finish(result)
        self.prune(keep={state["to"], state["from"]})
        return result

    def _undo(self, state: dict[str, Any], reason: str) -> UpdateResult:
        """Back to the release and the data from before; then the office runs as it did."""
        self._step(state, "rolling_back", reason=reason)
        self._services(self.settings.update_stop_command)
        self.layout.point_to(state["from"])
        if state.get("backup") and state.get("migrated", True):
            for attempt in range(3):  # a stopped server's last file handles may take a moment to go
                restored = self._balai(state["from"], "restore", state["backup"], "--json")
                if restored.returncode == 0:
                    break
                log.error("update: restoring %s failed (try %s): %s; the database is held by: %s", state["backup"],
                          attempt + 1, restored.stderr[-2000:], holders(self.settings.database_path) or "nobody")
                time.sleep(3)
            else:
                self._step(state, "rollback_failed")
                raise ServiceError("update.rollback_failed")
        self._services(self.settings.update_start_command)
        if not self.healthy(state["from"]):
            log.critical("update: the previous release %s does not answer after the rollback", state["from"])
        result = UpdateResult("rolled_back", state["from"], state["to"], reason, state.get("backup", ""))
        self._finish(result)
        if state["to"] != state["from"]:
            shutil.rmtree(self.layout.release(state["to"]), ignore_errors=True)
        return result

    def _finish(self, result: UpdateResult) -> None:
        remember(self.settings, {"outcome": result.outcome, "from": result.from_version, "to": result.to_version,
                                 "reason": result.reason, "by": self.actor, "backup": result.backup})
        state_file(self.settings).unlink(missing_ok=True)
        level = logging.INFO if result.outcome == "installed" else logging.ERROR
        log.log(level, "update %s -> %s: %s %s", result.from_version, result.to_version, result.outcome, result.reason)

    def prune(self, keep: set[str]) -> None:
        """Keep the running release and the one before (for a rollback by hand); older ones go."""
        if not self.layout.releases.is_dir():
            return
        for path in self.layout.releases.iterdir():
            if path.is_dir() and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # --- entry points ----------------------------------------------------------------------------------------
    def check(self, bundle: Path) -> Manifest:
        """Verify a bundle (signature and whether it is newer) without changing anything."""
        manifest = read_manifest(bundle, trusted_keys(self.settings.update_keys_dir))
        current = self.layout.current()
        if current is not None and _version(manifest.version) <= _version(current):
            raise ServiceError("update.not_newer", version=manifest.version, current=current)
        return manifest

    def apply(self, bundle: Path) -> UpdateResult:
        with exclusive(self.settings):
            if read_state(self.settings) is not None:
                raise ServiceError("update.unfinished")
            current = self.layout.current()
            if current is None:
                raise ServiceError("update.not_installed", root=str(self.layout.root))
            manifest = self.check(bundle)
            self.build_release(manifest, bundle)
            return self.switch(current, manifest.version)

    def recover(self) -> UpdateResult | None:
        """Finish or undo an update a power cut (or a killed process) interrupted; None when there was none."""
        with exclusive(self.settings):
            state = read_state(self.settings)
            if state is None:
                return None
            phase = state.get("phase")
            versions = (state.get("from"), state.get("to"))
            if not all(isinstance(v, str) and SAFE_VERSION.match(v) for v in versions):
                log.error("update: unreadable state %s; leaving it for a person", state)
                raise ServiceError("update.state_unreadable")
            log.warning("update: recovering from phase %s (%s -> %s)", phase, state["from"], state["to"])
            if phase in ("stopping", "backing_up"):  # nothing changed yet: just run the old release again
                state["migrated"] = False
                return self._undo(state, "interrupted")
            if phase in ("switching", "starting"):
                self.layout.point_to(state["to"])
                self._step(state, "starting")
                return self._confirm(state)
            return self._undo(state, "interrupted")  # migrating, rolling_back, rollback_failed


def holders(path: Path) -> list[str]:
    """Processes with `path` open ("pid command"), for the log when a restore is refused: the person reading it
    then knows what to stop. Best effort; other users' processes are invisible without root."""
    found = []
    target = str(path.resolve())
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd).startswith(target) for fd in fd_dir.iterdir()):
                command = (fd_dir.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{fd_dir.parent.name} {command[:200].strip()}")
        except OSError:
            continue
    return found


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")
