"""The appliance's systemd files: every unit passes `systemd-analyze verify` (systemd's own parser, strict: any
warning fails), the choices the units promise are in them, the kiosk's helper and health wait work, and a real
`balai serve` speaks the sd_notify protocol (READY=1 once it answers, watchdog pings, STOPPING=1)."""

from __future__ import annotations

import ctypes
import ctypes.util
import http.server
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import ROOT
from tests.system.helpers import TestServer

SYSTEMD = ROOT / "systemd"
UNITS = sorted(p for p in SYSTEMD.iterdir() if p.suffix in {".service", ".timer", ".socket", ".path", ".mount"})
SESSION = SYSTEMD / "balai-kiosk-session"
EXEC_KEYS = {"ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"}
Unit = dict[str, dict[str, list[str]]]


def parse_unit(path: Path) -> Unit:
    """Sections -> key -> every value given (units repeat keys); enough for the files we write."""
    unit: Unit = {}
    section: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = unit.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def value(unit: Unit, section: str, key: str) -> str:
    """The last value of a key, as systemd takes it for single-valued settings."""
    return unit[section][key][-1]


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("systemd-analyze is missing (scripts/system-deps.sh test installs the systemd package)")
    pytest.skip("systemd-analyze is not installed (apt-get install systemd)")


def with_stub_programs(text: str, stubs: Path) -> str:
    """The unit with every Exec*= program that is not on this machine (the venv in /opt/balai, cage) replaced by
    an executable stub under `stubs`: verify insists that each program exists, and nothing else changes."""
    lines = []
    for line in text.splitlines():
        key, sep, command = line.partition("=")
        if sep and key.strip() in EXEC_KEYS:
            prefix = re.match(r"[-@:+!|]*", command).group()
            program, space, arguments = command[len(prefix):].partition(" ")
            if program.startswith("/") and not os.access(program, os.X_OK):
                stub = stubs / program.lstrip("/")
                stub.parent.mkdir(parents=True, exist_ok=True)
                stub.write_text("#!/bin/sh\nexit 0\n")
                stub.chmod(0o755)
                line = f"{key}={prefix}{stub}{space}{arguments}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def verify(units: list[Path], work: Path) -> tuple[int, str]:
    """Copy `units` into `work` (same names, so a timer finds its service), stub missing programs, verify."""
    folder = work / "units"
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for unit in units:
        copy = folder / unit.name
        copy.write_text(with_stub_programs(unit.read_text(), work / "stubs"))
        copies.append(str(copy))
    result = subprocess.run([systemd_analyze(), "verify", "--man=no", *copies], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})
    return result.returncode, (result.stdout + result.stderr).strip()


def test_there_are_units_to_verify() -> None:
    names = {unit.name for unit in UNITS}
    assert {"balai.service", "balai-sync.service", "balai-kiosk.service", "balai-backup.service",
            "balai-backup.timer"} <= names


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_analyze_verify_passes(unit: Path, tmp_path: Path) -> None:
    related = [other for other in UNITS if other.stem == unit.stem and other != unit]  # a timer's service
    code, output = verify([unit, *related], tmp_path)
    assert code == 0 and output == "", f"systemd-analyze verify {unit.name} said (exit {code}):\n{output}"


def test_verify_catches_a_misspelt_setting(tmp_path: Path) -> None:
    """The check above can fail: a typo systemd would silently ignore is reported."""
    broken = tmp_path / "balai.service"
    broken.write_text((SYSTEMD / "balai.service").read_text().replace("ProtectHome=", "ProtectHom="))
    code, output = verify([broken], tmp_path / "work")
    assert "Unknown key 'ProtectHom'" in output, output


def test_every_file_says_what_it_is_and_how_it_is_installed() -> None:
    files = [p for p in SYSTEMD.rglob("*") if p.is_file()]
    for path in files:
        lines = path.read_text().splitlines()
        head = lines[1:6] if lines[0].startswith("#!") else lines[:5]
        assert head[0].startswith("#"), f"{path.name} must start with a comment saying what it is"
        assert "install" in " ".join(head).lower(), f"{path.name}'s opening comment must say how it is installed"


