"""A private CUPS server with a cups-pdf queue, for tests that print letters through the real `lp`.

The server is a child `cupsd -f` with its own ServerRoot, spool, cache, state and log folders in a
temporary directory, listening only on 127.0.0.1:<free port>, with no browsing and no domain socket, so it
never meets the machine's own CUPS (if any). Its one queue uses the cups-pdf backend, whose PDFs land in
`out_dir`, where a test can read them.

cups-pdf reads its settings from a path compiled into it (/etc/cups), choosing `cups-pdf-<name>.conf` for a
device URI `cups-pdf:/<name>`; so the server writes a uniquely named file there for its lifetime and removes
it afterwards. That, and the backend being runnable only by root (mode 0700), is why this needs root.
Under CI=true anything missing is a failure, never a skip: a green CI must have printed for real.

    python -m tests.support.cups    # starts one and prints how to use it, until Ctrl-C
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import pytest

CUPSD = "/usr/sbin/cupsd"
LPADMIN = "/usr/sbin/lpadmin"
BACKEND = "/usr/lib/cups/backend/cups-pdf"
CUPS_PDF_CONF_DIR = Path("/etc/cups")  # compiled into cups-pdf (CP_CONFIG_PATH); not configurable
PPD_CANDIDATES = ("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd", "/usr/share/cups/model/CUPS-PDF_opt.ppd")
DEBIAN_PACKAGES = "cups-daemon cups-client printer-driver-cups-pdf"


def missing_reason() -> str | None:
    """Why a private CUPS cannot run here, or None when it can."""
    for tool in (CUPSD, LPADMIN, BACKEND, shutil.which("lp") or "/usr/bin/lp"):
        if not Path(tool).exists():
            return f"{tool} is missing (Debian: {DEBIAN_PACKAGES}; scripts/system-deps.sh test installs them)"
    if _ppd() is None:
        return "no cups-pdf PPD found (Debian: printer-driver-cups-pdf)"
    if os.geteuid() != 0:
        return "the cups-pdf backend runs only under a root cupsd, and its settings live in /etc/cups"
    if not os.access(CUPS_PDF_CONF_DIR, os.W_OK):
        return f"{CUPS_PDF_CONF_DIR} is not writable"
    return None


def require_cups() -> None:
    """Skip the calling test when CUPS cannot run here, but fail it under CI=true."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"private CUPS server needed under CI: {reason}")
    pytest.skip(reason)


def _ppd() -> str | None:
    """The cups-pdf PPD with options (its PageSize list and custom page sizes)."""
    return next((p for p in PPD_CANDIDATES if Path(p).exists()), None)


