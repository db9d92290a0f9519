"""Letters to the office printer through CUPS, and a PDF preview folder for demo mode.

Letters are PDFs on F4 or A4, which every office printer driver already handles through CUPS, so we hand
the PDF to `lp` (package cups-client) rather than speaking IPP ourselves: the installer sets the printer up
once with the CUPS tools they know, and Balai only names the queue. "Accepted" means CUPS spooled the job
(`lp` printed a request id); a printer that jams later is CUPS's to report, as for any office document.
Errors become `PrinterError` kinds at this boundary, as for the ticket printers in `printing.transports`.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path

from printing.transports import PrinterError, PrinterState

LP = "lp"
LPSTAT = "lpstat"
# CUPS media names. F4 has no standard name: CUPS's custom size syntax works with every PPD that allows
# custom sizes (cups-pdf, most laser drivers) and maps to an IPP custom size for driverless printers.
MEDIA: dict[str, str] = {"F4": "Custom.215x330mm", "A4": "A4"}
QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,127}")
PROBE_TIMEOUT = 5.0  # seconds: a status light must not hang on a dead print server

# lp/lpstat messages (forced to English with LC_ALL=C) mapped to a kind; checked in this order.
_MESSAGE_KINDS: tuple[tuple[str, str], ...] = (
    ("does not exist", "not_found"),
    ("invalid destination", "not_found"),
    ("unknown destination", "not_found"),
    ("not accepting", "offline"),
    ("connection refused", "offline"),
    ("unable to connect", "offline"),
    ("no route to host", "offline"),
    ("network is unreachable", "offline"),
    ("host is down", "offline"),
    ("name or service not known", "offline"),
    ("no such file or directory", "offline"),  # the local CUPS socket is missing: cupsd is not running
    ("scheduler is not running", "offline"),
    ("timed out", "timeout"),
    ("forbidden", "refused"),
    ("unauthorized", "refused"),
)


def _check_queue(queue: str) -> str:
    """A CUPS queue name as CUPS itself allows it (and nothing lp could read as an option)."""
    if not QUEUE_NAME.fullmatch(queue) or queue.startswith("-"):
        raise ValueError(f"invalid CUPS queue name {queue!r}: use letters, digits, '_', '.' and '-'")
    return queue


def _kind_of(message: str) -> str:
    """The PrinterError kind for an lp/lpstat error message; "io" when it says nothing we know."""
    lowered = message.lower()
    return next((kind for text, kind in _MESSAGE_KINDS if text in lowered), "io")


def _environment() -> dict[str, str]:
    """The CUPS tools' environment: English messages (we parse them), the rest as inherited."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env.pop("LANGUAGE", None)
    return env