def test_office_server_unit_is_notify_with_watchdog_and_keeps_printers_reachable() -> None:
    unit = parse_unit(SYSTEMD / "balai.service")
    service = unit["Service"]
    assert value(unit, "Service", "Type") == "notify"
    assert value(unit, "Service", "NotifyAccess") == "main"
    assert 10 <= int(value(unit, "Service", "WatchdogSec")) <= 300
    assert value(unit, "Service", "Restart") == "on-failure"
    assert value(unit, "Service", "User") == "balai"
    assert set(value(unit, "Service", "SupplementaryGroups").split()) >= {"lp", "dialout"}
    assert value(unit, "Service", "StateDirectory") == "balai"
    for setting, expected in {"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                              "NoNewPrivileges": "yes"}.items():
        assert value(unit, "Service", setting) == expected, setting
    assert set(value(unit, "Service", "RestrictAddressFamilies").split()) == {"AF_UNIX", "AF_INET", "AF_INET6",
                                                                           "AF_NETLINK"}
    # USB printers are plugged in while the server runs: no device allow-list may hide them.
    assert not {"PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock"} & set(service)
    assert value(unit, "Service", "ExecStart") == "/opt/balai/venv/bin/balai serve"


def test_sync_and_backup_units_run_the_balai_commands_as_balai() -> None:
    sync = parse_unit(SYSTEMD / "balai-sync.service")
    assert value(sync, "Service", "ExecStart") == "/opt/balai/venv/bin/balai sync run"
    assert value(sync, "Service", "User") == "balai"
    assert value(sync, "Service", "Restart") == "always" and int(value(sync, "Service", "RestartSec")) > 0
    assert "balai.service" in value(sync, "Unit", "After").split()
    assert "network-online.target" in value(sync, "Unit", "After").split()

    backup = parse_unit(SYSTEMD / "balai-backup.service")
    assert value(backup, "Service", "ExecStart") == "/opt/balai/venv/bin/balai backup --nightly"
    assert value(backup, "Service", "Type") == "oneshot"
    assert value(backup, "Service", "User") == "balai"
    assert "Install" not in backup, "the timer starts the backup; the service itself is not enabled"

    timer = parse_unit(SYSTEMD / "balai-backup.timer")
    assert value(timer, "Timer", "Persistent") == "true"
    assert value(timer, "Timer", "RandomizedDelaySec")
    assert value(timer, "Timer", "OnCalendar")
    assert value(timer, "Install", "WantedBy") == "timers.target"


def test_kiosk_unit_waits_for_health_relaunches_and_owns_tty1() -> None:
    unit = parse_unit(SYSTEMD / "balai-kiosk.service")
    assert value(unit, "Unit", "ConditionPathExists") == "/usr/bin/cage"
    assert "balai.service" in value(unit, "Unit", "After").split()
    assert "getty@tty1.service" in value(unit, "Unit", "Conflicts").split()
    assert value(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert value(unit, "Service", "Restart") == "always"
    assert value(unit, "Service", "User") == "balai-kiosk"
    assert value(unit, "Service", "PAMName") and value(unit, "Service", "TTYPath") == "/dev/tty1"
    environment = dict(item.split("=", 1) for item in unit["Service"]["Environment"])
    assert environment["BALAI_HEALTH_URL"] == "http://127.0.0.1:8080/api/v1/health"
    assert environment["BALAI_KIOSK_URL"] == "http://127.0.0.1:8080/kiosk"
    assert environment["XCURSOR_PATH"] == "/run/balai-kiosk/icons"
    waits = [command for command in unit["Service"]["ExecStartPre"] if "${BALAI_HEALTH_URL}" in command]
    assert len(waits) == 1 and waits[0].startswith("/usr/bin/curl ")
    command = shlex.split(value(unit, "Service", "ExecStart"))
    assert command[0] == "/usr/bin/cage" and "-s" not in command, "no VT switching away from the kiosk"
    assert command[-2:] == ["/usr/local/bin/balai-kiosk-session", "browser"]


def health_wait(url: str, deadline: int) -> list[str]:
    """The kiosk unit's ExecStartPre health wait, as systemd would run it, against `url`."""
    unit = parse_unit(SYSTEMD / "balai-kiosk.service")
    command = next(c for c in unit["Service"]["ExecStartPre"] if "${BALAI_HEALTH_URL}" in c)
    words = [url if word == "${BALAI_HEALTH_URL}" else word for word in shlex.split(command)]
    words[words.index("--retry-max-time") + 1] = str(deadline)
    return words


class LateHealth(http.server.BaseHTTPRequestHandler):
    """/api/v1/health answers 503 until `ready_at`, then 200 (a server still migrating, then serving)."""

    ready_at = 0.0

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        ready = self.path == "/api/v1/health" and time.monotonic() >= self.ready_at
        self.send_response(200 if ready else 503)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}' if ready else b"starting")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def late_health() -> Iterator[str]:
    LateHealth.ready_at = time.monotonic() + 1.5
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), LateHealth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/health"
    server.shutdown()
    server.server_close()