def _free_port() -> int:
    """A TCP port nobody listens on right now (small race accepted: cupsd binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateCups:
    """A running private cupsd; use as a context manager. `server` is what `lp -h` takes."""

    def __init__(self, queue: str = "balai-test") -> None:
        """Choose the names only; start() does the work."""
        self.queue = queue
        self.port = 0
        self.root = Path()
        self.out_dir = Path()
        self._tag = f"balai-{secrets.token_hex(4)}"
        self._conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{self._tag}.conf"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        """HOST:PORT of the server, for `lp -h` and CupsPrinter(server=...)."""
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> PrivateCups:
        """Start the server and its queue; stop everything again if that fails half-way."""
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop the server and remove what it left."""
        self.stop()

    def start(self) -> None:
        """Write the configuration, start `cupsd -f`, wait for it to answer, add the cups-pdf queue."""
        self.root = Path(tempfile.mkdtemp(prefix="balai-cups-"))
        os.chmod(self.root, 0o755)  # filters run as user lp and must reach the spool inside
        self.out_dir = self.root / "out"
        for name in ("etc", "spool", "spool/tmp", "cache", "state", "log", "out", "cups-pdf-spool"):
            (self.root / name).mkdir(mode=0o755, exist_ok=True)
        os.chmod(self.out_dir, 0o777)  # cups-pdf writes as the job's user after dropping root
        self.port = _free_port()
        self._write_config()
        log = open(self.root / "log" / "cupsd.out", "wb")
        with log:
            self._process = subprocess.Popen(
                [CUPSD, "-f", "-c", str(self.root / "etc/cupsd.conf"), "-s", str(self.root / "etc/cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_answering(15.0)
        result = subprocess.run(
            [LPADMIN, "-h", self.server, "-p", self.queue, "-E", "-v", f"cups-pdf:/{self._tag}", "-P", str(_ppd()),
             "-o", "printer-error-policy=abort-job"],
            capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"lpadmin failed: {result.stderr.strip()}\n{self.error_log()}")

    def _write_config(self) -> None:
        """cupsd.conf (loopback only, no browsing, no authentication), cups-files.conf, the cups-pdf conf."""
        etc = self.root / "etc"
        (etc / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\n"
            "Browsing No\nBrowseLocalProtocols none\nDefaultShared No\nWebInterface No\n"
            "LogLevel info\nMaxLogSize 0\nJobRetryLimit 0\nPreserveJobFiles No\n"
            "<Location />\n  Order allow,deny\n  Allow 127.0.0.1\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        (etc / "cups-files.conf").write_text(
            f"ServerRoot {etc}\nRequestRoot {self.root / 'spool'}\nTempDir {self.root / 'spool/tmp'}\n"
            f"CacheDir {self.root / 'cache'}\nStateDir {self.root / 'state'}\n"
            f"ServerKeychain {self.root / 'state/ssl'}\nCreateSelfSignedCerts no\n"
            f"AccessLog {self.root / 'log/access_log'}\nErrorLog {self.root / 'log/error_log'}\n"
            f"PageLog {self.root / 'log/page_log'}\nPrintcap\nSystemGroup root\n")
        self._conf.write_text(
            f"Out {self.out_dir}\nAnonDirName {self.out_dir}\nSpool {self.root / 'cups-pdf-spool'}\n"
            f"Log {self.root / 'log'}\nLogType 3\nUserUMask 0022\nAnonUMask 0022\nLabel 0\n"
            "TitlePref 0\nDecodeHexStrings 1\nGrp root\n")

    def _wait_until_answering(self, seconds: float) -> None:
        """Poll the port until cupsd accepts connections (it binds after reading its configuration)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"cupsd exited with {self._process.returncode}:\n{self.error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"cupsd did not answer on {self.server} within {seconds:g} s:\n{self.error_log()}")

    def error_log(self) -> str:
        """The tail of cupsd's own output and error log, for failure messages."""
        parts = []
        for name in ("cupsd.out", "error_log"):
            path = self.root / "log" / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop cupsd by its PID (SIGTERM, then SIGKILL), remove the cups-pdf conf and the folders."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._conf.unlink(missing_ok=True)
        if self.root != Path() and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def wait_for_pdf(self, count: int = 1, seconds: float = 30.0) -> list[Path]:
        """The PDFs cups-pdf wrote, once there are at least `count` complete ones (or AssertionError)."""
        deadline = time.monotonic() + seconds
        while True:
            found = sorted(p for p in self.out_dir.rglob("*.pdf") if _complete_pdf(p))
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} PDFs after {seconds:g} s in {self.out_dir}:\n"
                                     f"{self.error_log()}")
            time.sleep(0.1)


def _complete_pdf(path: Path) -> bool:
    """A PDF cups-pdf has finished writing: it ends with %%EOF (Ghostscript writes it last)."""
    try:
        return path.read_bytes().rstrip().endswith(b"%%EOF")
    except OSError:
        return False


if __name__ == "__main__":
    with PrivateCups() as cups:
        print(f"cupsd on {cups.server}, queue {cups.queue}, PDFs in {cups.out_dir}; Ctrl-C stops it")
        print(f"try: lp -h {cups.server} -d {cups.queue} some.pdf")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