class CupsPrinter:
    """A CUPS queue (local cupsd, or `server` "host[:port]" on the LAN) that prints letter PDFs."""

    def __init__(self, queue: str, paper: str = "F4", *, server: str = "", timeout: float = 30.0,
                 title: str = "Balai") -> None:
        """Validate the settings now so a typo shows when the setting is saved, not at the first letter."""
        if paper not in MEDIA:
            raise ValueError(f"unknown paper {paper!r}: expected one of {', '.join(MEDIA)}")
        if server.startswith("-") or any(c.isspace() for c in server):
            raise ValueError(f"invalid CUPS server {server!r}")
        self.queue = _check_queue(queue)
        self.paper = paper
        self.server = server
        self.timeout = timeout
        self.title = title
        self.name = f"cups://{server}/{queue}" if server else f"cups:{queue}"

    def _server_args(self) -> list[str]:
        """`-h SERVER` when a server is configured; otherwise CUPS's own default (the local scheduler)."""
        return ["-h", self.server] if self.server else []

    def command(self) -> list[str]:
        """The lp command line for one job (the PDF goes to its standard input)."""
        return [LP, *self._server_args(), "-d", self.queue, "-t", self.title, "-o", f"media={MEDIA[self.paper]}",
                "-o", "fit-to-page=false", "-"]

    def send(self, data: bytes) -> None:
        """Spool one PDF with lp; return once CUPS accepted it, raise PrinterError otherwise."""
        output = self._run(self.command(), data, self.timeout)
        if "request id" not in output.lower():
            raise PrinterError("io", f"{self.name}: lp gave no request id: {output.strip()[:200]}")

    def _run(self, command: list[str], data: bytes | None, timeout: float) -> str:
        """Run a CUPS tool; its standard output on success, a PrinterError for every failure."""
        try:
            result = subprocess.run(command, input=data, capture_output=True, timeout=timeout,
                                    env=_environment(), stdin=None if data is not None else subprocess.DEVNULL)
        except FileNotFoundError:
            raise PrinterError("not_found", f"{command[0]} is not installed (Debian package cups-client)") from None
        except subprocess.TimeoutExpired:
            raise PrinterError("timeout", f"{self.name}: {command[0]} did not finish within {timeout:g} s") from None
        except OSError as exc:
            raise PrinterError("io", f"{self.name}: cannot run {command[0]}: {exc}") from exc
        stdout = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0:
            message = (result.stderr.decode("utf-8", "replace").strip() or stdout.strip())[:300]
            kind = _kind_of(message)
            if kind == "not_found" and not self._scheduler_running(timeout):
                # lp and lpstat report an unreachable scheduler as a missing queue: tell them apart.
                kind, message = "offline", f"the CUPS scheduler is not running or not reachable ({message})"
            raise PrinterError(kind, f"{self.name}: {message or f'exit status {result.returncode}'}")
        return stdout

    def _scheduler_running(self, timeout: float) -> bool:
        """Whether the CUPS scheduler answers (`lpstat -r`); unknown counts as running (keeps the error)."""
        try:
            result = subprocess.run([LPSTAT, *self._server_args(), "-r"], capture_output=True, text=True,
                                    timeout=min(timeout, PROBE_TIMEOUT), env=_environment(),
                                    stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            return True
        return "not running" not in result.stdout.lower()

    def probe(self) -> PrinterState:
        """Ask the scheduler whether the queue exists, is enabled and accepts jobs; never raise."""
        command = [LPSTAT, *self._server_args(), "-p", self.queue, "-a", self.queue]
        try:
            output = self._run(command, None, min(self.timeout, PROBE_TIMEOUT))
        except PrinterError as exc:
            return PrinterState(False, str(exc))
        except Exception as exc:  # noqa: BLE001 - a probe must never take the caller down
            return PrinterState(False, f"io: {self.name}: {exc}")
        return _state_from_lpstat(self.name, self.queue, output)


def _state_from_lpstat(name: str, queue: str, output: str) -> PrinterState:
    """Read `lpstat -p Q -a Q`: "printer Q is idle.  enabled since …" and "Q accepting requests since …"."""
    lines = [line for line in output.splitlines() if line.strip()]
    at = next((i for i, line in enumerate(lines) if line.startswith(f"printer {queue} ")), None)
    accepting = next((line for line in lines if line.startswith(f"{queue} ")), "")
    if at is None:
        return PrinterState(False, f"not_found: {name}: lpstat does not list the queue")
    printer = lines[at]
    if "disabled" in printer:
        # The reason, when CUPS has one, is the indented line right after ("\tpaper jam").
        following = lines[at + 1] if at + 1 < len(lines) else ""
        reason = following.strip() if following[:1].isspace() else "no reason given"
        return PrinterState(False, f"offline: {name} is paused in CUPS ({reason})")
    if "not accepting" in accepting:
        return PrinterState(False, f"offline: {name} is not accepting jobs")
    status = "printing" if "printing" in printer else "idle"
    return PrinterState(True, f"{name} is {status}")


class PdfPreviewPrinter:
    """Each letter becomes `letter-<UTC time>-<n>.pdf` in a private folder instead of paper (demo mode).

    Files appear whole or not at all (written aside, flushed to disk, then linked into place), so the
    preview page never shows half a PDF, and a power cut never leaves a truncated one.
    """

    def __init__(self, folder: Path) -> None:
        """Remember the folder; it is created (mode 0700: letters hold personal data) on the first job."""
        self.folder = Path(folder)
        self.name = "preview"
        self._lock = threading.Lock()
        self._seq = 0

    def send(self, data: bytes) -> None:
        """Store the job; only a failing disk makes this raise (PrinterError "io" and friends)."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._write(data)
        except OSError as exc:
            kind = "refused" if isinstance(exc, PermissionError) else "io"
            raise PrinterError(kind, f"writing letter preview to {self.folder}: {exc}") from exc

    def _write(self, data: bytes) -> None:
        """Write aside, fsync, then hard-link under the first free name (never overwriting a letter)."""
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".letter-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            while True:
                with self._lock:
                    self._seq += 1
                    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
                    target = self.folder / f"letter-{stamp}-{self._seq}.pdf"
                try:
                    os.link(temporary, target)
                    break
                except FileExistsError:
                    continue
        finally:
            os.unlink(temporary)
        directory = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)  # the new name itself survives a power cut
        finally:
            os.close(directory)

    def probe(self) -> PrinterState:
        """Always ready: a folder stands in for paper."""
        return PrinterState(True, f"preview into {self.folder}")


def letter_printer_from_setting(value: str, preview_dir: Path, paper: str,
                                server: str = "") -> CupsPrinter | PdfPreviewPrinter | None:
    """The letter printer from its one-line setting: "" none, "preview:" a folder, else a CUPS queue name.

    Raises ValueError for a queue name CUPS would not accept, so the settings page can say so at once.
    """
    text = value.strip()
    if not text:
        return None
    if text == "preview:":
        return PdfPreviewPrinter(preview_dir)
    return CupsPrinter(text, paper, server=server)