def test_kiosk_health_wait_retries_until_the_server_answers(late_health: str) -> None:
    if not shutil.which("curl"):
        pytest.fail("curl is missing (scripts/system-deps.sh test installs it; Raspberry Pi OS has it)")
    started = time.monotonic()
    result = subprocess.run(health_wait(late_health, 20), capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 1.0, "it must have waited for the 503s to end"


def test_kiosk_health_wait_gives_up_at_its_deadline() -> None:
    if not shutil.which("curl"):
        pytest.fail("curl is missing (scripts/system-deps.sh test installs it; Raspberry Pi OS has it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    started = time.monotonic()
    result = subprocess.run(health_wait(f"http://127.0.0.1:{closed}/api/v1/health", 2), capture_output=True,
                            timeout=30)
    assert result.returncode != 0
    assert time.monotonic() - started < 10


def session(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/sh", str(SESSION), *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})


def test_session_helper_is_executable() -> None:
    assert os.access(SESSION, os.X_OK)
    assert subprocess.run(["sh", "-n", str(SESSION)]).returncode == 0


def test_browser_flags_carry_the_mandatory_and_kiosk_switches(tmp_path: Path) -> None:
    flags = session("flags", env={"RUNTIME_DIRECTORY": str(tmp_path)}).stdout.split()
    for flag in ("--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--autoplay-policy=no-user-gesture-required", "--kiosk",
                 "--touch-events=enabled", "--disable-pinch", "--overscroll-history-navigation=0", "--noerrdialogs",
                 "--disable-session-crashed-bubble", "--disable-features=TranslateUI", "--ozone-platform=wayland"):
        assert flag in flags, flag
    assert any(flag.startswith("--check-for-update-interval=") for flag in flags)
    assert f"--user-data-dir={tmp_path}/chromium" in flags


def test_browser_starts_chromium_on_the_kiosk_url_with_a_fresh_profile(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nfor arg in "$@"; do echo "$arg"; done > "$RUNTIME_DIRECTORY/args"\n'
                    'ls -A "$RUNTIME_DIRECTORY/chromium" > "$RUNTIME_DIRECTORY/profile"\n')
    fake.chmod(0o755)
    runtime = tmp_path / "run"
    (runtime / "chromium").mkdir(parents=True)
    (runtime / "chromium" / "Last Session").write_text("a resident's pages")
    result = session("browser", env={"RUNTIME_DIRECTORY": str(runtime), "PATH": f"{fake.parent}:/usr/bin:/bin",
                                     "BALAI_KIOSK_URL": "http://127.0.0.1:9/kiosk"})
    assert result.returncode == 0, result.stderr
    args = (runtime / "args").read_text().split("\n")
    assert args[-2] == "http://127.0.0.1:9/kiosk"
    assert "--autoplay-policy=no-user-gesture-required" in args
    assert (runtime / "profile").read_text() == "", "the browser must start on an empty profile"


def test_browser_without_chromium_fails_loudly(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    # /bin/sh's own tools (rm, mkdir) stay reachable by full path; no chromium anywhere on PATH.
    result = session("browser", env={"RUNTIME_DIRECTORY": str(tmp_path), "PATH": str(empty)})
    assert result.returncode != 0 and "no chromium" in result.stderr


def read_xcursor(path: Path) -> tuple[int, int, bytes]:
    """(width, height, ARGB pixels) of the one image in an Xcursor file, checking the layout on the way."""
    data = path.read_bytes()
    magic, header, _version, entries = struct.unpack_from("<4sIII", data)
    assert (magic, header, entries) == (b"Xcur", 16, 1)
    kind, _size, position = struct.unpack_from("<III", data, header)
    assert kind == 0xFFFD0002
    chunk, chunk_kind, _nominal, _v, width, height, _x, _y, _delay = struct.unpack_from("<9I", data, position)
    assert (chunk, chunk_kind) == (36, kind)
    pixels = data[position + chunk:]
    assert len(pixels) == width * height * 4
    return width, height, pixels


def test_cursor_theme_makes_every_cursor_invisible(tmp_path: Path) -> None:
    assert session("cursor-theme", str(tmp_path)).returncode == 0
    cursors = tmp_path / "default" / "cursors"
    width, height, pixels = read_xcursor(cursors / "left_ptr")
    assert (width, height) == (1, 1) and pixels == b"\0\0\0\0"
    for name in ("default", "pointer", "text", "hand2", "wait", "progress", "not-allowed", "grab"):
        assert (cursors / name).resolve() == (cursors / "left_ptr").resolve(), name
    assert session("cursor-theme", str(tmp_path)).returncode == 0, "running it again (every restart) is fine"


def test_libxcursor_loads_the_invisible_cursor_from_the_theme(tmp_path: Path) -> None:
    """The X cursor library itself (same file format as wlroots and libwayland-cursor) finds and reads it."""
    name = ctypes.util.find_library("Xcursor")
    if name is None:
        if os.environ.get("CI") == "true":
            pytest.fail("libXcursor is missing (scripts/system-deps.sh test installs libxcursor1)")
        pytest.skip("libXcursor is not installed (apt-get install libxcursor1)")
    assert session("cursor-theme", str(tmp_path / "icons")).returncode == 0
    # XcursorImage: version, size, width, height, xhot, yhot, delay, then the pixel pointer (aligned).
    probe = (
        "import ctypes\n"
        "class Image(ctypes.Structure):\n"
        "    _fields_ = [(n, ctypes.c_uint32) for n in ('version', 'size', 'width', 'height', 'xhot', 'yhot',"
        " 'delay')] + [('pixels', ctypes.POINTER(ctypes.c_uint32))]\n"
        f"lib = ctypes.CDLL({name!r})\n"
        "lib.XcursorLibraryLoadImage.restype = ctypes.POINTER(Image)\n"
        "lib.XcursorLibraryLoadImage.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]\n"
        "for theme in (b'default', b'Adwaita'):\n"
        "    image = lib.XcursorLibraryLoadImage(b'pointer', theme, 24)\n"
        "    assert image, f'cursor not found in the theme {theme}'\n"
        "    print(image.contents.width, image.contents.height, image.contents.pixels[0])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "XCURSOR_PATH": str(tmp_path / "icons")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "0"] * 2


def test_printer_rules_give_usb_printers_to_lp() -> None:
    rules = (SYSTEMD / "60-balai-printers.rules").read_text()
    lines = [line for line in rules.splitlines() if line.strip() and not line.startswith("#")]
    token = re.compile(r'^(ACTION|SUBSYSTEM|KERNEL|ENV\{\w+\}|ATTRS?\{\w+\}|GROUP|MODE|GOTO|LABEL)'
                       r'(==|!=|=|\+=)"[^"]*"$')
    labels = {m for m in re.findall(r'LABEL="([^"]+)"', rules)}
    for line in lines:
        for part in (p.strip() for p in line.split(",")):
            assert token.match(part), f"not a udev key-operator-value: {part!r} in {line!r}"
        for target in re.findall(r'GOTO="([^"]+)"', line):
            assert target in labels, f"GOTO to a missing label {target}"
    assert 'ENV{ID_USB_INTERFACES}=="*:07????:*", GROUP="lp"' in rules
    assert 'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", GROUP="lp", MODE="0660"' in rules
    for vendor in ("0416", "0483", "04b8", "0fe6", "1fc9", "28e9"):
        assert f'ATTR{{idVendor}}=="{vendor}", GROUP="lp"' in rules, vendor


def journald_binary() -> Path | None:
    for path in (Path("/usr/lib/systemd/systemd-journald"), Path("/lib/systemd/systemd-journald")):
        if path.exists():
            return path
    return None


def test_journald_dropin_uses_real_settings_with_sane_limits() -> None:
    conf = parse_unit(SYSTEMD / "journald.conf.d" / "balai.conf")
    assert set(conf) == {"Journal"}
    settings = {key: values[-1] for key, values in conf["Journal"].items()}
    binary = journald_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-journald is missing (scripts/system-deps.sh test installs systemd)")
        pytest.skip("systemd-journald is not installed")
    known = set(re.findall(rb"Journal\.(\w+)", binary.read_bytes()))
    for key in settings:
        assert key.encode() in known, f"journald has no setting {key}"

    def megabytes(size: str) -> float:
        number, unit = re.fullmatch(r"(\d+)([KMG])", size).groups()
        return int(number) * {"K": 1 / 1024, "M": 1, "G": 1024}[unit]

    assert 50 <= megabytes(settings["SystemMaxUse"]) <= 512, "an 8 GB card must keep room for the database"
    assert megabytes(settings["RuntimeMaxUse"]) <= 64
    assert megabytes(settings["SystemMaxFileSize"]) < megabytes(settings["SystemMaxUse"])
    assert re.fullmatch(r"\d+(month|week|d|day)s?", settings["MaxRetentionSec"])


# --- the server's side of Type=notify ------------------------------------------------------------------------


def receive(sock: socket.socket, until: float, stop_at: str = "") -> list[dict[str, str]]:
    """The notifications (as key/value dicts) that arrive before the monotonic time `until`, up to and
    including the first one carrying the key `stop_at`."""
    messages: list[dict[str, str]] = []
    while (left := until - time.monotonic()) > 0 and not (stop_at and messages and stop_at in messages[-1]):
        sock.settimeout(left)
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        messages.append(dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line))
    return messages


def wait_for(sock: socket.socket, key: str, timeout: float) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The first notification carrying `key`, and everything that came before it."""
    messages = receive(sock, time.monotonic() + timeout, stop_at=key)
    assert messages and key in messages[-1], f"no {key} within {timeout} s; got {messages}"
    return messages[-1], messages[:-1]


@pytest.mark.slow
def test_balai_serve_notifies_ready_pings_the_watchdog_and_says_stopping(tmp_path: Path) -> None:
    notify_socket = tmp_path / "notify.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(notify_socket))
    server = TestServer(tmp_path / "data", log_path=tmp_path / "server.log",
                        extra_env={"NOTIFY_SOCKET": str(notify_socket), "WATCHDOG_USEC": "2000000"})
    server.data_dir.mkdir(parents=True)
    with open(server.log_path, "ab") as log:
        server.process = subprocess.Popen(server.command(), cwd=ROOT, env=server.environment(), stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ready, before = wait_for(receiver, "READY", timeout=120)
        assert ready["READY"] == "1"
        assert not any("WATCHDOG" in message for message in before), "pings start after READY=1"
        # READY=1 means "serving": the very first request after it must be answered.
        assert httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200

        pings = [m for m in receive(receiver, time.monotonic() + 4.5) if m.get("WATCHDOG") == "1"]
        assert len(pings) >= 3, f"expected a ping every second (WATCHDOG_USEC/2), got {len(pings)}"

        os.kill(server.pid, signal.SIGTERM)
        stopping, _ = wait_for(receiver, "STOPPING", timeout=20)
        assert stopping["STOPPING"] == "1"
        # uvicorn ends by re-raising the SIGTERM it handled; systemd counts that as a clean exit.
        assert server.process.wait(20) in (0, -signal.SIGTERM)
    except BaseException:
        print(server.log_text()[-4000:])
        raise
    finally:
        server.stop()
        receiver.close()


def test_usb_stick_rule_mounts_where_balai_looks_and_never_executes() -> None:
    """Pi OS Lite has no automounter: the rule mounts sticks under a usb_mount_roots folder, for the balai user."""
    from kiosk.settings import Settings

    rules = (SYSTEMD / "61-balai-usb-sticks.rules").read_text()
    lines = [line for line in rules.splitlines() if line.strip() and not line.startswith("#")]
    labels = {m for m in re.findall(r'LABEL="([^"]+)"', rules)}
    assert labels == {"balai_usb_sticks_end"} and all(
        target in labels for target in re.findall(r'GOTO="([^"]+)"', rules))
    mounts = [line for line in lines if "systemd-mount" in line]
    assert len(mounts) == 3
    for line in mounts:
        command = shlex.split(line.split('RUN{program}+=', 1)[1].strip('"'))
        assert command[:3] == ["/usr/bin/systemd-mount", "--no-block", "--collect"]  # udev must not wait on it
        options = dict(part.partition("=")[::2] for part in command[3].removeprefix("--options=").split(","))
        assert {"noexec", "nosuid", "nodev"} <= set(options)
        mount_point = Path(command[-1].replace("%k", "sda1"))
        assert any(mount_point.is_relative_to(root) for root in Settings().usb_mount_roots)
    assert "uid=balai,gid=balai" in mounts[0] and "flush" in mounts[0]
