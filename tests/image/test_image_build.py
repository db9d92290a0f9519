"""The SD-card image build, for real: image-build/customize runs its numbered scripts into a fresh
`debootstrap --variant=minbase bookworm` tree (the same scripts that customise Raspberry Pi OS, here on the
development machine's architecture) with a wheelhouse built from this checkout. Then the tree is read back: users,
enabled units, the release venv and `balai --version` inside the tree, the settings file through Balai's own
loader, avahi, host name, no secrets, no mounts left behind; a failing script is named and cleaned up after;
a second run changes nothing.

Needs root, debootstrap and chroot (scripts/system-deps.sh test) and the package mirrors; skips without them,
fails instead under CI=true. One tree per module (~2-3 minutes), removed afterwards; the downloaded packages stay
in ~/.cache/balai/image-test (BALAI_IMAGE_TEST_CACHE) for the next run."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.wheelhouse import PROJECT_ROOT, balai_wheel, build_wheelhouse

pytestmark = pytest.mark.slow

IMAGE_BUILD = PROJECT_ROOT / "image-build"
CUSTOMIZE = IMAGE_BUILD / "customize"
SYSTEMD = PROJECT_ROOT / "systemd"
UNIT_SUFFIXES = {".service", ".timer", ".path", ".socket"}
# What first boot finds on a Raspberry Pi OS card (one line); the tree gets one so the boot step has work to do.
CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=12345678-02 rootfstype=ext4 fsck.repair=yes rootwait\n"
TREE_RESOLV = "# the tree's own resolv.conf: customize must put it back\nnameserver 192.0.2.53\n"
# The parts of the tree the image build writes; compared before and after a second run.
MANIFEST_DIRS = ("etc", "opt", "usr/local", "boot", "var/lib/balai", "var/lib/dbus")
# Downloads kept between test runs (debootstrap's and apt's packages; a few hundred MB), not the tree itself.
CACHE = Path(os.environ.get("BALAI_IMAGE_TEST_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "balai" / "image-test")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _require(ok: object, reason: str) -> None:
    if ok:
        return
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: the image build test must run, not skip)", pytrace=False)
    pytest.skip(reason)


def mounts_below(root: Path) -> list[str]:
    """Mount points at or below `root`, deepest first."""
    prefix = str(root)
    found = []
    with open("/proc/mounts", encoding="utf-8") as table:
        for line in table:
            target = line.split()[1].replace("\\040", " ")
            if target == prefix or target.startswith(prefix + "/"):
                found.append(target)
    return sorted(found, key=len, reverse=True)


def unmount_all_below(root: Path) -> list[str]:
    """Whatever a broken run left mounted below `root`, unmounted (lazily if busy); returns what remains."""
    for target in mounts_below(root):
        if subprocess.run(["umount", target], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", target], capture_output=True)
    return mounts_below(root)


def manifest(root: Path) -> dict[str, str]:
    """Path -> mode, owner and content hash (or link target) of everything the build writes."""
    entries: dict[str, str] = {}
    for part in MANIFEST_DIRS:
        for dirpath, dirnames, filenames in os.walk(root / part):
            if Path(dirpath) == root / "opt/balai":
                dirnames[:] = [d for d in dirnames if d != "docs"]  # a copy of docs/, edited meanwhile perhaps
            for name in dirnames + filenames:
                path = Path(dirpath) / name
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    what = "-> " + os.readlink(path)
                elif stat.S_ISREG(info.st_mode) and f"{os.sep}releases{os.sep}" in str(path):
                    # The release venv: a second run must not even rewrite it (size and time tell).
                    what = f"{info.st_size} {info.st_mtime_ns}"
                elif stat.S_ISREG(info.st_mode):
                    what = hashlib.sha256(path.read_bytes()).hexdigest()
                else:
                    what = ""
                entries[str(path.relative_to(root))] = f"{info.st_mode:o} {info.st_uid}:{info.st_gid} {what}"
    return entries


def run_customize(root: Path, wheels: Path, customize: Path = CUSTOMIZE, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("BALAI_")}
    environ.update({"BALAI_IMAGE_KIOSK": "yes", "BALAI_APT_CACHE": str(CACHE / "apt"), **env})
    return subprocess.run([str(customize), str(root), str(wheels)], env=environ, capture_output=True, text=True,
                          timeout=1200)


def chroot(root: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["chroot", str(root), *command], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"})


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Tree:
    root: Path
    wheels: Path
    version: str
    first: subprocess.CompletedProcess
    manifest: dict[str, str]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tree]:
    _require(os.geteuid() == 0, "the image build needs root (debootstrap, mount, chroot)")
    _require(shutil.which("debootstrap"), "debootstrap is not installed (scripts/system-deps.sh test)")
    _require(shutil.which("chroot"), "chroot is not available")
    base = tmp_path_factory.mktemp("image-build")
    root = base / "root"
    wheels = base / "wheels"
    log_path = base / "debootstrap.log"
    bootstrap = None
    try:
        with open(log_path, "w") as log:
            # The tree comes from debootstrap's default mirror while pip builds the wheels here.
            (CACHE / "debootstrap").mkdir(parents=True, exist_ok=True)
            (CACHE / "apt").mkdir(parents=True, exist_ok=True)
            bootstrap = subprocess.Popen(["debootstrap", "--variant=minbase", f"--cache-dir={CACHE / 'debootstrap'}",
                                          "bookworm", str(root)], stdout=log, stderr=subprocess.STDOUT)
            build_wheelhouse(wheels)
            code = bootstrap.wait(timeout=900)
        if code != 0:
            message = f"debootstrap failed ({code}):\n{tail(log_path.read_text())}"
            if _in_ci():
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        (root / "boot/firmware").mkdir(parents=True, exist_ok=True)
        (root / "boot/firmware/cmdline.txt").write_text(CMDLINE)
        (root / "etc/resolv.conf").write_text(TREE_RESOLV)
        first = run_customize(root, wheels)
        assert first.returncode == 0, f"customize failed:\n{tail(first.stdout)}\n{tail(first.stderr)}"
        version = balai_wheel(wheels).name.split("-")[1]
        yield Tree(root=root, wheels=wheels, version=version, first=first, manifest=manifest(root))
    finally:
        if bootstrap is not None and bootstrap.poll() is None:
            bootstrap.kill()
            bootstrap.wait()
        left = unmount_all_below(root)
        # Never delete through a mount: a bind-mounted /dev would take the machine's device nodes with it.
        if left:
            raise AssertionError(f"mounts left below {root}, tree not removed: {left}")
        # --one-file-system: even a mount that appeared meanwhile is never descended into.
        subprocess.run(["rm", "-rf", "--one-file-system", str(base)], check=False)


# --- the tree after one run ----------------------------------------------------------------------------------

def test_every_numbered_script_ran(tree: Tree) -> None:
    scripts = sorted(p.name for p in (IMAGE_BUILD / "scripts").glob("[0-9][0-9]-*.sh"))
    assert scripts, "no numbered scripts in image-build/scripts"
    ran = re.findall(r"^==> scripts/(\S+)$", tree.first.stdout, flags=re.M)
    assert ran == scripts


def test_no_mounts_or_staging_left_behind(tree: Tree) -> None:
    assert mounts_below(tree.root) == []
    assert not (tree.root / "tmp/balai-build").exists()
    assert not (tree.root / "usr/sbin/policy-rc.d").exists()
    assert (tree.root / "etc/resolv.conf").read_text() == TREE_RESOLV
    assert not (tree.root / "etc/resolv.conf.balai-build").exists()


def _table(path: Path) -> dict[str, list[str]]:
    return {line.split(":")[0]: line.split(":") for line in path.read_text().splitlines() if line}


def test_users_and_groups(tree: Tree) -> None:
    passwd = _table(tree.root / "etc/passwd")
    groups = _table(tree.root / "etc/group")

    def members(group: str) -> set[str]:
        return set(filter(None, groups[group][3].split(",")))

    balai = passwd["balai"]
    assert int(balai[2]) < 1000, "balai must be a system user"
    assert balai[5] == "/var/lib/balai"
    assert balai[6] == "/usr/sbin/nologin"
    assert "balai" in members("lp") and "balai" in members("dialout")
    kiosk = passwd["balai-kiosk"]
    assert int(kiosk[2]) < 1000
    for group in ("video", "render", "input", "audio"):
        assert "balai-kiosk" in members(group), group
    for group in ("lp", "dialout"):
        assert "balai-kiosk" not in members(group), "the kiosk browser must not reach printers or office data"
    data = (tree.root / "var/lib/balai").stat()
    assert (data.st_uid, stat.S_IMODE(data.st_mode)) == (int(balai[2]), 0o700)


def _enabled(root: Path) -> set[str]:
    return {link.name for link in (root / "etc/systemd/system").glob("*.wants/*") if link.is_symlink()}


def test_units_enabled(tree: Tree) -> None:
    enabled = _enabled(tree.root)
    for unit in ("balai.service", "balai-sync.service", "balai-backup.timer", "balai-firstboot.service",
                 "avahi-daemon.service", "balai-kiosk.service"):
        assert unit in enabled, f"{unit} is not enabled; enabled: {sorted(enabled)}"
    assert "balai-backup.service" not in enabled, "only the backup timer is enabled"
    # Every unit of systemd/ that can be enabled is (units added later included).
    for path in SYSTEMD.iterdir():
        if path.suffix in UNIT_SUFFIXES and "[Install]" in path.read_text():
            assert path.name in enabled, path.name
    preset = (tree.root / "etc/systemd/system-preset/20-balai.preset").read_text()
    assert "enable balai-kiosk.service" in preset and "enable balai.service" in preset


def test_systemd_files_installed(tree: Tree) -> None:
    for path in SYSTEMD.iterdir():
        if path.suffix in UNIT_SUFFIXES:
            assert (tree.root / "etc/systemd/system" / path.name).read_bytes() == path.read_bytes(), path.name
    rule = tree.root / "etc/udev/rules.d/60-balai-printers.rules"
    assert rule.read_bytes() == (SYSTEMD / "60-balai-printers.rules").read_bytes()
    journald = tree.root / "etc/systemd/journald.conf.d/balai.conf"
    assert journald.read_bytes() == (SYSTEMD / "journald.conf.d/balai.conf").read_bytes()
    session = tree.root / "usr/local/bin/balai-kiosk-session"
    assert session.read_bytes() == (SYSTEMD / "balai-kiosk-session").read_bytes()
    assert stat.S_IMODE(session.stat().st_mode) == 0o755
    assert (tree.root / "opt/balai/docs/appliance.md").is_file(), "the units' Documentation= link"


def test_kiosk_packages(tree: Tree) -> None:
    assert (tree.root / "usr/bin/cage").exists()
    assert (tree.root / "usr/bin/chromium").exists() or (tree.root / "usr/bin/chromium-browser").exists()


def test_release_venv_layout(tree: Tree) -> None:
    venv = tree.root / "opt/balai/venv"
    assert venv.is_symlink() and os.readlink(venv) == f"releases/{tree.version}"
    release = tree.root / "opt/balai/releases" / tree.version
    assert (release / "bin/balai").is_file()
    assert os.readlink(tree.root / "usr/local/bin/balai") == "/opt/balai/venv/bin/balai"
    info = release.stat()
    assert info.st_uid == 0 and not info.st_mode & 0o022, "the release belongs to root and only root writes it"


def test_balai_version_inside_the_tree(tree: Tree) -> None:
    result = chroot(tree.root, "/usr/local/bin/balai", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"balai {tree.version}"


def test_venv_imports_balai(tree: Tree) -> None:
    result = chroot(tree.root, "/opt/balai/venv/bin/python", "-c",
                    "import kiosk.app, printing, sync, usb, serial; print('ok')")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_settings_file_loads_with_balais_loader(tree: Tree) -> None:
    # The default file (/etc/balai/balai.toml), found the way the server finds it, inside the tree.
    code = ("from kiosk.settings import DEFAULT_CONFIG_FILE, load_settings; s = load_settings(environ={}); "
            "print(DEFAULT_CONFIG_FILE, s.data_dir, s.port)")
    result = chroot(tree.root, "/opt/balai/venv/bin/python", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/etc/balai/balai.toml", "/var/lib/balai", "8080"]
    settings = tree.root / "etc/balai/balai.toml"
    assert stat.S_IMODE(settings.stat().st_mode) == 0o644
    keys = tree.root / "etc/balai/update-keys"
    assert keys.is_dir() and stat.S_IMODE(keys.stat().st_mode) == 0o755
    assert list(keys.iterdir()) == []


def test_avahi_service_file(tree: Tree) -> None:
    group = ElementTree.parse(tree.root / "etc/avahi/services/balai.service").getroot()
    assert group.tag == "service-group"
    name = group.find("name")
    assert name is not None and name.text == "Balai %h" and name.get("replace-wildcards") == "yes"
    assert group.findtext("service/type") == "_http._tcp"
    assert group.findtext("service/port") == "8080"


def test_hostname_and_boot(tree: Tree) -> None:
    assert (tree.root / "etc/hostname").read_text() == "balai\n"
    hosts = (tree.root / "etc/hosts").read_text().splitlines()
    assert [line.split() for line in hosts if line.startswith("127.0.1.1")] == [["127.0.1.1", "balai"]]
    cmdline = (tree.root / "boot/firmware/cmdline.txt").read_text()
    assert cmdline == CMDLINE.rstrip("\n") + " consoleblank=0\n"
    example = PROJECT_ROOT / "image-build/files/boot/firmware/balai.toml.example"
    assert (tree.root / "boot/firmware/balai.toml.example").read_bytes() == example.read_bytes()
    assert not (tree.root / "boot/firmware/balai.toml").exists(), "the image carries no village's settings"


def test_no_secrets_baked_in(tree: Tree) -> None:
    machine_id = tree.root / "etc/machine-id"
    assert machine_id.is_file() and machine_id.read_bytes() == b""
    dbus_id = tree.root / "var/lib/dbus/machine-id"
    # D-Bus's copy is a link to it (absolute, so read as a link: resolved here it would name this machine's).
    assert not os.path.lexists(dbus_id) or os.readlink(dbus_id) == "/etc/machine-id"
    assert list((tree.root / "var/lib/balai").iterdir()) == [], "the office data folder starts empty"
    for folder in ("var/lib/balai", "etc/balai", "opt/balai"):
        assert not list((tree.root / folder).rglob("*.key")), folder
    assert not list((tree.root / "etc").glob("ssh/ssh_host_*"))
    assert not (tree.root / "var/lib/systemd/credential.secret").exists()
    assert not (tree.root / "var/lib/systemd/random-seed").exists()
    assert not list((tree.root / "var/lib/apt/lists").glob("*_Packages*")), "apt lists are cleaned"


# --- runs that change the tree (after the checks above) ------------------------------------------------------

def test_failing_script_is_named_and_everything_undone(tree: Tree, tmp_path: Path) -> None:
    # A copy of image-build/ with one extra script that leaves a process running inside the tree and fails.
    copy = tmp_path / "checkout"
    shutil.copytree(IMAGE_BUILD, copy / "image-build")
    shutil.copytree(SYSTEMD, copy / "systemd")
    (copy / "image-build/scripts/05-fails.sh").write_text(
        "#!/bin/sh\nset -eu\nsleep 600 </dev/null >/dev/null 2>&1 &\necho about to fail\nexit 7\n")
    result = run_customize(tree.root, tree.wheels, customize=copy / "image-build/customize")
    assert result.returncode == 7, result.stderr
    assert "scripts/05-fails.sh FAILED with exit code 7" in result.stderr
    assert "==> scripts/10-packages.sh" not in result.stdout, "nothing runs after a failed script"
    assert mounts_below(tree.root) == []
    assert not (tree.root / "tmp/balai-build").exists()
    assert not (tree.root / "usr/sbin/policy-rc.d").exists()
    assert (tree.root / "etc/resolv.conf").read_text() == TREE_RESOLV
    inside = [pid for pid in os.listdir("/proc") if pid.isdigit() and _root_of(pid) == str(tree.root)]
    assert inside == [], "processes left running inside the tree"


def _root_of(pid: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/root")
    except OSError:
        return ""


def test_lan_only_variant_leaves_the_kiosk_disabled(tree: Tree) -> None:
    result = run_customize(tree.root, tree.wheels, BALAI_IMAGE_KIOSK="no")
    assert result.returncode == 0, f"{tail(result.stdout)}\n{tail(result.stderr)}"
    enabled = _enabled(tree.root)
    assert "balai-kiosk.service" not in enabled
    assert {"balai.service", "balai-sync.service", "balai-backup.timer", "avahi-daemon.service"} <= enabled
    preset = (tree.root / "etc/systemd/system-preset/20-balai.preset").read_text()
    assert "disable balai-kiosk.service" in preset
    assert mounts_below(tree.root) == []


def test_second_kiosk_run_gives_the_same_tree(tree: Tree) -> None:
    result = run_customize(tree.root, tree.wheels)
    assert result.returncode == 0, f"{tail(result.stdout)}\n{tail(result.stderr)}"
    assert f"balai {tree.version} is already installed" in result.stdout
    assert mounts_below(tree.root) == []
    after = manifest(tree.root)
    changed = sorted(path for path in set(after) | set(tree.manifest) if after.get(path) != tree.manifest.get(path))
    assert changed == [], f"a second run changed: {changed[:20]}"
    assert chroot(tree.root, "/usr/local/bin/balai", "--version").stdout.strip() == f"balai {tree.version}"
